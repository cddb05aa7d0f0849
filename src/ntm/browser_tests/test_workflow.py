"""In a real browser, the review workflow of issue 13: the commune officer submits with gaps
after confirming them; the appraiser finds the commune in the province's queue and returns it
with a reason; the officer sees the notification in the header, reads it, and finds the reason
on the grid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.conftest import PASSWORD
from ntm.browser_tests.pages import OpenPage, Shot, entry_url, province_url
from ntm.values.models import Notification, State, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Thiếu biên bản kiểm tra thu nhập bình quân"


def test_appraiser_returns_with_a_reason_and_the_officer_is_told(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    world.appraiser.set_password(PASSWORD)
    world.appraiser.save(update_fields=["password"])

    officer = open_page("officer_a")
    officer.goto(entry_url(live_server, world.commune_a))
    workflow = officer.locator("section.workflow")
    expect(workflow.locator("[data-complete]")).to_have_attribute("data-complete", "no")
    shot(officer, "completeness", workflow)
    submit = officer.get_by_role("button", name="Gửi duyệt")
    submit.click()  # the confirmation box is required: the browser keeps the form
    assert not Submission.objects.exists()
    officer.get_by_label("Tôi xác nhận gửi khi còn thiếu").check()
    submit.click()
    expect(workflow).to_have_attribute("data-state", "submitted")

    appraiser = open_page("appraiser")
    appraiser.goto(province_url(live_server, world.province, "web:review_queue"))
    expect(appraiser.locator('[data-figure="submitted"] strong')).to_have_text("1")
    shot(appraiser, "queue")
    appraiser.get_by_role("link", name=world.commune_a.name).click()
    appraiser.get_by_label("Lý do trả lại").fill(REASON)
    appraiser.get_by_role("button", name="Trả lại cho xã").click()
    expect(appraiser.locator("section.workflow")).to_have_attribute("data-state", "returned")
    assert Submission.objects.get().state == State.RETURNED
    shot(appraiser, "returned")

    officer.goto(live_server.url + "/")
    bell = officer.get_by_role("link", name="Thông báo (1)")
    expect(bell).to_be_visible()
    bell.click()
    item = officer.locator('li[data-kind="returned"]')
    expect(item).to_contain_text("bị trả lại cho xã")
    expect(item).to_contain_text(f"Lý do: {REASON}")
    shot(officer, "notification")
    item.get_by_role("button", name="Đánh dấu đã đọc").click()
    expect(officer.locator('li[data-kind="returned"]')).to_have_attribute("data-read", "yes")
    expect(officer.get_by_role("link", name="Thông báo", exact=True)).to_be_visible()
    assert Notification.objects.get().read_at is not None
    officer.get_by_role("link", name="Mở số liệu").click()
    expect(officer.locator("section.workflow")).to_contain_text(f"Lý do: {REASON}")
    shot(officer, "grid-with-reason", officer.locator("section.workflow"))
