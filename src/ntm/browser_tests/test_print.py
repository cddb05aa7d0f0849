"""In a real browser: a province page prints without its navigation, forms or buttons, its
charts kept and tables whole (the print stylesheet), and a public page opens without a login."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import OpenPage, Shot, declare_all_but_income, province_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _display(page: Page, selector: str) -> str:
    return str(page.eval_on_selector(selector, "el => getComputedStyle(el).display"))


def test_province_page_prints_cleanly(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot, artifacts: Path
) -> None:
    declare_all_but_income(world)
    page = open_page("province_office")
    page.goto(province_url(live_server, world.province))
    assert _display(page, ".site-nav") != "none"
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-nav", ".page-tabs", "form.choices", ".downloads"):
        if page.locator(selector).count():
            assert _display(page, selector) == "none", selector
    assert _display(page, "svg.chart") != "none"  # charts kept
    assert _display(page, "thead") == "table-header-group"  # repeated on each sheet
    assert page.eval_on_selector("tbody tr", "el => getComputedStyle(el).breakInside") == "avoid"
    shot(page, "print-media")
    pdf = page.pdf(format="A4", path=artifacts / "province-print.pdf")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_public_page_without_login(
    browser: Browser, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    declare_all_but_income(world)
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + reverse("public:province", args=[world.province.pk]))
    expect(page.locator("h1")).to_have_text(world.province.name)
    expect(page.locator("[data-figure='basis']")).to_contain_text("Chỉ số liệu đã duyệt")
    shot(page, "public-province")
    context.close()
