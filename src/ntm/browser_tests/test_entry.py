"""In a real browser: a commune officer enters a value, sees the criterion flip at once and
submits; the officer of another commune gets a 404 that names nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import (
    INCOME_CRITERION,
    INCOME_LABEL,
    OpenPage,
    Shot,
    declare_all_but_income,
    entry_url,
)
from ntm.values.models import State, Submission, Value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_enters_a_value_sees_the_criterion_flip_and_submits(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    total = declare_all_but_income(world)
    page = open_page("officer_a")
    page.goto(entry_url(live_server, world.commune_a))
    criterion = page.locator(f"#crit-{INCOME_CRITERION}")
    result = criterion.locator("tr.criterion td[data-status]")
    expect(result).to_have_attribute("data-status", "missing_data")
    expect(result).to_have_text("Thiếu dữ liệu")
    summary = page.locator("#values-summary")
    expect(summary).to_contain_text(f"Đạt {total - 1}/{total} tiêu chí")
    shot(page, "grid-before", criterion)

    page.evaluate("window.ntmSamePage = true")  # lost if the page were loaded again
    cell = criterion.locator("form").filter(has=page.get_by_label(INCOME_LABEL, exact=True))
    cell.get_by_label(INCOME_LABEL, exact=True).fill("30")
    cell.get_by_role("button", name="Lưu").click()
    expect(result).to_have_attribute("data-status", "not_met")
    expect(result).to_have_text("Chưa đạt")

    # The swapped row carries the new version: saving again is not a conflict.
    cell.get_by_label(INCOME_LABEL, exact=True).fill("47,5")
    cell.get_by_role("button", name="Lưu").click()
    expect(result).to_have_attribute("data-status", "met")
    expect(result).to_have_text("Đạt")
    expect(summary).to_contain_text(f"Đạt {total}/{total} tiêu chí")
    assert page.evaluate("window.ntmSamePage") is True
    assert Value.objects.get(unit=world.commune_a).claimed_value == 47.5
    shot(page, "grid-after-save", criterion)

    # The completeness shown before submitting follows the save: nothing left to confirm.
    expect(page.locator("[data-complete]")).to_have_attribute("data-complete", "yes")
    page.get_by_role("button", name="Gửi duyệt").click()
    workflow = page.locator("section.workflow")
    expect(workflow).to_have_attribute("data-state", "submitted")
    expect(workflow).to_contain_text("Đã gửi, chờ duyệt")
    expect(page.get_by_role("button", name="Lưu")).to_have_count(0)  # submitted: read-only
    assert Submission.objects.get(unit=world.commune_a).state == State.SUBMITTED
    shot(page, "submitted")


def test_officer_of_another_commune_gets_a_404_that_names_nothing(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    page = open_page("officer_b")
    for url in (
        entry_url(live_server, world.commune_a),
        live_server.url + reverse("web:commune", args=[world.commune_a.pk]),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
        body = page.locator("body")
        expect(body).not_to_contain_text(world.commune_a.name)
        expect(body).not_to_contain_text(str(world.commune_a.code))
    shot(page, "not-found")
