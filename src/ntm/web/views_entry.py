"""Pages of ntm.values: the entry grid, workflow, evidence, comments, history and import.

Every view asks `ntm.accounts.permissions`: a commune outside the user's units is a 404 (as
for one that does not exist); a visible commune the user may not change is a 403. Changes go
through `ntm.values.services`; a saved cell answers with its criterion re-evaluated (HTMX).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ntm import jobs
from ntm.accounts import permissions
from ntm.accounts.models import Role
from ntm.criteria.loader import (
    bundled_set_ids,
    load_measures,
    measures_read,
    sets_for_period,
)
from ntm.criteria.schema import PROVINCE, CriteriaSet, Measure, Op
from ntm.evaluation.semantics import Status
from ntm.exchange.criterion_level import write_level_template
from ntm.exchange.workbook import InputError
from ntm.results.commune import decided_set, province_of, unit_results
from ntm.results.sets import entry_sets_of, set_read_by, threshold_source
from ntm.results.workflow import completeness
from ntm.units.models import Unit, UnitKind
from ntm.values import files, services
from ntm.values.models import (
    STATUS_LABELS,
    Evidence,
    ImportJob,
    ImportState,
    Stage,
    State,
    Submission,
    Value,
)
from ntm.values.services.imports import (
    PROGRESS,
    import_file,
    level_template_day,
    level_template_rows,
)
from ntm.vn.numbers import format_measured
from ntm.web.forms import (
    CellForm,
    CommentForm,
    DecideForm,
    DeclareForm,
    EvidenceForm,
    ImportForm,
    LevelTemplateForm,
    WorkflowForm,
)
from ntm.web.inputs import stored_file_response, xlsx_response

if TYPE_CHECKING:
    import polars as pl
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------ lookups


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required guards every view


def commune_or_404(request: HttpRequest, pk: int) -> Unit:
    """The commune if the user may read it; otherwise 404, whether it exists or not."""
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk, kind=UnitKind.COMMUNE)
    if not permissions.can_view(request.user, unit):
        raise Http404
    return unit


def set_or_404(unit: Unit, set_id: str, year: int) -> CriteriaSet:
    """The set as the commune's province reads it (a national set with its transition rule,
    or the province's own), if it applies to the year."""
    found = {s.id: s for s in entry_sets_of(province_of(unit))}.get(set_id)
    if found is None or not found.applies_to(year):
        raise Http404
    return found


def measure_or_404(key: str) -> Measure:
    measure = load_measures().get(key)
    if measure is None:
        raise Http404
    return measure


def read_or_404(year: int, measure: str) -> None:
    """404 for a value no criteria set of its year reads: no page ever shows it, so nothing
    (a comment, a file) may be attached to it."""
    if not any(measure in services.set_reads(s.id) for s in sets_for_period(year)):
        raise Http404


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# ------------------------------------------------------------------------------------ the grid

STATUS_CLASS: dict[str, str] = {
    Status.MET: "status-ok",
    Status.NOT_MET: "status-bad",
    Status.BASICALLY_MET: "status-warn",
    Status.MISSING_DATA: "status-warn",
    Status.MISSING_THRESHOLD: "status-warn",
    Status.MISSING_GROUP: "status-warn",
    Status.NOT_APPLICABLE: "muted",
}


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status or "", status or "—"))


OP_TEXT = {Op.AT_LEAST: "≥", Op.AT_MOST: "≤", Op.EQUAL: "="}


@dataclass
class CellView:
    stage: str
    text: str
    version: int
    editable: bool
    by: str
    at: Any
    posted: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def column_names(cset: CriteriaSet, language: str | None) -> dict[str, str]:
    """What the grid says for each threshold column: the set's Vietnamese name (a region with
    its code first), with the set's English name after it on English pages."""
    names = {PROVINCE: _("set by the province")}
    for c in cset.columns:
        name = c.name_vi if c.kind != "region" else f"{c.code} – {c.name_vi}"
        if language == "en" and c.name_en:
            name = f"{name} ({c.name_en})"
        names[c.code] = name
    return names


