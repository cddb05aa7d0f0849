"""Stored values -> the engine's frames -> results, cached per (set, period, unit).

Design decision 4: a number on screen is never stale. Every cached row carries the key it was
computed under — a digest of the set, the unit's attributes, and the count and version sums
of the unit's values and declarations for the period (versions only grow, so any change moves
the key). A read recomputes whatever row is missing or carries another key; the services
recompute what a change touched inside the change's own transaction (`refresh_results`).

In the frames returned here the `unit` column is the unit's primary key as text (GSO codes
are reused over time, so they do not identify a unit version).

As of a moment (`as_of`): the record as it stood then, rebuilt from the audit log — for every
value stage and declaration, the last audit row whose effective time is not after that moment
(its `after["at"]` when the writer gave one, e.g. a historical load, otherwise the row's
`created_at`). Such results are computed, never cached; without `as_of` nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import polars as pl
from django.db.models import CharField, Count, F, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from ntm.audit.models import AuditLog
from ntm.criteria.loader import bundled_set_ids, load_measures, load_set
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import VALUES_SCHEMA, Evaluation, evaluate
from ntm.units.models import Unit, UnitKind
from ntm.values.models import CachedResult, Declaration, Stage, Value

# Bump when what is stored in a cached row changes shape.
CACHE_FORMAT = "1"
# Audit object types of values and declarations (the same strings as ntm.values.services,
# which imports this module).
VALUE_OBJECT = "values.value"
DECLARATION_OBJECT = "values.declaration"
ENTRY_KEYS = ("value", "numerator", "denominator", "not_applicable")

UNITS_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "province": pl.String(),
    "region": pl.String(),
    "commune_group": pl.String(),
    "special_difficulty": pl.Boolean(),
    "safe_zone_poor_district": pl.Boolean(),
}
DECLARED_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Int32(),
    "criterion": pl.Int32(),
    "status": pl.String(),
}


def sets_for_period(period: int) -> list[CriteriaSet]:
    """The bundled commune sets whose period covers the year (standard tier first)."""
    sets = [load_set(i) for i in bundled_set_ids()]
    covering = [
        s
        for s in sets
        if s.level == "commune" and s.period.start_year <= period <= s.period.end_year
    ]
    return sorted(covering, key=lambda s: (s.tier != "standard", s.id))


@cache
def _fingerprint(set_json: str) -> str:
    return hashlib.sha256(set_json.encode()).hexdigest()[:16]


def set_fingerprint(cset: CriteriaSet) -> str:
    return _fingerprint(cset.model_dump_json())


@cache
def set_measures(set_id: str) -> frozenset[str]:
    """The measure keys a bundled set reads."""
    cset = load_set(set_id)
    return frozenset(
        cond.measure for c in cset.criteria for ind in c.indicators for cond in ind.conditions
    )


def province_code(unit: Unit) -> str | None:
    node: Unit | None = unit
    while node is not None:
        if node.kind == UnitKind.PROVINCE:
            return node.code
        node = node.parent
    return None


def _with_parents(units: Iterable[Unit]) -> list[Unit]:
    ids = [u.pk for u in units]
    by_id = Unit.objects.select_related("parent__parent__parent").in_bulk(ids)
    return [by_id[i] for i in ids]


def units_frame(units: Sequence[Unit]) -> pl.DataFrame:
    """The engine's `units` frame (unknown flags count as false, as the engine does)."""
    rows = [
        {
            "unit": str(u.pk),
            "province": province_code(u),
            "region": u.region,
            "commune_group": u.commune_group,
            "special_difficulty": bool(u.special_difficulty),
            "safe_zone_poor_district": bool(u.safe_zone_poor_district),
        }
        for u in units
    ]
    return pl.DataFrame(rows, schema=UNITS_SCHEMA)


def moment(as_of: dt.datetime | dt.date) -> dt.datetime:
    """A moment to read the record at: a date means the end of that day (local time)."""
    if isinstance(as_of, dt.datetime):
        if timezone.is_naive(as_of):
            raise ValueError("as_of must be timezone-aware")
        return as_of
    end = dt.datetime.combine(as_of, dt.time.max)
    return timezone.make_aware(end, timezone.get_current_timezone())


def _effective(after: dict[str, Any], created_at: dt.datetime) -> dt.datetime:
    at = after.get("at")
    return dt.datetime.fromisoformat(at) if isinstance(at, str) else created_at


