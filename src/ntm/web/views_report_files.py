"""Downloads of a province's report files — the workbook and the PDF (`ntm.reports`) — for
the choices of the province page: its year, as-of date and units (`report_query`). Whoever reads the
province reads its report."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from ntm.reports.files import Report, gather, write_workbook
from ntm.reports.pdf import write_pdf
from ntm.results.query import ChoiceError, parse_day, parse_year
from ntm.units.models import UnitKind
from ntm.web.views import get_visible_unit_or_404
from ntm.web.views_dashboards import invalid_choice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(
    request: HttpRequest,
    pk: int,
    write: Callable[[Report, str | Path], None],
    suffix: str,
    content_type: str,
) -> HttpResponseBase:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    try:
        report = gather(
            unit,
            period=parse_year(request.GET.get("period"), name="period"),
            as_of=parse_day(request.GET.get("as_of"), name="as_of"),
            units_of=parse_day(request.GET.get("units_of"), name="units_of"),
            language=translation.get_language() or "vi",
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:province", args=[pk]))
    name = f"ntm-{unit.code or unit.pk}-{report.overview.period}-{report.date:%Y-%m-%d}{suffix}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(report, path)
        # Open before the folder goes: the response streams the open file, then closes it.
        handle = path.open("rb")
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_GET
def report_workbook(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _download(request, pk, write_workbook, ".xlsx", XLSX)


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _download(request, pk, write_pdf, ".pdf", "application/pdf")
