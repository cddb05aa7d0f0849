"""Cached figures are keyed by what they read: a write invalidates exactly those."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from ntm.accounts.testing import ACTOR, Personas, make_unit
from ntm.criteria.schema import CriteriaSet
from ntm.results import evaluation, province
from ntm.results.commune import unit_results
from ntm.results.evaluation import evaluated
from ntm.results.province import province_overview
from ntm.units.models import Unit, UnitKind
from ntm.values.models import Stage
from ntm.values.services import Entry, PastValue, declare_status, load_history, save_value

pytestmark = pytest.mark.django_db

YEAR = 2020
INCOME = "income_per_capita"  # threshold 45 in the national column for 2020


def save(p: Personas, unit: Unit, x: float, version: int = 0) -> None:
    save_value(
        unit,
        INCOME,
        YEAR,
        Entry(value=x),
        stage=Stage.CLAIMED,
        expected_version=version,
        acting_user=p.officer_a if unit == p.commune_a else p.officer_b,
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record what is computed again: overviews and engine runs (by their units)."""
    seen: dict[str, list[Any]] = {"overview": [], "compute": []}

    def spy(name: str, module: Any, attr: str, arg: Callable[..., Any]) -> None:
        real = getattr(module, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen[name].append(arg(*args))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, attr, wrapper)

    spy("overview", province, "_overview", lambda prov, *_: prov.pk)
    spy("compute", evaluation, "compute", lambda units, *_: sorted(u.pk for u in units))
    return seen


def test_a_save_invalidates_its_province_and_no_other(
    p: Personas, cset: CriteriaSet, calls: dict[str, list[Any]]
) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    elsewhere = make_unit("Xã Khác", UnitKind.COMMUNE, "98001", other)
    past = [PastValue(elsewhere, INCOME, YEAR, Entry(value=50.0), timezone.now())]
    load_history([cset], past, reason="test", actor=ACTOR)
    save(p, p.commune_a, 40.0)
    first = province_overview(p.province, period=YEAR)
    province_overview(other, period=YEAR)
    assert calls["overview"] == [p.province.pk, other.pk]
    assert first.figures.met_by_criterion[10] == 0

    assert province_overview(p.province, period=YEAR) == first  # cached: nothing recomputed
    assert province_overview(other, period=YEAR).period == YEAR
    assert calls["overview"] == [p.province.pk, other.pk]

    computed = len(calls["compute"])
    save(p, p.commune_a, 50.0, version=1)
    again = province_overview(p.province, period=YEAR)
    province_overview(other, period=YEAR)
    assert calls["overview"] == [p.province.pk, other.pk, p.province.pk]  # the other: cached
    assert again.figures.met_by_criterion[10] == 1  # the new figure, never a stale one
    assert calls["compute"][computed:] == [[p.commune_a.pk]]  # only the commune written


def test_only_the_commune_written_is_evaluated_again(
    p: Personas, cset: CriteriaSet, calls: dict[str, list[Any]]
) -> None:
    both = [p.commune_a, p.commune_b]
    save(p, p.commune_a, 40.0)
    save(p, p.commune_b, 50.0)
    evaluated(both, YEAR, cset)
    assert calls["compute"] == [sorted(u.pk for u in both)]
    declare_status(p.commune_b, YEAR, cset, 1, "met", acting_user=p.officer_b)
    found = evaluated(both, YEAR, cset)
    assert calls["compute"][1:] == [[p.commune_b.pk]]
    assert found.with_data == {str(p.commune_a.pk), str(p.commune_b.pk)}
    # The entry grid computed commune A's new results already: the scope takes them over.
    save(p, p.commune_a, 46.0, version=1)
    unit_results(p.commune_a, YEAR, cset)
    evaluated(both, YEAR, cset)
    assert calls["compute"][2:] == [[p.commune_a.pk]]


def test_results_follow_unit_attributes(p: Personas, cset: CriteriaSet) -> None:
    """The key holds the unit's region: a changed unit is never read stale."""
    save(p, p.commune_a, 40.0)

    def status() -> str:
        crit = unit_results(p.commune_a, YEAR, cset).criteria
        return str(crit.filter(criterion=10).get_column("status").item())

    assert status() == "not_met"  # national column: 45
    Unit.objects.filter(pk=p.commune_a.pk).update(region="TDMNPB")  # threshold 36
    p.commune_a.refresh_from_db()
    assert status() == "met"
    found = evaluated([p.commune_b, p.commune_a], YEAR, cset)
    assert found.label == "vn-ntm-xa-2016-2020@1980/QĐ-TTg"
    assert found.with_data == {str(p.commune_a.pk)}
    assert evaluated([], YEAR, cset).evaluation is None
