"""The JSON API under /api/ (OpenAPI schema at /api/openapi.json).

Every endpoint needs a caller: a bearer token (`ntm api token create USERNAME`) or the
browser's session (unsafe methods then need the CSRF token). Without one: 401. A unit outside
the caller's scope is a 404, exactly like a unit that does not exist (`ntm.accounts.permissions`
decides, as for the pages); inside the scope, an act the role does not allow is a 403.

Every error has the same body (schema `Error`): `detail`, a sentence in the caller's language
(Vietnamese unless the language cookie says English), `code` for programs, and for invalid
input `problems`, one per field. A body that is not JSON, or holds NaN or Infinity, is a 400;
a parameter or field outside its documented bounds is a 422; so is an entry a service refuses
(a measure no set of that year reads, a numerator above its denominator, ...).

Answers are JSON as RFC 8259 has it: a number the record holds that is not finite (only a
write around the services can store one) is answered as null.
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at run time.
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from ntm.accounts import permissions
from ntm.api import errors
from ntm.api.auth import AUTH
from ntm.api.render import StrictJSONRenderer
from ntm.api.schemas import (
    ConflictError,
    CriteriaSetBrief,
    EntryOut,
    Error,
    EvaluationOut,
    Id,
    IsoDate,
    LineageOut,
    LineageStepOut,
    MeasureKey,
    SetId,
    StatisticsOut,
    StoredEntry,
    UnitOut,
    ValueIn,
    ValueOut,
    Year,
)
from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.criteria.schema import CriteriaSet
from ntm.reports.check import LABELS as CHECK_LABELS
from ntm.reports.check import check_text
from ntm.reports.files import file_name, gather, opened, write_workbook
from ntm.reports.narrative import (
    Narrative,
    Options,
    ReportError,
    figure_url,
    narrative,
    options_from,
)
from ntm.reports.pdf import write_pdf
from ntm.reports.scopes import country_narrative, district_narrative
from ntm.results.commune import commune_view
from ntm.results.province import REVOCATION_SCOPE, province_overview
from ntm.results.query import ChoiceError, Geography, parse_day
from ntm.results.scope import UnitRef
from ntm.stats.text import basis_text
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import LineageStep, lineage
from ntm.values import services as values_services
from ntm.values.models import Stage, Value
from ntm.vn.claims import Kind

api = NinjaAPI(
    title="ntm API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    # The interactive docs page loads scripts from a CDN; nothing may come from the internet.
    docs_url=None,
    auth=AUTH,
    parser=errors.StrictJsonParser(),
    renderer=StrictJSONRenderer(),
    docs_decorator=require_GET,  # the schema is read, never posted to
)
errors.install(api)

# What any operation may answer besides its own responses, each with the `Error` body:
# 400 a body that is not JSON (or holds NaN/Infinity), 401 no valid caller, 404 nothing the
# caller may see there, 422 a parameter or field out of its bounds.
ERRORS: dict[int, Any] = {400: Error, 401: Error, 404: Error, 422: Error, 429: Error}


def responses(ok: Any, extra: dict[int, Any] | None = None) -> dict[int, Any]:
    """The documented responses of an operation: `ok` for 200, then `ERRORS` and `extra`."""
    return {200: ok, **ERRORS, **(extra or {})}


class BoundedPagination(LimitOffsetPagination):
    """Limit and offset within what a query can take (a huge one overflowed the database)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)


