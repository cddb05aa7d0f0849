"""`ntm units load | import-events | show | lineage`: administrative units from the command line."""

from __future__ import annotations

import datetime as dt
import getpass
from argparse import ArgumentParser, ArgumentTypeError
from importlib import resources
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ntm.units.event_import import EventImportError, import_events
from ntm.units.loader import load_units
from ntm.units.models import COMMUNE_LEVEL, Unit, UnitKind
from ntm.units.queries import (
    UnitLookupError,
    describe,
    find_units,
    lineage,
    province_on,
    resolve_one,
    units_of,
)
from ntm.vn.dates import format_date, parse_date
from ntm.vn.numbers import format_number

BUNDLED = {"langson": "langson-events.yaml"}
KIND_ORDER = [
    UnitKind.DISTRICT,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.TOWN,
    UnitKind.SPECIAL_ZONE,
]


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as e:
        raise ArgumentTypeError(str(e)) from e


class Command(BaseCommand):
    help = "Đơn vị hành chính: nạp dữ liệu, nhập sự kiện, xem danh sách và lịch sử."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Nạp đơn vị hành chính từ gói vietnamadminunits.")
        imp = sub.add_parser("import-events", help="Nhập sự kiện từ tệp YAML/CSV.")
        imp.add_argument("file", nargs="?", help="Tệp YAML hoặc CSV")
        imp.add_argument("--bundled", choices=sorted(BUNDLED), help="Tệp đóng gói sẵn")
        show = sub.add_parser("show", help="Đơn vị của một tỉnh vào một ngày.")
        show.add_argument("province", help="Mã hoặc tên tỉnh")
        show.add_argument(
            "--as-of", type=_date, default=None, help="Ngày (dd/mm/yyyy hoặc yyyy-mm-dd)"
        )
        lin = sub.add_parser("lineage", help="Các đơn vị tiền thân và kế thừa của một đơn vị.")
        lin.add_argument("unit", help="Mã hoặc tên đơn vị")
        lin.add_argument("--as-of", type=_date, default=None, help="Chọn đơn vị theo ngày")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = f"cli:{getpass.getuser()}"
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options, actor)
        except (UnitLookupError, EventImportError) as e:
            raise CommandError(str(e)) from e

    def _load(self, options: dict[str, Any], actor: str) -> None:
        result = load_units(actor=actor)
        self.stdout.write(
            f"Đã nạp {format_number(result.created_units)} đơn vị, "
            f"{format_number(result.created_events)} sự kiện, "
            f"{format_number(result.created_links)} liên kết "
            f"trong {format_number(result.seconds, 1)} giây."
        )
        if not result.created_units and not result.created_events:
            self.stdout.write("Dữ liệu đã có đủ; không thay đổi gì.")
        if result.preserved:
            self.stdout.write(
                f"Giữ nguyên {format_number(result.preserved)} đơn vị đã được người dùng sửa."
            )

    def _import_events(self, options: dict[str, Any], actor: str) -> None:
        if bool(options["file"]) == bool(options["bundled"]):
            raise CommandError("Cần đúng một trong hai: FILE hoặc --bundled.")
        if options["bundled"]:
            res = resources.files("ntm.units").joinpath("data/" + BUNDLED[options["bundled"]])
            events = import_events(Path(res.name), actor=actor, text=res.read_text("utf-8"))
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"Không tìm thấy tệp {path}.")
            events = import_events(path, actor=actor)
        self.stdout.write(f"Đã nhập {format_number(len(events))} sự kiện.")

    def _show(self, options: dict[str, Any], actor: str) -> None:
        day = options["as_of"] or dt.date.today()
        prov = province_on(options["province"], day)
        units = units_of(prov, day)
        self.stdout.write(f"{prov.name} ({prov.code}) vào ngày {format_date(day)}")
        for kind in KIND_ORDER:
            n = sum(u.kind == kind for u in units)
            if n:
                self.stdout.write(f"  {UnitKind(kind).label}: {format_number(n)}")
        n_level = sum(u.kind in COMMUNE_LEVEL for u in units)
        self.stdout.write(f"  Tổng đơn vị cấp xã: {format_number(n_level)}")
        self.stdout.write("")
        for unit in sorted(units, key=lambda u: (KIND_ORDER.index(UnitKind(u.kind)), u.name_key)):
            parent = (
                f"  — {unit.parent.name}"
                if unit.parent and unit.parent.kind == UnitKind.DISTRICT
                else ""
            )
            self.stdout.write(f"  {unit.code or '—':>6}  {unit.name}{parent}")

    def _lineage(self, options: dict[str, Any], actor: str) -> None:
        text: str = options["unit"]
        found = find_units(text, day=options["as_of"])
        if len(found) > 1 and options["as_of"] is None:
            # A code used by several versions: the most recent one, unless a date says otherwise.
            codes = {u.code for u in found}
            if text.strip().isdigit() and len(codes) == 1:
                found = [max(found, key=_start)]
        unit = resolve_one(found, text, options["as_of"])
        info = lineage(unit)
        self.stdout.write(f"Lịch sử của {describe(unit)}")
        self._steps("Tiền thân", info.predecessors, old_side=True)
        self._steps("Kế thừa", info.successors, old_side=False)

    def _steps(self, title: str, steps: list[Any], *, old_side: bool) -> None:
        self.stdout.write(f"{title}:")
        if not steps:
            self.stdout.write("  (không có)")
        for s in steps:
            other: Unit | None = s.old if old_side else s.new
            weight = (
                f", tỷ trọng {format_number(s.weight, 4, strip_zeros=True)}"
                if s.weight != 1
                else ""
            )
            basis = f" — {s.legal_basis}" if s.legal_basis else ""
            who = describe(other) if other else "(không có đơn vị kế thừa được nêu)"
            arrow = f"{describe(s.old) if s.old else '—'} → {describe(s.new) if s.new else '—'}"
            self.stdout.write(
                f"  {'  ' * (s.depth - 1)}{format_date(s.date)} {s.event_kind_label}{basis}: "
                f"{who if s.depth == 1 else arrow}{weight}"
            )


def _start(unit: Unit) -> dt.date:
    return unit.valid_from or dt.date.min
