"""Personas for tests (after Healthchecks' `hc/test.py`): the same small world in every test.

A test province with two communes, A and B, created through the units services, and one user
per persona. Every page and API endpoint is tested for who may and who may not use it:

    from ntm.accounts.testing import PersonaTestCase

    class CommunePageTests(PersonaTestCase):
        def test_officer_b_gets_404_on_commune_a(self) -> None:
            self.login("officer_b")
            ...

or with pytest (import the fixture into your package's `conftest.py` to share it):

    from ntm.accounts.testing import personas  # noqa: F401  (a pytest fixture)

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_page(client, personas, persona):
        personas.login(client, persona)

The same world with records in it (values, evidence, a submission, an import job), built once
per test module, is `ntm.values.testing.persona_world`.

Persona users have no usable password (Argon2 hashing is slow on purpose); log in with
`login()`, which uses `force_login`. The units are fictitious (codes 99, 99001, 99002; no real
province has code 99) and valid from 01/01/2020 with no end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

import pytest
from django.test import Client, TestCase

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.units.models import Unit, UnitKind
from ntm.units.services import NewUnit, create_unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PersonaName = Literal[
    "officer_a",
    "officer_b",
    "appraiser",
    "province_office",
    "central_viewer",
    "administrator",
    "anonymous",
]
# Every page and API route is tested with each of them (design.md, "Codebases to learn from").
PERSONAS: tuple[PersonaName, ...] = (
    "officer_a",
    "officer_b",
    "appraiser",
    "province_office",
    "central_viewer",
    "administrator",
    "anonymous",
)
UNITS_START = dt.date(2020, 1, 1)
ACTOR = "test:personas"


def make_unit(
    name: str,
    kind: UnitKind,
    code: str | None,
    parent: Unit | None = None,
    *,
    start: dt.date = UNITS_START,
) -> Unit:
    """A unit created through `ntm.units.services.create_unit`, starting on `start`."""
    event = create_unit(
        NewUnit(name=name, kind=kind, code=code, parent=parent), date=start, actor=ACTOR
    )
    link = event.links.select_related("new_unit").get()
    assert link.new_unit is not None
    return link.new_unit


@dataclass(frozen=True)
class Personas:
    province: Unit
    commune_a: Unit
    commune_b: Unit
    officer_a: User
    officer_b: User
    appraiser: User
    province_office: User
    central_viewer: User
    administrator: User

    def user(self, name: PersonaName) -> User | None:
        """The persona's user; None for the anonymous persona."""
        return None if name == "anonymous" else getattr(self, name)

    def login(self, client: Client, name: PersonaName) -> User | None:
        user = self.user(name)
        client.logout()
        if user is not None:
            client.force_login(user)
        return user


def make_personas() -> Personas:
    """Create the persona world in the current test database."""
    province = make_unit("Tỉnh Thử Nghiệm", UnitKind.PROVINCE, "99")
    commune_a = make_unit("Xã An Bình", UnitKind.COMMUNE, "99001", province)
    commune_b = make_unit("Xã Bình Minh", UnitKind.COMMUNE, "99002", province)

    def user(username: str, role: Role, unit: Unit | None, full_name: str) -> User:
        return create_user(
            username,
            password=None,
            role=role,
            unit=unit,
            full_name=full_name,
            valid_from=UNITS_START,
            actor=ACTOR,
        )

    return Personas(
        province=province,
        commune_a=commune_a,
        commune_b=commune_b,
        officer_a=user("officer_a", Role.COMMUNE_OFFICER, commune_a, "Cán bộ xã An Bình"),
        officer_b=user("officer_b", Role.COMMUNE_OFFICER, commune_b, "Cán bộ xã Bình Minh"),
        appraiser=user("appraiser", Role.APPRAISER, province, "Thẩm định viên"),
        province_office=user(
            "province_office", Role.PROVINCE_OFFICE, province, "Văn phòng Điều phối tỉnh"
        ),
        central_viewer=user("central_viewer", Role.CENTRAL_VIEWER, None, "Văn phòng Trung ương"),
        administrator=user("administrator", Role.ADMINISTRATOR, None, "Quản trị hệ thống"),
    )


@pytest.fixture
def personas(db: None) -> Personas:
    """The persona world, for pytest tests (the `db` fixture gives database access)."""
    return make_personas()


class PersonaTestCase(TestCase):
    """A Django TestCase whose class starts from the persona world (created once per class)."""

    p: ClassVar[Personas]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.p = make_personas()

    def login(self, name: PersonaName) -> User | None:
        return self.p.login(self.client, name)
