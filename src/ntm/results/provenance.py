"""Where a province's record comes from: simulated (the demo) or not, and the criteria sets
it was kept under that are not bundled — read from the provenance row its loader wrote
(`ntm.values.services.mark_simulated`), never from the code that made the data."""

from __future__ import annotations

import json
from functools import cache

from django.db.models import Q

from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit, UnitKind
from ntm.values.models import SimulatedData


def _rows(province: Unit) -> Q:
    q = Q(province=province)
    if province.code:
        q |= Q(province__code=province.code, province__kind=UnitKind.PROVINCE)
    return q


def is_simulated(province: Unit) -> bool:
    """Does the province (any version of its code) hold simulated values?"""
    return SimulatedData.objects.filter(_rows(province)).exists()


def simulated_province_of(unit: Unit) -> bool:
    node: Unit | None = unit
    while node is not None:
        if node.kind == UnitKind.PROVINCE:
            return is_simulated(node)
        node = node.parent
    return False


def any_simulated() -> bool:
    """Does the database hold any simulated record (every page then says so)?"""
    return SimulatedData.objects.exists()


def simulated_codes() -> set[str]:
    """GSO codes of the provinces holding simulated values."""
    return {c for c in SimulatedData.objects.values_list("province__code", flat=True) if c}


def record_sets(province: Unit) -> tuple[CriteriaSet, ...]:
    """Sets a province's stored years were recorded under that are not bundled (the demo's
    2010–2015 set, declared statuses only), as its provenance row keeps them."""
    rows = SimulatedData.objects.filter(_rows(province)).values_list("record_sets", flat=True)
    return tuple(_record_set(json.dumps(s, sort_keys=True)) for s in rows.first() or ())


@cache
def _record_set(text: str) -> CriteriaSet:
    return CriteriaSet.model_validate_json(text)
