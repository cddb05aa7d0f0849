"""In a real browser: from the *Báo cáo* page to *Kiểm tra văn bản đã công bố*, a pasted text
checked — each figure with its coloured verdict and the record's figure linking to the
province page — and a bad date shown in the form."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import OpenPage, Shot
from ntm.results.testing import SET_2020, seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The seeded world's 2021: 1/2 communes at the standard, 18 criteria per commune on average.
TEXT = (
    "Năm 2021, toàn tỉnh có 1/2 xã (50 %) đạt chuẩn nông thôn mới; bình quân đạt 18 tiêu chí/xã. "
    "Có 2/2 xã đạt chuẩn nông thôn mới theo báo cáo khác."
)


def test_checking_a_pasted_text(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    seed(world)
    page = open_page("province_office")
    page.goto(live_server.url + reverse("web:province_report", args=[world.province.pk]))
    page.get_by_role("link", name="Kiểm tra văn bản đã công bố").click()
    expect(page.locator("h1")).to_have_text("Kiểm tra văn bản đã công bố")
    page.get_by_label("Văn bản đã công bố").fill(TEXT)
    expect(page.get_by_label("Tỉnh")).to_have_value(str(world.province.pk))
    page.get_by_label("Ngày của số liệu").fill("31/02/2021")
    page.get_by_role("button", name="Kiểm tra số liệu").click()
    expect(page.locator("form.report-check [role=alert]")).to_contain_text("31/02/2021")
    page.get_by_label("Ngày của số liệu").fill("31/12/2021")
    page.get_by_role("button", name="Kiểm tra số liệu").click()
    rows = page.locator("tr[data-verdict]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("Khớp")
    expect(rows.nth(2).locator("td").nth(1)).to_have_text("Khác")
    colour = "el => getComputedStyle(el).color"
    ok = rows.nth(0).locator("td").nth(1).evaluate(colour)
    bad = rows.nth(2).locator("td").nth(1).evaluate(colour)
    assert ok != bad
    shot(page, "verdicts")
    rows.nth(2).get_by_role("link", name="1/2").click()
    expect(page).to_have_url(
        live_server.url
        + reverse("web:province", args=[world.province.pk])
        + f"?period=2021&set={SET_2020}&as_of=2021-12-31"
    )
