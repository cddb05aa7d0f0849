"""The import services on generated hostile files (`ntm.exchange.tests.hostile`): a file is
written whole or refused with its problems (`InputError`), and a refused file leaves nothing
behind — no value, declaration, recognition, group or audit row. Never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from ntm.accounts.testing import Personas, make_personas
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.exchange import criterion_level, groups, recognitions
from ntm.exchange.tests.hostile import HostileFile, hostile_files
from ntm.exchange.tests.test_hostile_files import (
    GROUP_HEADERS,
    LEVEL_HEADERS,
    RECOGNITION_HEADERS,
)
from ntm.exchange.workbook import INPUT_SHEET, InputError, template_columns
from ntm.recognition.imports import import_recognitions
from ntm.recognition.models import Recognition, RecognitionDecision
from ntm.units.group_import import import_groups
from ntm.units.models import GroupAssignment
from ntm.values.models import Declaration, EntryVersion, Value
from ntm.values.services.imports import import_file

pytestmark = pytest.mark.django_db

CSET = load_set("vn-ntm-xa-2016-2020")
VALUES_HEADERS = [c.header for c in template_columns(CSET)] + [
    c.machine for c in template_columns(CSET)
]
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WRITTEN = (
    Value,
    EntryVersion,
    Declaration,
    Recognition,
    RecognitionDecision,
    GroupAssignment,
    AuditLog,
)


def _rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in WRITTEN}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    from ntm.units.testing import rolled_back

    with rolled_back(django_db_blocker, make_personas) as built:
        yield built


def _import(file: HostileFile, run: Callable[[Path], object]) -> None:
    before = _rows()
    with tempfile.TemporaryDirectory() as directory:
        path = file.write(Path(directory))
        try:
            with transaction.atomic():
                run(path)
                transaction.set_rollback(True)  # a file that imports: the next starts clean
        except InputError as refused:
            assert refused.problems
            assert _rows() == before, "a refused file wrote something"


@EXAMPLES
@given(
    file=hostile_files(
        VALUES_HEADERS + LEVEL_HEADERS, [INPUT_SHEET, criterion_level.SHEET, "Sheet1"]
    )
)
def test_values_and_criterion_level_imports(world: Personas, db: None, file: HostileFile) -> None:
    _import(file, lambda path: import_file(path, CSET, 2020, acting_user=world.province_office))


@EXAMPLES
@given(file=hostile_files(RECOGNITION_HEADERS, [recognitions.SHEET]))
def test_recognition_list_import(world: Personas, db: None, file: HostileFile) -> None:
    _import(
        file,
        lambda path: import_recognitions(path, world.province, acting_user=world.province_office),
    )


@EXAMPLES
@given(file=hostile_files(GROUP_HEADERS, [groups.SHEET]))
def test_group_import(world: Personas, db: None, file: HostileFile) -> None:
    _import(file, lambda path: import_groups(path, world.province, actor="test:hostile"))
