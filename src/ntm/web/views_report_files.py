"""A province's report files — the workbook and the PDF (`ntm.reports`) — for the choices of
the province page: its year, as-of date and units (`report_query`). Whoever reads the province
asks for its report; the file is made as a job (`ntm.reports.jobs`) whose page shows its steps
and then the download, for its creator and the province office."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from ntm import jobs
from ntm.jobs import JobState
from ntm.reports import files
from ntm.reports.jobs import PROGRESS, WRITING, may_download, request_report, run_report
from ntm.reports.models import ReportJob, ReportKind
from ntm.results.query import ChoiceError, parse_day, parse_year
from ntm.units.models import UnitKind
from ntm.web.inputs import stored_file_response
from ntm.web.views import get_visible_unit_or_404
from ntm.web.views_dashboards import invalid_choice

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPE = {ReportKind.WORKBOOK: XLSX, ReportKind.PDF: "application/pdf"}


def launch(job_id: int) -> None:
    jobs.launch(run_report, job_id)


def _ask(request: HttpRequest, pk: int, kind: ReportKind) -> HttpResponseBase:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    try:
        job = request_report(
            unit,
            kind,
            period=parse_year(request.GET.get("period"), name="period"),
            as_of=parse_day(request.GET.get("as_of"), name="as_of"),
            units_of=parse_day(request.GET.get("units_of"), name="units_of"),
            language=get_language() or "vi",
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except ChoiceError as e:
        return invalid_choice(request, e, reverse("web:province", args=[pk]))
    launch(job.pk)
    return redirect("web:report_job", job_id=job.pk)


@login_required
@require_POST
def report_workbook(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _ask(request, pk, ReportKind.WORKBOOK)


@login_required
@require_POST
def report_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _ask(request, pk, ReportKind.PDF)


def _job_or_404(request: HttpRequest, job_id: int) -> ReportJob:
    job = get_object_or_404(ReportJob.objects.select_related("province"), pk=job_id)
    if not may_download(request.user, job):
        raise Http404
    return job


@login_required
@require_GET
def report_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    running = job.running
    progress = PROGRESS.read(job.pk) if running else None
    done = progress.done if progress else 0
    names = (
        files.READING_FIGURES,
        files.READING_COMMUNES,
        files.READING_RECOGNITIONS,
        WRITING[ReportKind(job.kind)],
    )
    language = "en" if (get_language() or "").startswith("en") else "vi"
    context = {
        "job": job,
        "running": running,
        "progress": progress,
        "percent": progress.percent if progress else None,
        # (msgid, state): the steps done, the one running, those to come
        "steps": [
            (name, "done" if i < done else "running" if i == done and progress else "waiting")
            for i, name in enumerate(names)
        ],
        "problem": job.problem.get(language, ""),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/_report_job_status.html", context)
    return render(request, "web/report_job.html", context)


@login_required
@require_GET
def report_job_file(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = _job_or_404(request, job_id)
    if job.state != JobState.DONE or not job.file:
        raise Http404
    content_type = CONTENT_TYPE[ReportKind(job.kind)]
    return stored_file_response(job.file, job.filename, content_type)