@dataclass
class Line:
    indicator: str
    indicator_name: str
    first_of_indicator: bool
    measure: Measure
    threshold: str
    threshold_status: str
    column: str  # the code of the set's column the threshold came from
    column_name: str
    threshold_source: str | None  # the province's decision it comes from (number, date)
    status: str
    status_label: str
    status_class: str
    stage_used: str
    claimed: CellView
    verified: CellView
    allows_na: bool
    evidence: int
    comments: int


@dataclass
class Block:
    number: int
    name: str
    status: str
    status_label: str
    status_class: str
    source: str
    computed: str
    declared: str
    conflict: bool
    decision_reason: str
    lines: list[Line]
    measures: set[str]


@dataclass
class Grid:
    unit: Unit
    cset: CriteriaSet
    year: int
    state: str
    blocks: list[Block]
    summary: dict[str, Any]
    label: str
    can_claim: bool
    can_verify: bool
    can_declare: bool
    can_decide: bool


def _threshold_text(op: Op, threshold: float | None, measure: Measure) -> str:
    if op == Op.YES:
        return "Đạt"
    if op == Op.NONE:
        return "Không (= 0)"
    if threshold is None:
        return "—"
    unit = "%" if measure.kind == "share" else measure.unit
    return f"{OP_TEXT.get(op, op)} {format_measured(threshold)} {unit}"


def _cell(
    value: Value | None,
    stage: str,
    measure: Measure,
    editable: bool,
    overrides: dict[tuple[str, str], dict[str, Any]],
) -> CellView:
    entry = value.entry(stage) if value is not None else None
    cell = CellView(
        stage=stage,
        text=services.describe_entry(measure, entry),
        version=value.version(stage) if value is not None else 0,
        editable=editable,
        by=services.display_name(getattr(value, f"{stage}_by")) if value is not None else "",
        at=getattr(value, f"{stage}_at") if value is not None else None,
    )
    if value is not None and not value.has(stage):
        cell.by = ""
    if entry is not None:
        cell.posted = {
            "value": "" if entry["value"] is None else _plain_number(entry["value"]),
            "numerator": "" if entry["numerator"] is None else _plain_number(entry["numerator"]),
            "denominator": ""
            if entry["denominator"] is None
            else _plain_number(entry["denominator"]),
            # Compared, not int(): a stored infinity or NaN must not break the grid.
            "yes_no": "" if entry["value"] is None else ("1" if entry["value"] >= 0.5 else "0"),
            "not_applicable": entry["not_applicable"],
        }
    extra = overrides.get((measure.key, stage))
    if extra:
        cell.posted = {**cell.posted, **extra.get("posted", {})}
        cell.error = extra.get("error", "")
        cell.version = extra.get("version", cell.version)
    return cell


def _plain_number(x: float) -> str:
    """A number as typed back into a field: decimal comma, no thousands dots."""
    text = f"{x:.10g}" if not float(x).is_integer() else str(int(x))
    return text.replace(".", ",")


def _rows_by(frame: pl.DataFrame, *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in frame.iter_rows(named=True)}


