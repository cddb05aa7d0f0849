"""The group in force on the period's day chooses the thresholds the read layer shows, and
assigning a group moves the cache keys: never a stale result (TEST thresholds)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from ntm.accounts.testing import ACTOR, Personas
from ntm.evaluation.tests.helpers import grouped_test_set
from ntm.results import cache as rcache
from ntm.results.commune import unit_results
from ntm.units.groups import Assignment, Basis, assign_groups
from ntm.values.models import Stage, Value
from ntm.values.record import write_entry

pytestmark = pytest.mark.django_db

BASIS = Basis("15/QĐ-UBND", dt.date(2026, 1, 5), "UBND tỉnh Thử Nghiệm")
FROM = dt.date(2026, 1, 15)


def _income_status(p: Personas) -> tuple[str, str]:
    ev = unit_results(p.commune_a, 2026, grouped_test_set())
    row = ev.indicators.filter(indicator="T3.1").select("column", "status").row(0)
    return str(row[0]), str(row[1])


def test_assigning_a_group_changes_the_result_without_a_stale_cache(p: Personas) -> None:
    # The bundled 2026-2030 set has no indicators yet, so the entry services refuse the
    # measure: the value is written as they write it.
    with transaction.atomic():
        write_entry(
            Value(unit=p.commune_a, measure="income_per_capita", period=2026),
            Stage.CLAIMED,
            {"value": 75.0, "numerator": None, "denominator": None, "not_applicable": False},
            action="test",
            acting_user=p.officer_a,
        )
    stamp = rcache.units_stamp()
    assert _income_status(p) == ("no_group", "missing_group")
    assert _income_status(p) == ("no_group", "missing_group")  # now from the cache
    assign_groups(p.province, [Assignment(p.commune_a, "group_2", FROM, BASIS)], actor=ACTOR)
    assert rcache.units_stamp() != stamp
    assert _income_status(p) == ("group_2", "met")  # TEST threshold 70
    assign_groups(
        p.province,
        [Assignment(p.commune_a, "group_1", FROM + dt.timedelta(days=1), BASIS)],
        actor=ACTOR,
    )
    assert _income_status(p) == ("group_1", "not_met")  # TEST threshold 80
