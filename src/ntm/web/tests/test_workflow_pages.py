"""The review workflow's pages (issue 13): the province's queue, the appraiser's return, the
completeness shown before submit and approve with its confirmation, the province's rule, the
commune officer's view of a return, and the notifications with the header's count."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PERSONAS, PersonaName, Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import UnitKind
from ntm.values.models import Notification, State, Submission, WorkflowRule
from ntm.values.services import add_comment, return_submission, set_require_complete, submit
from ntm.values.testing import INCOME, SET, YEAR
from ntm.web.tests.matrix import OFFICE_ACTS

pytestmark = pytest.mark.django_db

REASON = "Thiếu biên bản kiểm tra thu nhập"


def _expect(response: Any, expected: int | str) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(django_settings.LOGIN_URL))
    else:
        assert response.status_code == expected, response.content.decode()[:500]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _queue_url(p: Personas, query: str = "") -> str:
    return reverse("web:review_queue", args=[p.province.pk]) + f"?period={YEAR}&set={SET}{query}"


def _entry_url(p: Personas) -> str:
    return reverse("values:entry", args=[p.commune_a.pk, SET, YEAR])


def _workflow(client: Client, p: Personas, data: dict[str, str]) -> Any:
    return client.post(reverse("values:workflow", args=[p.commune_a.pk, SET, YEAR]), data)


# ------------------------------------------------------------------------------------ the queue

QUEUE: dict[PersonaName, int | str] = dict(
    officer_a=404,
    officer_b=404,
    appraiser=200,
    province_office=200,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_queue_route(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    _expect(client.get(_queue_url(p)), QUEUE[persona])


def test_the_queue_shows_counts_states_and_links(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    p.login(client, "appraiser")
    html = client.get(_queue_url(p)).content.decode()
    assert re.search(r'data-figure="submitted">Đã gửi, chờ thẩm tra / chờ duyệt<strong>1<', html)
    assert re.search(r'data-figure="draft">Chưa gửi<strong>1<', html)
    assert re.search(r'data-figure="returned">Bị trả lại<strong>0<', html)
    assert f'href="{_entry_url(p)}"' in html
    rows = re.findall(r'<tr data-unit="(\d+)" data-state="(\w+)">', html)
    assert rows == [(str(p.commune_a.pk), "submitted"), (str(p.commune_b.pk), "draft")]
    # The appraiser reads the rule, the office alone changes it.
    assert reverse("web:require_complete", args=[p.province.pk]) not in html
    html = client.get(_queue_url(p, "&state=draft")).content.decode()
    assert re.findall(r'<tr data-unit="(\d+)"', html) == [str(p.commune_b.pk)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("&state=lost", "Trạng thái “lost” không hợp lệ."),
        ("&district=abc", "Huyện này không thuộc tỉnh."),
        ("&district=99999", "Huyện này không thuộc tỉnh trong năm 2020."),
    ],
)
def test_bad_queue_choices_are_a_400_that_says_why(
    client: Client, p: Personas, query: str, message: str
) -> None:
    p.login(client, "province_office")
    response = client.get(_queue_url(p, query))
    assert response.status_code == 400 and message in response.content.decode()


def test_the_queue_in_english(client: Client, p: Personas, cset: CriteriaSet) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    p.login(client, "province_office")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(_queue_url(p)).content.decode()
    assert "Review queue — Tỉnh Thử Nghiệm" in html
    assert re.search(r'data-figure="submitted">Submitted, awaiting review and approval<', html)
    assert "Require completeness before approval" in html


def test_home_links_the_queue_for_the_province_roles(client: Client, p: Personas) -> None:
    url = reverse("web:review_queue", args=[p.province.pk])
    shown: tuple[tuple[PersonaName, bool], ...] = (
        ("appraiser", True),
        ("province_office", True),
        ("central_viewer", False),
    )
    for persona, linked in shown:
        p.login(client, persona)
        assert (url in client.get(reverse("web:home")).content.decode()) == linked


# ------------------------------------------------------------------------------------ return

RETURN: dict[PersonaName, int | str] = dict(
    officer_a=403,
    officer_b=404,
    appraiser=302,
    province_office=302,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_return_route(client: Client, p: Personas, cset: CriteriaSet, persona: PersonaName) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    p.login(client, persona)
    _expect(_workflow(client, p, {"action": "return", "reason": REASON}), RETURN[persona])
    returned = RETURN[persona] == 302
    assert Submission.objects.get().state == (State.RETURNED if returned else State.SUBMITTED)
    assert Notification.objects.exists() == returned


def test_the_appraiser_sees_the_return_form_not_approve(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    p.login(client, "appraiser")
    html = client.get(_entry_url(p)).content.decode()
    assert 'value="return"' in html and 'value="approve"' not in html


def test_an_empty_reason_is_refused_and_nothing_written(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    p.login(client, "appraiser")
    response = client.post(
        reverse("values:workflow", args=[p.commune_a.pk, SET, YEAR]),
        {"action": "return", "reason": " "},
        follow=True,
    )
    assert "Cần ghi lý do." in response.content.decode()
    assert Submission.objects.get().state == State.SUBMITTED
    assert not Notification.objects.exists()


def test_the_officer_sees_what_was_returned_and_why(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    return_submission(p.commune_a, YEAR, cset, reason=REASON, acting_user=p.appraiser)
    p.login(client, "officer_a")
    choose = client.get(reverse("values:choose", args=[p.commune_a.pk])).content.decode()
    assert f'data-returned="{YEAR}">Lý do: {REASON}<' in choose
    entry = _text(client.get(_entry_url(p)).content.decode())
    assert f"Lý do: {REASON}" in entry and "Thẩm định viên" in entry
    p.login(client, "officer_b")
    assert client.get(reverse("values:choose", args=[p.commune_a.pk])).status_code == 404


# ------------------------------------------------------------------------------ completeness


def test_submit_shows_completeness_and_needs_confirmation(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.get(_entry_url(p)).content.decode()
    assert 'data-complete="no"' in html
    assert re.search(r'data-figure="computed">Tiêu chí tính từ số liệu: <strong>0<', html)
    assert 'name="confirm"' in html and "Tôi xác nhận gửi khi còn thiếu" in html
    response = _workflow(client, p, {"action": "submit"})
    page = client.get(response["Location"]).content.decode()
    assert "Hãy xác nhận để tiếp tục khi còn thiếu" in page
    assert not Submission.objects.exists()
    assert not AuditLog.objects.filter(action="values.submit").exists()
    _workflow(client, p, {"action": "submit", "confirm": "on"})
    assert Submission.objects.get().state == State.SUBMITTED
    after = AuditLog.objects.get(action="values.submit").after
    assert isinstance(after, dict) and after["confirmed_with_gaps"] is True
    assert after["completeness"]["total"] == 19


def test_the_province_rule_hides_approve_and_refuses_it(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    set_require_complete(p.province, True, acting_user=p.province_office)
    p.login(client, "province_office")
    html = client.get(_entry_url(p)).content.decode()
    assert "Tỉnh yêu cầu đầy đủ mọi tiêu chí trước khi duyệt." in html
    assert 'value="approve"' not in html and 'value="return"' in html
    response = _workflow(client, p, {"action": "approve", "confirm": "on"})
    page = client.get(response["Location"]).content.decode()
    assert "Tỉnh yêu cầu đầy đủ mọi tiêu chí trước khi duyệt: " in page
    assert Submission.objects.get().state == State.SUBMITTED
    assert not AuditLog.objects.filter(action="values.approve").exists()


@pytest.mark.parametrize(("persona", "expected"), OFFICE_ACTS)
def test_rule_route(client: Client, p: Personas, persona: PersonaName, expected: int) -> None:
    p.login(client, persona)
    url = reverse("web:require_complete", args=[p.province.pk])
    response = client.post(url, {"require": "yes"})
    assert response.status_code == expected
    changed = persona == "province_office"
    assert WorkflowRule.objects.filter(require_complete=True).exists() == changed
    if persona == "province_office":
        assert response["Location"] == reverse("web:review_queue", args=[p.province.pk])
        client.post(url, {"require": "maybe"})
        assert WorkflowRule.objects.get().require_complete
        html = client.get(response["Location"]).content.decode()
        assert 'data-rule="yes"' in html and "Cho phép duyệt khi còn thiếu" in html


# ------------------------------------------------------------------------------ notifications

NOTIFICATIONS: dict[PersonaName, int | str] = dict(
    officer_a=200,
    officer_b=200,
    appraiser=200,
    province_office=200,
    central_viewer=200,
    administrator=200,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_notifications_routes(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    _expect(client.get(reverse("web:notifications")), NOTIFICATIONS[persona])
    read = client.post(reverse("web:notifications_read"), {})
    _expect(read, "login" if persona == "anonymous" else 302)
    assert client.get(reverse("web:notifications_read")).status_code in (302, 405)


def test_notifications_list_count_and_mark_read(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    return_submission(p.commune_a, YEAR, cset, reason=REASON, acting_user=p.appraiser)
    note = Notification.objects.get()
    p.login(client, "officer_b")
    assert 'data-unread="0"' in client.get(reverse("web:home")).content.decode()
    client.post(reverse("web:notifications_read"), {"id": str(note.pk)})
    note.refresh_from_db()
    assert note.read_at is None
    p.login(client, "officer_a")
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-unread="1"' in home and "Thông báo (1)" in home
    page = client.get(reverse("web:notifications")).content.decode()
    item = re.search(r'<li data-kind="returned" data-read="no">(.*?)</li>', page, re.S)
    assert item is not None
    text = _text(item.group(1))
    assert "Xã An Bình, năm 2020: bị trả lại cho xã." in text and f"Lý do: {REASON}" in text
    assert f'href="{_entry_url(p)}"' in item.group(1)
    client.post(reverse("web:notifications_read"), {"id": "x"})
    note.refresh_from_db()
    assert note.read_at is None
    client.post(reverse("web:notifications_read"), {"id": str(note.pk)})
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-unread="0"' in client.get(reverse("web:notifications")).content.decode()


def test_a_comment_and_an_approval_in_the_list(
    client: Client, p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    add_comment(p.commune_a, INCOME, YEAR, "Xem lại mẫu số", acting_user=p.appraiser)
    p.login(client, "province_office")
    _workflow(client, p, {"action": "approve", "confirm": "on"})
    p.login(client, "officer_a")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("web:notifications")).content.decode()
    kinds = re.findall(r'<li data-kind="(\w+)" data-read="no">', page)
    assert kinds == ["approved", "comment"]
    text = _text(page)
    assert "Xã An Bình, 2020: approved (locked)." in text
    assert "Xã An Bình, 2020: a comment on a value." in text and "Comment: Xem lại mẫu số" in text
    assert reverse("values:value", args=[p.commune_a.pk, YEAR, INCOME]) in page
    client.post(reverse("web:notifications_read"), {})
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_district_filter(client: Client, p: Personas) -> None:
    start = dt.date(2020, 1, 1)
    district = make_unit("Huyện Bắc Sơn", UnitKind.DISTRICT, "99901", p.province, start=start)
    inside = make_unit("Xã Chiến Thắng", UnitKind.COMMUNE, "99011", district, start=start)
    p.login(client, "province_office")
    html = client.get(_queue_url(p)).content.decode()
    assert f'<option value="{district.pk}">Huyện Bắc Sơn</option>' in html
    html = client.get(_queue_url(p, f"&district={district.pk}")).content.decode()
    assert re.findall(r'<tr data-unit="(\d+)"', html) == [str(inside.pk)]
    assert re.search(r'data-figure="draft">Chưa gửi<strong>1<', html)


def test_a_saved_cell_swaps_the_completeness_and_the_submit_form(
    client: Client, p: Personas
) -> None:
    p.login(client, "officer_a")
    url = reverse("values:save_cell", args=[p.commune_a.pk, SET, YEAR, INCOME, "claimed"])
    response = client.post(url, {"value": "60", "version": "0"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    acts = re.search(
        r'<template><div id="workflow-acts" hx-swap-oob="true">(.*?)</template>', html, re.S
    )
    assert acts is not None
    assert 'data-figure="missing_data"' in acts.group(1) and 'value="submit"' in acts.group(1)
    # Reading only: no submit or approve, nothing to swap in.
    p.login(client, "appraiser")
    url = reverse("values:save_cell", args=[p.commune_a.pk, SET, YEAR, INCOME, "verified"])
    response = client.post(url, {"value": "60", "version": "0"}, headers={"HX-Request": "true"})
    acts = re.search(
        r'<div id="workflow-acts" hx-swap-oob="true">\s*</div>', response.content.decode()
    )
    assert acts is not None
