"""The report files from the province page are jobs (`ntm.reports.jobs`): asking makes an
audited job at the page's choices, its page shows the steps while it runs and then the
download; a bad choice says why (400, or on the job page when the record refuses it), a job
that fails keeps no file, and only its creator and the province office get the file."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.http import FileResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django.fixtures import Settings

from ntm.audit.models import AuditLog
from ntm.jobs import JobState, Progress
from ntm.reports import jobs as report_jobs
from ntm.reports.models import ReportJob, ReportKind
from ntm.values.testing import YEAR, World, persona_world, world
from ntm.web import views_report_files as views

__all__ = ["persona_world", "world"]  # fixtures

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
ASK = {ReportKind.WORKBOOK: "web:report_workbook", ReportKind.PDF: "web:report_pdf"}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    return tmp_path / "media"


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The jobs the views launch, kept here and run by the test in its own transaction."""
    started: list[int] = []
    monkeypatch.setattr(views, "launch", started.append)
    return started


def _ask(client: Client, world: World, kind: ReportKind, query: str = f"?period={YEAR}") -> Any:
    return client.post(reverse(ASK[kind], args=[world.p.province.pk]) + query)


def _poll(client: Client, job_id: int) -> str:
    return client.get(reverse("web:report_job", args=[job_id]), headers=HTMX).content.decode()


def _download(client: Client, job_id: int) -> tuple[Any, bytes]:
    response = client.get(reverse("web:report_file", args=[job_id]))
    if response.status_code != 200:
        return response, b""
    return response, b"".join(cast(FileResponse, response).streaming_content)  # type: ignore[arg-type]


def _stored(media: Path) -> list[Path]:
    return [f for f in media.rglob("*") if f.is_file()] if media.exists() else []


def test_the_province_page_asks_for_both_files_with_its_choices(
    client: Client, world: World
) -> None:
    client.force_login(world.p.province_office)
    page = reverse("web:province", args=[world.p.province.pk])
    html = client.get(f"{page}?period={YEAR}&as_of=2026-12-01").content.decode()
    for name in ASK.values():
        url = reverse(name, args=[world.p.province.pk])
        assert f'<form method="post" action="{url}?period={YEAR}&amp;as_of=2026-12-01">' in html


def test_asking_makes_an_audited_job_at_the_choices_and_shows_its_page(
    client: Client, world: World, launched: list[int]
) -> None:
    client.force_login(world.p.appraiser)
    response = _ask(client, world, ReportKind.PDF, f"?period={YEAR}&as_of=2026-12-01")
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:report_job", args=[job.pk])
    assert launched == [job.pk]
    assert (job.kind, job.period, str(job.as_of), job.units_of) == ("pdf", YEAR, "2026-12-01", None)
    assert (job.state, job.created_by, job.language) == ("pending", world.p.appraiser, "vi")
    audit = AuditLog.objects.get(action="reports.request")
    assert audit.object_id == str(job.pk) and audit.acting_user_id == world.p.appraiser.pk
    assert audit.after is not None
    assert audit.after["kind"] == "pdf" and audit.after["as_of"] == "2026-12-01"
    html = client.get(response["Location"]).content.decode()
    assert "Đang chờ bắt đầu…" in html and 'hx-trigger="every 1s"' in html


