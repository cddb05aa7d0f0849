"""Reading units as of a date: lists, ancestors, lineage, and crosswalks between dates.

`crosswalk(d1, d2)` is what statistics re-base with: a Polars frame with exactly the columns
old_unit (str), new_unit (str) and weight (f64); the weights of one old unit sum to 1. A unit
is named by `unit_key`: its GSO code, or, for a unit without one (a commune dissolved in 2019
that the records know only by name), "id:" and its database id. Such a unit must still appear:
without it a commune that absorbed it would look like unchanged territory. Units with no
successor on d2 (districts ended in 2025, communes recorded as dissolved without a stated
successor) do not appear.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl
from django.db.models import Q, QuerySet

from ntm.units.models import Unit, UnitEventLink, UnitKind
from ntm.vn.dates import format_date
from ntm.vn.text import fold, name_key

CROSSWALK_SCHEMA = {"old_unit": pl.String, "new_unit": pl.String, "weight": pl.Float64}
NO_CODE_PREFIX = "id:"


def unit_key(unit: Unit) -> str:
    """How a crosswalk names a unit: its GSO code, else "id:" and its database id (stable in
    one database, not across databases; it never collides with a code, which is digits)."""
    return unit.code or f"{NO_CODE_PREFIX}{unit.pk}"


class UnitLookupError(LookupError):
    """A name or code that matches no unit, or several; the message is Vietnamese."""

    def __init__(self, message: str, candidates: Sequence[Unit] = ()) -> None:
        super().__init__(message)
        self.candidates = list(candidates)


def province_code(unit: Unit) -> str | None:
    """The GSO code of the unit's province (walks the loaded parents)."""
    node: Unit | None = unit
    while node is not None:
        if node.kind == UnitKind.PROVINCE:
            return node.code
        node = node.parent
    return None


def province_on(province: Unit | str, day: dt.date) -> Unit:
    """A province by row, code or name, as of `day`."""
    if isinstance(province, Unit):
        return province
    found = find_units(province, day=day, kinds=[UnitKind.PROVINCE])
    return resolve_one(found, province, day)


def units_of(
    province: Unit | str, day: dt.date, *, kinds: Iterable[str] | None = None
) -> list[Unit]:
    """The units under a province in force on `day` (districts, and commune-level units
    directly or through their district), optionally of some kinds only."""
    prov = province_on(province, day)
    qs = Unit.objects.valid_on(day).filter(
        Q(parent=prov) | Q(parent__parent=prov) | Q(parent__parent__parent=prov)
    )
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return list(qs.select_related("parent").order_by("kind", "name_key", "code"))


def counts_by_kind(province: Unit | str, day: dt.date) -> dict[str, int]:
    return dict(Counter(u.kind for u in units_of(province, day)))


def parent_on(unit: Unit, day: dt.date) -> Unit | None:
    """The parent of the version of `unit` in force on `day` (None when it is not)."""
    version = version_on(unit, day)
    return version.parent if version else None


def version_on(unit: Unit, day: dt.date) -> Unit | None:
    """The row of the same code in force on `day` (the row itself for a unit without code)."""
    if unit.is_valid_on(day):
        return unit
    if not unit.code:
        return None
    return Unit.objects.valid_on(day).filter(code=unit.code).select_related("parent").first()


def ancestors(unit: Unit, day: dt.date) -> list[Unit]:
    """Parent, grandparent, ... as of `day`, nearest first."""
    chain: list[Unit] = []
    current = parent_on(unit, day)
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


@dataclass(frozen=True)
class LineageStep:
    depth: int  # 1 = direct predecessor/successor
    event_id: int
    event_kind: str
    event_kind_label: str
    date: dt.date
    legal_basis: str
    note: str
    old: Unit | None
    new: Unit | None
    weight: float


@dataclass(frozen=True)
class Lineage:
    unit: Unit
    predecessors: list[LineageStep]
    successors: list[LineageStep]


def _step(link: UnitEventLink, depth: int) -> LineageStep:
    ev = link.event
    return LineageStep(
        depth,
        ev.pk,
        ev.kind,
        ev.get_kind_display(),
        ev.date,
        ev.legal_basis,
        ev.note,
        link.old_unit,
        link.new_unit,
        link.weight,
    )


