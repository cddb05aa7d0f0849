"""In a real browser: the province office sees a recognised district whose own criteria are
not recorded as "cannot be ruled out", records them on the district's page, and reads the
district rule reaching it on the province page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import OpenPage, Shot
from ntm.results.testing import SET_2022, recognised_district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_records_a_districts_criteria_and_reads_the_rule(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    p = world
    recognised_district(p)

    page = open_page("province_office")
    province = live_server.url + reverse("web:province", args=[p.province.pk])
    page.goto(f"{province}?period=2022&set={SET_2022}")
    table = page.locator('table[data-figure="district-risk"]')
    expect(table).to_contain_text("Chưa loại trừ được: chưa ghi nhận trạng thái của 1. Quy hoạch")
    shot(page, "unrecorded", table)

    table.get_by_role("link", name="Huyện Thử").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tiêu chí của Huyện Thử · 2022")
    for n in range(1, 10):
        page.get_by_label(f"{n}. ", exact=False).select_option("met")
    page.get_by_label("1. Quy hoạch").select_option("not_met")
    page.get_by_label("2. Giao thông").select_option("not_met")
    page.get_by_label("7. Môi trường").select_option("basically_met")
    page.get_by_role("button", name="Ghi", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Đã thay đổi 9 tiêu chí của Huyện Thử năm 2022."
    )
    shot(page, "recorded")

    page.goto(f"{province}?period=2022&set={SET_2022}")
    expect(table).to_contain_text("3/9 (33,33 %)")
    expect(table).to_contain_text(
        "Thuộc diện áp dụng (tiêu chí của huyện; then chốt: 7. Môi trường)"
    )
    shot(page, "reached", table)