units = Router(tags=["units"])
criteria = Router(tags=["criteria"])
country = Router(tags=["country"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _visible_unit(request: HttpRequest, unit_id: int, *kinds: str) -> Unit:
    """The unit if the caller may read it; otherwise 404, whether it exists or not."""
    unit = Unit.objects.select_related("parent").filter(pk=unit_id).first()
    if unit is None or (kinds and unit.kind not in kinds):
        raise Http404
    if not permissions.can_view(_user(request), unit):
        raise Http404
    return unit


def _choice_error(e: ChoiceError) -> Status[Error]:
    return Status(422, Error(detail=str(e), code="invalid_choice"))


# ---------------------------------------------------------------------------- units


@units.get("", response=responses(list[UnitOut]), summary="Units the caller may read, as of a date")
@paginate(BoundedPagination)
def list_units(
    request: HttpRequest,
    on: IsoDate | None = None,
    kind: UnitKind | None = None,
    parent: Id | None = None,
) -> Any:
    qs = permissions.visible_units(_user(request), on)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("code", "name_key", "pk")


@units.get("/{unit_id}", response=responses(UnitOut), summary="A unit")
def get_unit(request: HttpRequest, unit_id: Id) -> Any:
    return _visible_unit(request, unit_id)


def _step(step: LineageStep, user: Any) -> LineageStepOut | None:
    """A lineage step, unless its other side lies outside the caller's scope."""
    for side in (step.old, step.new):
        if side is not None and not permissions.can_view(user, side):
            return None
    return LineageStepOut(
        depth=step.depth,
        event_kind=step.event_kind,
        date=step.date,
        legal_basis=step.legal_basis,
        old=UnitRef.of(step.old) if step.old else None,
        new=UnitRef.of(step.new) if step.new else None,
        weight=step.weight,
    )


@units.get(
    "/{unit_id}/lineage",
    response=responses(LineageOut),
    summary="Predecessors and successors (steps involving units outside the scope left out)",
)
def unit_lineage(request: HttpRequest, unit_id: Id) -> Any:
    unit = _visible_unit(request, unit_id)
    found = lineage(unit)
    user = _user(request)
    return LineageOut(
        unit=UnitRef.of(unit),
        predecessors=[s for s in (_step(x, user) for x in found.predecessors) if s],
        successors=[s for s in (_step(x, user) for x in found.successors) if s],
    )


# ---------------------------------------------------------------------------- values


def _entry(value: Value, stage: str) -> EntryOut:
    by = getattr(value, f"{stage}_by")
    return EntryOut(
        **value.entry(stage),
        version=value.version(stage),
        by=values_services.display_name(by) if by is not None else None,
        at=getattr(value, f"{stage}_at"),
    )


def _value_out(value: Value) -> ValueOut:
    return ValueOut(
        unit=value.unit_id,
        measure=value.measure,
        period=value.period,
        claimed=_entry(value, Stage.CLAIMED),
        verified=_entry(value, Stage.VERIFIED),
    )


@units.get(
    "/{unit_id}/values",
    response=responses(list[ValueOut]),
    summary="A commune's values for a year, claimed and verified side by side",
)
def list_values(request: HttpRequest, unit_id: Id, period: Year) -> Any:
    unit = _visible_unit(request, unit_id, UnitKind.COMMUNE)
    rows = Value.objects.filter(unit=unit, period=period).select_related(
        "claimed_by", "verified_by"
    )
    return [_value_out(v) for v in rows.order_by("measure")]


@units.put(
    "/{unit_id}/values/{measure}",
    response=responses(ValueOut, {403: Error, 409: ConflictError | Error}),
    summary="Save the claimed (commune officer) or verified (appraiser) entry of a value",
)
def save_value(request: HttpRequest, unit_id: Id, measure: MeasureKey, body: ValueIn) -> Any:
    unit = _visible_unit(request, unit_id, UnitKind.COMMUNE)
    entry = values_services.Entry(
        value=body.value,
        numerator=body.numerator,
        denominator=body.denominator,
        not_applicable=body.not_applicable,
    )
    try:
        value = values_services.save_value(
            unit,
            measure,
            body.period,
            entry,
            stage=body.stage,
            expected_version=body.expected_version,
            acting_user=_user(request),
            reason=body.reason,
        )
    except values_services.NotAllowed as e:
        return Status(403, Error(detail=str(e), code="not_allowed"))
    except values_services.Conflict as e:
        return Status(
            409,
            ConflictError(
                detail=str(e),
                code="conflict",
                theirs=StoredEntry(**e.theirs),
                current_version=e.current_version,
                by=values_services.display_name(e.by),
                at=e.at,
            ),
        )
    except values_services.Locked as e:
        return Status(409, Error(detail=str(e), code="locked"))
    except values_services.ValuesError as e:
        return Status(422, Error(detail=str(e), code="invalid"))
    if value.pk is not None:  # an empty entry of a value never saved writes no row
        value.refresh_from_db()
    return _value_out(value)


# ---------------------------------------------------------------------------- results


@units.get(
    "/{unit_id}/evaluation",
    response=responses(EvaluationOut),
    summary="A commune's results for a year under a criteria set, explained per condition",
)
def unit_evaluation(
    request: HttpRequest, unit_id: Id, period: Year | None = None, set: SetId | None = None
) -> Any:
    unit = _visible_unit(request, unit_id, UnitKind.COMMUNE)
    try:
        view = commune_view(unit, period=period, set_id=set, strict_set=True)
    except ChoiceError as e:
        return _choice_error(e)
    return EvaluationOut(
        unit=UnitRef.of(unit),
        period=view.period,
        set_id=view.cset.id,
        set_version=view.label,
        has_data=view.has_data,
        met=view.met,
        total=view.total,
        meets_set=view.meets_set,
        revocation_risk=view.revocation_risk,
        criteria=list(view.criteria),
        count_only=view.count_only,
    )


@units.get(
    "/{unit_id}/statistics",
    response=responses(StatisticsOut),
    by_alias=True,  # a geography's changes are `change_previous` and `change_baseline`
    summary="A province's figures: X/Y at the standard, averages, changes, bands, lists",
)
def unit_statistics(
    request: HttpRequest,
    unit_id: Id,
    period: Year | None = None,
    baseline: Year | None = None,
    set: SetId | None = None,
    geography: str = Query(Geography.AS_RECORDED.value, pattern=f"^({'|'.join(Geography)})$"),  # type: ignore[type-arg]
    as_of: str | None = Query(None, description="dd/mm/yyyy or yyyy-mm-dd", max_length=10),  # type: ignore[type-arg]
    approved_only: bool = False,
) -> Any:
    unit = _visible_unit(request, unit_id, UnitKind.PROVINCE)
    try:
        o = province_overview(
            unit,
            period=period,
            baseline=baseline,
            set_id=set,
            geography=Geography(geography),
            as_of=parse_day(as_of, name=_("The as-of date")),
            approved_only=approved_only,
            strict_set=True,
        )
    except ChoiceError as e:
        return _choice_error(e)
    return StatisticsOut(
        unit=UnitRef.of(unit),
        period=o.period,
        baseline=o.baseline,
        set_id=o.cset.id,
        geography=o.geography,
        basis=o.basis,
        basis_text=basis_text(o.basis),
        simulated=o.simulated,
        as_of=o.as_of,
        approved_only=o.approved_only,
        approved=o.approved,
        communes_in_scope=o.in_scope,
        held_back=o.held_back,
        count_only=o.count_only,
        statistics=o.statistics,
        trend=list(o.trend),
        close_to_standard=list(o.close),
        revocation_warnings=list(o.at_risk),
        revocation_scope=REVOCATION_SCOPE,
        recognition=o.recognition,
        slipping=list(o.slipping),
        targets=list(o.targets),
        district_warnings=list(o.district_risk),
    )


# ---------------------------------------------------------------------------- criteria


@criteria.get(
    "/sets", response=responses(list[CriteriaSetBrief]), summary="The bundled criteria sets"
)
def list_sets(request: HttpRequest) -> Any:
    out = []
    for set_id in bundled_set_ids():
        s = load_set(set_id)
        out.append(
            CriteriaSetBrief(
                id=s.id,
                name_vi=s.name_vi,
                name_en=s.name_en,
                tier=s.tier,
                level=s.level,
                start_year=s.period.start_year,
                end_year=s.period.end_year,
                legal_basis=s.legal_basis.number,
            )
        )
    return out


@criteria.get("/sets/{set_id}", response=responses(CriteriaSet), summary="A criteria set")
def get_set(request: HttpRequest, set_id: SetId) -> Any:
    # Only bundled ids: `load_set` would also read a file path.
    if set_id not in bundled_set_ids():
        raise Http404
    return load_set(set_id)


class NarrativeFigureOut(Schema):
    key: str
    text: str
    url: str = Field(description="The province page that shows the same number")
    query: dict[str, str] = Field(description="The read-layer query that produced it")
    note: str


class NarrativeSentenceOut(Schema):
    key: str
    text: str
    figures: list[NarrativeFigureOut]


class NarrativeOut(Schema):
    title: str
    lang: str
    simulated: bool
    sentences: list[NarrativeSentenceOut]


@units.get(
    "/{unit_id}/narrative",
    response=responses(NarrativeOut),
    summary="A province's (or a district's of the time) narrative report: its sentences and "
    "the query behind each figure",
)
def unit_narrative(
    request: HttpRequest,
    unit_id: Id,
    date: str = Query(..., description="dd/mm/yyyy or yyyy-mm-dd", max_length=10),  # type: ignore[type-arg]
    baseline: Year | None = None,
    units_of: str | None = Query(None, max_length=10),  # type: ignore[type-arg]
    criteria: str | None = Query(None, description="19,18", max_length=200),  # type: ignore[type-arg]
    lang: str = Query("vi", pattern="^(vi|en)$"),  # type: ignore[type-arg]
    decimals: str | None = Query(None, description="share=2;average@31/12/2020=1", max_length=500),  # type: ignore[type-arg]
    truncate: str | None = Query(None, description="share;change", max_length=200),  # type: ignore[type-arg]
    approved_only: bool = False,
) -> Any:
    unit = _visible_unit(request, unit_id, UnitKind.PROVINCE, UnitKind.DISTRICT)
    asked = {
        "date": date,
        "baseline": "" if baseline is None else str(baseline),
        "units_of": units_of or "",
        "criteria": criteria or "",
        "lang": lang,
        "decimals": decimals or "",
        "truncate": truncate or "",
        "approved_only": "1" if approved_only else "",
    }
    if unit.kind == UnitKind.DISTRICT:
        return _narrative_out(request, asked, lambda opts: district_narrative(unit, opts))
    return _narrative_out(request, asked, lambda opts: narrative(unit, opts))


@country.get(
    "/narrative",
    response=responses(NarrativeOut, {403: Error}),
    summary="The country's narrative report (the provinces reporting): its sentences and the "
    "query behind each figure",
)
def country_narrative_out(
    request: HttpRequest,
    date: str = Query(..., description="dd/mm/yyyy or yyyy-mm-dd", max_length=10),  # type: ignore[type-arg]
    baseline: Year | None = None,
    units_of: str | None = Query(None, max_length=10),  # type: ignore[type-arg]
    lang: str = Query("vi", pattern="^(vi|en)$"),  # type: ignore[type-arg]
    decimals: str | None = Query(None, description="share=2;average@31/12/2020=1", max_length=500),  # type: ignore[type-arg]
    truncate: str | None = Query(None, description="share;change", max_length=200),  # type: ignore[type-arg]
    approved_only: bool = False,
) -> Any:
    if not permissions.can_read_all(_user(request)):
        return Status(
            403, Error(detail=_("Only central offices read the country."), code="not_allowed")
        )
    asked = {
        "date": date,
        "baseline": "" if baseline is None else str(baseline),
        "units_of": units_of or "",
        "lang": lang,
        "decimals": decimals or "",
        "truncate": truncate or "",
        "approved_only": "1" if approved_only else "",
    }
    return _narrative_out(request, asked, country_narrative)


def _narrative_out(
    request: HttpRequest, asked: dict[str, str], write: Callable[[Options], Narrative]
) -> Any:
    """The narrative `write` makes with the options asked, or 422 with the reason."""
    try:
        # Comparison dates repeat (`?compare=30/06/2020&compare=…`).
        n = write(options_from(asked, request.GET.getlist("compare")))
    except ReportError as e:
        return Status(422, Error(detail=str(e), code="invalid_choice"))
    return NarrativeOut(
        title=n.title,
        lang=n.lang,
        simulated=n.simulated,
        sentences=[
            NarrativeSentenceOut(
                key=x.key,
                text=x.text,
                figures=[
                    NarrativeFigureOut(
                        key=f.key,
                        text=f.text,
                        url=figure_url(f.trace),
                        query=f.trace.query(),
                        note=f.trace.note(n.lang),
                    )
                    for f in x.figures
                ],
            )
            for x in n.sentences
        ],
    )


# ---------------------------------------------------------------------------- report files

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_FILES = {
    "workbook": (write_workbook, ".xlsx", XLSX),
    "pdf": (write_pdf, ".pdf", "application/pdf"),
}


def _report_file(
    request: HttpRequest, unit_id: int, kind: str, date: str, units_of: str | None, lang: str
) -> Any:
    """The report file of the date's year as the record stood at its end, as `ntm report
    workbook|pdf` writes it; a bad option is a 422 and nothing is written."""
    unit = _visible_unit(request, unit_id, UnitKind.PROVINCE)
    write, suffix, content_type = REPORT_FILES[kind]
    try:
        day = parse_day(date, name=_("The report's date"))
        if day is None:  # blank
            raise ChoiceError(_("Choose the report's date."))
        report = gather(
            unit,
            period=day.year,
            as_of=day,
            units_of=parse_day(units_of, name=_("The units' date")),
            language=lang,
        )
        name = file_name(report, suffix)
        handle = opened(report, write, name)
    except ChoiceError as e:
        return _choice_error(e)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


def _file_response(content_type: str) -> dict[str, Any]:
    return {
        "responses": {
            "200": {
                "description": "The file, as an attachment",
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


DATE = Query(  # type: ignore[type-arg]
    ..., description="dd/mm/yyyy or yyyy-mm-dd", min_length=1, max_length=10
)
UNITS_OF = Query(  # type: ignore[type-arg]
    None, description="every figure on the units of this date", max_length=10
)
LANG = Query(  # type: ignore[type-arg]
    "vi", pattern="^(vi|en)$"
)


@units.get(
    "/{unit_id}/report/workbook",
    response=ERRORS,
    openapi_extra=_file_response(XLSX),
    summary="A province's report workbook (Excel) of a date's year, as of its end",
)
def report_workbook(
    request: HttpRequest,
    unit_id: Id,
    date: str = DATE,
    units_of: str | None = UNITS_OF,
    lang: str = LANG,
) -> Any:
    return _report_file(request, unit_id, "workbook", date, units_of, lang)


@units.get(
    "/{unit_id}/report/pdf",
    response=ERRORS,
    openapi_extra=_file_response("application/pdf"),
    summary="A province's report PDF of a date's year, as of its end",
)
def report_pdf(
    request: HttpRequest,
    unit_id: Id,
    date: str = DATE,
    units_of: str | None = UNITS_OF,
    lang: str = LANG,
) -> Any:
    return _report_file(request, unit_id, "pdf", date, units_of, lang)


# ---------------------------------------------------------------------------- checking a text


class CheckIn(Schema):
    text: str = Field(min_length=1, max_length=100_000, description="The published text")
    date: str | None = Field(
        None, max_length=10, description="dd/mm/yyyy or yyyy-mm-dd; empty: today"
    )


class VerdictOut(Schema):
    text: str = Field(description="The words of the text that state the figure")
    kind: Kind
    status: str = Field(description="matches, differs or unchecked")
    label: str = Field(description="The status in the caller's language")
    record: str = Field(description="The record's figure, as the text would write it")
    reading: str = Field(description="The reading of the record it was compared with")
    url: str = Field(description="The province page that shows the record's figure")
    query: str = Field(description="That page's query")
    note: str = Field(description="How it differs, or how it was written")


class CheckOut(Schema):
    unit: UnitRef
    date: dt.date
    verdicts: list[VerdictOut]


@units.post(
    "/{unit_id}/check",
    response=responses(CheckOut),
    summary="Check the figures a published text states about a province's communes",
)
def check_published_text(request: HttpRequest, unit_id: Id, body: CheckIn) -> Any:
    unit = _visible_unit(request, unit_id, UnitKind.PROVINCE)
    try:
        day = parse_day(body.date, name=_("The date")) or timezone.localdate()
    except ChoiceError as e:
        return _choice_error(e)
    return CheckOut(
        unit=UnitRef.of(unit),
        date=day,
        verdicts=[
            VerdictOut(
                text=v.claim.text,
                kind=v.claim.kind,
                status=v.status,
                label=str(CHECK_LABELS[v.status]),
                record=v.record,
                reading=v.reading,
                url=v.url(unit),
                query=v.query,
                note=v.note,
            )
            for v in check_text(body.text, unit, day)
        ],
    )


api.add_router("/units", units)
api.add_router("/criteria", criteria)
api.add_router("/country", country)
