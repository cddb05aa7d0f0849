"""In a real browser: the province office filters its register of recognitions, recognises two
appraised communes by one decision (overriding, in writing, a condition not shown to hold),
and reads the decision's page with both communes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import OpenPage, Shot
from ntm.recognition.models import Recognition, Status, Tier
from ntm.recognition.services import appraise, complete_dossier, propose, verify
from ntm.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _appraised(p: Personas, unit: Unit) -> Recognition:
    officer = p.officer_a if unit == p.commune_a else p.officer_b
    case = propose(unit, Tier.NTM, 2020, acting_user=officer)
    case = complete_dossier(
        case,
        satisfaction=Decimal(95),
        debt_outstanding=False,
        security_complex=False,
        acting_user=officer,
    )
    case = verify(case, acting_user=p.appraiser)
    return appraise(case, votes_for=21, votes_total=22, acting_user=p.province_office)


def test_the_office_filters_the_register_and_recognises_two_communes(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    a, b = _appraised(world, world.commune_a), _appraised(world, world.commune_b)
    page = open_page("province_office")
    page.goto(live_server.url + reverse("web:province", args=[world.province.pk]))
    page.get_by_role("link", name="Công nhận đạt chuẩn").click()
    register = page.locator('table[data-table="register"]')
    expect(register.locator("tbody tr")).to_have_count(2)

    page.get_by_label("Đơn vị (tên hoặc mã)").fill("an binh")
    page.get_by_role("button", name="Lọc").click()
    expect(register.locator("tbody tr")).to_have_count(1)
    expect(register).to_contain_text("Xã An Bình")
    shot(page, "register-filtered")

    page.get_by_label("Xã An Bình — ").check()
    page.get_by_label("Xã Bình Minh — ").check()
    page.get_by_label("Số quyết định").fill("TEST-12/QĐ-UBND")
    page.get_by_label("Ngày quyết định (ngày/tháng/năm)").fill("26/01/2021")
    page.get_by_label("Cơ quan ban hành").fill("UBND tỉnh Thử Nghiệm")
    page.get_by_role("button", name="Công nhận", exact=True).click()
    # No values are recorded: the set is not shown to be met, and nothing is written.
    expect(page.get_by_role("alert")).to_contain_text("các điều kiện chưa được chứng minh là đạt")
    assert not Recognition.objects.filter(status=Status.RECOGNISED).exists()
    shot(page, "refused")

    # The choices are kept: the office only adds its reason.
    expect(page.get_by_label("Xã An Bình — ")).to_be_checked()
    expect(page.get_by_label("Xã Bình Minh — ")).to_be_checked()
    page.get_by_label("Lý do vẫn quyết định", exact=False).fill(
        "Hội đồng thẩm định tỉnh đã xác nhận kết quả ngày 20/01/2021"
    )
    page.get_by_role("button", name="Công nhận", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Đã ghi quyết định TEST-12/QĐ-UBND: công nhận 2 đơn vị."
    )
    expect(register.locator("td.rc-recognised")).to_have_count(2)
    shot(page, "recognised")

    register.get_by_role("link", name="TEST-12/QĐ-UBND ngày 26/01/2021").first.click()
    units = page.locator('table[data-table="units"]')
    expect(units).to_contain_text("Xã An Bình")
    expect(units).to_contain_text("Xã Bình Minh")
    shot(page, "decision")
    units.get_by_role("link", name="Xã An Bình").click()
    expect(page.locator('[data-figure="override"]')).to_contain_text("Hội đồng thẩm định tỉnh")
    expect(page.locator('table[data-table="steps"] tbody tr')).to_have_count(5)
    shot(page, "case")
    for case in (a, b):
        case.refresh_from_db()
        assert case.status == Status.RECOGNISED and case.override_reason
