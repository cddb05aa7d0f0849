"""In a real browser: the province office asks the province page for its workbook; the job's
page shows the steps as the job runs beside the request, then the download, which is the
workbook of the page's choices."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import OpenPage, Shot, declare_all_but_income, province_url
from ntm.reports import jobs as report_jobs
from ntm.reports.models import ReportKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The workbook's writing waits for the event, so that the test sees the job running
    (the live server runs in this process, and so does the job it launches)."""
    go = threading.Event()
    write = report_jobs.WRITER[ReportKind.WORKBOOK]

    def held_write(report: Any, out: str | Path) -> None:
        go.wait(timeout=30)
        write(report, out)

    monkeypatch.setitem(report_jobs.WRITER, ReportKind.WORKBOOK, held_write)
    yield go
    go.set()  # never leave the job's thread waiting


def test_the_workbook_job_shows_its_steps_then_its_download(
    open_page: OpenPage,
    live_server: LiveServer,
    world: Personas,
    shot: Shot,
    held: threading.Event,
) -> None:
    declare_all_but_income(world)
    page = open_page("province_office")
    page.goto(province_url(live_server, world.province))
    page.get_by_role("button", name="Sổ Excel").click()

    status = page.locator("#report-status")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tệp báo cáo: Sổ Excel")
    # The three reads are done; the writing runs (held), and the bar says three steps of four.
    writing = status.locator("li[data-step='running']")
    expect(writing).to_have_text("Đang ghi sổ Excel …")
    expect(status.locator("li[data-step='done']")).to_have_count(3)
    expect(status.locator("progress")).to_have_attribute("value", "75")
    shot(page, "running")

    held.set()
    link = status.get_by_role("link", name="Tải về")
    expect(status).to_contain_text("Tệp đã sẵn sàng.")
    expect(status.locator("progress")).to_have_count(0)
    shot(page, "ready")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith(f"ntm-{world.province.code}-2020-")
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(BytesIO(Path(download.path()).read_bytes()))
    matrix = book["Xã × tiêu chí"]
    assert [matrix.cell(r, 2).value for r in (2, 3)] == [
        world.commune_a.name,
        world.commune_b.name,
    ]