def build_grid(
    request: HttpRequest,
    unit: Unit,
    cset: CriteriaSet,
    year: int,
    overrides: dict[tuple[str, str], dict[str, Any]] | None = None,
) -> Grid:
    """Everything the entry page shows, from the stored values and the cached results."""
    overrides = overrides or {}
    user = request.user
    known = services.states(unit, year)
    may_claim = permissions.can_enter_values(user, unit)
    may_verify = permissions.can_verify(user, unit)
    may_review = may_verify or permissions.can_approve(user, unit)
    decided = decided_set(unit, year, cset)
    ev = unit_results(unit, year, decided)
    indicators = _rows_by(ev.indicators, "indicator", "condition")
    criteria = _rows_by(ev.criteria, "criterion")
    values = {
        v.measure: v
        for v in Value.objects.filter(unit=unit, period=year)
        .select_related("claimed_by", "verified_by")
        .annotate(n_evidence=Count("evidence", distinct=True), n_comments=Count("comments"))
    }
    measures = load_measures()
    columns = column_names(cset, get_language())
    blocks = []
    for criterion in cset.criteria:
        lines = []
        for ind in criterion.indicators:
            for ci, cond in enumerate(ind.conditions):
                m = measures[cond.measure]
                row = indicators.get((ind.code, ci), {})
                v = values.get(cond.measure)
                claim_ok = may_claim and not services.locked_for(m.key, Stage.CLAIMED, year, known)
                verify_ok = may_verify and not services.locked_for(
                    m.key, Stage.VERIFIED, year, known
                )
                status = str(row.get("status") or Status.MISSING_DATA)
                lines.append(
                    Line(
                        indicator=ind.code,
                        indicator_name=ind.name_vi,
                        first_of_indicator=ci == 0,
                        measure=m,
                        threshold=_threshold_text(cond.op, row.get("threshold"), m),
                        threshold_status=str(row.get("threshold_status") or ""),
                        column=str(row.get("column") or ""),
                        column_name=columns.get(str(row.get("column") or ""), ""),
                        threshold_source=threshold_source(decided, str(row.get("basis") or "")),
                        status=status,
                        status_label=status_label(status),
                        status_class=STATUS_CLASS.get(status, ""),
                        stage_used=str(row.get("stage") or ""),
                        claimed=_cell(v, Stage.CLAIMED, m, claim_ok, overrides),
                        verified=_cell(v, Stage.VERIFIED, m, verify_ok, overrides),
                        allows_na=ind.may_be_not_applicable,
                        evidence=getattr(v, "n_evidence", 0),
                        comments=getattr(v, "n_comments", 0),
                    )
                )
        crow = criteria.get((criterion.number,), {})
        status = str(crow.get("status") or Status.MISSING_THRESHOLD)
        blocks.append(
            Block(
                number=criterion.number,
                name=criterion.name_vi,
                status=status,
                status_label=status_label(status),
                status_class=STATUS_CLASS.get(status, ""),
                source=str(crow.get("source") or ""),
                computed=str(crow.get("computed_status") or ""),
                declared=str(crow.get("declared_status") or ""),
                conflict=bool(crow.get("conflict")),
                decision_reason=str(crow.get("decision_reason") or ""),
                lines=lines,
                measures={line.measure.key for line in lines},
            )
        )
    summary = ev.communes.row(0, named=True) if ev.communes.height else {}
    state = known.get(cset.id, State.DRAFT)
    return Grid(
        unit=unit,
        cset=cset,
        year=year,
        state=state,
        blocks=blocks,
        summary=summary,
        label=ev.labels.get(year, cset.id),
        can_claim=may_claim,
        can_verify=may_verify,
        can_declare=(may_claim and state in (State.DRAFT, State.RETURNED))
        or (may_review and state != State.APPROVED),
        can_decide=permissions.can_decide(user, unit) and state != State.APPROVED,
    )


# ------------------------------------------------------------------------------------ pages


@login_required
@require_GET
def choose(request: HttpRequest, pk: int) -> HttpResponse:
    """The sets and years a commune can be entered for, with their approval states."""
    unit = commune_or_404(request, pk)
    recorded = {(s.set_id, s.period): s for s in Submission.objects.filter(unit=unit)}
    sets = []
    for cset in entry_sets_of(province_of(unit)):
        set_id = cset.id
        years = [
            {
                "year": y,
                "state": s.state if (s := recorded.get((set_id, y))) else State.DRAFT,
                # What the commune officer reads of a return: why.
                "reason": s.reason if s and s.state == State.RETURNED else "",
            }
            for y in cset.years
            if unit.valid_from is None or unit.valid_from.year <= y
            if unit.valid_to is None or unit.valid_to.year >= y
        ]
        if years:
            sets.append({"cset": cset, "years": years})
    return render(request, "values/choose.html", {"unit": unit, "sets": sets, "State": State})


