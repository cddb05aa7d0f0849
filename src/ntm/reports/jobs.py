"""Report files made as jobs (`ntm.jobs`): asked for by an audited service, run beside the
request with their steps in the shared cache, and downloaded by whoever asked for them or by
the office of the province they report on.

A job that fails keeps no file: the file is written whole in a folder of its own (the
writers are atomic) and stored only then.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ntm import jobs
from ntm.accounts import permissions
from ntm.audit.services import record
from ntm.jobs import JobState, Progress, ProgressStore
from ntm.reports.files import STEPS, Report, file_name, gather, opened, write_workbook
from ntm.reports.models import ReportJob, ReportKind
from ntm.reports.pdf import write_pdf
from ntm.results.query import ChoiceError
from ntm.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

REPORT_OBJECT = "reports.job"
PROGRESS = ProgressStore(REPORT_OBJECT)
WRITING = {
    ReportKind.WORKBOOK: gettext_noop("Writing the workbook"),
    ReportKind.PDF: gettext_noop("Rendering the PDF"),
}
DONE = gettext_noop("Done")
SUFFIX = {ReportKind.WORKBOOK: ".xlsx", ReportKind.PDF: ".pdf"}
WRITER: dict[str, Callable[[Report, str | Path], None]] = {
    ReportKind.WORKBOOK: write_workbook,
    ReportKind.PDF: write_pdf,
}
SYSTEM_ERROR = {
    "vi": "Lỗi hệ thống khi lập báo cáo; không có tệp nào được tạo.",
    "en": "A system error stopped the report; no file was made.",
}

log = logging.getLogger(__name__)


def request_report(
    province: Unit,
    kind: str,
    *,
    period: int | None,
    as_of: dt.date | None,
    units_of: dt.date | None,
    language: str,
    acting_user: User,
) -> ReportJob:
    """Ask for a report file of the province at these choices (run it with `run_report`).
    Whoever reads the province may ask; anyone else is refused (`PermissionDenied`)."""
    if not permissions.can_view(acting_user, province):
        raise PermissionDenied
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=ReportKind(kind),
            province=province,
            period=period,
            as_of=as_of,
            units_of=units_of,
            language="en" if language.startswith("en") else "vi",
            created_by=acting_user,
            created_at=timezone.now(),
        )
        record(
            action="reports.request",
            object_type=REPORT_OBJECT,
            object_id=job.pk,
            after={
                "kind": job.kind,
                "province": province.pk,
                "period": period,
                "as_of": as_of.isoformat() if as_of else None,
                "units_of": units_of.isoformat() if units_of else None,
                "language": job.language,
            },
            acting_user=acting_user,
        )
    return job


def may_download(user: User | AnonymousUser, job: ReportJob) -> bool:
    """The file is its creator's, and the province office's of the province it reports on."""
    return job.created_by_id == user.pk or permissions.can_approve(user, job.province)


def _gather(job: ReportJob, language: str, progress: jobs.ProgressCallback | None) -> Report:
    return gather(
        job.province,
        period=job.period,
        as_of=job.as_of,
        units_of=job.units_of,
        language=language,
        progress=progress,
    )


def _refusal(job: ReportJob, refused: ChoiceError) -> dict[str, str]:
    """Why the choices cannot be reported, in both languages: the other language's sentence
    comes from reading the choices again in it (a refusal comes before any file is written)."""
    said = {job.language: str(refused)}
    other = "en" if job.language == "vi" else "vi"
    try:
        _gather(job, other, None)
    except ChoiceError as again:
        said[other] = str(again)
    return {"vi": said.get("vi", str(refused)), "en": said.get("en", str(refused))}


def _make(job: ReportJob, progress: jobs.ProgressCallback) -> dict[str, Any]:
    """Write the file whole, then store it: the outcome of a job that made its file."""
    report = _gather(job, job.language, progress)
    progress(Progress(WRITING[ReportKind(job.kind)], STEPS - 1, STEPS))
    name = file_name(report, SUFFIX[ReportKind(job.kind)])
    with opened(report, WRITER[job.kind], name) as handle:
        job.file.save(name, File(handle), save=False)
    progress(Progress(DONE, STEPS, STEPS))
    return {"state": JobState.DONE, "file": job.file.name, "filename": name}


def run_report(job_id: int) -> None:
    """Run one report job to its end and record the outcome on the job."""
    job = ReportJob.objects.select_related("province").get(pk=job_id)
    ReportJob.objects.filter(pk=job_id).update(state=JobState.RUNNING)
    outcome: dict[str, Any]
    try:
        outcome = _make(job, PROGRESS.callback(job_id))
    except ChoiceError as exc:
        outcome = {"state": JobState.FAILED, "problem": _refusal(job, exc)}
    except Exception:
        log.exception("report job %s failed", job_id)
        if job.file:
            job.file.delete(save=False)
        outcome = {"state": JobState.FAILED, "problem": SYSTEM_ERROR}
    jobs.finish(ReportJob, job_id, outcome, PROGRESS)
