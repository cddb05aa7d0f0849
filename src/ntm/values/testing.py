"""The persona world with records in it, so that every page and API route has a real object to
address: the personas of `ntm.accounts.testing` (province, communes A and B, seven personas)
and, written through the values services,

- 2020 under the 2016–2020 set: commune A's income claimed by its officer and verified by the
  appraiser, commune B's claimed by its officer; an evidence file (a PNG) on A's income;
- 2021 under the 2021–2025 set: commune A's period submitted by its officer;
- an import job of officer A's, finished.

It lives here rather than in `ntm.accounts.testing` because its records are values' (accounts
sits below values). Built once per test module, for many requests against the same world:

    from ntm.values.testing import World, persona_world, world  # noqa: F401  (fixtures)

    def test_page(client: Client, world: World) -> None:
        world.p.login(client, "appraiser")

Each test's own changes are rolled back; the world goes at the end of the module. Uploaded and
stored files go to a temporary MEDIA_ROOT for the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from ntm.accounts.testing import Personas, make_personas
from ntm.criteria.loader import load_set
from ntm.units.models import Unit
from ntm.units.testing import rolled_back
from ntm.values.models import Evidence, ImportJob, ImportState, Stage, Submission, Value
from ntm.values.services import Entry, add_evidence, declare_status, save_value, submit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

YEAR = 2020
SET = "vn-ntm-xa-2016-2020"
SUBMITTED_YEAR = 2021
SUBMITTED_SET = "vn-ntm-xa-2021-2025"
INCOME = "income_per_capita"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@dataclass(frozen=True)
class World:
    p: Personas
    value: Value  # commune A's income in YEAR, claimed and verified
    evidence: Evidence  # on `value`
    submission: Submission  # commune A's SUBMITTED_YEAR under SUBMITTED_SET, submitted
    job: ImportJob  # officer A's


def make_world() -> World:
    """Create the persona world and its records in the current test database."""
    p = make_personas()

    def enter(unit: Unit, stage: Stage, amount: float, user: User) -> Value:
        return save_value(
            unit,
            INCOME,
            YEAR,
            Entry(value=amount),
            stage=stage,
            expected_version=0,
            acting_user=user,
        )

    enter(p.commune_a, Stage.CLAIMED, 47.0, p.officer_a)
    value = enter(p.commune_a, Stage.VERIFIED, 46.0, p.appraiser)
    enter(p.commune_b, Stage.CLAIMED, 40.0, p.officer_b)
    evidence = add_evidence(
        p.commune_a,
        INCOME,
        YEAR,
        SimpleUploadedFile("bien-ban.png", PNG),
        acting_user=p.officer_a,
        description="Biên bản",
    )
    submission = submit(
        p.commune_a, SUBMITTED_YEAR, load_set(SUBMITTED_SET), acting_user=p.officer_a
    )
    job = ImportJob.objects.create(
        file="imports/xa.csv",
        original_name="xa.csv",
        set_id=SET,
        period=YEAR,
        stage=Stage.CLAIMED,
        state=ImportState.DONE,
        summary={"units": 1, "values": 1},
        created_by=p.officer_a,
        created_at=timezone.now(),
        finished_at=timezone.now(),
    )
    value.refresh_from_db()
    return World(p=p, value=value, evidence=evidence, submission=submission, job=job)


def declared_over_a_failing_value(p: Personas) -> None:
    """The reported bug's record: commune A declares criterion 10 (income) of YEAR met under
    SET, and the appraiser's verified income fails it."""
    declare_status(p.commune_a, YEAR, load_set(SET), 10, "met", acting_user=p.officer_a)
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=1.0),
        stage=Stage.VERIFIED,
        expected_version=0,
        acting_user=p.appraiser,
    )


@pytest.fixture(scope="module")
def persona_world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world, built once for the test module (and its files in a temporary MEDIA_ROOT)."""
    media = override_settings(MEDIA_ROOT=Path(tmp_path_factory.mktemp("media")))
    media.enable()
    try:
        with rolled_back(django_db_blocker, make_world) as built:
            yield built
    finally:
        media.disable()


@pytest.fixture
def world(persona_world: World, db: None) -> World:
    """The world, inside a test whose changes are rolled back."""
    return persona_world