@login_required
@require_GET
def entry(request: HttpRequest, pk: int, set_id: str, year: int) -> HttpResponse:
    unit = commune_or_404(request, pk)
    cset = set_or_404(unit, set_id, year)
    grid = build_grid(request, unit, cset, year)
    submission = Submission.objects.filter(unit=unit, period=year, set_id=set_id).first()
    user = request.user
    return render(
        request,
        "values/entry.html",
        {
            "grid": grid,
            "submission": submission,
            "State": State,
            **_workflow_acts(request, grid),
            "can_return": permissions.can_return(user, unit) and grid.state == State.SUBMITTED,
            "can_reopen": permissions.can_reopen(user, unit) and grid.state == State.APPROVED,
            "max_reason": services.MAX_REASON,
        },
    )


def _workflow_acts(request: HttpRequest, grid: Grid) -> dict[str, Any]:
    """Submit and approve as the user may use them, with the completeness shown before them
    (they ask for confirmation of any gap); a saved cell swaps them again."""
    user, unit = request.user, grid.unit
    can_submit = permissions.can_enter_values(user, unit) and grid.state in (
        State.DRAFT,
        State.RETURNED,
    )
    can_approve = permissions.can_approve(user, unit) and grid.state == State.SUBMITTED
    shown = can_submit or can_approve
    return {
        "can_submit": can_submit,
        "can_approve": can_approve,
        "completeness": completeness(unit, grid.year, grid.cset) if shown else None,
        "requires_complete": can_approve and services.requires_complete(unit),
    }


def _block_response(
    request: HttpRequest,
    grid: Grid,
    number: int,
    touched: str | None,
    status: int = 200,
) -> HttpResponse:
    """The criterion's rows, plus out-of-band swaps of the other criteria reading the same
    measure and of the summary line."""
    main = next(b for b in grid.blocks if b.number == number)
    others = [b for b in grid.blocks if b.number != number and touched in b.measures]
    return render(
        request,
        "values/_save_response.html",
        {"grid": grid, "block": main, "others": others, **_workflow_acts(request, grid)},
        status=status,
    )


@login_required
@require_POST
def save_cell(
    request: HttpRequest, pk: int, set_id: str, year: int, measure: str, stage: str
) -> HttpResponse:
    unit = commune_or_404(request, pk)
    cset = set_or_404(unit, set_id, year)
    m = measure_or_404(measure)
    if measure not in measures_read(cset) or stage not in Stage.values:
        raise Http404
    user = _user(request)
    allowed = (
        permissions.can_enter_values(user, unit)
        if stage == Stage.CLAIMED
        else permissions.can_verify(user, unit)
    )
    if not allowed:
        raise PermissionDenied
    number = _criterion_of(cset, measure, request.POST.get("criterion"))
    form = CellForm(request.POST, measure=m)
    posted: dict[str, Any] = {
        k: request.POST.get(k, "") for k in ("value", "numerator", "denominator", "yes_no")
    }
    posted["not_applicable"] = bool(request.POST.get("not_applicable"))
    problem: dict[str, Any] | None = None
    status = 200
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        problem = {"posted": posted, "error": " ".join(errors)}
        status = 400
    else:
        try:
            services.save_value(
                unit,
                measure,
                year,
                form.cleaned_data["entry"],
                stage=stage,
                expected_version=form.cleaned_data["version"],
                acting_user=user,
            )
        except services.Conflict as exc:
            # The user's input stays in the field; the version moves to the one just seen,
            # so saving again replaces the other value knowingly.
            problem = {"posted": posted, "error": str(exc), "version": exc.current_version}
            status = 409
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.ValuesError as exc:
            problem = {"posted": posted, "error": str(exc)}
            status = 400
    if not _is_htmx(request):
        if problem is None:
            return redirect("values:entry", pk=unit.pk, set_id=set_id, year=year)
        messages.error(request, problem["error"])
    overrides = {(measure, stage): problem} if problem else {}
    grid = build_grid(request, unit, cset, year, overrides)
    # HTMX swaps only 2xx answers; the cell carries the message either way.
    return _block_response(
        request, grid, number, measure, status=200 if _is_htmx(request) else status
    )


def _criterion_of(cset: CriteriaSet, measure: str, asked: str | None) -> int:
    numbers = [
        c.number
        for c in cset.criteria
        if any(k.measure == measure for i in c.indicators for k in i.conditions)
    ]
    if asked and asked.isdigit() and int(asked) in numbers:
        return int(asked)
    return numbers[0]


