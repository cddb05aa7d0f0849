"""The administrator's services on users: deactivate, reactivate, edit, reset a password and
the user's own change; each audited, each refusal in the user's language with nothing written."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import translation

from ntm.accounts.models import PasswordChangeRequired, Role, RoleAssignment
from ntm.accounts.services import (
    AccountServiceError,
    change_own_password,
    create_user,
    deactivate_user,
    edit_user,
    generate_password,
    grant_role,
    must_change_password,
    reactivate_user,
    reset_password,
    revoke_role,
)
from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog

pytestmark = pytest.mark.django_db

TEMPORARY = "tạm-thời-đủ-dài-2026"


def _state() -> tuple[list[tuple[int, bool, str, str, str]], int, int, int]:
    """Everything these services may write: users (with their password hash), roles, flags
    and audit rows."""
    users = list(
        User.objects.order_by("pk").values_list(
            "pk", "is_active", "first_name", "email", "password"
        )
    )
    return (
        users,
        RoleAssignment.objects.count(),
        PasswordChangeRequired.objects.count(),
        AuditLog.objects.count(),
    )


def _refused(message: str, call: object, *args: object, **kwargs: object) -> None:
    before = _state()
    with pytest.raises(AccountServiceError, match=message):
        call(*args, **kwargs)  # type: ignore[operator]
    assert _state() == before


def test_deactivate_and_reactivate_are_audited(personas: Personas) -> None:
    admin, officer = personas.administrator, personas.officer_a
    deactivate_user(officer, reason="Nghỉ việc", acting_user=admin)
    officer.refresh_from_db()
    assert not officer.is_active
    row = AuditLog.objects.get(action="accounts.deactivate_user")
    assert row.acting_user_id == admin.pk and row.object_id == str(officer.pk)
    assert row.reason == "Nghỉ việc"
    assert row.before is not None and row.before["is_active"] is True
    assert row.after is not None and row.after["is_active"] is False
    reactivate_user(officer, acting_user=admin)
    officer.refresh_from_db()
    assert officer.is_active
    back = AuditLog.objects.get(action="accounts.reactivate_user")
    assert back.after is not None and back.after["is_active"] is True


def test_deactivate_refusals_write_nothing(personas: Personas) -> None:
    admin = personas.administrator
    _refused(
        "Bạn không thể vô hiệu hoá tài khoản của chính mình.",
        deactivate_user,
        admin,
        acting_user=admin,
    )
    # Another administrator acting on the only one: still refused, the app needs one.
    other = create_user("admin2", password=None, role=Role.CENTRAL_VIEWER, actor="test")
    _refused("là quản trị viên cuối cùng đang hoạt động", deactivate_user, admin, acting_user=other)
    deactivate_user(personas.officer_b, acting_user=admin)
    _refused("đã bị vô hiệu hoá", deactivate_user, personas.officer_b, acting_user=admin)
    _refused("đang hoạt động", reactivate_user, personas.officer_a, acting_user=admin)


def test_a_second_administrator_may_be_deactivated_and_not_a_revoked_one_counted(
    personas: Personas,
) -> None:
    admin = personas.administrator
    second = create_user("admin2", password=None, role=Role.ADMINISTRATOR, actor="test")
    deactivate_user(second, acting_user=admin)
    assert not User.objects.get(pk=second.pk).is_active
    # The first administrator's role revoked: the second (reactivated) is the last one.
    reactivate_user(second, acting_user=admin)
    revoke_role(RoleAssignment.objects.get(user=admin, role=Role.ADMINISTRATOR), acting_user=second)
    grant_role(personas.officer_a, Role.ADMINISTRATOR, acting_user=second)
    deactivate_user(personas.officer_a, acting_user=second)
    _refused(
        "là quản trị viên cuối cùng đang hoạt động", deactivate_user, second, acting_user=admin
    )


def test_refusals_speak_english_in_english() -> None:
    with translation.override("en"):
        user = create_user("solo", password=None, role=Role.ADMINISTRATOR, actor="test")
        _refused("You cannot deactivate your own account.", deactivate_user, user, acting_user=user)
        _refused("solo is the last active administrator", deactivate_user, user, actor="test")


def test_edit_user_is_audited_and_checks_the_email(personas: Personas) -> None:
    officer = personas.officer_a
    edit_user(
        officer,
        full_name="  Trần   Thị  Bình ",
        email="binh@example.vn",
        acting_user=personas.administrator,
    )
    officer.refresh_from_db()
    assert officer.get_full_name() == "Trần Thị Bình" and officer.email == "binh@example.vn"
    row = AuditLog.objects.get(action="accounts.edit_user")
    assert row.before is not None and row.before["full_name"] == "Cán bộ xã An Bình"
    assert row.after is not None and row.after["email"] == "binh@example.vn"
    _refused(
        "không phải là địa chỉ thư điện tử hợp lệ",
        edit_user,
        officer,
        full_name="X",
        email="không-hợp-lệ",
        acting_user=personas.administrator,
    )
    _refused(
        "Không có gì để thay đổi.",
        edit_user,
        officer,
        full_name="Trần Thị Bình",
        email="binh@example.vn",
        acting_user=personas.administrator,
    )


def test_reset_password_sets_a_temporary_one_and_the_user_changes_it(personas: Personas) -> None:
    officer = personas.officer_a
    reset_password(officer, password=TEMPORARY, acting_user=personas.administrator)
    officer.refresh_from_db()
    assert officer.check_password(TEMPORARY)
    assert must_change_password(officer)
    row = AuditLog.objects.get(action="accounts.reset_password")
    assert row.acting_user_id == personas.administrator.pk
    assert TEMPORARY not in str(row.after) and officer.password not in str(row.after)
    change_own_password(officer, old_password=TEMPORARY, new_password="của-riêng-tôi-2026")
    officer.refresh_from_db()
    assert officer.check_password("của-riêng-tôi-2026")
    assert not must_change_password(officer)
    own = AuditLog.objects.get(action="accounts.change_password")
    assert own.acting_user_id == officer.pk


@override_settings(
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"}
    ]
)
def test_password_refusals_write_nothing(personas: Personas) -> None:
    officer, admin = personas.officer_a, personas.administrator
    _refused("ít nhất 10 ký tự", reset_password, officer, password="ngắn", acting_user=admin)
    # The validators configured in the settings apply on top of our length floor.
    _refused(
        "Mật khẩu này quá phổ biến",
        reset_password,
        officer,
        password="1234567890",
        acting_user=admin,
    )
    reset_password(officer, password=TEMPORARY, acting_user=admin)
    _refused(
        "Mật khẩu hiện tại không đúng.",
        change_own_password,
        officer,
        old_password="sai-rồi-sai-rồi",
        new_password="của-riêng-tôi-2026",
    )
    _refused(
        "phải khác mật khẩu hiện tại",
        change_own_password,
        officer,
        old_password=TEMPORARY,
        new_password=TEMPORARY,
    )
    _refused(
        "ít nhất 10 ký tự",
        change_own_password,
        officer,
        old_password=TEMPORARY,
        new_password="ngắn",
    )


def test_generated_passwords_pass_the_validators_and_differ(personas: Personas) -> None:
    first, second = generate_password(), generate_password()
    assert first != second and len(first) >= 16
    reset_password(personas.officer_b, password=first, acting_user=personas.administrator)
    assert User.objects.get(pk=personas.officer_b.pk).check_password(first)


def test_create_user_with_a_temporary_password_must_change_it(personas: Personas) -> None:
    user = create_user(
        "moi",
        password=TEMPORARY,
        role=Role.COMMUNE_OFFICER,
        unit=personas.commune_a,
        must_change_password=True,
        acting_user=personas.administrator,
    )
    assert must_change_password(user)
    _refused(
        "không phải là địa chỉ thư điện tử hợp lệ",
        create_user,
        "khac",
        password=None,
        role=Role.CENTRAL_VIEWER,
        email="@@",
        acting_user=personas.administrator,
    )


def test_the_last_administrators_role_is_not_revoked(personas: Personas) -> None:
    admin = personas.administrator
    held = RoleAssignment.objects.get(user=admin, role=Role.ADMINISTRATOR)
    _refused(
        "vai trò của quản trị viên cuối cùng đang hoạt động", revoke_role, held, acting_user=admin
    )
    # With a second active administrator, it may go.
    grant_role(personas.central_viewer, Role.ADMINISTRATOR, acting_user=admin)
    revoke_role(held, acting_user=admin)
    assert RoleAssignment.objects.get(pk=held.pk).revoked_at is not None
