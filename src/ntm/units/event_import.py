"""Import earlier unit events from a YAML or CSV file: all or nothing, every problem reported.

YAML: a mapping with `province` (code or name, used to match names) and `events`, a list of
mappings::

    - date: 2024-12-01            # first day of the new units (dd/mm/yyyy or yyyy-mm-dd)
      kind: merge                 # merge, split, rename, reclassify, transfer, create, dissolve
      legal_basis: NQ 1246/NQ-UBTVQH15
      district: Tràng Định        # where names are looked up (optional)
      note: ...
      old: [{name: Vĩnh Tiến, historical: true}]   # merge: units that end
      into: {name: Khánh Long}    # merge: the unit that absorbs them (or `starts: true`)

A unit reference is {name, code, kind, district, historical, starts, weight}. `historical: true`
declares a unit that ended with the event and is not in the data: it is created, with its code
only if one is given (no code stays a null code), and named with its kind's prefix ("Tĩnh Bắc"
becomes "Xã Tĩnh Bắc") unless the name is written with it; a prefix of another kind is refused.
Otherwise the name must match exactly one unit in force (diacritics and the kind prefix do not
matter) — no match or several is an error. `split` has `old` (one reference) and `parts`
(references with `weight`, summing to 1) and optional `weight_basis`;
`create` has `new`; `dissolve` has `old`; `rename` has `unit` and `name`; `reclassify` has
`unit`, `to_kind` and optional `name`; `transfer` has `unit` and `parent`.

CSV: one row per unit reference, columns event, date, kind, legal_basis, province, district,
note, role (old | into | new | part | unit | parent), name, code, unit_kind, historical,
starts, weight, weight_basis, new_name, to_kind; rows with the same `event` form one event.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.db import transaction

from ntm.audit.services import record
from ntm.units import services
from ntm.units.models import EventKind, Unit, UnitEvent, UnitKind, WeightBasis
from ntm.units.queries import UnitLookupError, describe, find_units, province_on, units_of
from ntm.vn.dates import format_date, parse_date
from ntm.vn.text import fold, matching_name

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

PREFIX = {UnitKind.COMMUNE: "Xã", UnitKind.TOWN: "Thị trấn", UnitKind.WARD: "Phường"}
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class RowError:
    row: int  # YAML: line of the event; CSV: line of the row
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"dòng {self.row}, cột {self.column}, giá trị {self.value!r}: {self.reason}"


class EventImportError(Exception):
    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.errors = errors
        head = f"Tệp {source}: {len(errors)} lỗi, không ghi sự kiện nào."
        super().__init__("\n".join([head, *(f"  - {e}" for e in errors)]))


@dataclass
class _Event:
    line: int
    data: dict[str, Any]
    lines: dict[str, int]  # column -> line (CSV rows of references)


# ---------------------------------------------------------------------------- reading files


def _read_yaml(text: str) -> tuple[dict[str, Any], list[_Event]]:
    root = yaml.compose(text)
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise EventImportError("", [RowError(1, "events", "", "Tệp phải có danh sách 'events'.")])
    lines: list[int] = []
    assert root is not None
    for key_node, value_node in root.value:
        if key_node.value == "events":
            lines = [item.start_mark.line + 1 for item in value_node.value]
    events = [
        _Event(line, ev if isinstance(ev, dict) else {}, {})
        for line, ev in zip(lines, data["events"], strict=True)
    ]
    header = {k: v for k, v in data.items() if k != "events"}
    return header, events


CSV_EVENT_COLUMNS = ("date", "kind", "legal_basis", "province", "district", "note", "weight_basis")


def _read_csv(text: str) -> tuple[dict[str, Any], list[_Event]]:
    rows = csv.DictReader(io.StringIO(text))
    events: dict[str, _Event] = {}
    for line, row in enumerate(rows, start=2):
        eid = (row.get("event") or "").strip()
        ev = events.get(eid)
        if ev is None:
            ev = events[eid] = _Event(line, {}, {})
            for col in CSV_EVENT_COLUMNS:
                if row.get(col):
                    ev.data[col] = row[col].strip()
        ref: dict[str, Any] = {}
        for col, key in (("name", "name"), ("code", "code"), ("unit_kind", "kind")):
            if row.get(col):
                ref[key] = row[col].strip()
        for col in ("historical", "starts"):
            if (row.get(col) or "").strip().lower() in {"1", "true", "yes", "x", "có"}:
                ref[col] = True
        if row.get("weight"):
            ref["weight"] = row["weight"].strip()
        if row.get("new_name"):
            ev.data["name"] = row["new_name"].strip()
        if row.get("to_kind"):
            ev.data["to_kind"] = row["to_kind"].strip()
        role = (row.get("role") or "").strip()
        if role in {"old", "parts", "part", "new"}:
            key = "parts" if role == "part" else role
            ev.data.setdefault(key, []).append(ref)
            ev.lines[f"{key}[{len(ev.data[key]) - 1}]"] = line
        elif role in {"into", "unit", "parent"}:
            ev.data[role] = ref
            ev.lines[role] = line
        else:
            ev.data.setdefault("_bad_role", []).append((line, role))
    return {}, list(events.values())


# ---------------------------------------------------------------------------- applying


def written_prefix(name: str) -> UnitKind | None:
    """The commune-level kind whose prefix ("Xã", "Thị trấn", "Phường") `name` begins with,
    as written with its diacritics: without them a prefix cannot be told from a name
    ("Phuong Dong" may be "Phường Đông" or "Phương Đông")."""
    text = fold(name, keep_marks=True)
    for kind, prefix in PREFIX.items():
        if text.startswith(fold(prefix, keep_marks=True) + " "):
            return kind
    return None


def matching(units: Iterable[Unit], name: str) -> list[Unit]:
    """The units `name` stands for, without regard to diacritics or the kind prefix. A name
    whose first word is also a prefix ("Tĩnh Bắc", "Quan Sơn") is tried both whole and
    without that word; the whole name wins when it matches."""
    return matching_name(units, name, lambda u: (u.name_key, fold(u.name)))


class _Refusal(Exception):
    def __init__(self, column: str, value: object, reason: str) -> None:
        self.column, self.value, self.reason = column, str(value), reason


class _Importer:
    def __init__(self, header: dict[str, Any]) -> None:
        self.header = header

    def province(self, ev: dict[str, Any], day: dt.date) -> Unit | None:
        text = ev.get("province", self.header.get("province"))
        if not text:
            return None
        try:
            return province_on(str(text), day)
        except UnitLookupError as e:
            raise _Refusal("province", text, str(e)) from e

    def district(
        self, ev: dict[str, Any], ref: dict[str, Any], day: dt.date, col: str
    ) -> Unit | None:
        text = ref.get("district", ev.get("district"))
        if not text:
            return None
        prov = self.province(ev, day)
        pool = (
            units_of(prov, day, kinds=[UnitKind.DISTRICT])
            if prov
            else find_units(str(text), day=day, kinds=[UnitKind.DISTRICT])
        )
        found = matching(pool, str(text))
        if len(found) != 1:
            reason = (
                f"Không tìm thấy huyện {text!r} vào ngày {format_date(day)}."
                if not found
                else "Tên huyện mơ hồ: " + "; ".join(describe(u) for u in found)
            )
            raise _Refusal(f"{col}.district", text, reason)
        return found[0]

    def ref(
        self, ev: dict[str, Any], ref: object, col: str, day: dt.date, *, may_be_new: bool
    ) -> services.Ref:
        if not isinstance(ref, dict) or not str(ref.get("name") or ref.get("code") or "").strip():
            raise _Refusal(col, ref, "Cần tên (name) hoặc mã (code) của đơn vị.")
        name = str(ref.get("name") or "").strip()
        code = str(ref["code"]).strip() if ref.get("code") else None
        kind = str(ref.get("kind") or "")
        if kind and kind not in UnitKind.values:
            raise _Refusal(
                f"{col}.kind", kind, f"Loại đơn vị không hợp lệ; dùng {', '.join(UnitKind.values)}."
            )
        district = self.district(ev, ref, day, col)
        if ref.get("historical"):
            if not may_be_new:
                raise _Refusal(f"{col}.historical", True, "Chỉ đơn vị cũ mới khai báo là lịch sử.")
            if not name:
                raise _Refusal(f"{col}.name", "", "Đơn vị lịch sử cần tên.")
            kind = kind or UnitKind.COMMUNE
            given = written_prefix(name)
            if given is not None and given != kind:
                raise _Refusal(
                    f"{col}.name",
                    name,
                    f"Tên bắt đầu bằng '{PREFIX[given]}' nhưng loại đơn vị là {kind}; "
                    f"ghi kind: {given} hoặc bỏ tiền tố.",
                )
            full = (
                name
                if given is not None or kind not in PREFIX
                else f"{PREFIX[UnitKind(kind)]} {name}"
            )
            parent = district or self.province(ev, day)
            return services.NewUnit(name=full, kind=kind, code=code, parent=parent)
        prov = self.province(ev, day)
        if district is not None:
            pool = [u for u in Unit.objects.valid_on(day).filter(parent=district)]
        elif prov is not None:
            pool = units_of(prov, day)
        else:
            pool = find_units(name or str(code), day=day)
        pool = [u for u in pool if (not code or u.code == code) and (not kind or u.kind == kind)]
        found = matching(pool, name) if name else pool
        if not found:
            raise _Refusal(
                f"{col}.name",
                name or code,
                f"Không tìm thấy đơn vị này vào ngày {format_date(day)}.",
            )
        if len(found) > 1:
            raise _Refusal(
                f"{col}.name",
                name,
                "Tên mơ hồ, khớp với: "
                + "; ".join(describe(u) for u in found)
                + ". Hãy thêm mã hoặc huyện.",
            )
        return found[0]

    def apply(self, ev: dict[str, Any], common: dict[str, Any]) -> UnitEvent:
        kind = ev.get("kind")
        date: dt.date = common["date"]
        before, on = date - ONE_DAY, date
        handlers: dict[str, Callable[[], UnitEvent]] = {
            EventKind.MERGE: lambda: services.merge_units(
                [
                    self.ref(ev, r, f"old[{i}]", before, may_be_new=True)
                    for i, r in enumerate(_list(ev, "old"))
                ],
                into=self.ref(ev, _one(ev, "into"), "into", on, may_be_new=False),
                into_starts=bool((ev.get("into") or {}).get("starts")),
                **common,
            ),
            EventKind.SPLIT: lambda: services.split_unit(
                self.ref(ev, _one(ev, "old"), "old", before, may_be_new=True),
                [
                    (
                        self.ref(ev, r, f"parts[{i}]", on, may_be_new=False),
                        _weight(r, f"parts[{i}]"),
                    )
                    for i, r in enumerate(_list(ev, "parts"))
                ],
                weight_basis=_basis(ev),
                **common,
            ),
            EventKind.CREATE: lambda: services.create_unit(
                self.ref(ev, _one(ev, "new"), "new", on, may_be_new=False), **common
            ),
            EventKind.DISSOLVE: lambda: services.dissolve_unit(
                self.ref(ev, _one(ev, "old"), "old", before, may_be_new=True), **common
            ),
            EventKind.RENAME: lambda: services.rename_unit(
                _existing(self.ref(ev, _one(ev, "unit"), "unit", before, may_be_new=False)),
                str(ev.get("name") or ""),
                **common,
            ),
            EventKind.RECLASSIFY: lambda: services.reclassify_unit(
                _existing(self.ref(ev, _one(ev, "unit"), "unit", before, may_be_new=False)),
                str(ev.get("to_kind") or ""),
                name=ev.get("name"),
                **common,
            ),
            EventKind.TRANSFER: lambda: services.transfer_unit(
                _existing(self.ref(ev, _one(ev, "unit"), "unit", before, may_be_new=False)),
                _existing(self.ref(ev, _one(ev, "parent"), "parent", on, may_be_new=False)),
                **common,
            ),
        }
        if kind not in handlers:
            raise _Refusal(
                "kind", kind, f"Loại sự kiện không hợp lệ; dùng {', '.join(EventKind.values)}."
            )
        return handlers[str(kind)]()


def _list(ev: dict[str, Any], key: str) -> list[Any]:
    value = ev.get(key)
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list) or not value:
        raise _Refusal(key, value, f"Thiếu danh sách '{key}'.")
    return value


def _one(ev: dict[str, Any], key: str) -> Any:
    value = ev.get(key)
    if isinstance(value, list):
        if len(value) != 1:
            raise _Refusal(key, value, f"'{key}' phải là đúng một đơn vị.")
        value = value[0]
    if not isinstance(value, dict):
        raise _Refusal(key, value, f"Thiếu '{key}'.")
    return value


def _weight(ref: dict[str, Any], col: str) -> float:
    raw = ref.get("weight")
    try:
        return float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        raise _Refusal(f"{col}.weight", raw, "Tỷ trọng phải là một số từ 0 đến 1.") from None


def _basis(ev: dict[str, Any]) -> str:
    basis = str(ev.get("weight_basis") or WeightBasis.STATED)
    if basis not in WeightBasis.values:
        raise _Refusal("weight_basis", basis, f"Dùng {', '.join(WeightBasis.values)}.")
    return basis


def _existing(ref: services.Ref) -> Unit:
    assert isinstance(ref, Unit)
    return ref


def _date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value or ""))
    except ValueError as e:
        raise _Refusal("date", value, str(e)) from e


def import_events(
    path: Path | str,
    *,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
    text: str | None = None,
) -> list[UnitEvent]:
    """Apply every event of the file in date order, in one transaction; on any problem
    nothing is written and `EventImportError` lists every rejected row."""
    path = Path(path)
    source = path.name
    raw = path.read_text(encoding="utf-8") if text is None else text
    try:
        header, events = _read_csv(raw) if path.suffix.lower() == ".csv" else _read_yaml(raw)
    except yaml.YAMLError as e:
        raise EventImportError(source, [RowError(0, "—", "", f"YAML không đọc được: {e}")]) from e
    except EventImportError as e:
        raise EventImportError(source, e.errors) from e
    errors: list[RowError] = []
    dated: list[tuple[dt.date, int, _Event]] = []
    for i, ev in enumerate(events):
        for line, role in ev.data.pop("_bad_role", []):
            errors.append(
                RowError(
                    line, "role", role, "Vai trò không hợp lệ (old, into, new, part, unit, parent)."
                )
            )
        try:
            dated.append((_date(ev.data.get("date")), i, ev))
        except _Refusal as r:
            errors.append(RowError(ev.line, r.column, r.value, r.reason))
    importer = _Importer(header)
    done: list[UnitEvent] = []
    with transaction.atomic():
        for day, _, ev in sorted(dated, key=lambda t: (t[0], t[1])):
            common = {
                "date": day,
                "legal_basis": str(ev.data.get("legal_basis") or ""),
                "note": str(ev.data.get("note") or ""),
                "source": str(ev.data.get("source") or header.get("source") or source),
                "acting_user": acting_user,
                "actor": actor,
            }
            try:
                with transaction.atomic():
                    done.append(importer.apply(ev.data, common))
            except _Refusal as r:
                errors.append(
                    RowError(
                        ev.lines.get(r.column.split(".")[0], ev.line), r.column, r.value, r.reason
                    )
                )
            except services.UnitServiceError as e:
                errors.append(RowError(ev.line, "kind", str(ev.data.get("kind")), str(e)))
        if errors:
            transaction.set_rollback(True)
        else:
            record(
                action="units.import_events",
                object_type="units.UnitEvent",
                after={"file": source, "events": [e.pk for e in done]},
                acting_user=acting_user,
                actor=actor,
                reason=f"Nhập {len(done)} sự kiện từ tệp {source}",
            )
    if errors:
        raise EventImportError(source, sorted(errors, key=lambda e: e.row))
    return done