def _walk(unit: Unit, *, forward: bool) -> list[LineageStep]:
    """Every link reachable from `unit` backwards (predecessors) or forwards (successors)."""
    rel = ("event", "old_unit", "new_unit", "old_unit__parent", "new_unit__parent")
    near, far = ("old_unit_id", "new_unit_id") if forward else ("new_unit_id", "old_unit_id")
    steps: list[LineageStep] = []
    frontier, seen, depth = {unit.pk}, {unit.pk}, 0
    while frontier:
        depth += 1
        links = list(UnitEventLink.objects.filter(**{f"{near}__in": frontier}).select_related(*rel))
        steps += [_step(link, depth) for link in links]
        frontier = {getattr(link, far) for link in links if getattr(link, far)} - seen
        seen |= frontier
    return sorted(steps, key=lambda s: (s.date, s.depth, s.event_id))


def lineage(unit: Unit) -> Lineage:
    """Every predecessor and successor of a unit, through every event, recursively."""
    return Lineage(unit, _walk(unit, forward=False), _walk(unit, forward=True))


# ---------------------------------------------------------------------------- crosswalk


def empty_crosswalk() -> pl.DataFrame:
    return pl.DataFrame(schema=CROSSWALK_SCHEMA)


def compose(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """first: D1 -> D2, second: D2 -> D3; the result D1 -> D3 multiplies weights along each
    path and sums parallel paths."""
    return (
        first.join(second, left_on="new_unit", right_on="old_unit", suffix="_2")
        .group_by("old_unit", "new_unit_2")
        .agg((pl.col("weight") * pl.col("weight_2")).sum().alias("weight"))
        .rename({"new_unit_2": "new_unit"})
        .select(list(CROSSWALK_SCHEMA))
        .cast(CROSSWALK_SCHEMA)  # type: ignore[arg-type]
        .sort("old_unit", "new_unit")
    )


def _within(units: QuerySet[Unit], province: Unit) -> QuerySet[Unit]:
    """The province row and the units under it (directly, or through one or two levels)."""
    return units.filter(
        Q(pk=province.pk)
        | Q(parent=province)
        | Q(parent__parent=province)
        | Q(parent__parent__parent=province)
    )


def _keys(units: QuerySet[Unit], pk: str, key: str, by_id: bool) -> pl.DataFrame:
    """(pk, unit_key or the id as text) of `units`, under the given column names."""
    frame = pl.DataFrame(
        list(units.order_by().values_list("pk", "code")),
        schema={pk: pl.Int64, "code": pl.String},
        orient="row",
    )
    text_id = pl.col(pk).cast(pl.String)
    name = text_id if by_id else pl.coalesce("code", pl.lit(NO_CODE_PREFIX) + text_id)
    return frame.select(pk, name.alias(key))


def crosswalk(
    d1: dt.date, d2: dt.date, *, province: Unit | str | None = None, by_id: bool = False
) -> pl.DataFrame:
    """Map the units in force on d1 onto those in force on d2 through the chain of events
    between them (d1 < event date <= d2), composing weights. Only forward in time.

    With `province`: the units of the province on d1, and every unit of d1 with a part in the
    province on d2 (a commune of another province merged into one of its communes), each with
    all its destinations so that its weights still sum to 1. With `by_id`, units are named by
    their database id (as text) instead of `unit_key`.

    A unit established between the dates without a recorded predecessor (a `create` event:
    the sources did not say what it was made of) enters as a part of its own, named
    `id:<database id>` (or its id with `by_id`): its territory's past is unknown, so whatever
    it became is never complete from the units of d1 alone."""
    if d2 < d1:
        raise ValueError(
            "Chỉ chuyển đổi được từ ngày trước sang ngày sau: "
            f"{format_date(d1)} > {format_date(d2)}."
        )
    old_keys = _keys(Unit.objects.valid_on(d1), "origin", "old_unit", by_id)
    current = old_keys.select(
        "origin", pl.col("origin").alias("unit"), pl.lit(1.0, pl.Float64).alias("weight")
    )
    rows = list(
        UnitEventLink.objects.filter(event__date__gt=d1, event__date__lte=d2)
        .order_by()
        .values_list("event__date", "old_unit_id", "new_unit_id", "weight")
    )
    every = pl.DataFrame(
        rows,
        schema={"date": pl.Date, "old": pl.Int64, "new": pl.Int64, "lw": pl.Float64},
        orient="row",
    )
    links = every.filter(pl.col("old").is_not_null())
    created = every.filter(pl.col("old").is_null() & pl.col("new").is_not_null())
    for day in pl.concat([links, created]).get_column("date").unique().sort().to_list():
        step = links.filter(pl.col("date") == day)
        moved = current.join(step, left_on="unit", right_on="old", how="inner")
        kept = current.join(step, left_on="unit", right_on="old", how="anti")
        born = created.filter(pl.col("date") == day).select(
            pl.col("new").alias("origin"), pl.col("new").alias("unit"), pl.lit(1.0).alias("weight")
        )
        current = pl.concat(
            [
                kept,
                moved.filter(pl.col("new").is_not_null()).select(
                    "origin",
                    pl.col("new").alias("unit"),
                    (pl.col("weight") * pl.col("lw")).alias("weight"),
                ),
                born,
            ]
        )
    if created.height:
        ids = pl.col("origin").cast(pl.String)
        old_keys = pl.concat(
            [
                old_keys,
                created.select(pl.col("new").alias("origin")).with_columns(
                    (ids if by_id else pl.lit(NO_CODE_PREFIX) + ids).alias("old_unit")
                ),
            ]
        )
    current = current.join(_keys(Unit.objects.valid_on(d2), "unit", "new_unit", by_id), on="unit")
    if province is not None:
        prov = province_on(province, d1)
        before = _within(Unit.objects.valid_on(d1), prov).values_list("pk", flat=True)
        origins = set(before)
        after = version_on(prov, d2)
        if after is not None:
            inside = list(_within(Unit.objects.valid_on(d2), after).values_list("pk", flat=True))
            origins.update(current.filter(pl.col("unit").is_in(inside))["origin"].to_list())
        current = current.filter(pl.col("origin").is_in(sorted(origins)))
    return (
        current.join(old_keys, on="origin")
        .group_by("old_unit", "new_unit")
        .agg(pl.col("weight").sum())
        .select(list(CROSSWALK_SCHEMA))
        .cast(CROSSWALK_SCHEMA)  # type: ignore[arg-type]
        .sort("old_unit", "new_unit")
    )


# ---------------------------------------------------------------------------- finding units


def find_units(
    text: str, *, day: dt.date | None = None, kinds: Iterable[str] | None = None
) -> list[Unit]:
    """Units whose code is `text`, or whose name matches it without diacritics and with or
    without the kind prefix; only those in force on `day` when given."""
    text = text.strip()
    qs = Unit.objects.all() if day is None else Unit.objects.valid_on(day)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if text.isdigit():
        return list(qs.filter(code=text).select_related("parent"))
    key = name_key(text)
    found = list(qs.filter(Q(name_key=key) | Q(name_key=fold(text))).select_related("parent"))
    # "Xã Hòa Bình" must not match "Phường Hòa Bình": a given prefix has to agree.
    if key != fold(text):
        exact = [u for u in found if fold(u.name) == fold(text)]
        if exact:
            return exact
    return found


def resolve_one(found: Sequence[Unit], text: str, day: dt.date | None = None) -> Unit:
    when = f" vào ngày {format_date(day)}" if day else ""
    if not found:
        raise UnitLookupError(f"Không tìm thấy đơn vị nào khớp với {text!r}{when}.")
    if len(found) > 1:
        lines = "\n".join(f"  - {describe(u)}" for u in found)
        raise UnitLookupError(
            f"Tên {text!r} khớp với {len(found)} đơn vị{when}; hãy dùng mã hoặc tên đầy đủ hơn:\n"
            + lines,
            found,
        )
    return found[0]


def describe(unit: Unit) -> str:
    """ "Xã Hòa Bình (06274, …–30/06/2025), Huyện Văn Quan"."""
    parent = f", {unit.parent.name}" if unit.parent_id and unit.parent else ""
    return f"{unit.label}{parent}"
