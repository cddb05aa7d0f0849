"""The *Báo cáo* page of a province: the options, the narrative with each figure linked to
the page that shows it, and the text (with its notes) to download. Read by whoever reads
the province."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ntm.reports.narrative import ReportError, as_html, as_text, narrative, options_from
from ntm.units.models import UnitKind
from ntm.web.views import get_visible_unit_or_404


@login_required
@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    context = {"unit": unit, "q": request.GET, "compare": request.GET.getlist("compare")}
    if "date" not in request.GET:
        return render(request, "web/report.html", context)
    try:
        n = narrative(unit, options_from(request.GET, request.GET.getlist("compare")))
    except ReportError as e:
        return render(request, "web/report.html", {**context, "error": str(e)}, status=400)
    if request.GET.get("format") == "txt":
        response = HttpResponse(as_text(n), content_type="text/plain; charset=utf-8")
        name = f"bao-cao-{unit.code}-{n.lang}.txt"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    download = request.GET.copy()
    download["format"] = "txt"
    return render(
        request,
        "web/report.html",
        {**context, "n": n, "html": as_html(n), "download": download.urlencode()},
    )
