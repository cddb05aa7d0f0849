"""The access rules, persona by persona, with role validity and unit dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from ntm.accounts import permissions as perm
from ntm.accounts.models import Role, RoleAssignment
from ntm.accounts.services import create_user, grant_role, revoke_role
from ntm.accounts.testing import ACTOR, Personas, make_unit
from ntm.units.models import UnitKind
from ntm.units.services import dissolve_unit, merge_units, rename_unit

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_officer_sees_only_own_commune(personas: Personas) -> None:
    p = personas
    assert set(perm.visible_units(p.officer_a)) == {p.commune_a}
    assert perm.can_view(p.officer_a, p.commune_a)
    assert not perm.can_view(p.officer_a, p.commune_b)
    assert not perm.can_view(p.officer_a, p.province)
    assert perm.can_enter_values(p.officer_a, p.commune_a)
    assert not perm.can_enter_values(p.officer_a, p.commune_b)
    assert not perm.can_enter_values(p.province_office, p.commune_a)
    assert not perm.can_verify(p.officer_a, p.commune_a)
    assert not perm.can_approve(p.officer_a, p.commune_a)
    assert not perm.can_read_all(p.officer_a)


def test_province_roles_cover_their_communes(personas: Personas) -> None:
    p = personas
    assert set(perm.visible_units(p.province_office)) == {p.province, p.commune_a, p.commune_b}
    for commune in (p.commune_a, p.commune_b):
        assert perm.can_approve(p.province_office, commune)
        assert perm.can_reopen(p.province_office, commune)
        assert not perm.can_verify(p.province_office, commune)
        assert perm.can_verify(p.appraiser, commune)
        assert not perm.can_approve(p.appraiser, commune)
    assert not perm.can_read_all(p.province_office)


def test_other_province_is_out_of_scope(personas: Personas) -> None:
    p = personas
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    district = make_unit("Huyện Xa", UnitKind.DISTRICT, "98100", other)
    far = make_unit("Xã Xa", UnitKind.COMMUNE, "98101", district)
    assert not perm.can_view(p.province_office, far)
    assert not perm.can_approve(p.province_office, far)
    assert not perm.can_verify(p.appraiser, far)
    assert far not in perm.visible_units(p.province_office)
    # Through a district too: two parent steps.
    office = create_user(
        "office98", password=None, role=Role.PROVINCE_OFFICE, unit=other, actor=ACTOR
    )
    assert set(perm.visible_units(office)) == {other, district, far}
    assert perm.can_approve(office, far)


def test_central_viewer_and_administrator_read_all(personas: Personas) -> None:
    p = personas
    for user in (p.central_viewer, p.administrator):
        assert perm.can_read_all(user)
        assert set(perm.visible_units(user)) == {p.province, p.commune_a, p.commune_b}
        assert perm.can_view(user, p.commune_b)
        assert not perm.can_enter_values(user, p.commune_a)
        assert not perm.can_approve(user, p.commune_a)
    assert perm.can_manage_users(p.administrator)
    assert not perm.can_manage_users(p.central_viewer)


def test_anonymous_and_inactive_users_get_nothing(personas: Personas) -> None:
    p = personas
    anonymous = AnonymousUser()
    assert not perm.visible_units(anonymous).exists()
    assert not perm.can_view(anonymous, p.commune_a)
    assert not perm.can_read_all(anonymous)
    p.central_viewer.is_active = False
    p.central_viewer.save()
    assert not perm.can_read_all(p.central_viewer)
    assert not perm.visible_units(p.central_viewer).exists()


def test_role_validity_dates(personas: Personas) -> None:
    p = personas
    today = timezone.localdate()
    future = create_user(
        "future",
        password=None,
        role=Role.PROVINCE_OFFICE,
        unit=p.province,
        valid_from=today + DAY,
        actor=ACTOR,
    )
    assert not perm.can_view(future, p.commune_a)
    ended = create_user(
        "ended",
        password=None,
        role=Role.CENTRAL_VIEWER,
        valid_from=dt.date(2020, 1, 1),
        valid_to=today - DAY,
        actor=ACTOR,
    )
    assert not perm.can_read_all(ended)
    last_day = create_user(
        "last_day",
        password=None,
        role=Role.COMMUNE_OFFICER,
        unit=p.commune_a,
        valid_from=today - DAY,
        valid_to=today,
        actor=ACTOR,
    )
    assert perm.can_enter_values(last_day, p.commune_a)  # valid_to is inclusive


def test_revoked_role_ends_at_once_and_history_stays(personas: Personas) -> None:
    p = personas
    assignment = RoleAssignment.objects.get(user=p.officer_a)
    revoke_role(assignment, reason="Chuyển công tác", actor=ACTOR)
    assert not perm.can_view(p.officer_a, p.commune_a)
    assert not perm.can_enter_values(p.officer_a, p.commune_a)
    yesterday = timezone.localdate() - DAY
    assert RoleAssignment.objects.active_on(yesterday).filter(user=p.officer_a).exists()
    # A second role on another commune gives exactly that commune.
    grant_role(p.officer_a, Role.COMMUNE_OFFICER, p.commune_b, actor=ACTOR)
    assert set(perm.visible_units(p.officer_a)) == {p.commune_b}


def test_geography_as_of_a_date(personas: Personas) -> None:
    p = personas
    late = make_unit("Xã Mới Lập", UnitKind.COMMUNE, "99003", p.province, start=dt.date(2023, 1, 1))
    dissolve_unit(p.commune_b, date=dt.date(2022, 1, 1), actor=ACTOR)
    p.commune_b.refresh_from_db()
    in_2021 = set(perm.visible_units(p.province_office, dt.date(2021, 6, 30)))
    assert in_2021 == {p.province, p.commune_a, p.commune_b}
    assert set(perm.visible_units(p.province_office)) == {p.province, p.commune_a, late}
    # A dissolved commune is still readable by its province (judged on its last day) ...
    assert perm.can_view(p.province_office, p.commune_b)
    # ... but not as of a date when it no longer existed.
    assert not perm.can_view(p.province_office, p.commune_b, dt.date(2024, 1, 1))
    assert not perm.can_view(p.officer_a, p.commune_b)


def test_scope_follows_a_renamed_province(personas: Personas) -> None:
    p = personas
    rename_unit(p.province, "Tỉnh Thử Nghiệm Mới", date=dt.date(2024, 1, 1), actor=ACTOR)
    for unit in (p.province, p.commune_a, p.commune_b):
        unit.refresh_from_db()
    renamed = perm.visible_units(p.central_viewer).get(kind=UnitKind.PROVINCE)
    assert renamed.name == "Tỉnh Thử Nghiệm Mới"
    # The office bound to the old version keeps its province and its (re-versioned) communes.
    now = set(perm.visible_units(p.province_office))
    assert renamed in now and len(now) == 3
    assert p.commune_a not in now  # the old version ended; its successor is in scope
    # An office bound to the new version reads the history of the old one.
    office = create_user(
        "office_new", password=None, role=Role.PROVINCE_OFFICE, unit=renamed, actor=ACTOR
    )
    assert set(perm.visible_units(office, dt.date(2021, 1, 1))) == {
        p.province,
        p.commune_a,
        p.commune_b,
    }
    assert perm.can_approve(office, p.commune_a)


def test_merged_away_commune_gives_no_access_to_the_merged_unit(personas: Personas) -> None:
    p = personas
    merge_units([p.commune_a], into=p.commune_b, date=dt.date(2024, 1, 1), actor=ACTOR)
    p.commune_a.refresh_from_db()
    assert not perm.visible_units(p.officer_a).exists()
    assert not perm.can_view(p.officer_a, p.commune_b)
    # Their own commune's history stays readable.
    assert perm.can_view(p.officer_a, p.commune_a)
