"""In a real browser: the search of the site header leads to a commune's page, and from a
merged commune to the communes it was formed from; the commune table filters and sorts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import OpenPage, Shot
from ntm.web.tests.test_find import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search_from_header(page: Page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Tìm xã")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tìm xã")


def _display(page: Page, selector: str) -> str:
    return str(page.eval_on_selector(selector, "el => getComputedStyle(el).display"))


def rows(page: Page) -> list[str]:
    found = page.locator("table[data-table='communes'] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.commune)"
    )
    return [str(code) for code in found]


def test_search_leads_to_the_commune_and_through_its_lineage(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    w = World(world)
    page = open_page("province_office")
    search_from_header(page, "dong thang")
    results = page.locator("[data-results] > li")
    expect(results).to_have_count(1)
    shot(page, "search")
    results.get_by_role("link", name="Xã Đồng Thắng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Đồng Thắng")

    # An old name: the commune merged away, and what it became.
    search_from_header(page, "van cu")
    became = page.locator("[data-became]")
    expect(became).to_contain_text("Xã Vạn Mới (sáp nhập, 01/01/2022)")
    shot(page, "old-name")
    became.get_by_role("link", name="Xã Vạn Mới").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Vạn Mới")
    lineage = page.locator("[data-lineage]")
    expect(lineage.locator("[data-link='predecessor']")).to_have_text(["Xã Hòa Cũ", "Xã Vạn Cũ"])
    shot(page, "merged", lineage)
    lineage.get_by_role("link", name="Xã Vạn Cũ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xã Vạn Cũ")
    expect(page.locator("#id_period")).to_have_value("2021")
    expect(page.locator("[data-link='successor']")).to_have_text("Xã Vạn Mới")
    assert w.van_cu.pk  # the page read is the predecessor's own record
    assert page.url.endswith(f"/commune/{w.van_cu.pk}/")


def test_an_officer_finds_only_their_own_commune(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    World(world)
    page = open_page("officer_b")
    search_from_header(page, "an binh")
    expect(page.locator("[data-figure='none']")).to_contain_text("Không có xã nào bạn được xem")
    search_from_header(page, "binh")
    expect(page.locator("[data-results] > li > a")).to_have_text(["Xã Bình Minh"])
    shot(page, "officer")


def test_the_commune_table_filters_and_sorts(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    w = World(world)
    page = open_page("province_office")
    page.goto(f"{live_server.url}/province/{world.province.pk}/?period=2021")
    page.get_by_role("link", name="Bảng các xã").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Các xã của Tỉnh Thử Nghiệm")
    assert rows(page) == ["99001", "99101", "99002", "99103", "99102", "99202", "99201"]
    shot(page, "table")

    form = page.locator("form[data-form='communes']")
    form.get_by_label("Trạng thái").select_option("close")
    form.get_by_role("button", name="Xem").click()
    expect(page.locator("[data-figure='count']")).to_have_text("Hiển thị 2 trên 7 xã.")
    assert rows(page) == ["99002", "99102"]
    form.get_by_label("Trạng thái").select_option("")
    form.get_by_label("Huyện").select_option(label="Huyện Đình Lập")
    form.get_by_label("Số tiêu chí đạt, nhiều nhất").fill("18")
    form.get_by_role("button", name="Xem").click()
    # Counted within the district chosen.
    expect(page.locator("[data-figure='count']")).to_have_text("Hiển thị 2 trên 3 xã.")
    assert rows(page) == ["99103", "99102"]
    expect(page.locator("[data-figure='filters']")).to_have_text(
        "Đã lọc: Huyện Đình Lập; tối đa 18 tiêu chí đạt"
    )
    shot(page, "filtered")
    # Printed: the table and what it is filtered by, without the header, form or links.
    page.emulate_media(media="print")
    for selector in (".site-header", "form[data-form='communes']", ".downloads"):
        assert _display(page, selector) == "none", selector
    for selector in ("table[data-table='communes']", "[data-figure='filters']"):
        assert _display(page, selector) != "none", selector
    assert _display(page, "thead") == "table-header-group"
    page.emulate_media(media="screen")

    # Sorting keeps the filters: by criteria met, then the other way.
    page.locator("th a[data-sort='met']").click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Số tiêu chí đạt")
    assert rows(page) == ["99103", "99102"]
    page.locator("th a[data-sort='met']").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Số tiêu chí đạt")
    assert rows(page) == ["99102", "99103"]
    assert re.search(r"met_max=18", page.url) and f"district={w.district.pk}" in page.url

    # The district's own page, and back to the province.
    page.get_by_role("link", name="Huyện Đình Lập").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Các xã của Huyện Đình Lập")
    assert rows(page) == ["99101", "99103", "99102"]
    shot(page, "district")
    page.locator("[data-link='back-to-province']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Thử Nghiệm")
