"""A province's decisions on its criteria sets (`ntm.decisions`): the decisions and every
cell's versions, read by whoever reads the province; recorded — an overlay file, the filled
gap workbook or one cell — by its province office only, all or nothing."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ntm.accounts import permissions
from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.criteria.schema import CellChange
from ntm.decisions.gaps import commune_set, import_gaps
from ntm.decisions.models import Decision, DecisionScan
from ntm.decisions.queries import history, set_decisions
from ntm.decisions.services import (
    Basis,
    DecisionError,
    Recorded,
    attach_scan,
    import_overlay,
    import_province_set,
    record_decision,
    record_transition,
)
from ntm.exchange.gaps import gap_rows, write_gaps
from ntm.exchange.workbook import CellError, parse_number
from ntm.results.sets import choose_set, with_province_decisions
from ntm.units.models import Unit, UnitKind
from ntm.web.inputs import (
    Refused,
    imported,
    said,
    stored_file_response,
    typed_day,
    xlsx_response,
)
from ntm.web.views import get_visible_unit_or_404

MAX_YAML_BYTES = 1024 * 1024  # an overlay is a few kilobytes, a whole set some fifty


def _office_province(request: HttpRequest, pk: int) -> Unit:
    """The province, if its office is asking (404 outside the user's scope, else 403)."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    if not permissions.can_decide_criteria(request.user, province):
        raise PermissionDenied
    return province


def _sets() -> list[str]:
    return [s for s in bundled_set_ids() if commune_set(s) is not None]


def _page(
    request: HttpRequest, province: Unit, problems: list[str], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/decisions.html",
        {
            "unit": province,
            "decisions": Decision.objects.filter(province=province).prefetch_related("scans"),
            "versions": history(province.code) if province.code else [],
            "sets": [load_set(s) for s in _sets()],
            "succeeded": [load_set(s) for s in _sets() if load_set(s).succeeded_by],
            "set_decisions": set_decisions(province.code) if province.code else [],
            "can_decide": permissions.can_decide_criteria(request.user, province),
            "problems": problems,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _recorded(request: HttpRequest, pk: int, done: Recorded) -> HttpResponse:
    messages.success(
        request,
        _("Decision %(number)s recorded: %(written)s cells changed, %(unchanged)s unchanged.")
        % {"number": done.decision.number, "written": done.written, "unchanged": done.unchanged},
    )
    return redirect(reverse("web:province_decisions", args=[pk]))


@login_required
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The decisions and the cells' versions; the office sets one cell."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    if request.method != "POST":
        return _page(request, province, [])
    province = _office_province(request, pk)
    data = request.POST
    problems = []
    try:
        value = parse_number(data.get("value", ""))
    except CellError as exc:
        value = None
        problems.append(_("The threshold: %(reason)s.") % {"reason": said(exc.reason)})
    year_text = data.get("year", "").strip()
    if year_text and not year_text.isdigit():
        problems.append(_("The year must be a year (for example 2020), or empty for every year."))
    condition = data.get("condition", "0").strip() or "0"
    if not condition.isdigit():
        problems.append(_("The condition must be a whole number (0 for the first)."))
    if problems:
        return _page(request, province, problems, 400)
    try:
        change = CellChange(
            indicator=data.get("indicator", "").strip(),
            condition=int(condition),
            column=data.get("column", "").strip(),
            year=int(year_text) if year_text else None,
            value=value,
            status="verified" if value is not None else "missing",
            note=data.get("note", "").strip() or None,
        )
        done = record_decision(
            province,
            data.get("set_id", ""),
            _basis(request),
            [change],
            effective_from=typed_day(data.get("effective_from", "")),
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except DecisionError as exc:
        return _page(request, province, exc.problems, 400)
    return _recorded(request, pk, done)


def _basis(request: HttpRequest) -> Basis:
    data = request.POST
    return Basis(
        data.get("number", ""),
        typed_day(data.get("date_signed", "")),
        data.get("issuer", ""),
        data.get("title", ""),
    )


@login_required
@require_POST
def decisions_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """The province's own transition rule: the day a set's successor takes effect there."""
    province = _office_province(request, pk)
    try:
        done = record_transition(
            province,
            request.POST.get("set_id", ""),
            _basis(request),
            typed_day(request.POST.get("successor_from", "")),
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except DecisionError as exc:
        return _page(request, province, exc.problems, 400)
    messages.success(
        request,
        _("Decision %(number)s recorded: the province's transition rule.")
        % {"number": done.decision.number},
    )
    return redirect(reverse("web:province_decisions", args=[pk]))


@login_required
@require_POST
def decisions_overlay(request: HttpRequest, pk: int) -> HttpResponse:
    """An overlay file (YAML) recorded as a decision: every cell, or none and every problem."""
    province = _office_province(request, pk)
    try:
        name, text = _yaml_upload(request, "overlay.yaml")
        done = import_overlay(
            province,
            text,
            name,
            effective_from=typed_day(request.POST.get("effective_from", "")),
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except DecisionError as exc:
        return _page(request, province, exc.problems, 400)
    return _recorded(request, pk, done)


def _yaml_upload(request: HttpRequest, default_name: str) -> tuple[str, str]:
    """The uploaded YAML file's name and text, or `DecisionError` saying why not."""
    upload = request.FILES.get("file")
    if upload is None:
        raise DecisionError([_("Choose a file to import.")])
    if (upload.size or 0) > MAX_YAML_BYTES:
        raise DecisionError([_("The file is too large for a criteria file.")])
    try:
        return upload.name or default_name, upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise DecisionError([_("The file is not UTF-8 text.")]) from None


@login_required
@require_POST
def decisions_set(request: HttpRequest, pk: int) -> HttpResponse:
    """A whole set of the province (YAML, checked by the criteria loader) recorded by its
    decision: offered to the province's communes like a national set."""
    province = _office_province(request, pk)
    try:
        name, text = _yaml_upload(request, "set.yaml")
        done, cset = import_province_set(
            province,
            text,
            name,
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except DecisionError as exc:
        return _page(request, province, exc.problems, 400)
    messages.success(
        request,
        _("Decision %(number)s recorded: the province's set %(set)s.")
        % {"number": done.decision.number, "set": cset.id},
    )
    return redirect(reverse("web:province_decisions", args=[pk]))


@login_required
@require_GET
def decisions_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    """The workbook of the set's missing and unconfirmed cells, as the province reads the
    year (`?set=...&year=...`, by default this year and its set)."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    year_text = request.GET.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    # As the pages do, the set follows the year: a set that does not apply gives way.
    national = choose_set(year, request.GET.get("set"))
    if national is None:
        return _page(
            request,
            province,
            [_("No criteria set applies to the year %(year)s.") % {"year": year}],
            400,
        )
    cset = with_province_decisions(national, province, year)
    out = io.BytesIO()
    write_gaps(out, cset, year, gap_rows(cset, year), title=province.name)
    name = f"o-can-bo-sung-{province.code or province.pk}-{national.id}-{year}.xlsx"
    return xlsx_response(out.getvalue(), name)


@login_required
@require_POST
def decisions_gaps_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The filled gap workbook recorded as one decision: every row, or none and every problem."""
    province = _office_province(request, pk)
    try:
        done = imported(
            request,
            "gaps",
            lambda path, name: import_gaps(
                path,
                province,
                acting_user=request.user,  # type: ignore[arg-type]
                source_name=name,
            ),
        )
    except Refused as exc:
        return _page(request, province, exc.problems, 400)
    return _recorded(request, pk, done)


@login_required
@require_POST
def decisions_scan(request: HttpRequest, pk: int, decision: int) -> HttpResponse:
    """The scanned decision attached as its evidence (checked as a value's evidence is)."""
    province = _office_province(request, pk)
    found = get_object_or_404(Decision, pk=decision, province=province)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, province, [_("Choose a file to upload.")], 400)
    try:
        attach_scan(found, upload, acting_user=request.user)  # type: ignore[arg-type]
    except DecisionError as exc:
        return _page(request, province, exc.problems, 400)
    messages.success(
        request, _("The scan of decision %(number)s is attached.") % {"number": found.number}
    )
    return redirect(reverse("web:province_decisions", args=[pk]))


@login_required
@require_GET
def decisions_scan_file(request: HttpRequest, pk: int, scan: int) -> FileResponse:
    """A decision's scan, to whoever reads the province, always as a download."""
    province = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    found = get_object_or_404(DecisionScan, pk=scan, decision__province=province)
    if not found.file:
        raise Http404
    return stored_file_response(found.file, found.original_name, found.content_type)
