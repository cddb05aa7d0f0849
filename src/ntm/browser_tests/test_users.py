"""In a real browser: the administrator creates a user with a role from the header's Users
link; the new user logs in with the temporary password shown once, is asked for their own,
and lands on their home page with the role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.models import Role, RoleAssignment
from ntm.accounts.testing import Personas
from ntm.browser_tests.conftest import PASSWORD
from ntm.browser_tests.pages import OpenPage, Shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWN_PASSWORD = "Mật-khẩu-riêng-2026"


def test_administrator_creates_a_user_who_then_logs_in(
    open_page: OpenPage, browser: Browser, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    world.administrator.set_password(PASSWORD)
    world.administrator.save(update_fields=["password"])
    page = open_page("administrator")
    page.get_by_role("navigation").get_by_role("link", name="Người dùng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dùng")
    page.get_by_role("link", name="Tạo người dùng").click()
    page.get_by_label("Tên đăng nhập:", exact=True).fill("can.bo.moi")
    page.get_by_label("Họ và tên").fill("Lê Thị Mới")
    page.get_by_label("Thư điện tử").fill("moi@example.vn")
    page.get_by_label("Vai trò:", exact=True).select_option(Role.COMMUNE_OFFICER)
    page.get_by_label("Mã đơn vị", exact=False).fill(world.commune_a.code or "")
    shot(page, "create-form")
    page.get_by_role("button", name="Tạo", exact=True).click()
    generated = page.locator("[data-generated-password] code").inner_text()
    expect(page.locator("table[data-table=roles]")).to_contain_text("Xã An Bình")
    shot(page, "created")
    user = User.objects.get(username="can.bo.moi")
    assert RoleAssignment.objects.get(user=user).unit_id == world.commune_a.pk

    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    try:
        newcomer = context.new_page()
        newcomer.goto(live_server.url + reverse("web:login"))
        newcomer.get_by_label("Tên đăng nhập").fill("can.bo.moi")
        newcomer.get_by_label("Mật khẩu").fill(generated)
        newcomer.get_by_role("button", name="Đăng nhập").click()
        expect(newcomer).to_have_url(live_server.url + reverse("web:password_change"))
        newcomer.get_by_label("Mật khẩu hiện tại").fill(generated)
        newcomer.get_by_label("Mật khẩu mới:", exact=True).fill(OWN_PASSWORD)
        newcomer.get_by_label("Nhập lại mật khẩu mới").fill(OWN_PASSWORD)
        shot(newcomer, "own-password")
        newcomer.get_by_role("button", name="Đổi mật khẩu").click()
        expect(newcomer).to_have_url(live_server.url + reverse("web:home"))
        expect(newcomer.locator("main")).to_contain_text("Cán bộ xã — Xã An Bình")
        # Not an administrator: no Users link in the header.
        expect(
            newcomer.get_by_role("navigation").get_by_role("link", name="Người dùng")
        ).to_have_count(0)
        shot(newcomer, "new-user-home")
    finally:
        context.close()
    assert User.objects.get(username="can.bo.moi").check_password(OWN_PASSWORD)
