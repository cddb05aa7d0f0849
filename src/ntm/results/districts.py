"""A district's own criteria in the figures (QĐ 320/QĐ-TTg Phụ lục I for 2021-2025): the
statuses the province office recorded for it, and the QĐ 18/2022 rule over them
(`ntm.stats.watch.own_criteria`). Districts are recorded at the criterion level only: no
indicator of the district sets is encoded, so nothing is computed from values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from ntm.criteria.loader import bundled_set_ids, load_set, sets_for_period
from ntm.criteria.schema import CriteriaSet
from ntm.recognition.models import Tier
from ntm.results.recognition import SET_TIER
from ntm.results.record import STORED, Source, moment
from ntm.stats import watch
from ntm.units.models import Unit


def district_set(period: int, tier: str = Tier.NTM) -> CriteriaSet | None:
    """The district set of a recognition tier that carries the revocation rule for the year
    (the standard district set for *huyện đạt chuẩn NTM*); None where none is bundled — the
    advanced district set and the towns' and cities' completion rule are not encoded."""
    set_tier = SET_TIER.get(Tier(tier)) if tier in Tier.values else None
    found = [
        s
        for s in sets_for_period(period, level="district")
        if s.tier == set_tier and s.revocation is not None
    ]
    return found[0] if found else None


def district_years() -> list[int]:
    """The years the district set of *huyện đạt chuẩn NTM* with the revocation rule covers
    (those `district_set` finds one for)."""
    set_tier = SET_TIER[Tier.NTM]
    return sorted(
        {
            y
            for s in map(load_set, bundled_set_ids())
            if s.level == "district" and s.tier == set_tier and s.revocation is not None
            for y in s.years
        }
    )


def recorded_statuses(
    district_ids: Iterable[int],
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.date | None = None,
    source: Source = STORED,
) -> dict[int, dict[int, str]]:
    """district -> criterion -> the status recorded for the year under `cset` (as of the end of
    `as_of`, if given); a district with none is absent."""
    at = None if as_of is None else moment(as_of)
    frame = source.declared_frame(list(district_ids), period, cset.id, at=at)
    out: dict[int, dict[int, str]] = {}
    for unit, criterion, status in frame.select("unit", "criterion", "status").iter_rows():
        out.setdefault(int(unit), {})[int(criterion)] = str(status)
    return out


def own_criteria(
    districts: Iterable[Unit],
    period: int,
    held: Mapping[int, frozenset[str]],
    *,
    as_of: dt.date | None = None,
    source: Source = STORED,
) -> dict[int, tuple[CriteriaSet, watch.OwnCriteria]]:
    """The rule over each recognised district's own criteria, with the set they are read
    under, for the districts holding a tier whose district set covers the year (the others
    are absent: that branch is not checked)."""
    by_set: dict[str, tuple[CriteriaSet, list[int]]] = {}
    for d in districts:
        for tier in sorted(held.get(d.pk, frozenset())):
            cset = district_set(period, tier)
            if cset is not None:
                by_set.setdefault(cset.id, (cset, []))[1].append(d.pk)
    out: dict[int, tuple[CriteriaSet, watch.OwnCriteria]] = {}
    for cset, ids in by_set.values():
        assert cset.revocation is not None  # `district_set` only gives sets with the rule
        numbers = [c.number for c in cset.criteria]
        recorded = recorded_statuses(ids, period, cset, as_of=as_of, source=source)
        for pk in ids:
            out[pk] = cset, watch.own_criteria(recorded.get(pk, {}), numbers, cset.revocation)
    return out
