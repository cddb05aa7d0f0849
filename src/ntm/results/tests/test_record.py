"""Reading the record live and as of a moment: one query over version rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ntm.accounts.testing import Personas
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import Evaluation
from ntm.results import record
from ntm.results.commune import unit_results
from ntm.results.evaluation import evaluated
from ntm.values.models import EntryVersion, Stage
from ntm.values.services import (
    Entry,
    PastApproval,
    PastDeclaration,
    PastValue,
    approve,
    declare_status,
    load_history,
    save_value,
    submit,
)

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"  # criterion 10; threshold 45 in the national column for 2020
MID = dt.date(YEAR, 6, 30)
END = dt.date(YEAR, 12, 31)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(17)))


def criterion_10(ev: Evaluation | None) -> str:
    assert ev is not None
    return str(ev.criteria.filter(criterion=10).get_column("status").item())


def test_as_of_reads_a_loaded_history_back(p: Personas, cset: CriteriaSet) -> None:
    a = p.commune_a
    before = unit_results(a, YEAR, cset)  # cached for the empty record
    load_history(
        [cset],
        [
            PastValue(a, INCOME, YEAR, Entry(value=40.0), at(MID)),
            PastValue(a, INCOME, YEAR, Entry(value=50.0), at(END)),
        ],
        [PastDeclaration(a, YEAR, SET, 1, "met", at(END))],
        [PastApproval(a, YEAR, SET, at(dt.date(YEAR + 1, 1, 20)))],
        reason="test",
        actor="test",
    )

    def income(day: dt.date) -> list[float]:
        frame = record.values_frame([a.pk], YEAR, at=record.moment(day))
        return frame.filter(measure=INCOME, stage="claimed").get_column("value").to_list()

    assert income(MID - dt.timedelta(days=1)) == []
    assert income(MID) == [40.0]
    assert income(END) == [50.0]
    assert record.declared_frame([a.pk], YEAR, SET, at=record.moment(MID)).height == 0
    end = record.declared_frame([a.pk], YEAR, SET, at=record.moment(END))
    assert end.get_column("status").to_list() == ["met"]
    assert record.approved_units([a.pk], YEAR, SET, at=record.moment(END)) == set()
    assert record.approved_units([a.pk], YEAR, SET) == {a.pk}
    assert criterion_10(before) == "missing_data"
    # The stamp moved with the load: the cached results are not read again.
    assert criterion_10(unit_results(a, YEAR, cset)) == "met"
    assert criterion_10(evaluated([a], YEAR, cset, at=record.moment(MID)).counted()) == "not_met"


def test_a_save_holds_from_now_and_closes_the_version_before(
    p: Personas, cset: CriteriaSet
) -> None:
    a = p.commune_a

    def save(x: float, version: int) -> None:
        save_value(
            a,
            INCOME,
            YEAR,
            Entry(value=x),
            stage=Stage.CLAIMED,
            expected_version=version,
            acting_user=p.officer_a,
        )

    save(40.0, 0)
    first = timezone.now()
    save(50.0, 1)
    versions = list(EntryVersion.objects.filter(unit=a).order_by("version"))
    assert [(v.number, v.version) for v in versions] == [(40.0, 1), (50.0, 2)]
    assert versions[0].superseded_at == versions[1].effective_at
    assert versions[1].superseded_at is None
    assert all(v.recorded_at == v.effective_at for v in versions)
    assert versions[1].audit.action == "values.save_claimed"
    values = record.values_frame([a.pk], YEAR, at=first)
    assert values.get_column("value").to_list() == [40.0]
    assert record.values_frame([a.pk], YEAR).get_column("value").to_list() == [50.0]


def test_states_and_declarations_have_versions(p: Personas, cset: CriteriaSet) -> None:
    a = p.commune_a
    declare_status(a, YEAR, cset, 10, "met", acting_user=p.officer_a)
    submit(a, YEAR, cset, acting_user=p.officer_a)
    submitted = timezone.now()
    approve(a, YEAR, cset, acting_user=p.province_office)
    assert record.states([a.pk], YEAR, SET, at=submitted) == {a.pk: "submitted"}
    assert record.states([a.pk], YEAR, SET) == {a.pk: "approved"}
    assert record.latest_approved_period([a.pk, p.commune_b.pk]) == YEAR
    assert record.units_with_data([a.pk, p.commune_b.pk], YEAR, SET) == {a.pk}
    assert record.periods_with_data([a.pk]) == [YEAR]


def test_as_of_is_one_query_whatever_the_history(p: Personas, cset: CriteriaSet) -> None:
    a = p.commune_a
    for version in range(12):
        save_value(
            a,
            INCOME,
            YEAR,
            Entry(value=30.0 + version),
            stage=Stage.CLAIMED,
            expected_version=version,
            acting_user=p.officer_a,
        )
    with CaptureQueriesContext(connection) as queries:
        frame = record.values_frame([a.pk, p.commune_b.pk], YEAR, at=timezone.now())
    assert len(queries) == 1
    assert frame.get_column("value").to_list() == [41.0]