@login_required
@require_POST
def declare(request: HttpRequest, pk: int, set_id: str, year: int, criterion: int) -> HttpResponse:
    unit = commune_or_404(request, pk)
    cset = set_or_404(unit, set_id, year)
    if criterion not in {c.number for c in cset.criteria}:
        raise Http404
    form = DeclareForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Unknown status.")
    else:
        try:
            services.declare_status(
                unit,
                year,
                cset,
                criterion,
                form.cleaned_data["status"],
                acting_user=_user(request),
            )
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.ValuesError as exc:
            error = str(exc)
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("values:entry", pk=unit.pk, set_id=set_id, year=year)
    grid = build_grid(request, unit, cset, year)
    response = _block_response(request, grid, criterion, None)
    if error:
        response.content = (
            f'<tr><td colspan="7" class="errorlist" role="alert">{escape(error)}</td></tr>'
        ).encode() + response.content
    return response


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, set_id: str, year: int, criterion: int) -> HttpResponse:
    """The province office decides a criterion's status over its computed result; back to
    the entry grid or to the province's list of disagreements."""
    unit = commune_or_404(request, pk)
    cset = set_or_404(unit, set_id, year)
    if criterion not in {c.number for c in cset.criteria}:
        raise Http404
    if not permissions.can_decide(request.user, unit):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
    else:
        try:
            services.decide_status(
                unit,
                year,
                cset,
                criterion,
                form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                acting_user=_user(request),
            )
            messages.success(request, _("The province's decision is recorded."))
        except services.NotAllowed:
            raise PermissionDenied from None
        except services.ValuesError as exc:
            messages.error(request, str(exc))
    province = province_of(unit)
    if (form.is_valid() and form.cleaned_data["back"] == "entry") or province is None:
        return redirect("values:entry", pk=unit.pk, set_id=set_id, year=year)
    url = reverse("web:disagreements", args=[province.pk])
    return redirect(f"{url}?{urlencode({'period': str(year), 'set': set_id})}")


@login_required
@require_POST
def workflow(request: HttpRequest, pk: int, set_id: str, year: int) -> HttpResponse:
    unit = commune_or_404(request, pk)
    cset = set_or_404(unit, set_id, year)
    form = WorkflowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("values:entry", pk=unit.pk, set_id=set_id, year=year)
    action = form.cleaned_data["action"]
    reason = form.cleaned_data["reason"]
    confirmed = form.cleaned_data["confirm"]
    user = _user(request)
    try:
        if action == "submit":
            services.submit(
                unit,
                year,
                cset,
                acting_user=user,
                completeness=completeness(unit, year, cset),
                confirmed=confirmed,
            )
            messages.success(request, _("Sent for review."))
        elif action == "approve":
            services.approve(
                unit,
                year,
                cset,
                acting_user=user,
                completeness=completeness(unit, year, cset),
                confirmed=confirmed,
            )
            messages.success(request, _("Approved; the period is now locked."))
        elif action == "return":
            services.return_submission(unit, year, cset, reason=reason, acting_user=user)
            messages.success(request, _("Returned to the commune."))
        else:
            services.reopen(unit, year, cset, reason=reason, acting_user=user)
            messages.success(request, _("Reopened."))
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.ValuesError as exc:
        messages.error(request, str(exc))
    return redirect("values:entry", pk=unit.pk, set_id=set_id, year=year)


# ------------------------------------------------------------------------------------ one value


