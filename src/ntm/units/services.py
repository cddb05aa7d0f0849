"""Every change of units goes through these functions (design decision 7).

Each runs in one transaction, takes the acting user (or a text `actor` for the command line)
as keyword arguments, refuses inconsistent input with a Vietnamese message and writes one
audit row with the state before and after.

An event on date D ends old units on D-1 and starts new ones on D. Both sides accept an
existing `Unit` or a `NewUnit` to create:

- an old side `NewUnit` is a historical unit that ended with the event and is not in the
  loaded data (a commune dissolved in 2019 has no code in any source we hold);
- a new side existing `Unit` either absorbs (it exists before and after D: "Vĩnh Tiến merged
  into Khánh Long") or, with `starts=True`, is a loaded unit whose unknown start is D.

Rename, reclassify and transfer version the unit: the row is closed on D-1 and a copy with
the change starts on D; its children in force on D are carried over to the new version.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import Q

from ntm.audit.services import record
from ntm.units.models import (
    LEVEL,
    EventKind,
    Origin,
    Unit,
    UnitEvent,
    UnitEventLink,
    UnitKind,
    WeightBasis,
)
from ntm.units.signals import unit_event_recorded
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number
from ntm.vn.text import name_key

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

ONE_DAY = dt.timedelta(days=1)
WEIGHT_TOLERANCE = 1e-9


class UnitServiceError(ValueError):
    """A refused change; `str(error)` is the Vietnamese message for the person who asked."""


@dataclass(frozen=True)
class NewUnit:
    """A unit to create. On the new side it starts on the event date; on the old side it is
    a historical unit that ends the day before. Region: inherited when not given."""

    name: str
    kind: str
    code: str | None = None
    parent: Unit | None = None
    region: str | None = None
    valid_from: dt.date | None = None  # old side only: when the historical unit began
    latitude: float | None = None
    longitude: float | None = None
    source: str = ""


Ref = Unit | NewUnit


class EventMeta(TypedDict, total=False):
    """What every service takes besides its own arguments: the legal basis, a note, the
    source, and who acts (a user, or a text `actor` for the command line; one is required)."""

    legal_basis: str
    note: str
    source: str
    acting_user: AbstractBaseUser | None
    actor: str


@dataclass
class _Ctx:
    date: dt.date
    kind: str
    legal_basis: str
    note: str
    source: str
    acting_user: AbstractBaseUser | None
    actor: str
    before: list[dict[str, Any]]
    touched: list[Unit]


def snapshot(unit: Unit) -> dict[str, Any]:
    """The audited state of a unit."""
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "region": unit.region,
        "region_conflict": unit.region_conflict,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "origin": unit.origin,
    }


# ---------------------------------------------------------------------------- checks


def _require_actor(acting_user: AbstractBaseUser | None, actor: str) -> None:
    if acting_user is None and not actor:
        raise UnitServiceError("Thiếu người thực hiện (acting_user hoặc actor).")


def _require_valid(unit: Unit, day: dt.date) -> None:
    if not unit.is_valid_on(day):
        raise UnitServiceError(
            f"Đơn vị {unit.name} ({unit.code or 'không mã'}) không tồn tại vào ngày "
            f"{format_date(day)} (hiệu lực {unit.period})."
        )


def _require_open_end(unit: Unit, ctx: _Ctx) -> None:
    """An old unit must be in force on D-1 and not already end later: ending it on D-1 would
    cut a validity that later events rest on."""
    _require_valid(unit, ctx.date - ONE_DAY)
    if unit.valid_to is not None:
        raise UnitServiceError(
            f"Đơn vị {unit.label} đã có ngày kết thúc {format_date(unit.valid_to)}; không thể "
            f"kết thúc lại vào ngày {format_date(ctx.date - ONE_DAY)}."
        )


def check_no_overlap(unit: Unit) -> None:
    """A code is used by at most one unit on any day."""
    if not unit.code:
        return
    clash = Unit.objects.filter(code=unit.code).exclude(pk=unit.pk)
    if unit.valid_to is not None:
        clash = clash.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=unit.valid_to))
    if unit.valid_from is not None:
        clash = clash.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=unit.valid_from))
    other = clash.first()
    if other is not None:
        raise UnitServiceError(
            f"Mã {unit.code}: hiệu lực {unit.period} của {unit.name} chồng lấn với "
            f"{other.name} (hiệu lực {other.period})."
        )


def _check_parent(unit_kind: str, parent: Unit | None, day: dt.date, name: str) -> None:
    if parent is None:
        if unit_kind != UnitKind.PROVINCE:
            raise UnitServiceError(f"{name}: đơn vị cấp dưới tỉnh phải có đơn vị cấp trên.")
        return
    _require_valid(parent, day)
    if LEVEL[UnitKind(parent.kind)] >= LEVEL[UnitKind(unit_kind)]:
        raise UnitServiceError(
            f"{name} ({UnitKind(unit_kind).label}) không thể trực thuộc {parent.name} "
            f"({parent.get_kind_display()})."
        )


def _check_weights(old: Unit | NewUnit, weights: Sequence[float]) -> None:
    for w in weights:
        if not (0 < w <= 1) or math.isnan(w):
            raise UnitServiceError(
                f"Tỷ trọng của {old.name} phải lớn hơn 0 và không quá 1 (nhận {w!r})."
            )
    total = math.fsum(weights)
    if abs(total - 1) > WEIGHT_TOLERANCE:
        raise UnitServiceError(
            f"Tổng tỷ trọng chia tách của {old.name} phải bằng 1 "
            f"(hiện là {format_number(total, 4, strip_zeros=True)})."
        )


# ---------------------------------------------------------------------------- building blocks


def inherit_region(parts: Iterable[tuple[str | None, float]]) -> tuple[str | None, bool]:
    """The region of a unit formed from predecessors (region, weight): the region carrying
    most weight (ties: alphabetical), and whether the predecessors disagree."""
    totals: dict[str, float] = defaultdict(float)
    for region, weight in parts:
        if region:
            totals[region] += weight
    if not totals:
        return None, False
    best = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return best, len(totals) > 1


def _mark_user(unit: Unit) -> None:
    unit.origin = Origin.USER


def _end(unit: Unit, ctx: _Ctx) -> None:
    _require_open_end(unit, ctx)
    ctx.before.append(snapshot(unit))
    unit.valid_to = ctx.date - ONE_DAY
    _mark_user(unit)
    unit.save(update_fields=["valid_to", "origin"])
    ctx.touched.append(unit)


def _historical(spec: NewUnit, ctx: _Ctx) -> Unit:
    """An old-side unit not in the data: created ending on D-1."""
    if spec.valid_from is not None and spec.valid_from >= ctx.date:
        raise UnitServiceError(
            f"{spec.name}: ngày bắt đầu {format_date(spec.valid_from)} phải trước ngày sự kiện "
            f"{format_date(ctx.date)}."
        )
    _check_parent(spec.kind, spec.parent, ctx.date - ONE_DAY, spec.name)
    unit = Unit(
        code=spec.code or None,
        name=spec.name,
        name_key=name_key(spec.name),
        kind=spec.kind,
        parent=spec.parent,
        region=spec.region if spec.region else (spec.parent.region if spec.parent else None),
        valid_from=spec.valid_from,
        valid_to=ctx.date - ONE_DAY,
        latitude=spec.latitude,
        longitude=spec.longitude,
        source=spec.source or ctx.source or ctx.legal_basis,
        origin=Origin.USER,
    )
    check_no_overlap(unit)
    same = Unit.objects.filter(parent=spec.parent, kind=spec.kind, name_key=unit.name_key).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=unit.valid_to)
    )
    if spec.valid_from is not None:
        same = same.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=spec.valid_from))
    twin = same.first()
    if twin is not None:
        raise UnitServiceError(
            f"Đơn vị {spec.name} đã có trong dữ liệu ({twin.label}); không tạo lại."
        )
    unit.save()
    ctx.touched.append(unit)
    return unit


def _old_side(ref: Ref, ctx: _Ctx) -> Unit:
    if isinstance(ref, NewUnit):
        return _historical(ref, ctx)
    _end(ref, ctx)
    return ref


def _create(spec: NewUnit, ctx: _Ctx, predecessors: Sequence[tuple[Unit, float]]) -> Unit:
    parent = spec.parent
    if parent is None and predecessors:
        parents = {u.parent_id for u, _ in predecessors}
        if len(parents) == 1:
            parent = predecessors[0][0].parent
    _check_parent(spec.kind, parent, ctx.date, spec.name)
    region: str | None
    if spec.region:
        region, conflict = spec.region, False
    elif predecessors:
        region, conflict = inherit_region((u.region, w) for u, w in predecessors)
    else:
        region, conflict = (parent.region if parent else None), False
    unit = Unit(
        code=spec.code or None,
        name=spec.name,
        name_key=name_key(spec.name),
        kind=spec.kind,
        parent=parent,
        region=region,
        region_conflict=conflict,
        valid_from=ctx.date,
        latitude=spec.latitude,
        longitude=spec.longitude,
        source=spec.source or ctx.source or ctx.legal_basis,
        origin=Origin.USER,
    )
    check_no_overlap(unit)
    unit.save()
    ctx.touched.append(unit)
    return unit


def _start_existing(unit: Unit, ctx: _Ctx) -> None:
    """A loaded unit whose unknown start is the event date."""
    _require_valid(unit, ctx.date)
    if unit.valid_from is not None:
        raise UnitServiceError(
            f"Đơn vị {unit.label} đã có ngày bắt đầu {format_date(unit.valid_from)}; "
            "sự kiện thành lập đã được ghi."
        )
    ctx.before.append(snapshot(unit))
    unit.valid_from = ctx.date
    check_no_overlap(unit)
    _mark_user(unit)
    unit.save(update_fields=["valid_from", "origin"])
    ctx.touched.append(unit)


def _absorbing(unit: Unit, ctx: _Ctx) -> None:
    """A unit that receives old units or parts: in force on the day before, or started on
    the date by another event of the same day."""
    if unit.valid_from != ctx.date:
        _require_valid(unit, ctx.date - ONE_DAY)
    _require_valid(unit, ctx.date)


def _refuse_children(unit: Unit, ctx: _Ctx, what: str) -> None:
    n = Unit.objects.valid_on(ctx.date).filter(parent=unit).count()
    if n:
        raise UnitServiceError(
            f"Đơn vị {unit.label} còn {n} đơn vị cấp dưới vào ngày {format_date(ctx.date)}; "
            f"hãy chuyển chúng trước khi {what}."
        )


def _carry_children(old: Unit, new: Unit, ctx: _Ctx, links: list[UnitEventLink]) -> None:
    """Children of a versioned unit follow it: each becomes a new version under `new`."""
    for child in Unit.objects.valid_on(ctx.date).filter(parent=old):
        links.append(_version(child, ctx, links, parent=new))


def _version(unit: Unit, ctx: _Ctx, links: list[UnitEventLink], **changes: Any) -> UnitEventLink:
    _end(unit, ctx)
    new = Unit(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent=unit.parent,
        region=unit.region,
        region_conflict=unit.region_conflict,
        commune_group=unit.commune_group,
        special_difficulty=unit.special_difficulty,
        safe_zone_poor_district=unit.safe_zone_poor_district,
        border=unit.border,
        valid_from=ctx.date,
        latitude=unit.latitude,
        longitude=unit.longitude,
        source=ctx.source or ctx.legal_basis or unit.source,
        origin=Origin.USER,
    )
    for field, value in changes.items():
        setattr(new, field, value)
    new.name_key = name_key(new.name)
    check_no_overlap(new)
    new.save()
    ctx.touched.append(new)
    _carry_children(unit, new, ctx, links)
    return UnitEventLink(old_unit=unit, new_unit=new, weight=1.0)


def _finish(ctx: _Ctx, links: list[UnitEventLink]) -> UnitEvent:
    event = UnitEvent.objects.create(
        kind=ctx.kind,
        date=ctx.date,
        legal_basis=ctx.legal_basis,
        note=ctx.note,
        source=ctx.source,
        origin=Origin.USER,
    )
    for link in links:
        link.event = event
    UnitEventLink.objects.bulk_create(links)
    record(
        action=f"units.{ctx.kind}",
        object_type="units.UnitEvent",
        object_id=event.pk,
        before={"units": ctx.before},
        after={
            "event": {
                "kind": event.kind,
                "date": event.date.isoformat(),
                "legal_basis": event.legal_basis,
                "note": event.note,
            },
            "links": [
                {"old": link.old_unit_id, "new": link.new_unit_id, "weight": link.weight}
                for link in links
            ],
            "units": [snapshot(u) for u in _unique(ctx.touched)],
        },
        acting_user=ctx.acting_user,
        actor=ctx.actor,
        reason=ctx.note,
        legal_basis=ctx.legal_basis,
    )
    unit_event_recorded.send(
        sender=UnitEvent, event=event, acting_user=ctx.acting_user, actor=ctx.actor
    )
    return event


def _unique(units: Iterable[Unit]) -> list[Unit]:
    seen: dict[int, Unit] = {}
    for u in units:
        seen.setdefault(u.pk, u)
    return list(seen.values())


def _ctx(kind: str, date: dt.date, meta: EventMeta) -> _Ctx:
    unknown = set(meta) - EventMeta.__optional_keys__
    if unknown:  # what a misspelt keyword argument would raise without **meta
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(unknown))}")
    acting_user, actor = meta.get("acting_user"), meta.get("actor", "")
    _require_actor(acting_user, actor)
    return _Ctx(
        date,
        kind,
        meta.get("legal_basis", ""),
        meta.get("note", ""),
        meta.get("source", ""),
        acting_user,
        actor,
        [],
        [],
    )


def _versioned(unit: Unit, ctx: _Ctx, **changes: Any) -> UnitEvent:
    """Rename, reclassify, transfer: a new version of `unit` (and of its children)."""
    with transaction.atomic():
        links: list[UnitEventLink] = []
        links.insert(0, _version(unit, ctx, links, **changes))
        return _finish(ctx, links)


# ---------------------------------------------------------------------------- services


def create_unit(
    unit: Ref,
    *,
    date: dt.date,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    """A unit is established on `date`: a new one, or a loaded one whose start was unknown."""
    ctx = _ctx(EventKind.CREATE, date, meta)
    with transaction.atomic():
        if isinstance(unit, NewUnit):
            new = _create(unit, ctx, ())
        else:
            _start_existing(unit, ctx)
            new = unit
        return _finish(ctx, [UnitEventLink(new_unit=new)])


def dissolve_unit(
    unit: Ref,
    *,
    date: dt.date,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    """A unit ends on date-1 without a stated successor."""
    ctx = _ctx(EventKind.DISSOLVE, date, meta)
    with transaction.atomic():
        if isinstance(unit, Unit):
            _refuse_children(unit, ctx, "giải thể")
        old = _old_side(unit, ctx)
        return _finish(ctx, [UnitEventLink(old_unit=old)])


def merge_units(
    olds: Sequence[Ref],
    *,
    into: Ref,
    date: dt.date,
    into_starts: bool = False,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    """Old units become one: a new unit, or an existing one that absorbs them (or, with
    `into_starts`, a loaded unit that starts on `date`)."""
    ctx = _ctx(EventKind.MERGE, date, meta)
    if not olds:
        raise UnitServiceError("Sáp nhập cần ít nhất một đơn vị cũ.")
    with transaction.atomic():
        if isinstance(into, Unit) and into_starts:
            # First, so that an old unit of the same name (the town before it took another
            # commune's code) can be recorded as ending the day before.
            _start_existing(into, ctx)
        old_units = [_old_side(ref, ctx) for ref in olds]
        if len({u.pk for u in old_units}) != len(old_units):
            raise UnitServiceError("Một đơn vị được kê hai lần trong cùng một sự kiện sáp nhập.")
        if isinstance(into, NewUnit):
            new = _create(into, ctx, [(u, 1.0) for u in old_units])
        else:
            if into.pk in {u.pk for u in old_units}:
                raise UnitServiceError(f"{into.name} vừa là đơn vị cũ vừa là đơn vị nhận.")
            if not into_starts:
                _absorbing(into, ctx)
            new = into
        links = [UnitEventLink(old_unit=u, new_unit=new, weight=1.0) for u in old_units]
        for u in old_units:
            _carry_children(u, new, ctx, links)
        return _finish(ctx, links)


def split_unit(
    old: Ref,
    parts: Sequence[tuple[Ref, float]],
    *,
    date: dt.date,
    weight_basis: str = WeightBasis.STATED,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    """One unit is divided between new units and/or existing ones that absorb a part; the
    weights (the share of the old unit going to each part) must sum to 1."""
    ctx = _ctx(EventKind.SPLIT, date, meta)
    if len(parts) < 2:
        raise UnitServiceError(f"Chia tách {old.name} cần ít nhất hai phần.")
    _check_weights(old, [w for _, w in parts])
    with transaction.atomic():
        if isinstance(old, Unit):
            _refuse_children(old, ctx, "chia tách")
        old_unit = _old_side(old, ctx)
        links = []
        for ref, weight in parts:
            if isinstance(ref, NewUnit):
                new = _create(ref, ctx, [(old_unit, 1.0)])
            else:
                _absorbing(ref, ctx)
                new = ref
            links.append(
                UnitEventLink(
                    old_unit=old_unit, new_unit=new, weight=weight, weight_basis=weight_basis
                )
            )
        if len({link.new_unit.pk for link in links if link.new_unit}) != len(links):
            raise UnitServiceError(f"Một phần được kê hai lần khi chia tách {old.name}.")
        return _finish(ctx, links)


def rename_unit(
    unit: Unit,
    name: str,
    *,
    date: dt.date,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    ctx = _ctx(EventKind.RENAME, date, meta)
    name = " ".join(name.split())
    if not name:
        raise UnitServiceError("Tên mới không được để trống.")
    if name == unit.name:
        raise UnitServiceError(f"Tên mới trùng tên hiện tại ({unit.name}).")
    return _versioned(unit, ctx, name=name)


def reclassify_unit(
    unit: Unit,
    kind: str,
    *,
    date: dt.date,
    name: str | None = None,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    """E.g. commune -> ward (the unit leaves the NTM denominator). The level cannot change."""
    ctx = _ctx(EventKind.RECLASSIFY, date, meta)
    if kind not in UnitKind.values:
        raise UnitServiceError(f"Loại đơn vị không hợp lệ: {kind!r}.")
    if kind == unit.kind:
        raise UnitServiceError(f"{unit.name} đã là {unit.get_kind_display()}.")
    if LEVEL[UnitKind(kind)] != LEVEL[UnitKind(unit.kind)]:
        raise UnitServiceError(
            f"Chuyển loại {unit.name} từ {unit.get_kind_display()} sang {UnitKind(kind).label} "
            "làm thay đổi cấp hành chính; dùng sự kiện thành lập/giải thể."
        )
    changes: dict[str, Any] = {"kind": kind}
    if name:
        changes["name"] = " ".join(name.split())
    return _versioned(unit, ctx, **changes)


def transfer_unit(
    unit: Unit,
    parent: Unit,
    *,
    date: dt.date,
    **meta: Unpack[EventMeta],
) -> UnitEvent:
    """The unit moves under another parent from `date`."""
    ctx = _ctx(EventKind.TRANSFER, date, meta)
    ancestor: Unit | None = parent
    while ancestor is not None:
        if ancestor.pk == unit.pk:
            raise UnitServiceError(
                f"Không thể chuyển {unit.name} về trực thuộc {parent.name}: tạo thành vòng lặp "
                "(đơn vị sẽ là cấp trên của chính nó)."
            )
        ancestor = ancestor.parent
    if parent.pk == unit.parent_id:
        raise UnitServiceError(f"{unit.name} đã trực thuộc {parent.name}.")
    _check_parent(unit.kind, parent, date, unit.name)
    return _versioned(unit, ctx, parent=parent)