def _latest_rows(
    object_type: str, ids: Any, as_of: dt.datetime, key: Any
) -> dict[Any, dict[str, Any]]:
    """(object id, key(after)) -> the `after` of the last audit row effective at `as_of`."""
    best: dict[Any, tuple[dt.datetime, int, dict[str, Any]]] = {}
    rows = AuditLog.objects.filter(object_type=object_type, object_id__in=ids).values_list(
        "id", "object_id", "created_at", "after"
    )
    for pk, object_id, created_at, after in rows.iterator(chunk_size=2000):
        if not isinstance(after, dict) or key(after) is None:
            continue  # evidence, comments: not an entry
        when = _effective(after, created_at)
        if when > as_of:
            continue
        k = (object_id, key(after))
        if k not in best or (when, pk) > best[k][:2]:
            best[k] = (when, pk, after)
    return {k: v[2] for k, v in best.items()}


def _values_as_of(unit_ids: Sequence[int], period: int, as_of: dt.datetime) -> list[dict[str, Any]]:
    values = Value.objects.filter(unit_id__in=unit_ids, period=period)
    meta = {str(pk): (u, m) for pk, u, m in values.values_list("pk", "unit_id", "measure")}
    ids = values.annotate(key=Cast("pk", CharField())).values("key")
    latest = _latest_rows(
        VALUE_OBJECT, ids, as_of, lambda a: a.get("stage") if "value" in a else None
    )
    rows = []
    for (pk, stage), after in sorted(latest.items()):
        entry = {k: after.get(k) for k in ENTRY_KEYS}
        entry["not_applicable"] = bool(entry["not_applicable"])
        if not entry["not_applicable"] and entry["value"] is None and entry["numerator"] is None:
            continue  # emptied by then
        unit, measure = meta[pk]
        rows.append({"unit": str(unit), "measure": measure, "period": period, **entry,
                     "stage": stage})  # fmt: skip
    return rows


def values_frame(
    unit_ids: Sequence[int], period: int, *, as_of: dt.datetime | dt.date | None = None
) -> pl.DataFrame:
    """Both stages of every stored value, one row per stage that holds an entry (as they
    stood at `as_of` when given)."""
    if as_of is not None:
        return pl.DataFrame(_values_as_of(unit_ids, period, moment(as_of)), schema=VALUES_SCHEMA)
    rows = []
    for v in Value.objects.filter(unit_id__in=unit_ids, period=period):
        for stage in Stage.values:
            if v.has(stage):
                entry = {"unit": str(v.unit_id), "measure": v.measure, "period": period}
                rows.append({**entry, **v.entry(stage), "stage": stage})
    return pl.DataFrame(rows, schema=VALUES_SCHEMA)


def declared_frame(
    unit_ids: Sequence[int],
    period: int,
    set_id: str,
    *,
    as_of: dt.datetime | dt.date | None = None,
) -> pl.DataFrame:
    found = Declaration.objects.filter(unit_id__in=unit_ids, period=period, set_id=set_id)
    if as_of is not None:
        ids = found.annotate(key=Cast("pk", CharField())).values("key")
        latest = _latest_rows(DECLARATION_OBJECT, ids, moment(as_of), lambda a: a.get("criterion"))
        past = [
            {
                "unit": str(a["unit"]),
                "period": period,
                "criterion": int(a["criterion"]),
                "status": a["status"],
            }
            for _, a in sorted(latest.items())
            if a.get("status")
        ]
        return pl.DataFrame(past, schema=DECLARED_SCHEMA)
    rows = [
        {"unit": str(u), "period": period, "criterion": c, "status": s}
        for u, c, s in found.exclude(status="").values_list("unit_id", "criterion", "status")
    ]
    return pl.DataFrame(rows, schema=DECLARED_SCHEMA)


