"""Import a recognition list into a province (`ntm.recognition.imports`): the province office
uploads a list and chooses all or nothing, or the clean rows only; the page shows what was
written, every problem and every note, each with its sheet, row, column and value."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ntm.exchange.workbook import InputProblem
from ntm.recognition.imports import ImportRefused, ImportReport, import_recognitions
from ntm.recognition.services import RecognitionError
from ntm.units.models import Unit
from ntm.values import files
from ntm.web.inputs import Refused, imported, language
from ntm.web.views import office_province_or_404


def _texts(items: list[InputProblem]) -> list[str]:
    return [p.text(language()) for p in items]


def _page(
    request: HttpRequest,
    province: Unit,
    *,
    problems: list[str] | None = None,
    notes: list[str] | None = None,
    report: ImportReport | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "web/recognition_import.html",
        {
            "unit": province,
            "problems": problems or [],
            "notes": notes or [],
            "report": report,
            "skipped": _texts(report.skipped) if report else [],
            "clean_only": request.POST.get("clean_only") == "on",
        },
        status=status,
    )


@login_required
def recognition_import(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form. POST: the list imported — the report, or every problem and nothing
    written. A re-sent form writes nothing twice: a recognition recorded already is a note."""
    province = office_province_or_404(request, pk)
    if request.method != "POST":
        return _page(request, province)
    upload = request.FILES.get("file")
    limit = int(settings.NTM_IMPORT_MAX_BYTES)
    if upload is not None and (upload.size or 0) > limit:
        name = files.clean_name(upload.name or "")
        problem = files.too_large(upload.size or 0, limit).about(name, language())
        return _page(request, province, problems=[problem], status=400)
    if upload is not None and Path(upload.name or "").suffix.lower() not in {".xlsx", ".csv"}:
        return _page(
            request,
            province,
            problems=[_("Only .xlsx and .csv files are accepted.")],
            status=400,
        )
    clean_only = request.POST.get("clean_only") == "on"

    def run(path: Path, name: str | None) -> ImportReport | ImportRefused:
        try:
            return import_recognitions(
                path,
                province,
                acting_user=request.user,  # type: ignore[arg-type]
                clean_only=clean_only,
                source_name=name,
            )
        except ImportRefused as e:  # shown with its notes, not only its problems
            return e
        except RecognitionError as e:
            raise Refused(e.problems) from None

    try:
        done = imported(request, "cong-nhan", run)
    except Refused as e:
        return _page(request, province, problems=e.problems, status=400)
    if isinstance(done, ImportRefused):
        return _page(
            request,
            province,
            problems=done.message(language()).splitlines(),
            notes=_texts(done.notes),
            status=400,
        )
    return _page(request, province, notes=_texts(done.notes), report=done)
