"""The engine's results for stored values, cached and recomputed only for what changed.

Design decision 4: a number on screen is never stale, and nothing is recomputed that no write
touched. Results are kept at two grains, both keyed by the criteria set's fingerprint, the
period, the moment read and the units' attributes that choose thresholds (among them the
commune group in force on the period's reference day, `ntm.units.groups`):

- per unit, with the stamp of the unit's period (`ntm.results.cache`);
- per scope (the units of one page: a province's communes in a year), with the stamps it was
  computed from. When some stamps moved, only those units are taken again — from their own
  entries when a page already computed them (the entry grid after a save), else in one engine
  call — and spliced into the scope's frames.

In every frame the `unit` column is a unit's primary key as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl

from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import Evaluation, evaluate
from ntm.results import cache as rcache
from ntm.results.record import STORED, Source, stamps
from ntm.results.scope import period_day
from ntm.units.groups import groups_on
from ntm.units.models import Unit
from ntm.units.queries import province_code

UNITS_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "province": pl.String(),
    "region": pl.String(),
    "commune_group": pl.String(),
    "special_difficulty": pl.Boolean(),
    "safe_zone_poor_district": pl.Boolean(),
}
Frames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]  # indicators, criteria, communes


def _attributes(unit: Unit, group: str | None) -> tuple[object, ...]:
    """What of a unit chooses its thresholds (the engine's `units` frame); `group` is its
    commune group in force on the period's reference day."""
    return (
        str(unit.pk),
        province_code(unit),
        unit.region,
        group,
        bool(unit.special_difficulty),
        bool(unit.safe_zone_poor_district),
    )


def units_frame(units: Sequence[Unit], period: int) -> pl.DataFrame:
    """The engine's `units` frame for `period` (unknown flags count as false, as the engine
    does; the commune group is the one in force on the period's reference day)."""
    groups = groups_on([u.pk for u in units], period_day(period))
    return pl.DataFrame(
        [_attributes(u, groups.get(u.pk)) for u in units], schema=UNITS_SCHEMA, orient="row"
    )


@cache
def _fingerprint(text: str) -> str:
    return rcache.digest(text)


_SET_PRINTS: dict[int, tuple[CriteriaSet, str]] = {}


def set_fingerprint(cset: CriteriaSet) -> str:
    """A digest of the whole set: any change of a cell gives another key."""
    found = _SET_PRINTS.get(id(cset))
    if found is None or found[0] is not cset:
        found = (cset, _fingerprint(cset.model_dump_json()))
        _SET_PRINTS[id(cset)] = found  # the set is kept alive with its id
    return found[1]


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Enum columns as text, so that frames computed at different times concatenate."""
    return frame.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Enum | pl.Categorical)
    )


@dataclass(frozen=True)
class Evaluated:
    """Results of some units for one period under one set: `evaluation` holds every unit
    (its criteria with the province's `decision_reason` where it decided one; one without any
    entry or declaration has all its conditions "missing data", with their
    thresholds); `with_data` the keys of the units holding something; `label` the set
    version used."""

    evaluation: Evaluation | None  # None only without units
    with_data: frozenset[str]
    label: str

    def counted(self) -> Evaluation | None:
        """The results of the units holding data (None when none does)."""
        return only(self.evaluation, self.with_data)


def only(ev: Evaluation | None, keys: Iterable[str]) -> Evaluation | None:
    """`ev` restricted to the units `keys` (None when none is left)."""
    wanted = sorted(keys)
    if ev is None or not wanted:
        return None
    kept = pl.col("unit").is_in(wanted)
    return Evaluation(
        set_id=ev.set_id,
        labels=ev.labels,
        indicators=ev.indicators.filter(kept),
        criteria=ev.criteria.filter(kept),
        communes=ev.communes.filter(kept),
    )


@dataclass(frozen=True)
class _Unit:
    frames: Frames | None  # None: nothing was ever recorded for the unit's period
    has_data: bool  # some entry or declaration
    label: str


NOTHING = _Unit(None, False, "")


def compute(
    units: Sequence[Unit],
    period: int,
    cset: CriteriaSet,
    *,
    at: dt.datetime | None = None,
    source: Source = STORED,
) -> dict[str, _Unit]:
    """Evaluate the units' record (at `at`) in one engine call, split by unit."""
    ids = [u.pk for u in units]
    values = source.values_frame(ids, period, at=at)
    declared = source.declared_frame(ids, period, cset.id, at=at)
    decided = source.decided_frame(ids, period, cset.id, at=at)
    holding: set[str] = set()
    for frame in (values, declared, decided):
        holding |= set(frame.get_column("unit").unique().to_list())
    ev = evaluate(
        cset,
        units_frame(units, period),
        values,
        years=[period],
        declared=declared,
        decided=decided.drop("reason"),
        measures=load_measures(),
    )
    label = ev.labels.get(period, cset.id)
    # The province's reason goes with its decision wherever the criterion is shown.
    reasons = decided.select("unit", "criterion", decision_reason="reason")
    criteria = ev.criteria.join(reasons, on=["unit", "criterion"], how="left")
    plain = [_plain(f) for f in (ev.indicators, criteria, ev.communes)]
    parts = [f.partition_by("unit", as_dict=True) for f in plain]
    out = {}
    for u in units:
        k = (str(u.pk),)
        i, c, m = (p.get(k, f.clear()) for p, f in zip(parts, plain, strict=True))
        out[str(u.pk)] = _Unit((i, c, m), str(u.pk) in holding, label)
    return out


def _unit_key(
    cset_print: str, period: int, at: dt.datetime | None, attrs: tuple[object, ...], stamp: int
) -> str:
    return rcache.key("unit", cset_print, period, at, attrs, stamp)


def evaluated(
    units: Sequence[Unit],
    period: int,
    cset: CriteriaSet,
    *,
    at: dt.datetime | None = None,
    source: Source = STORED,
) -> Evaluated:
    """The results of `units` (their parents loaded) for a period under a set, as the record
    stood at `at` (None: now), from the cache where no write touched them since (a record
    read from files is evaluated every time)."""
    if not source.cached:
        return _splice(None, compute(units, period, cset, at=at, source=source), cset.id, period)
    fp = set_fingerprint(cset)
    groups = groups_on([u.pk for u in units], period_day(period))
    attrs = {str(u.pk): _attributes(u, groups.get(u.pk)) for u in units}
    now = {str(u): s for (u, _), s in stamps([u.pk for u in units], [period]).items()}
    scope_key = rcache.key("scope", fp, period, at, sorted(attrs.values()))
    entry = rcache.get(scope_key)
    if entry is not None and entry["stamps"] == now:
        return entry["result"]  # type: ignore[no-any-return]
    old: dict[str, int] = entry["stamps"] if entry is not None else {}
    result: Evaluated | None = entry["result"] if entry is not None else None
    changed = [u for u in units if entry is None or old.get(str(u.pk)) != now.get(str(u.pk))]
    # A unit whose period was never written holds nothing: no engine run, no cache entry
    # (most of the country's communes, before their first entry).
    fresh = {str(u.pk): NOTHING for u in changed if str(u.pk) not in now}
    names = {
        str(u.pk): _unit_key(fp, period, at, attrs[str(u.pk)], now[str(u.pk)])
        for u in changed
        if str(u.pk) in now
    }
    found = rcache.get_many(names.values())
    fresh |= {k: found[n] for k, n in names.items() if n in found}
    missing = [u for u in changed if str(u.pk) not in fresh]
    if missing:
        computed = compute(missing, period, cset, at=at)
        rcache.set_many({names[k]: v for k, v in computed.items()})
        fresh |= computed
    result = _splice(result, fresh, cset.id, period)
    rcache.put(scope_key, {"stamps": now, "result": result})
    return result


def _splice(base: Evaluated | None, fresh: dict[str, _Unit], set_id: str, period: int) -> Evaluated:
    """`base` with the units of `fresh` replaced by their new results."""
    parts: list[Frames] = []
    with_data = set() if base is None else set(base.with_data) - set(fresh)
    if base is not None and base.evaluation is not None:
        ev = base.evaluation
        gone = pl.col("unit").is_in(list(fresh))
        parts.append(
            (ev.indicators.filter(~gone), ev.criteria.filter(~gone), ev.communes.filter(~gone))
        )
    parts += [u.frames for u in fresh.values() if u.frames is not None]
    with_data |= {k for k, u in fresh.items() if u.has_data}
    labels = [u.label for u in fresh.values() if u.label]
    label = next(iter(labels), base.label if base is not None else set_id)
    if not parts:
        return Evaluated(None, frozenset(with_data), label)
    evaluation = Evaluation(
        set_id=set_id,
        labels={period: label},
        indicators=pl.concat([p[0] for p in parts], how="diagonal_relaxed"),
        criteria=pl.concat([p[1] for p in parts], how="diagonal_relaxed"),
        communes=pl.concat([p[2] for p in parts], how="diagonal_relaxed"),
    )
    return Evaluated(evaluation, frozenset(with_data), label)
