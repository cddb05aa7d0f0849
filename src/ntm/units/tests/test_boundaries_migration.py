"""Uploaded boundaries move from `web` to `units` with every row as it was (and back)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("units", "0004_boundaries"), ("web", "0003_simulated_data_moved")]
AFTER = [("units", "0005_boundaries_from_web"), ("web", "0004_boundaries_moved")]
FEATURES = [{"code": "99001", "rings": [[[106.7, 21.8], [106.8, 21.8], [106.7, 21.9]]]}]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _row(executor: MigrationExecutor, app: str, targets: list[tuple[str, str]]) -> Any:
    state = executor.loader.project_state(targets).apps
    return state.get_model(app, "Boundaries").objects.get()


def test_the_rows_move_to_units_and_back() -> None:
    executor = _migrate(BEFORE)
    state = executor.loader.project_state(BEFORE).apps
    user = state.get_model("auth", "User").objects.create(username="office")
    province = state.get_model("units", "Unit").objects.create(
        code="99", name="Tỉnh Thử Nghiệm", kind="province"
    )
    at = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC)
    state.get_model("web", "Boundaries").objects.create(
        province=province,
        original_name="ranh-gioi.geojson",
        features=FEATURES,
        matched=1,
        uploaded_by=user,
        uploaded_at=at,
    )
    executor = _migrate(AFTER)
    moved = _row(executor, "units", AFTER)
    assert (moved.province_id, moved.uploaded_by_id) == (province.pk, user.pk)
    assert (moved.original_name, moved.features, moved.matched, moved.uploaded_at) == (
        "ranh-gioi.geojson",
        FEATURES,
        1,
        at,
    )
    executor = _migrate(BEFORE)
    back = _row(executor, "web", BEFORE)
    assert back.features == FEATURES and back.original_name == "ranh-gioi.geojson"
    _migrate(executor.loader.graph.leaf_nodes())
