"""User administration pages: who may use them (persona by persona), what they write (through
the audited services), what they refuse (the message, nothing written) and the temporary
password a user must replace at the next login."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ntm.accounts.models import PasswordChangeRequired, Role, RoleAssignment
from ntm.accounts.services import create_user
from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mật-khẩu-mới-2026-đủ-dài"


def _written() -> tuple[list[tuple[int, bool, str, str, str]], int, int, int]:
    users = list(
        User.objects.order_by("pk").values_list(
            "pk", "is_active", "first_name", "email", "password"
        )
    )
    return (
        users,
        RoleAssignment.objects.filter(revoked_at__isnull=True).count(),
        PasswordChangeRequired.objects.count(),
        AuditLog.objects.count(),
    )


def _only_admin(persona: PersonaName, ok: int) -> int:
    return {"administrator": ok, "anonymous": 302}.get(persona, 403)


def _pages(p: Personas) -> list[str]:
    officer = p.officer_a.pk
    return [
        reverse("web:users"),
        reverse("web:user_create"),
        reverse("web:user", args=[officer]),
        reverse("web:user_edit", args=[officer]),
        reverse("web:user_audit", args=[officer]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_are_the_administrators(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    for url in _pages(p):
        response = client.get(url)
        assert response.status_code == _only_admin(persona, 200), url
        if persona == "anonymous":
            assert response["Location"].startswith(reverse("web:login"))


def _acts(p: Personas) -> list[tuple[str, dict[str, str]]]:
    officer = p.officer_a
    held = RoleAssignment.objects.get(user=officer)
    return [
        (reverse("web:user_deactivate", args=[officer.pk]), {"reason": "Nghỉ hưu"}),
        (reverse("web:user_password", args=[officer.pk]), {"password": NEW_PASSWORD}),
        (
            reverse("web:user_role_grant", args=[officer.pk]),
            {"role": Role.APPRAISER, "unit_code": "99"},
        ),
        (
            reverse("web:user_role_revoke", args=[officer.pk, held.pk]),
            {"reason": "Chuyển công tác"},
        ),
        (
            reverse("web:user_edit", args=[officer.pk]),
            {"full_name": "Tên Mới", "email": "moi@example.vn"},
        ),
        (
            reverse("web:user_create"),
            {"username": "nguoi.moi", "full_name": "Người Mới", "role": Role.CENTRAL_VIEWER},
        ),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_acts_are_the_administrators(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    for url, data in _acts(p):
        before = _written()
        response = client.post(url, data)
        # Creating a user answers with the new user's page (its temporary password on it).
        ok = (
            200
            if url
            in (reverse("web:user_create"), reverse("web:user_password", args=[p.officer_a.pk]))
            else 302
        )
        assert response.status_code == _only_admin(persona, ok), url
        if persona != "administrator":
            assert _written() == before, url
        else:
            assert AuditLog.objects.count() > before[3], url


def test_reactivate_route(client: Client, p: Personas) -> None:
    url = reverse("web:user_reactivate", args=[p.officer_a.pk])
    p.login(client, "officer_b")
    assert client.post(url).status_code == 403
    p.login(client, "administrator")
    response = client.post(url)
    assert response.status_code == 400
    assert "đang hoạt động" in response.content.decode()
    client.post(reverse("web:user_deactivate", args=[p.officer_a.pk]))
    assert client.post(url).status_code == 302
    assert User.objects.get(pk=p.officer_a.pk).is_active


@pytest.mark.parametrize("persona", PERSONAS)
def test_password_change_page_is_everyones_own(
    client: Client, p: Personas, persona: PersonaName
) -> None:
    p.login(client, persona)
    response = client.get(reverse("web:password_change"))
    assert response.status_code == (302 if persona == "anonymous" else 200)


def test_changes_need_post_and_csrf(p: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(p.administrator)
    url = reverse("web:user_deactivate", args=[p.officer_a.pk])
    before = _written()
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert _written() == before
    page = client.get(reverse("web:user", args=[p.officer_a.pk])).content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 5


@pytest.mark.parametrize("persona", PERSONAS)
def test_header_links_the_users_for_administrators_only(
    client: Client, p: Personas, persona: PersonaName
) -> None:
    p.login(client, persona)
    # Anonymous visitors land on the login page, which has the header too.
    page = client.get(reverse("web:home"), follow=True).content.decode()
    assert (f'href="{reverse("web:users")}"' in page) == (persona == "administrator")


def test_list_filters_and_folded_search(client: Client, p: Personas) -> None:
    p.login(client, "administrator")
    other = create_user(
        "ngoai.tinh", password=None, role=Role.CENTRAL_VIEWER, full_name="Đỗ Văn Đức", actor="test"
    )
    client.post(reverse("web:user_deactivate", args=[other.pk]))

    def listed(**query: str) -> set[str]:
        page = client.get(reverse("web:users"), query).content.decode()
        return set(re.findall(r'href="/users/\d+/">([^<]+)<', page))

    assert listed() == {
        "officer_a",
        "officer_b",
        "appraiser",
        "province_office",
        "central_viewer",
        "administrator",
        "ngoai.tinh",
    }
    assert listed(role=Role.COMMUNE_OFFICER) == {"officer_a", "officer_b"}
    assert listed(province=str(p.province.pk)) == {
        "officer_a",
        "officer_b",
        "appraiser",
        "province_office",
    }
    assert listed(state="inactive") == {"ngoai.tinh"}
    assert "ngoai.tinh" not in listed(state="active")
    # Without diacritics, any case, by name or by login.
    assert listed(q="do van duc") == {"ngoai.tinh"}
    assert listed(q="BINH MINH") == {"officer_b"}
    assert listed(q="OFFICER") == {"officer_a", "officer_b"}


def test_create_shows_a_generated_password_once_and_the_user_must_change_it(
    client: Client, p: Personas
) -> None:
    p.login(client, "administrator")
    response = client.post(
        reverse("web:user_create"),
        {
            "username": "can.bo.moi",
            "full_name": "Cán Bộ Mới",
            "email": "moi@example.vn",
            "role": Role.COMMUNE_OFFICER,
            "unit_code": "99001",
            "valid_from": "01/01/2026",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r"data-generated-password>.*?<code>([^<]+)</code>", page, re.S)
    assert found is not None
    generated = found.group(1)
    user = User.objects.get(username="can.bo.moi")
    assert user.check_password(generated)
    assert user.email == "moi@example.vn"
    held = RoleAssignment.objects.get(user=user)
    assert (held.role, held.unit_id, held.valid_from.isoformat()) == (
        Role.COMMUNE_OFFICER,
        p.commune_a.pk,
        "2026-01-01",
    )
    assert "01/01/2026" in page
    # Shown once: the user's page does not show it again.
    again = client.get(reverse("web:user", args=[user.pk])).content.decode()
    assert generated not in again and "data-generated-password" not in again
    # The new user is sent to the password page until they choose their own.
    newcomer = Client()
    assert newcomer.login(username="can.bo.moi", password=generated)
    response = newcomer.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == reverse("web:password_change")
    response = newcomer.post(
        reverse("web:password_change"),
        {
            "old_password": generated,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert newcomer.get(reverse("web:home")).status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "X", "role": Role.CENTRAL_VIEWER}, "Trường này là bắt buộc."),
        (
            {"username": "x", "full_name": "X", "role": Role.COMMUNE_OFFICER},
            "Nhập mã của đơn vị mà vai trò này phụ trách.",
        ),
        (
            {"username": "x", "full_name": "X", "role": Role.COMMUNE_OFFICER, "unit_code": "99"},
            "Không có xã nào mang mã 99 có hiệu lực vào ngày đó.",
        ),
        (
            {"username": "x", "full_name": "X", "role": Role.APPRAISER, "unit_code": "99001"},
            "mang mã 99001 có hiệu lực",
        ),
        (
            {"username": "x", "full_name": "X", "role": Role.CENTRAL_VIEWER, "unit_code": "99"},
            "để trống mã đơn vị",
        ),
        (
            {
                "username": "x",
                "full_name": "X",
                "role": Role.CENTRAL_VIEWER,
                "valid_from": "31/02/2026",
            },
            "Nhập ngày theo dạng ngày/tháng/năm",
        ),
        (
            {"username": "x", "full_name": "X", "role": Role.CENTRAL_VIEWER, "email": "không"},
            "Nhập địa chỉ email.",
        ),
        (
            {"username": "x", "full_name": "X", "role": Role.CENTRAL_VIEWER, "password": "ngắn"},
            "ít nhất 10 ký tự",
        ),
        (
            {"username": "OFFICER_A", "full_name": "X", "role": Role.CENTRAL_VIEWER},
            "Tên đăng nhập OFFICER_A đã được sử dụng",
        ),
        (
            {
                "username": "x",
                "full_name": "X",
                "role": Role.CENTRAL_VIEWER,
                "valid_from": "02/01/2026",
                "valid_to": "01/01/2026",
            },
            "không được trước ngày bắt đầu",
        ),
    ],
)
def test_create_form_refuses_with_a_message_and_writes_nothing(
    client: Client, p: Personas, data: dict[str, str], message: str
) -> None:
    p.login(client, "administrator")
    before = _written()
    response = client.post(reverse("web:user_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _written() == before


def test_create_form_speaks_english_in_english(client: Client, p: Personas) -> None:
    p.login(client, "administrator")
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("web:user_create"),
        {"username": "x", "full_name": "X", "role": Role.COMMUNE_OFFICER, "unit_code": "99"},
    )
    page = response.content.decode()
    assert "No commune with the code 99 is in force on that date." in page
    assert "Không có" not in page
    assert "Create a user" in page


def test_user_page_refusals(client: Client, p: Personas) -> None:
    p.login(client, "administrator")
    me = p.administrator.pk
    before = _written()
    response = client.post(reverse("web:user_deactivate", args=[me]))
    assert response.status_code == 400
    assert "Bạn không thể vô hiệu hoá tài khoản của chính mình." in response.content.decode()
    response = client.post(
        reverse("web:user_role_grant", args=[p.officer_a.pk]),
        {"role": Role.COMMUNE_OFFICER, "unit_code": "99001"},
    )
    assert response.status_code == 400
    assert "đã có vai trò Cán bộ xã cho đơn vị này" in response.content.decode()
    response = client.post(
        reverse("web:user_password", args=[p.officer_a.pk]), {"password": "ngắn"}
    )
    assert response.status_code == 400
    assert "ít nhất 10 ký tự" in response.content.decode()
    response = client.post(
        reverse("web:user_edit", args=[p.officer_a.pk]), {"full_name": "", "email": ""}
    )
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in response.content.decode()
    assert _written() == before
    # A role of another user is not revoked through this user's page.
    held = RoleAssignment.objects.get(user=p.officer_b)
    assert (
        client.post(reverse("web:user_role_revoke", args=[p.officer_a.pk, held.pk])).status_code
        == 404
    )
    assert client.get(reverse("web:user", args=[999_999])).status_code == 404
    assert _written() == before


def test_reset_password_shows_it_once_and_ends_the_users_sessions(
    client: Client, p: Personas
) -> None:
    officer = Client()
    officer.force_login(p.officer_a)
    assert officer.get(reverse("web:home")).status_code == 200
    p.login(client, "administrator")
    response = client.post(reverse("web:user_password", args=[p.officer_a.pk]), {"password": ""})
    found = re.search(r"<code>([^<]+)</code>", response.content.decode())
    assert found is not None
    assert User.objects.get(pk=p.officer_a.pk).check_password(found.group(1))
    assert "phải đổi mật khẩu khi đăng nhập lần tới" in response.content.decode()
    # The old session ended with the old password.
    assert officer.get(reverse("web:home")).status_code == 302
    assert officer.get(reverse("web:home"))["Location"].startswith(reverse("web:login"))


def test_password_change_refusals(client: Client, p: Personas) -> None:
    p.login(client, "administrator")
    client.post(
        reverse("web:user_password", args=[p.officer_b.pk]), {"password": "tạm-thời-2026-dài"}
    )
    own = Client()
    own.force_login(User.objects.get(pk=p.officer_b.pk))
    # Static files, logout and the language switch stay reachable; other pages do not.
    assert own.get(reverse("web:commune", args=[p.commune_b.pk]))["Location"] == reverse(
        "web:password_change"
    )
    before = _written()
    for data, message in [
        (
            {
                "old_password": "sai-sai-sai-sai",
                "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD,
            },
            "Mật khẩu hiện tại không đúng.",
        ),
        (
            {
                "old_password": "tạm-thời-2026-dài",
                "new_password": NEW_PASSWORD,
                "new_password_again": "khác",
            },
            "Hai lần nhập mật khẩu mới không khớp nhau.",
        ),
        (
            {
                "old_password": "tạm-thời-2026-dài",
                "new_password": "ngắn",
                "new_password_again": "ngắn",
            },
            "ít nhất 10 ký tự",
        ),
    ]:
        response = own.post(reverse("web:password_change"), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert _written() == before


def test_audit_page_newest_first_by_and_about_the_user(client: Client, p: Personas) -> None:
    p.login(client, "administrator")
    officer = p.officer_a.pk
    client.post(reverse("web:user_edit", args=[officer]), {"full_name": "Tên Mới", "email": ""})
    client.post(reverse("web:user_deactivate", args=[officer]), {"reason": "Nghỉ phép dài"})
    page = client.get(reverse("web:user_audit", args=[officer])).content.decode()
    acts = re.findall(
        r"<td>(Tạo tài khoản|Giao vai trò|Đổi họ tên hoặc thư điện tử|Vô hiệu hoá tài khoản)</td>",
        page,
    )
    assert acts == [
        "Vô hiệu hoá tài khoản",
        "Đổi họ tên hoặc thư điện tử",
        "Giao vai trò",
        "Tạo tài khoản",
    ]
    assert "Nghỉ phép dài" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    assert "accounts." not in page
    # The administrator's page holds what the administrator did.
    mine = client.get(reverse("web:user_audit", args=[p.administrator.pk])).content.decode()
    assert mine.count("người dùng này") >= 2


def test_audit_page_is_paginated(client: Client, p: Personas) -> None:
    p.login(client, "administrator")
    officer = p.officer_a.pk
    for i in range(51):
        client.post(
            reverse("web:user_edit", args=[officer]), {"full_name": f"Tên {i}", "email": ""}
        )
    first = client.get(reverse("web:user_audit", args=[officer])).content.decode()
    assert first.count("Đổi họ tên hoặc thư điện tử") == 50
    assert 'rel="next"' in first
    second = client.get(reverse("web:user_audit", args=[officer]), {"page": "2"}).content.decode()
    # 51 edits, the grant and the creation: 53 rows, the oldest three on page 2.
    assert "Trang 2/2" in second
    assert second.count("Đổi họ tên hoặc thư điện tử") == 1
    assert "Tạo tài khoản" in second and "Tạo tài khoản" not in first


def test_the_last_administrators_role_cannot_be_revoked_from_the_page(
    client: Client, p: Personas
) -> None:
    p.login(client, "administrator")
    held = RoleAssignment.objects.get(user=p.administrator)
    before = _written()
    response = client.post(reverse("web:user_role_revoke", args=[p.administrator.pk, held.pk]))
    assert response.status_code == 400
    assert "quản trị viên cuối cùng đang hoạt động" in response.content.decode()
    assert _written() == before
