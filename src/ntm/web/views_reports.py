"""The *Báo cáo* pages: the options, the narrative with each figure linked to the page that
shows it, and the text (with its notes) to download. A province's or a district's (of the
time) report is read by whoever reads that unit; the country's by whoever reads every
province."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ntm.accounts import permissions
from ntm.reports.narrative import (
    Narrative,
    Options,
    ReportError,
    as_html,
    as_text,
    narrative,
    options_from,
)
from ntm.reports.scopes import country_narrative, district_narrative
from ntm.units.models import UnitKind
from ntm.web.views import get_visible_unit_or_404


def _page(
    request: HttpRequest, context: dict[str, Any], name: str, write: Callable[[Options], Narrative]
) -> HttpResponse:
    """The form; with a date, the report (or its text to download, `format=txt`)."""
    context = {**context, "q": request.GET, "compare": request.GET.getlist("compare")}
    if "date" not in request.GET:
        return render(request, "web/report.html", context)
    try:
        n = write(options_from(request.GET, request.GET.getlist("compare")))
    except ReportError as e:
        return render(request, "web/report.html", {**context, "error": str(e)}, status=400)
    if request.GET.get("format") == "txt":
        response = HttpResponse(as_text(n), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bao-cao-{name}-{n.lang}.txt"'
        return response
    download = request.GET.copy()
    download["format"] = "txt"
    return render(
        request,
        "web/report.html",
        {**context, "n": n, "html": as_html(n), "download": download.urlencode()},
    )


@login_required
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    return _page(
        request,
        {"heading": unit.name, "check_province": unit},
        str(unit.code),
        lambda opts: narrative(unit, opts),
    )


@login_required
@require_GET
def district_report(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.DISTRICT)
    return _page(
        request,
        {"heading": unit.name},
        str(unit.code),
        lambda opts: district_narrative(unit, opts),
    )


@login_required
@require_GET
def country_report(request: HttpRequest) -> HttpResponse:
    if not permissions.can_read_all(request.user):
        raise PermissionDenied
    return _page(
        request, {"heading": _("Whole country"), "country": True}, "toan-quoc", country_narrative
    )