def test_the_steps_show_while_the_workbook_is_made_then_its_download(
    client: Client, world: World, launched: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(world.p.appraiser)
    _ask(client, world, ReportKind.WORKBOOK)
    (job_id,) = launched
    polls: list[tuple[Progress, str]] = []
    real = report_jobs.PROGRESS.callback

    def callback_and_poll(job: int) -> Callable[[Progress], None]:
        write = real(job)

        def report(step: Progress) -> None:
            write(step)
            polls.append((step, _poll(client, job)))

        return report

    monkeypatch.setattr(report_jobs.PROGRESS, "callback", callback_and_poll)
    report_jobs.run_report(job_id)

    phases = [step.phase for step, _ in polls]
    assert phases == [
        "Reading the province's figures",
        "Reading the communes' results",
        "Reading the recognitions",
        "Writing the workbook",
        "Done",
    ]
    reading = polls[1][1]
    assert 'data-step="done">Đang đọc số liệu của tỉnh ✓' in reading
    assert 'data-step="running">Đang đọc kết quả các xã …' in reading
    assert 'data-step="waiting">Đang ghi sổ Excel' in reading and 'value="25"' in reading
    assert 'data-step="running">Đang ghi sổ Excel' in polls[3][1] and 'value="75"' in polls[3][1]
    assert all('hx-trigger="every 1s"' in html for _, html in polls)

    job = ReportJob.objects.get(pk=job_id)
    assert job.state == JobState.DONE and job.finished_at is not None
    assert report_jobs.PROGRESS.read(job_id) is None
    done = _poll(client, job_id)
    assert "hx-trigger" not in done and "Tệp đã sẵn sàng" in done
    assert f'href="{reverse("web:report_file", args=[job_id])}"' in done
    response, body = _download(client, job_id)
    assert response["Content-Disposition"].startswith('attachment; filename="ntm-99-2020-')
    matrix = load_workbook(BytesIO(body))["Xã × tiêu chí"]
    assert [matrix.cell(r, 2).value for r in (2, 3)] == ["Xã An Bình", "Xã Bình Minh"]


def test_the_pdf_job_and_its_download(
    client: Client, world: World, launched: list[int], media: Path
) -> None:
    client.force_login(world.p.province_office)
    _ask(client, world, ReportKind.PDF)
    report_jobs.run_report(launched[0])
    response, body = _download(client, launched[0])
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    assert [f.suffix for f in _stored(media)] == [".pdf"]


@pytest.mark.parametrize(
    ("query", "message"),
    [("?period=20x0", "4"), ("?as_of=2020-02-31", "as_of")],
)
def test_a_choice_that_cannot_be_read_says_why_and_makes_no_job(
    client: Client, world: World, launched: list[int], query: str, message: str
) -> None:
    client.force_login(world.p.province_office)
    response = _ask(client, world, ReportKind.WORKBOOK, query)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ReportJob.objects.exists() and launched == []
    assert not AuditLog.objects.filter(action="reports.request").exists()


@pytest.mark.parametrize(
    ("query", "vi", "en"),
    [
        (
            "?period=2020&units_of=2019-01-01",
            "không có xã nào vào ngày 01/01/2019",
            "had no communes on 01/01/2019",
        ),
        (
            "?period=2020&as_of=2020-06-30",
            "chưa có số liệu nào được ghi nhận đến hết ngày 30/06/2020",
            "has no data recorded by 30/06/2020",
        ),
    ],
)
@pytest.mark.parametrize("kind", list(ReportKind))
def test_a_refused_report_says_why_in_both_languages_and_keeps_no_file(
    client: Client,
    world: World,
    launched: list[int],
    media: Path,
    kind: ReportKind,
    query: str,
    vi: str,
    en: str,
) -> None:
    client.force_login(world.p.province_office)
    _ask(client, world, kind, query)
    report_jobs.run_report(launched[0])
    job = ReportJob.objects.get()
    assert job.state == JobState.FAILED and not job.file and _stored(media) == []
    assert vi in job.problem["vi"] and en in job.problem["en"]
    html = _poll(client, job.pk)
    assert "Không lập được báo cáo; không có tệp nào được ghi" in html and vi in html
    assert "hx-trigger" not in html
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert en in _poll(client, job.pk)
    assert _download(client, job.pk)[0].status_code == 404


def test_a_job_that_breaks_while_writing_keeps_no_file(
    client: Client,
    world: World,
    launched: list[int],
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def half_written(report: Any, out: str | Path) -> None:
        Path(out).write_bytes(b"PK\x03\x04 half")
        raise OSError("disk full")

    monkeypatch.setitem(report_jobs.WRITER, ReportKind.WORKBOOK, half_written)
    client.force_login(world.p.province_office)
    _ask(client, world, ReportKind.WORKBOOK)
    report_jobs.run_report(launched[0])
    job = ReportJob.objects.get()
    assert job.state == JobState.FAILED and not job.file and _stored(media) == []
    assert job.problem == report_jobs.SYSTEM_ERROR
    assert "Lỗi hệ thống khi lập báo cáo" in _poll(client, job.pk)
    assert "disk full" in caplog.text


def test_only_the_creator_and_the_province_office_get_the_job_and_its_file(
    client: Client, world: World, launched: list[int]
) -> None:
    p = world.p
    client.force_login(p.appraiser)
    _ask(client, world, ReportKind.WORKBOOK)
    report_jobs.run_report(launched[0])
    for user, expect in [
        (p.appraiser, 200),
        (p.province_office, 200),
        (p.central_viewer, 404),  # reads the province, but did not ask for this file
        (p.officer_a, 404),
        (p.administrator, 404),
    ]:
        client.force_login(user)
        assert client.get(reverse("web:report_job", args=[launched[0]])).status_code == expect
        assert _download(client, launched[0])[0].status_code == expect, user
    client.logout()
    assert _download(client, launched[0])[0].status_code == 302  # to the login page


def test_a_commune_officer_cannot_ask_for_the_provinces_report(
    client: Client, world: World, launched: list[int]
) -> None:
    client.force_login(world.p.officer_a)
    assert _ask(client, world, ReportKind.PDF).status_code == 404
    assert not ReportJob.objects.exists() and launched == []
