"""The crosswalk keeps parts without a code and parts from another province."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ntm.stats.rebase import check_crosswalk, transfer_results
from ntm.units import services
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import crosswalk, unit_key
from ntm.units.services import NewUnit

D0 = dt.date(2030, 1, 1)
D1 = dt.date(2031, 1, 1)

pytestmark = pytest.mark.django_db


def _make(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
    services.create_unit(
        NewUnit(name=name, kind=kind, code=code, parent=parent, region="TDMNPB"),
        date=D0,
        actor="test",
    )
    return Unit.objects.get(code=code, valid_from=D0)


def test_parts_without_a_code_and_from_another_province() -> None:
    prov = _make("T1", "Tỉnh Thử", UnitKind.PROVINCE, None)
    dist = _make("T10", "Huyện Một", UnitKind.DISTRICT, prov)
    other = _make("T2", "Tỉnh Khác", UnitKind.PROVINCE, None)
    other_dist = _make("T20", "Huyện Khác", UnitKind.DISTRICT, other)
    a = _make("T100", "Xã An", UnitKind.COMMUNE, dist)
    b = _make("T101", "Xã Bình", UnitKind.COMMUNE, dist)
    x = _make("T200", "Xã Xa", UnitKind.COMMUNE, other_dist)
    # A commune known only by name (no code) merges into An; Xa crosses into Bình.
    services.merge_units(
        [NewUnit(name="Xã Cũ", kind=UnitKind.COMMUNE, parent=dist, valid_from=D0)],
        into=a,
        date=D1,
        actor="test",
    )
    services.merge_units([x], into=b, date=D1, actor="test")
    old = Unit.objects.get(name="Xã Cũ")
    assert unit_key(old) == f"id:{old.pk}" and unit_key(a) == "T100"

    walk = crosswalk(D0, D1, province=prov)
    check_crosswalk(walk)
    assert walk.filter(pl.col("new_unit").is_in(["T100", "T101"])).rows() == [
        ("T100", "T100", 1.0),
        ("T101", "T101", 1.0),
        ("T200", "T101", 1.0),
        (f"id:{old.pk}", "T100", 1.0),
    ]
    # Neither commune is unchanged territory: each took in another unit.
    results = pl.DataFrame({"unit": ["T100", "T101", "T200"], "period": [2030] * 3})
    moved = transfer_results(results, walk)
    assert moved.select("unit", "comparable").unique().sort("unit").rows() == [
        ("T100", False),
        ("T101", False),
    ]
    by_id = crosswalk(D0, D1, province=prov, by_id=True)
    assert (str(old.pk), str(a.pk), 1.0) in by_id.rows()
    assert (str(x.pk), str(b.pk), 1.0) in by_id.rows()


def test_a_unit_established_without_recorded_predecessors_is_a_part_of_its_own() -> None:
    """Bắc Việt (2020) is recorded as established, its make-up unknown; whatever it became is
    never complete from the units of the earlier date alone."""
    prov = _make("T1", "Tỉnh Thử", UnitKind.PROVINCE, None)
    dist = _make("T10", "Huyện Một", UnitKind.DISTRICT, prov)
    a = _make("T100", "Xã An", UnitKind.COMMUNE, dist)
    d2 = dt.date(2032, 1, 1)
    services.create_unit(
        NewUnit(name="Xã Mới", kind=UnitKind.COMMUNE, code="T102", parent=dist), date=D1, actor="t"
    )
    new = Unit.objects.get(code="T102")
    services.merge_units(
        [a, new],
        into=NewUnit(name="Xã Chung", kind=UnitKind.COMMUNE, code="T103", parent=dist),
        date=d2,
        actor="t",
    )
    walk = crosswalk(D0, d2, province=prov)
    check_crosswalk(walk)
    assert walk.filter(pl.col("new_unit") == "T103").rows() == [
        ("T100", "T103", 1.0),
        (f"id:{new.pk}", "T103", 1.0),
    ]
    # From the day it exists it is an ordinary unit of the earlier date.
    assert crosswalk(D1, d2, province=prov).filter(pl.col("new_unit") == "T103").rows() == [
        ("T100", "T103", 1.0),
        ("T102", "T103", 1.0),
    ]
    assert (str(new.pk), str(new.pk), 1.0) in crosswalk(D0, D1, province=prov, by_id=True).rows()
