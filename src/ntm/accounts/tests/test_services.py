"""Account services: atomic, audited, and refusing bad input without writing anything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import override_settings

from ntm.accounts.models import Role, RoleAssignment
from ntm.accounts.services import AccountServiceError, create_user, grant_role, revoke_role
from ntm.accounts.testing import ACTOR, Personas
from ntm.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditLog.objects.count()


def test_create_user_hashes_with_argon2_and_audits(personas: Personas) -> None:
    user = create_user(
        "can_bo_moi",
        password="mật-khẩu-đủ-dài-2025",
        role=Role.COMMUNE_OFFICER,
        unit=personas.commune_a,
        full_name="Nguyễn  Văn   An",
        acting_user=personas.administrator,
    )
    assert user.password.startswith("argon2")
    assert user.check_password("mật-khẩu-đủ-dài-2025")
    assert user.get_full_name() == "Nguyễn Văn An"
    rows = list(AuditLog.objects.filter(acting_user=personas.administrator).order_by("id"))
    assert [r.action for r in rows] == ["accounts.create_user", "accounts.grant_role"]
    created, granted = rows[0].after, rows[1].after
    assert created is not None and granted is not None
    assert created["username"] == "can_bo_moi"
    assert "mật-khẩu" not in str(created)
    assert granted["role"] == "commune_officer"
    assert granted["unit"] == personas.commune_a.pk


@pytest.mark.parametrize(
    ("role", "unit_name", "message"),
    [
        ("mayor", None, "Vai trò không hợp lệ: mayor."),
        (Role.CENTRAL_VIEWER, "province", "áp dụng cho toàn quốc, không gắn với đơn vị nào"),
        (Role.COMMUNE_OFFICER, "province", "phải gắn với một đơn vị loại xã"),
        (Role.COMMUNE_OFFICER, None, "phải gắn với một đơn vị loại xã"),
        (Role.PROVINCE_OFFICE, "commune_a", "phải gắn với một đơn vị loại tỉnh/thành phố"),
        (Role.APPRAISER, "commune_b", "phải gắn với một đơn vị loại tỉnh/thành phố"),
    ],
)
def test_create_user_refuses_a_role_on_the_wrong_unit(
    personas: Personas, role: str, unit_name: str | None, message: str
) -> None:
    unit = getattr(personas, unit_name) if unit_name else None
    before = _counts()
    with pytest.raises(AccountServiceError, match=message):
        create_user("x", password=None, role=role, unit=unit, actor=ACTOR)
    assert _counts() == before


def test_duplicate_username_and_missing_actor_write_nothing(personas: Personas) -> None:
    before = _counts()
    with pytest.raises(AccountServiceError, match="Tên đăng nhập OFFICER_A đã được sử dụng"):
        create_user("OFFICER_A", password=None, role=Role.CENTRAL_VIEWER, actor=ACTOR)
    with pytest.raises(ValueError, match="Thiếu người thực hiện"):
        create_user("nobody", password=None, role=Role.CENTRAL_VIEWER)
    with pytest.raises(AccountServiceError, match="không được để trống"):
        create_user("  ", password=None, role=Role.CENTRAL_VIEWER, actor=ACTOR)
    assert _counts() == before


@override_settings(
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"}
    ]
)
def test_weak_passwords_are_refused(personas: Personas) -> None:
    before = _counts()
    with pytest.raises(AccountServiceError, match="Mật khẩu phải có ít nhất 10 ký tự"):
        create_user("short", password="abc", role=Role.CENTRAL_VIEWER, actor=ACTOR)
    # Validators configured in the settings apply too.
    with pytest.raises(AccountServiceError, match="Mật khẩu này quá phổ biến"):
        create_user("common", password="1234567890", role=Role.CENTRAL_VIEWER, actor=ACTOR)
    assert _counts() == before


def test_grant_refuses_overlap_bad_dates_and_ended_units(personas: Personas) -> None:
    p = personas
    before = _counts()
    with pytest.raises(AccountServiceError, match="đã có vai trò Cán bộ xã cho đơn vị này"):
        grant_role(p.officer_a, Role.COMMUNE_OFFICER, p.commune_a, actor=ACTOR)
    with pytest.raises(AccountServiceError, match="không được trước ngày bắt đầu"):
        grant_role(
            p.officer_b,
            Role.COMMUNE_OFFICER,
            p.commune_a,
            valid_from=dt.date(2024, 1, 1),
            valid_to=dt.date(2023, 1, 1),
            actor=ACTOR,
        )
    p.commune_b.valid_to = dt.date(2021, 12, 31)
    with pytest.raises(AccountServiceError, match="đã hết hiệu lực ngày 31/12/2021"):
        grant_role(
            p.officer_a,
            Role.COMMUNE_OFFICER,
            p.commune_b,
            valid_from=dt.date(2022, 1, 1),
            actor=ACTOR,
        )
    assert _counts() == before
    # A later, non-overlapping period for the same role and unit is fine.
    RoleAssignment.objects.filter(user=p.officer_a).update(valid_to=dt.date(2023, 12, 31))
    grant_role(
        p.officer_a, Role.COMMUNE_OFFICER, p.commune_a, valid_from=dt.date(2024, 1, 1), actor=ACTOR
    )


def test_revoke_is_audited_once(personas: Personas) -> None:
    assignment = RoleAssignment.objects.get(user=personas.officer_b)
    revoked = revoke_role(assignment, reason="Nghỉ hưu", acting_user=personas.administrator)
    assert revoked.revoked_at is not None
    row = AuditLog.objects.get(action="accounts.revoke_role")
    assert row.before is not None and row.after is not None
    assert row.before["revoked_at"] is None
    assert row.after["revoked_at"] is not None
    assert row.reason == "Nghỉ hưu"
    before = _counts()
    with pytest.raises(AccountServiceError, match="đã bị thu hồi"):
        revoke_role(assignment, actor=ACTOR)
    assert _counts() == before


def test_database_refuses_a_country_role_with_a_unit(personas: Personas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=personas.officer_a,
            role=Role.CENTRAL_VIEWER,
            unit=personas.province,
            valid_from=dt.date(2024, 1, 1),
        )
