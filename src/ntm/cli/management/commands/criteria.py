"""`ntm criteria list | show SET | template SET --out FILE.xlsx [--level criterion --province P
--year YYYY]`: the criteria sets as data, and the workbooks to fill."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ntm.criteria.loader import (
    CriteriaError,
    bundled_set_ids,
    load_measures,
    load_overlay_file,
    load_set,
)
from ntm.criteria.resolve import NotInPeriod, ResolvedSet, resolve
from ntm.criteria.schema import PROVINCE, Cell, CellStatus, Condition, CriteriaSet, Op, Overlay
from ntm.criteria.summary import SetSummary, in_force_text, summarize, years_span
from ntm.results.sets import national_sets_of, own_sets, with_province_decisions_now
from ntm.units.queries import UnitLookupError, province_on
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_measured, format_number

TIER_VI = {
    "standard": "NTM",
    "advanced": "NTM nâng cao",
    "model": "NTM kiểu mẫu",
    "modern": "NTM hiện đại",
}
LEVEL_VI = {"commune": "xã", "district": "huyện", "province": "tỉnh"}
OP_VI = {Op.AT_LEAST: "≥", Op.AT_MOST: "≤", Op.EQUAL: "=", Op.YES: "Đạt", Op.NONE: "Không có"}
YES_NONE_CELL = {Op.YES: "Đạt", Op.NONE: "Không"}
FLAG_VI = {
    "special_difficulty": "xã đặc biệt khó khăn",
    "safe_zone_poor_district": "xã an toàn khu thuộc huyện nghèo",
}
UNVERIFIED_MARK = "*"
MISSING_MARK = "—"
LEGEND = [
    f"{UNVERIFIED_MARK} chưa xác minh (unverified): giá trị chưa được văn bản công khai xác nhận",
    f"{MISSING_MARK} thiếu giá trị (missing): chưa có ngưỡng, đánh giá sẽ báo thiếu ngưỡng",
    "Đạt: đánh giá theo hướng dẫn của bộ, ngành và của tỉnh; "
    "Không có: phải không còn (ví dụ nhà tạm, dột nát)",
]


def _date(value: dt.date | None) -> str:
    return format_date(value) if value else "?"


def _column_label(code: str, kind: str) -> str:
    if kind == "national":
        return "Chung"
    if kind == "commune_group":
        return "Nhóm " + code.removeprefix("group_")
    if code == PROVINCE:
        return "Tỉnh"
    return code


def _cell_text(value: float | None, status: CellStatus) -> str:
    if status == "missing" or value is None:
        return MISSING_MARK
    text = format_measured(value)
    return text + (UNVERIFIED_MARK if status == "unverified" else "")


def _basis_line(cset: CriteriaSet) -> str:
    lb = cset.legal_basis
    issuer = f" ({lb.issuer})" if lb.issuer else ""
    line = f"Căn cứ: {lb.number}, ký ngày {_date(lb.date_signed)}{issuer}"
    line += f"; hiệu lực từ {_date(cset.effective_from)}"
    if cset.effective_to:
        line += f" đến {_date(cset.effective_to)}"
    return line


class Command(BaseCommand):
    help = (
        "Bộ tiêu chí: liệt kê (list), xem dạng bảng (show), tạo mẫu nhập liệu (template). "
        "(Criteria sets: list them, show one as a table, write its input template.)"
    )
    requires_system_checks: tuple[str, ...] = ()  # no checks: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,show,template}")
        listing = sub.add_parser("list", help="liệt kê các bộ tiêu chí có sẵn")
        listing.add_argument(
            "--province",
            metavar="P",
            help="mã hoặc tên tỉnh: thêm số ô ngưỡng tỉnh còn phải bổ sung sau các quyết định",
        )
        show = sub.add_parser("show", help="xem một bộ tiêu chí dạng bảng")
        show.add_argument("set_id", metavar="SET", help="mã bộ tiêu chí hoặc đường dẫn tệp .yaml")
        show.add_argument(
            "--year", type=int, help="năm đánh giá: ngưỡng của năm đó và phiên bản đang có hiệu lực"
        )
        show.add_argument(
            "--column", metavar="COL", help="chỉ hiện một cột (ví dụ TDMNPB, national)"
        )
        show.add_argument(
            "--overlay",
            nargs="+",
            action="extend",
            default=[],
            metavar="FILE.yaml",
            help="bộ tiêu chí riêng của tỉnh (cần --year); thêm cột Tỉnh",
        )
        template = sub.add_parser("template", help="ghi mẫu nhập liệu Excel cho một bộ tiêu chí")
        template.add_argument("set_id", metavar="SET", help="mã bộ tiêu chí")
        template.add_argument("--out", required=True, metavar="FILE.xlsx", help="tệp .xlsx để ghi")
        template.add_argument(
            "--level",
            choices=("indicator", "criterion"),
            default="indicator",
            help="indicator: số liệu từng chỉ tiêu (mặc định); criterion: kết quả từng tiêu chí "
            "của các xã (cần --province và --year)",
        )
        template.add_argument("--province", help="mã hoặc tên tỉnh (với --level criterion)")
        template.add_argument("--year", type=int, help="năm đánh giá (với --level criterion)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options["province"])
        elif action == "show":
            self._show(options["set_id"], options["year"], options["column"], options["overlay"])
        elif options["level"] == "criterion":
            self._level_template(
                options["set_id"], Path(options["out"]), options["province"], options["year"]
            )
        else:
            self._template(options["set_id"], Path(options["out"]))

    # ------------------------------------------------------------------ list

    def _list(self, province_name: str | None) -> None:
        sets = [_load(set_id) for set_id in bundled_set_ids()]
        decided = _province_sets(province_name, sets)
        if decided is not None:
            sets = decided.listed
        self.stdout.write(f"Có {len(sets)} bộ tiêu chí ({len(sets)} criteria sets):")
        for i, cset in enumerate(sets):
            s = summarize(cset)
            lb = cset.legal_basis
            self.stdout.write("")
            self.stdout.write(cset.id)
            self.stdout.write(f"  {cset.name_vi}")
            if decided is not None and cset in decided.own:
                self.stdout.write(
                    f"  Bộ tiêu chí riêng của {decided.name} (the province's own set)"
                )
            self.stdout.write(
                f"  Giai đoạn {cset.period.start_year}–{cset.period.end_year} · "
                f"{TIER_VI[cset.tier]} · cấp {LEVEL_VI[cset.level]} · "
                f"căn cứ {lb.number} ({_date(lb.date_signed)})"
            )
            in_force = in_force_text(cset)
            self.stdout.write(
                f"  {in_force[0].upper()}{in_force[1:]} (in force; judges the years "
                f"{years_span(cset)})"
            )
            versions = ", ".join(f"{v.id} từ {_date(v.effective_from)}" for v in cset.versions[1:])
            if versions:
                self.stdout.write(f"  Sửa đổi: {versions}")
            for line in _catalogue_lines(cset, s):
                self.stdout.write(f"  {line}")
            if decided is not None:
                self.stdout.write(f"  {_gaps_line(decided, i)}")
        self.stdout.write("")
        self.stdout.write("Xem chi tiết: ntm criteria show MÃ_BỘ [--year NĂM] [--column CỘT]")

    # ------------------------------------------------------------------ show

    def _show(
        self, set_id: str, year: int | None, column: str | None, overlay_paths: Sequence[str]
    ) -> None:
        cset = _load(set_id)
        overlays = [_load_overlay(p, cset) for p in overlay_paths]
        if overlays and year is None:
            raise CommandError("Cần --year khi dùng --overlay (ô của tỉnh có thể theo năm).")
        rs: ResolvedSet | None = None
        if year is not None:
            try:
                rs = resolve(cset, year, overlays)
            except NotInPeriod as exc:
                raise CommandError(str(exc)) from None
        columns = [(c.code, _column_label(c.code, c.kind)) for c in cset.columns]
        if overlays:
            columns.insert(0, (PROVINCE, _column_label(PROVINCE, "province")))
        if column is not None:
            columns = [c for c in columns if c[0] == column]
            if not columns:
                known = ", ".join(c.code for c in cset.columns)
                raise CommandError(f"Bộ {cset.id} không có cột {column!r}; có: {known}.")

        s = summarize(cset)
        self.stdout.write(f"Bộ tiêu chí {cset.id}: {cset.name_vi}")
        self.stdout.write(_basis_line(cset))
        self.stdout.write(
            f"Giai đoạn {cset.period.start_year}–{cset.period.end_year} · {TIER_VI[cset.tier]} · "
            f"cấp {LEVEL_VI[cset.level]} · {s.criteria} tiêu chí, {s.indicators} chỉ tiêu"
        )
        if rs is not None:
            version = rs.version
            line = f"Năm {year}: phiên bản {version.id} (từ {_date(version.effective_from)})"
            if version.carried_over_status == "unverified" and version is not cset.versions[0]:
                line += "; ngưỡng mang sang từ bản trước được coi là chưa xác minh"
            self.stdout.write(line)
            for overlay in overlays:
                self.stdout.write(
                    f"Bộ tiêu chí của tỉnh: {overlay.province_name} — {overlay.legal_basis.number}"
                )
        for override in cset.column_overrides:
            flags = " hoặc ".join(FLAG_VI.get(f, f) for f in override.flags)
            self.stdout.write(
                f"{flags.capitalize()} dùng cột {override.column} ({override.legal_basis})."
            )
        self.stdout.write("")
        self._table(cset, rs, columns)
        self.stdout.write("")
        for line in LEGEND:
            self.stdout.write(line)
        if cset.notes:
            self.stdout.write("")
            self.stdout.write("Ghi chú:")
            for note in cset.notes:
                self.stdout.write(f"- {note}")

    def _table(
        self, cset: CriteriaSet, rs: ResolvedSet | None, columns: list[tuple[str, str]]
    ) -> None:
        measures = load_measures()
        header = ["Thước đo (đơn vị)", "So sánh", *(label for _, label in columns)]
        # Lines: ("text", str) for headings, ("row", [cells]) for aligned rows.
        lines: list[tuple[str, str | list[str]]] = []
        for criterion in cset.criteria:
            lines.append(("text", f"{criterion.number}. {criterion.name_vi}"))
            if not criterion.indicators:
                lines.append(("text", "    (chưa có chỉ tiêu: tiêu chí chỉ có thể được khai báo)"))
            for ind in criterion.indicators:
                lines.append(("text", f"  {ind.code}  {ind.name_vi}"))
                for k, cond in enumerate(ind.conditions):
                    m = measures[cond.measure]
                    label = f"{cond.measure} ({m.unit})"
                    for year_label, texts in _cond_cells(cond, ind.code, k, cset, rs, columns):
                        op = OP_VI[cond.op]
                        if not cond.numeric and texts and texts[0].endswith(UNVERIFIED_MARK):
                            op += UNVERIFIED_MARK
                        lines.append(("row", [label + year_label, op, *texts]))
        rows = [value for kind, value in lines if kind == "row" and isinstance(value, list)]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def fmt(cells: list[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = [
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells[1:], widths[1:], strict=True))
            ]
            return ("      " + "  ".join([first, *rest])).rstrip()

        self.stdout.write(fmt(header))
        self.stdout.write("      " + "  ".join("─" * w for w in widths))
        for _, value in lines:
            self.stdout.write(fmt(value) if isinstance(value, list) else value)

    # ------------------------------------------------------------------ template

    def _template(self, set_id: str, out: Path) -> None:
        cset = _load(set_id)
        if not out.parent.is_dir():
            raise CommandError(f"Không có thư mục {out.parent} để ghi tệp {out.name}.")
        # Imported here: list and show do not need the workbook stack (openpyxl, XlsxWriter).
        from ntm.exchange.workbook import write_template

        try:
            write_template(cset, out)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp {out}: {exc.strerror or exc}") from None
        self.stdout.write(f"Đã ghi mẫu nhập liệu của bộ {cset.id}: {out}")

    def _level_template(
        self, set_id: str, out: Path, province_name: str | None, year: int | None
    ) -> None:
        """The criterion-level workbook: the province's communes of the year, one column per
        criterion (imported back by `ntm values import`)."""
        if province_name is None or year is None:
            raise CommandError("Mẫu kết quả từng tiêu chí cần --province và --year.")
        cset = _load(set_id)
        if not out.parent.is_dir():
            raise CommandError(f"Không có thư mục {out.parent} để ghi tệp {out.name}.")
        # Imported here, as for `_template`: list and show need neither the workbook stack
        # nor the database.
        from ntm.exchange.criterion_level import write_level_template
        from ntm.units.models import UnitKind
        from ntm.units.queries import UnitLookupError, province_on, units_of
        from ntm.values.services.imports import level_template_day, level_template_rows

        day = level_template_day(year)
        try:
            province = province_on(province_name, day)
        except UnitLookupError as exc:
            raise CommandError(str(exc)) from None
        rows = level_template_rows(units_of(province, day, kinds=[UnitKind.COMMUNE]), cset, year)
        try:
            write_level_template(out, cset, year, rows, title=province.name)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp {out}: {exc.strerror or exc}") from None
        self.stdout.write(
            f"Đã ghi mẫu kết quả từng tiêu chí của bộ {cset.id}, năm {year}, "
            f"{len(rows)} xã của {province.name}: {out}"
        )


def _catalogue_lines(cset: CriteriaSet, s: SetSummary) -> list[str]:
    """How much of the law the set encodes, and the threshold cells still to confirm or fill."""
    if s.official_indicators is None or s.official_criteria is None:
        encoded = (
            f"{s.criteria} tiêu chí, {s.indicators} chỉ tiêu (số của văn bản không rõ) "
            f"({s.criteria} criteria, {s.indicators} indicators; the law's counts unknown)"
        )
    else:
        encoded = (
            f"Đã mã hóa {s.criteria}/{s.official_criteria} tiêu chí, "
            f"{s.indicators}/{s.official_indicators} chỉ tiêu theo văn bản "
            f"(encoded: {s.criteria} of {s.official_criteria} criteria, "
            f"{s.indicators} of {s.official_indicators} indicators)"
        )
    cells = (
        f"Ô ngưỡng: {format_number(s.verified)} đã xác minh, "
        f"{format_number(s.unverified)} chưa xác minh, {format_number(s.missing)} thiếu "
        f"(threshold cells: {s.verified} verified, {s.unverified} unverified, "
        f"{s.missing} missing)"
    )
    lines = [encoded, cells]
    unnamed = sum(c.name_status == "unverified" for c in cset.criteria)
    if unnamed:
        lines.append(
            f"Tên {unnamed} tiêu chí chưa xác minh (names of {unnamed} criteria unverified)"
        )
    return lines


@dataclass(frozen=True)
class _Province:
    name: str
    own: list[CriteriaSet]  # the province's own sets
    listed: list[CriteriaSet]  # the national sets as it re-times them, then `own`
    read: list[CriteriaSet]  # `listed` with its decisions in force today


def _province_sets(name: str | None, sets: list[CriteriaSet]) -> _Province | None:
    """How the province reads the sets today, and its own (None without --province)."""
    if name is None:
        return None
    try:
        province = province_on(name, timezone.localdate())
    except UnitLookupError as exc:
        raise CommandError(str(exc)) from None
    own = own_sets(province)
    retimed = {s.id: s for s in national_sets_of(province)}
    listed = [*(retimed.get(s.id, s) for s in sets), *own]
    return _Province(province.name, own, listed, with_province_decisions_now(listed, province))


def _gaps_line(province: _Province, i: int) -> str:
    """The cells the province still has to decide in the i-th set (the gap workbook's)."""
    # Imported here: list and show do not need the workbook stack otherwise.
    from ntm.exchange.gaps import gap_counts

    n = gap_counts(province.read[i])
    total = n["missing"] + n["unverified"]
    return (
        f"{province.name}: còn {format_number(total)} ô ngưỡng cần bổ sung sau các quyết định "
        f"của tỉnh ({format_number(n['missing'])} thiếu, {format_number(n['unverified'])} chưa "
        f"xác minh) (cells still to decide: {total}; {n['missing']} missing, "
        f"{n['unverified']} unverified)"
    )


def _cond_cells(
    cond: Condition,
    code: str,
    k: int,
    cset: CriteriaSet,
    rs: ResolvedSet | None,
    columns: list[tuple[str, str]],
) -> list[tuple[str, list[str]]]:
    """(year label, cell texts) rows of one condition: one row, or one per year of the period."""
    if not cond.numeric:
        status: CellStatus = rs.condition_status(code, k) if rs else (cond.status or "verified")
        text = YES_NONE_CELL[cond.op] + (UNVERIFIED_MARK if status == "unverified" else "")
        return [("", [text for _ in columns])]
    if rs is not None:
        year_label = f", năm {rs.year}" if cond.by_year else ""
        texts = []
        for column, _ in columns:
            cell = rs.cells.get((code, k, column))
            texts.append(_cell_text(cell.value, cell.status) if cell else MISSING_MARK)
        return [(year_label, texts)]
    missing = Cell(status="missing")
    if not cond.by_year:
        return [("", [_text(cond.thresholds.get(c, missing)) for c, _ in columns])]
    years = range(cset.period.start_year, cset.period.end_year + 1)
    return [
        (f", năm {y}", [_text(cond.by_year.get(y, {}).get(c, missing)) for c, _ in columns])
        for y in years
    ]


def _text(cell: Cell) -> str:
    return _cell_text(cell.value, cell.status)


def _load(set_id: str) -> CriteriaSet:
    try:
        return load_set(set_id)
    except CriteriaError as exc:
        raise CommandError(f"Không đọc được bộ tiêu chí: {exc}") from None


def _load_overlay(path: str, cset: CriteriaSet) -> Overlay:
    try:
        overlay = load_overlay_file(Path(path))
    except CriteriaError as exc:
        raise CommandError(f"Không đọc được bộ tiêu chí của tỉnh: {exc}") from None
    if overlay.extends != cset.id:
        raise CommandError(
            f"Tệp {Path(path).name} bổ sung cho bộ {overlay.extends}, không phải {cset.id}."
        )
    return overlay
