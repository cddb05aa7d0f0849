"""Recognition (`ntm.recognition`) on the pages: a province's register of cases and decisions
(filters, paging, Excel), a decision's page, a case's page with its history, its QĐ 18/2022
checklist and the next step the viewer may take, and a unit's recognitions with its proposal
and, after a merger, its acknowledgement. Every step calls the service; a refusal lists its
problems on the page and writes nothing. A unit outside the viewer's scope is a 404; a step
inside it that the viewer's role does not take is a 403."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ntm.accounts import permissions
from ntm.exchange.register import Cell, write_register
from ntm.exchange.workbook import CellError, parse_number
from ntm.recognition.models import (
    TIERS_BY_KIND,
    Recognition,
    RecognitionDecision,
    RecognitionScan,
    Status,
    Tier,
)
from ntm.recognition.services import (
    CONDITIONS,
    Checklist,
    DecisionBasis,
    RecognitionError,
    acknowledge,
    acknowledgeable,
    appraise,
    attach_scan,
    checklist_of,
    complete_dossier,
    propose,
    recognise,
    revoke,
    verify,
)
from ntm.results.commune import set_met
from ntm.units.models import Unit, UnitKind
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number
from ntm.vn.text import fold
from ntm.web.inputs import said, stored_file_response, typed_day, xlsx_response
from ntm.web.views import get_visible_unit_or_404
from ntm.web.views_districts import record_years

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PER_PAGE = 50


# ---------------------------------------------------------------------------- the register


@dataclass(frozen=True)
class Filters:
    """The register's filters as the query string gives them (empty: no filter)."""

    tier: str = ""
    year: int | None = None
    status: str = ""
    unit: str = ""  # part of a unit's name (diacritics optional) or its code

    @classmethod
    def of(cls, q: QueryDict) -> Filters:
        year = q.get("year", "").strip()
        return cls(
            tier=q.get("tier", "") if q.get("tier", "") in Tier.values else "",
            year=int(year) if year.isdigit() else None,
            status=q.get("status", "") if q.get("status", "") in Status.values else "",
            unit=q.get("unit", "").strip()[:200],
        )

    def query(self) -> str:
        """The filters as a query string, for the paging and export links."""
        given = {
            "tier": self.tier,
            "year": "" if self.year is None else str(self.year),
            "status": self.status,
            "unit": self.unit,
        }
        return urlencode({k: v for k, v in given.items() if v})

    def described(self) -> str:
        """The filters for a person, on the exported workbook."""
        parts = []
        if self.tier:
            parts.append(f"{_('Tier')}: {Tier(self.tier).label}")
        if self.year is not None:
            parts.append(f"{_('Year of the standard')}: {self.year}")
        if self.status:
            parts.append(f"{_('Status')}: {Status(self.status).label}")
        if self.unit:
            parts.append(f"{_('Unit')}: {self.unit}")
        if not parts:
            return _("Every case and recognition of the province.")
        return _("Filtered by %(filters)s.") % {"filters": "; ".join(parts)}


def _in_province(province: Unit) -> Q:
    """The units under `province` (the province itself included), through the parent chain."""
    return (
        Q(pk=province.pk)
        | Q(parent=province)
        | Q(parent__parent=province)
        | Q(parent__parent__parent=province)
    )


def register_rows(province: Unit, filters: Filters) -> QuerySet[Recognition]:
    """The province's cases and recognitions (those its decisions name included) that the
    filters keep, newest year of the standard first."""
    rows = Recognition.objects.filter(
        Q(unit__in=Unit.objects.filter(_in_province(province))) | Q(decision__province=province)
    ).distinct()
    if filters.tier:
        rows = rows.filter(tier=filters.tier)
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.unit:
        needle = fold(filters.unit)
        units = Unit.objects.filter(pk__in=rows.values("unit_id")).values_list("pk", "name", "code")
        rows = rows.filter(
            unit_id__in=[pk for pk, name, code in units if needle in fold(name) or needle == code]
        )
    return rows.select_related("unit__parent", "decision", "revocation").order_by(
        "-year", "unit__code", "unit__name", "tier", "pk"
    )


