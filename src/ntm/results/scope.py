"""Which units a figure counts: a province's communes on a day, and crosswalks between days.

Units change only by events (`ntm.units.services`), so what is read here is cached under the
units' stamp (`ntm.results.cache.units_stamp`) and recomputed after any event or new unit.
Communes are "commune" units only: wards and towns are outside the NTM set.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.db.models import Q
from django.utils import timezone
from pydantic.dataclasses import dataclass

from ntm.results import cache as rcache
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import crosswalk, empty_crosswalk, lineage, version_on


@dataclass(frozen=True)
class UnitRef:
    """A unit as the read models carry it: what pages, the API and reports show of it, with
    no database behind it (cached figures hold these, not model rows). `id` is the unit's
    primary key."""

    id: int
    code: str | None
    name: str
    name_key: str
    kind: str
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def of(cls, unit: Unit) -> UnitRef:
        return cls(
            unit.pk, unit.code, unit.name, unit.name_key, unit.kind, unit.latitude, unit.longitude
        )


def period_day(period: int) -> dt.date:
    """The day whose units a period is counted on: 31/12, or today during the current year."""
    return min(dt.date(period, 12, 31), timezone.localdate())


def reference_day(unit: Unit) -> dt.date:
    """Today while the unit is in force, else its last day."""
    today = timezone.localdate()
    if unit.valid_to is not None and unit.valid_to < today:
        return unit.valid_to
    return today


def province_roots(province: Unit, day: dt.date) -> list[Unit]:
    """The province versions standing for `province` on `day`: the same code, or, for a
    province formed later, its province-level predecessors in force then."""
    same = version_on(province, day)
    if same is not None:
        return [same]
    found: dict[int, Unit] = {}
    for step in lineage(province).predecessors:
        old = step.old
        if old is not None and old.kind == UnitKind.PROVINCE and old.is_valid_on(day):
            found[old.pk] = old
    return list(found.values())


def _province_versions(province: Unit) -> list[int]:
    """Every version of the province's code, and its province-level predecessors."""
    versions = (
        Unit.objects.filter(code=province.code, kind=UnitKind.PROVINCE)
        if province.code
        else Unit.objects.filter(pk=province.pk)
    )
    ids = list(versions.values_list("pk", flat=True))
    ids += [
        s.old.pk
        for s in lineage(province).predecessors
        if s.old is not None and s.old.kind == UnitKind.PROVINCE
    ]
    return ids


def _all_communes(province: Unit) -> list[Unit]:
    ids = _province_versions(province)
    return list(
        Unit.objects.filter(kind=UnitKind.COMMUNE)
        .filter(Q(parent__in=ids) | Q(parent__parent__in=ids))
        .select_related("parent__parent")
        .order_by("kind", "name_key", "code", "pk")
    )


def all_communes(province: Unit) -> list[Unit]:
    """Every commune version that ever lay under any version of the province (parents
    loaded), ordered by name."""
    name = rcache.key("communes", province.pk, rcache.units_stamp())
    return rcache.remember(name, lambda: _all_communes(province))


def _root(unit: Unit) -> int | None:
    node = unit.parent
    while node is not None and node.kind != UnitKind.PROVINCE:
        node = node.parent
    return None if node is None else node.pk


def communes_on(province: Unit, day: dt.date) -> list[Unit]:
    """The province's communes in force on `day` (parents loaded), ordered by name."""
    roots = {r.pk for r in province_roots(province, day)}
    return [u for u in all_communes(province) if u.is_valid_on(day) and _root(u) in roots]


def pk_crosswalk(province: Unit, old_day: dt.date, new_day: dt.date) -> pl.DataFrame:
    """`ntm.units.queries.crosswalk` of the province, units named by primary key."""

    def walk() -> pl.DataFrame:
        walks = [
            crosswalk(old_day, new_day, province=root, by_id=True)
            for root in province_roots(province, old_day)
        ]
        if not walks:
            return empty_crosswalk()
        # Each root's walk also holds the parts that came from the other roots.
        return pl.concat(walks).unique().sort("old_unit", "new_unit")

    name = rcache.key("crosswalk", province.pk, old_day, new_day, rcache.units_stamp())
    return rcache.remember(name, walk)