def _value_context(request: HttpRequest, unit: Unit, year: int, m: Measure) -> dict[str, Any]:
    value = Value.objects.filter(unit=unit, period=year, measure=m.key).first()
    user = request.user
    may_work = (
        permissions.can_enter_values(user, unit)
        or permissions.can_verify(user, unit)
        or permissions.can_approve(user, unit)
    )
    back_set = request.GET.get("set", "")
    return {
        "unit": unit,
        "year": year,
        "measure": m,
        "value": value,
        "claimed": services.describe_entry(m, value.entry(Stage.CLAIMED) if value else None),
        "verified": services.describe_entry(m, value.entry(Stage.VERIFIED) if value else None),
        "evidence": list(value.evidence.select_related("uploaded_by")) if value else [],
        "comments": list(value.comments.select_related("author")) if value else [],
        "may_upload": permissions.can_enter_values(user, unit)
        or permissions.can_verify(user, unit),
        "may_comment": may_work,
        "evidence_form": EvidenceForm(),
        "comment_form": CommentForm(),
        "back_set": back_set if back_set in bundled_set_ids() else "",
        "max_mb": files.max_evidence_bytes() // (1024 * 1024),
        "types": ", ".join(t.upper() for t in files.allowed_types()),
    }


@login_required
@require_GET
def value_detail(request: HttpRequest, pk: int, year: int, measure: str) -> HttpResponse:
    unit = commune_or_404(request, pk)
    m = measure_or_404(measure)
    return render(request, "values/value.html", _value_context(request, unit, year, m))


def _back_to_value(unit: Unit, year: int, measure: str, request: HttpRequest) -> HttpResponse:
    url = reverse("values:value", args=[unit.pk, year, measure])
    back_set = request.POST.get("set", "")
    if back_set in bundled_set_ids():
        url += f"?set={back_set}"
    return redirect(url)


@login_required
@require_POST
def upload_evidence(request: HttpRequest, pk: int, year: int, measure: str) -> HttpResponse:
    unit = commune_or_404(request, pk)
    measure_or_404(measure)
    read_or_404(year, measure)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        if "file" in form.errors:
            messages.error(request, _("Choose a file to upload."))
        else:
            messages.error(request, " ".join(str(e) for e in form.errors["description"]))
        return _back_to_value(unit, year, measure, request)
    try:
        services.add_evidence(
            unit,
            measure,
            year,
            form.cleaned_data["file"],
            acting_user=_user(request),
            description=form.cleaned_data["description"],
        )
        messages.success(request, _("Evidence added."))
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.ValuesError as exc:
        messages.error(request, str(exc))
    return _back_to_value(unit, year, measure, request)


@login_required
@require_POST
def add_comment(request: HttpRequest, pk: int, year: int, measure: str) -> HttpResponse:
    unit = commune_or_404(request, pk)
    measure_or_404(measure)
    read_or_404(year, measure)
    try:
        # The raw text: the service says why an empty or too long one is refused.
        text = request.POST.get("text", "")
        services.add_comment(unit, measure, year, text, acting_user=_user(request))
        messages.success(request, _("Comment added."))
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.ValuesError as exc:
        messages.error(request, str(exc))
    return _back_to_value(unit, year, measure, request)


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("value__unit"), pk=evidence_id)
    if not permissions.can_view(request.user, evidence.value.unit):
        raise Http404
    return stored_file_response(evidence.file, evidence.original_name, evidence.content_type)


@login_required
@require_GET
def history(request: HttpRequest, pk: int, year: int, measure: str) -> HttpResponse:
    unit = commune_or_404(request, pk)
    m = measure_or_404(measure)
    value = Value.objects.filter(unit=unit, period=year, measure=measure).first()
    entries = services.value_history(value) if value is not None else []
    return render(
        request,
        "values/history.html",
        {"unit": unit, "year": year, "measure": m, "entries": entries},
    )


# ------------------------------------------------------------------------------------ import