def district_of(unit: Unit) -> Unit | None:
    """The district of the time the unit lay in (None after 01/07/2025, or for a district)."""
    parent = unit.parent
    return parent if parent is not None and parent.kind == UnitKind.DISTRICT else None


def _import_url(province: Unit) -> str:
    """The page importing recognition lists, where it is installed."""
    try:
        return reverse("web:recognition_import", args=[province.pk])
    except NoReverseMatch:
        return ""


def _register_page(
    request: HttpRequest, province: Unit, problems: list[str], status: int = 200
) -> HttpResponse:
    filters = Filters.of(request.GET)
    rows = register_rows(province, filters)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    user = request.user
    today = timezone.localdate()
    everything = register_rows(province, Filters())
    return render(
        request,
        "web/recognitions.html",
        {
            "unit": province,
            "filters": filters,
            "query": filters.query(),
            "page": page,
            "rows": [(case, district_of(case.unit)) for case in page],
            "tiers": Tier.choices,
            "statuses": Status.choices,
            "years": sorted(set(everything.values_list("year", flat=True)), reverse=True),
            "can_decide": permissions.can_approve(user, province),
            "appraised": everything.filter(status=Status.APPRAISED),
            "chosen": request.POST.getlist("case") if request.method == "POST" else [],
            "proposable": Unit.objects.valid_on(today)
            .filter(_in_province(province), kind__in=list(TIERS_BY_KIND))
            .order_by("kind", "name", "pk"),
            "import_url": _import_url(province),
            "problems": problems,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
def recognitions(request: HttpRequest, pk: int) -> HttpResponse:
    """The register; the province office proposes a unit, or recognises several appraised
    cases by one decision."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    if request.method != "POST":
        return _register_page(request, province, [])
    if not permissions.can_approve(request.user, province):
        raise PermissionDenied
    action = request.POST.get("action", "")
    try:
        if action == "propose":
            unit = get_object_or_404(
                Unit.objects.filter(_in_province(province)),
                pk=_int(request.POST.get("unit", "")) or 0,
            )
            case = _propose(request, unit)
            return redirect(reverse("web:recognition", args=[case.pk]))
        if action == "recognise":
            chosen = _int_list(request.POST.getlist("case"))
            cases = list(register_rows(province, Filters()).filter(pk__in=chosen))
            _recognise(request, cases)
            return redirect(reverse("web:recognitions", args=[pk]))
    except RecognitionError as e:
        return _register_page(request, province, e.problems, 400)
    return _register_page(request, province, [_("Unknown step.")], 400)


@login_required
@require_GET
def recognitions_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The register as the filters keep it, every page, as a workbook."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    filters = Filters.of(request.GET)
    header = [
        _("Code"),
        _("Unit"),
        _("District"),
        _("Tier"),
        _("Year of the standard"),
        _("Status"),
        _("Decision number"),
        _("Decision date"),
        _("Signer"),
        _("Issuer"),
        _("Simulated"),
        _("Revocation"),
        _("Ended on"),
    ]
    out: list[list[Cell]] = []
    for case in register_rows(province, filters):
        district = district_of(case.unit)
        d, r = case.decision, case.revocation
        out.append(
            [
                case.unit.code or "",
                case.unit.name,
                district.name if district else "",
                str(case.get_tier_display()),
                case.year,
                str(case.get_status_display()),
                d.number if d else "",
                format_date(d.date_signed) if d else "",
                d.signer if d else "",
                d.issuer if d else "",
                _("simulated") if d is not None and d.simulated else "",
                f"{r.number} {format_date(r.date_signed)}" if r else "",
                format_date(case.ended_on) if case.ended_on else "",
            ]
        )
    content = io.BytesIO()
    write_register(
        content,
        header,
        out,
        sheet=_("Recognitions")[:31],
        title=_("Register of recognitions of %(name)s") % {"name": province.name},
        note=filters.described(),
    )
    return xlsx_response(content.getvalue(), f"so-cong-nhan-{province.code or province.pk}.xlsx")


# ---------------------------------------------------------------------------- the forms


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _int_list(texts: list[str]) -> list[int]:
    return [n for n in (_int(t) for t in texts) if n is not None]


def _acting(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required


def _basis(data: QueryDict) -> DecisionBasis:
    """The decision as the form names it (the service says what is missing)."""
    return DecisionBasis(
        number=data.get("number", ""),
        date_signed=typed_day(data.get("date_signed", "")),
        issuer=data.get("issuer", ""),
        signer=data.get("signer", ""),
    )


def _propose(request: HttpRequest, unit: Unit) -> Recognition:
    data = request.POST
    year = _int(data.get("year", ""))
    if year is None:
        raise RecognitionError([_("Give the year of the standard (for example 2020).")])
    case = propose(
        unit, data.get("tier", ""), year, acting_user=_acting(request), note=data.get("note", "")
    )
    messages.success(request, _("%(unit)s is proposed for recognition.") % {"unit": unit.name})
    return case


def _recognise(request: HttpRequest, cases: list[Recognition]) -> RecognitionDecision:
    """Recognise `cases` by the decision the form names, each with the engine's result for its
    set in its year of the standard."""
    decision = recognise(
        cases,
        _basis(request.POST),
        set_met={case.pk: set_met(case) for case in cases},
        acting_user=_acting(request),
        override_reason=request.POST.get("override_reason", ""),
    )
    messages.success(
        request,
        _("Decision %(number)s recorded: %(n)s units recognised.")
        % {"number": decision.number, "n": format_number(len(cases))},
    )
    return decision


def _yes_no(data: QueryDict, name: str, label: str, problems: list[str]) -> bool:
    answer = data.get(name, "")
    if answer not in ("yes", "no"):
        problems.append(_("Answer yes or no: %(question)s") % {"question": label})
    return answer == "yes"


def _dossier(request: HttpRequest, case: Recognition) -> None:
    data = request.POST
    problems: list[str] = []
    satisfaction: Decimal | None = None
    try:
        number = parse_number(data.get("satisfaction", "").strip() or None)
        if number is None:
            problems.append(_("Give the residents' satisfaction (%)."))
        else:
            satisfaction = Decimal(str(number))
    except CellError as e:
        problems.append(_("The satisfaction: %(reason)s.") % {"reason": said(e.reason)})
    debt = _yes_no(data, "debt_outstanding", _("outstanding construction debt?"), problems)
    complex_ = _yes_no(data, "security_complex", _("security and order “complex”?"), problems)
    if problems:
        raise RecognitionError(problems)
    assert satisfaction is not None
    complete_dossier(
        case,
        satisfaction=satisfaction,
        debt_outstanding=debt,
        security_complex=complex_,
        acting_user=_acting(request),
    )
    messages.success(request, _("The dossier is complete."))


def _verify(request: HttpRequest, case: Recognition) -> None:
    verify(case, acting_user=_acting(request), note=request.POST.get("note", ""))
    messages.success(request, _("The dossier is verified."))


def _appraise(request: HttpRequest, case: Recognition) -> None:
    data = request.POST
    votes_for, votes_total = _int(data.get("votes_for", "")), _int(data.get("votes_total", ""))
    if votes_for is None or votes_total is None:
        raise RecognitionError([_("The vote needs its votes in favour and the votes cast.")])
    done = appraise(
        case,
        votes_for=votes_for,
        votes_total=votes_total,
        acting_user=_acting(request),
        note=data.get("note", ""),
    )
    messages.success(
        request, _("The council's vote: %(status)s.") % {"status": done.get_status_display()}
    )


def _recognise_one(request: HttpRequest, case: Recognition) -> None:
    _recognise(request, [case])


def _revoke(request: HttpRequest, case: Recognition) -> None:
    decision = revoke(
        [case],
        _basis(request.POST),
        reason=request.POST.get("reason", ""),
        acting_user=_acting(request),
    )
    messages.success(
        request,
        _("Decision %(number)s recorded: the recognition is revoked.")
        % {"number": decision.number},
    )


Step = Callable[[HttpRequest, Recognition], None]
# The steps a case's page takes, and who may take each (the service checks the case's status).
CASE_STEPS: dict[str, tuple[Step, Callable[[Any, Unit], bool]]] = {
    "dossier": (_dossier, permissions.can_propose_recognition),
    "verify": (_verify, permissions.can_verify),
    "appraise": (_appraise, permissions.can_approve),
    "recognise": (_recognise_one, permissions.can_approve),
    "revoke": (_revoke, permissions.can_approve),
}
# The step each status leads to.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: ("dossier",),
    Status.DOSSIER_COMPLETE: ("dossier", "verify"),
    Status.VERIFIED: ("appraise",),
    Status.APPRAISED: ("recognise",),
    Status.RECOGNISED: ("revoke",),
    Status.ACKNOWLEDGED: ("revoke",),
}


# ---------------------------------------------------------------------------- a case


def _case_or_404(request: HttpRequest, pk: int) -> Recognition:
    case = get_object_or_404(
        Recognition.objects.select_related("unit__parent", "decision", "revocation", "ended_by"),
        pk=pk,
    )
    if not permissions.can_view(request.user, case.unit):
        raise Http404
    return case


@dataclass(frozen=True)
class Condition:
    label: str
    state: bool | None  # holds, does not, not known


def _checklist(case: Recognition) -> tuple[list[Condition], bool]:
    """The conditions of QĐ 18/2022 as checked when the decision was taken, or as they stand
    (the engine's result for the set); and whether they are the recorded ones."""
    recorded = bool(case.checklist)
    checklist = (
        Checklist.from_record(case.checklist) if recorded else checklist_of(case, set_met(case))
    )
    known = checklist.known()
    return [Condition(str(label), known[key]) for key, label in CONDITIONS], recorded


def _case_page(
    request: HttpRequest, case: Recognition, problems: list[str], status: int = 200
) -> HttpResponse:
    user = request.user
    conditions, recorded = _checklist(case)
    steps = [
        name for name in NEXT_STEPS.get(case.status, ()) if CASE_STEPS[name][1](user, case.unit)
    ]
    district = district_of(case.unit)
    return render(
        request,
        "web/recognition.html",
        {
            "case": case,
            "unit": case.unit,
            "district": district,
            "steps": case.steps.select_related("acting_user"),
            "conditions": conditions,
            "recorded": recorded,
            "predecessors": case.predecessors.select_related("unit", "decision"),
            "next_steps": steps,
            "province_url": _province_url(request, case.unit),
            "problems": problems,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _province_url(request: HttpRequest, unit: Unit) -> str:
    """The register of the unit's province, for a viewer who reads the province."""
    node: Unit | None = unit
    while node is not None and node.kind != UnitKind.PROVINCE:
        node = node.parent
    if node is None or not permissions.can_view(request.user, node):
        return ""
    return reverse("web:recognitions", args=[node.pk])


@login_required
def recognition(request: HttpRequest, pk: int) -> HttpResponse:
    """A case: its history, its checklist and the next step the viewer may take."""
    case = _case_or_404(request, pk)
    if request.method != "POST":
        return _case_page(request, case, [])
    found = CASE_STEPS.get(request.POST.get("action", ""))
    if found is None:
        return _case_page(request, case, [_("Unknown step.")], 400)
    step, allowed = found
    if not allowed(request.user, case.unit):
        raise PermissionDenied
    try:
        step(request, case)
    except RecognitionError as e:
        case.refresh_from_db()
        return _case_page(request, case, e.problems, 400)
    return redirect(reverse("web:recognition", args=[case.pk]))


# ---------------------------------------------------------------------------- a decision


@login_required
@require_GET
def recognition_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision and the units it names that the viewer reads (404 when none and not the
    province)."""
    decision = get_object_or_404(RecognitionDecision.objects.select_related("province"), pk=pk)
    named = Recognition.objects.filter(Q(decision=decision) | Q(revocation=decision)).distinct()
    # Who reads the province reads every unit under it; others (a commune's officers) only
    # the units of their own scope.
    whole = permissions.can_view(request.user, decision.province)
    cases = [
        (case, district_of(case.unit))
        for case in named.select_related("unit__parent").order_by("unit__code", "unit__name", "pk")
        if whole or permissions.can_view(request.user, case.unit)
    ]
    if not cases and not whole:
        raise Http404
    return _decision_page(request, decision, cases)


def _decision_page(
    request: HttpRequest,
    decision: RecognitionDecision,
    cases: list[tuple[Recognition, Unit | None]],
    problems: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "web/recognition_decision.html",
        {
            "decision": decision,
            "unit": decision.province,
            "cases": cases,
            "scans": decision.scans.all(),
            "may_attach": permissions.can_approve(request.user, decision.province),
            "problems": problems,
            "province_url": _province_url(request, decision.province),
        },
        status=status,
    )


@login_required
@require_POST
def recognition_decision_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The scanned decision attached as its evidence, by the province office."""
    decision = get_object_or_404(RecognitionDecision.objects.select_related("province"), pk=pk)
    if not permissions.can_view(request.user, decision.province):
        raise Http404
    if not permissions.can_approve(request.user, decision.province):
        raise PermissionDenied
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise RecognitionError([_("Choose a file to upload.")])
        attach_scan(decision, upload, acting_user=_acting(request))
    except RecognitionError as exc:
        named = Recognition.objects.filter(Q(decision=decision) | Q(revocation=decision))
        cases = [(case, district_of(case.unit)) for case in named.select_related("unit__parent")]
        return _decision_page(request, decision, cases, exc.problems, 400)
    messages.success(
        request, _("The scan of decision %(number)s is attached.") % {"number": decision.number}
    )
    return redirect(reverse("web:recognition_decision", args=[pk]))


@login_required
@require_GET
def recognition_scan_file(request: HttpRequest, pk: int) -> FileResponse:
    """A decision's scan, to whoever reads its province, always as a download."""
    scan = get_object_or_404(RecognitionScan.objects.select_related("decision__province"), pk=pk)
    if not permissions.can_view(request.user, scan.decision.province) or not scan.file:
        raise Http404
    return stored_file_response(scan.file, scan.original_name, scan.content_type)


# ---------------------------------------------------------------------------- a unit


def _unit_or_404(request: HttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    if unit.kind not in TIERS_BY_KIND or not permissions.can_view(request.user, unit):
        raise Http404
    return unit


def unit_recognitions(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    """A unit's cases and recognitions, the tiers it may be proposed at (if the viewer may
    propose it) and the acknowledgements a merger offers: for its own page and the commune's."""
    return {
        "unit": unit,
        "cases": Recognition.objects.filter(unit=unit)
        .select_related("decision", "revocation")
        .order_by("-year", "tier", "pk"),
        "tiers": [(t, Tier(t).label) for t in TIERS_BY_KIND.get(unit.kind, ())],
        "can_propose": permissions.can_propose_recognition(request.user, unit),
        "offers": acknowledgeable(unit),
    }


def _unit_page(
    request: HttpRequest, unit: Unit, problems: list[str], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/recognition_unit.html",
        {
            **unit_recognitions(request, unit),
            "can_decide": permissions.can_approve(request.user, unit),
            # A district the office records the own criteria of (the QĐ 18/2022 district rule).
            "district_criteria": unit.kind == UnitKind.DISTRICT
            and permissions.can_approve(request.user, unit)
            and bool(record_years(unit)),
            "province_url": _province_url(request, unit),
            "problems": problems,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
def recognition_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's cases and recognitions; its officers or the province office propose it; the
    province office acknowledges a merged unit at a tier every predecessor held."""
    unit = _unit_or_404(request, pk)
    if request.method != "POST":
        return _unit_page(request, unit, [])
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "propose":
            if not permissions.can_propose_recognition(user, unit):
                raise PermissionDenied
            case = _propose(request, unit)
            return redirect(reverse("web:recognition", args=[case.pk]))
        if action == "acknowledge":
            if not permissions.can_approve(user, unit):
                raise PermissionDenied
            case = acknowledge(
                unit,
                request.POST.get("tier", ""),
                _basis(request.POST),
                acting_user=_acting(request),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request,
                _("%(unit)s is acknowledged at the tier “%(tier)s”.")
                % {"unit": unit.name, "tier": case.get_tier_display()},
            )
            return redirect(reverse("web:recognition", args=[case.pk]))
    except RecognitionError as e:
        return _unit_page(request, unit, e.problems, 400)
    return _unit_page(request, unit, [_("Unknown step.")], 400)