def _keys(units: Sequence[Unit], period: int, cset: CriteriaSet) -> dict[int, str]:
    ids = [u.pk for u in units]
    values = {
        row["unit_id"]: (row["n"], row["v"])
        for row in Value.objects.filter(unit_id__in=ids, period=period)
        .values("unit_id")
        .annotate(n=Count("id"), v=Sum(F("claimed_version") + F("verified_version")))
    }
    declared = {
        row["unit_id"]: (row["n"], row["v"])
        for row in Declaration.objects.filter(unit_id__in=ids, period=period, set_id=cset.id)
        .values("unit_id")
        .annotate(n=Count("id"), v=Sum("version"))
    }
    head = f"{CACHE_FORMAT}|{pl.__version__}|{cset.id}|{set_fingerprint(cset)}"
    keys = {}
    for u in units:
        attrs = (
            f"{province_code(u)}|{u.region}|{u.commune_group}|"
            f"{bool(u.special_difficulty)}|{bool(u.safe_zone_poor_district)}"
        )
        raw = f"{head}|{attrs}|{values.get(u.pk, (0, 0))}|{declared.get(u.pk, (0, 0))}"
        keys[u.pk] = hashlib.sha256(raw.encode()).hexdigest()
    return keys


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Enum columns as text, so that frames computed at different times concatenate."""
    return frame.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Enum | pl.Categorical)
    )


def _dump(frame: pl.DataFrame) -> bytes:
    return frame.serialize()


def _load(data: bytes | memoryview) -> pl.DataFrame:
    return pl.DataFrame.deserialize(io.BytesIO(bytes(data)))


def compute(
    units: Sequence[Unit],
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.datetime | dt.date | None = None,
) -> Evaluation:
    """Evaluate stored values now (or as they stood at `as_of`), without the cache."""
    ids = [u.pk for u in units]
    ev = evaluate(
        cset,
        units_frame(units),
        values_frame(ids, period, as_of=as_of),
        years=[period],
        declared=declared_frame(ids, period, cset.id, as_of=as_of),
        measures=load_measures(),
    )
    return Evaluation(
        set_id=ev.set_id,
        labels=ev.labels,
        indicators=_plain(ev.indicators),
        criteria=_plain(ev.criteria),
        communes=_plain(ev.communes),
    )


def results_for_units(
    units: Sequence[Unit],
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.datetime | dt.date | None = None,
) -> Evaluation:
    """The results of `units` for a period under a set: cached rows whose key still holds,
    the rest computed in one engine call and stored. Frames are in the order of `units`.
    With `as_of`, the results of the record as it stood then (computed, not cached)."""
    units = _with_parents(units)
    if as_of is not None:
        return compute(units, period, cset, as_of=as_of)
    keys = _keys(units, period, cset)
    cached = {
        row.unit_id: row
        for row in CachedResult.objects.filter(
            set_id=cset.id, period=period, unit_id__in=list(keys)
        )
    }
    hits = {pk: row for pk, row in cached.items() if row.key == keys[pk]}
    misses = [u for u in units if u.pk not in hits]
    parts: dict[int, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]] = {
        pk: (_load(row.indicators), _load(row.criteria), _load(row.communes))
        for pk, row in hits.items()
    }
    labels = {period: next(iter(hits.values())).label} if hits else {}
    if misses or not units:
        fresh = compute(misses, period, cset)
        labels = fresh.labels or labels
        now = timezone.now()
        rows = []
        for u in misses:
            key = str(u.pk)
            frames = tuple(
                f.filter(pl.col("unit") == key)
                for f in (fresh.indicators, fresh.criteria, fresh.communes)
            )
            parts[u.pk] = (frames[0], frames[1], frames[2])
            rows.append(
                CachedResult(
                    set_id=cset.id,
                    period=period,
                    unit_id=u.pk,
                    key=keys[u.pk],
                    label=fresh.labels.get(period, ""),
                    indicators=_dump(frames[0]),
                    criteria=_dump(frames[1]),
                    communes=_dump(frames[2]),
                    computed_at=now,
                )
            )
        if rows:
            CachedResult.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["set_id", "period", "unit"],
                update_fields=["key", "label", "indicators", "criteria", "communes", "computed_at"],
            )
        if not units:
            return fresh
    ordered = [parts[u.pk] for u in units]
    return Evaluation(
        set_id=cset.id,
        labels=labels,
        indicators=pl.concat([p[0] for p in ordered]),
        criteria=pl.concat([p[1] for p in ordered]),
        communes=pl.concat([p[2] for p in ordered]),
    )


def results_for(unit: Unit, period: int, cset: CriteriaSet) -> Evaluation:
    """One unit's results (frames filtered to it); see `results_for_units`."""
    return results_for_units([unit], period, cset)


def refresh_results(unit_ids: Iterable[int], period: int) -> None:
    """Recompute the cached results a change of these units' values touched, for every
    bundled set covering the period. Services call this inside their transaction."""
    units = list(Unit.objects.filter(pk__in=set(unit_ids)))
    if not units:
        return
    for cset in sets_for_period(period):
        results_for_units(units, period, cset)