def run_job(job_id: int) -> None:
    """Run one import job to its end and record the outcome on the job (`ntm.jobs`)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(state=ImportState.RUNNING)
    outcome: dict[str, Any]
    try:
        result = import_file(
            job.file.path,
            set_read_by(job.created_by, job.set_id),
            job.period,
            acting_user=job.created_by,
            stage=job.stage,
            progress=PROGRESS.callback(job_id),
            source_name=job.original_name,
        )
        outcome = {
            "state": ImportState.DONE,
            "done": result.values,
            "total": result.values,
            "summary": {
                "kind": result.kind,
                "units": result.units,
                "values": result.values,
                "changed": result.changed,
                "unchanged": result.unchanged,
                "blank": result.blank,
                "cleared": result.cleared,
                "audit": result.audit_id,
            },
        }
    except InputError as exc:
        # Both languages: the page shows the reader's.
        outcome = {
            "state": ImportState.FAILED,
            "problems": [{"vi": p.text("vi"), "en": p.text("en")} for p in exc.problems],
            # A cut list shows the first problems only; the page counts them all.
            "summary": {"problems": exc.total},
        }
    except Exception:
        log.exception("import job %s failed", job_id)
        outcome = {
            "state": ImportState.FAILED,
            "problems": [
                {
                    "vi": "Lỗi hệ thống khi nhập tệp; không ghi số liệu nào.",
                    "en": "A system error stopped the import; nothing was written.",
                }
            ],
        }
    jobs.finish(ImportJob, job_id, outcome, PROGRESS)


def launch(job_id: int) -> None:
    jobs.launch(run_job, job_id)


def _may_import(request: HttpRequest) -> bool:
    return permissions.has_role(
        request.user, Role.COMMUNE_OFFICER, Role.APPRAISER, Role.PROVINCE_OFFICE
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if not _may_import(request):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob(
            original_name=upload.name[:255],
            set_id=form.cleaned_data["set_id"],
            period=form.cleaned_data["year"],
            stage=form.cleaned_data["stage"],
            created_by=_user(request),
            created_at=timezone.now(),
        )
        job.file.save(f"import{Path(upload.name).suffix.lower()}", upload, save=False)
        job.save()
        launch(job.pk)
        return redirect("values:import_job", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=_user(request))[:10]
    template_form = LevelTemplateForm() if _may_import_statuses(request) else None
    context = {"form": form, "jobs": jobs, "template_form": template_form}
    return render(request, "values/import.html", context)


def _may_import_statuses(request: HttpRequest) -> bool:
    """Declared statuses are the communes' record: their officers and the province office
    import them (`permissions.can_import`, claimed stage), the appraiser does not."""
    return permissions.has_role(request.user, Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICE)


def _importer_units(request: HttpRequest) -> str:
    """The units the user imports for (their commune, their province), as the title says."""
    roles = (Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICE)
    assignments = permissions.active_assignments(request.user)
    return ", ".join(sorted({a.unit.name for a in assignments if a.role in roles and a.unit}))


@login_required
@require_GET
def level_template(request: HttpRequest) -> HttpResponse:
    """The criterion-level workbook of a set and year: the communes the user may import
    statuses for (their commune, or their province's), with what is declared now."""
    if not _may_import_statuses(request):
        raise PermissionDenied
    form = LevelTemplateForm(request.GET)
    if not form.is_valid():
        jobs = ImportJob.objects.filter(created_by=_user(request))[:10]
        context = {"form": ImportForm(), "jobs": jobs, "template_form": form}
        return render(request, "values/import.html", context, status=400)
    cset = set_read_by(request.user, form.cleaned_data["set_id"])
    year = form.cleaned_data["year"]
    communes = permissions.importable_communes(request.user, level_template_day(year))
    out = io.BytesIO()
    write_level_template(
        out,
        cset,
        year,
        level_template_rows(communes.select_related("parent"), cset, year),
        title=_importer_units(request),
    )
    return xlsx_response(out.getvalue(), f"ket-qua-tieu-chi-{cset.id}-{year}.xlsx")


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id, created_by_id=request.user.pk)
    running = job.running
    progress = PROGRESS.read(job.pk) if running else None
    percent = progress.percent if progress else None
    language = "en" if (get_language() or "").startswith("en") else "vi"
    # Jobs stored before problems were kept in both languages hold plain Vietnamese lines.
    problems = [p.get(language) or p["vi"] if isinstance(p, dict) else p for p in job.problems]
    context = {
        "job": job,
        "progress": progress,
        "running": running,
        "percent": percent,
        "problems": problems,
        "problem_count": job.summary.get("problems", len(problems)),
    }
    if _is_htmx(request):
        return render(request, "values/_import_status.html", context)
    return render(request, "values/import_job.html", context)
