"""`ntm stats --results RESULTS.json --period YYYY`: statistics of evaluated communes.

Evaluated data reaches this command as the JSON written by `ntm evaluate --json` (one file
per year; give --results once per year, e.g. the period, the year before and the baseline)
until evaluations are stored.

With the units database loaded (`ntm units load`) each year's results are placed on the units
of one date: --units-date for the period, otherwise 31/12 of the year — or, when some unit
codes of the results were no longer in force then (2025 results on the pre-reform communes),
the latest day of the year on which all were, which the output says. --province then counts
every commune of the province valid on that date (not only those in the files) and breaks
them down by district; --as-of-units re-bases onto the units of a later date: a commune that
is exactly one old unit keeps its result (labelled "unchanged territory"), any other has a
result that is "not comparable".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ntm.criteria.loader import CriteriaError, load_set
from ntm.criteria.schema import Band
from ntm.evaluation.semantics import STATUSES
from ntm.stats.bands import DEFAULT_BANDS, parse_bands
from ntm.stats.rebase import basis_label, transfer_results
from ntm.stats.rollup import statistics
from ntm.stats.text import render_statistics
from ntm.stats.unit_dates import Span, latest_common_day, missing_on
from ntm.units.models import COMMUNE_LEVEL, Unit, UnitKind
from ntm.units.queries import (
    UnitLookupError,
    crosswalk,
    find_units,
    resolve_one,
    unit_key,
    units_of,
    version_on,
)
from ntm.vn.dates import format_date, parse_date
from ntm.vn.numbers import PercentStyle
from ntm.vn.text import name_key


@dataclass(frozen=True)
class _Year:
    set_id: str
    communes: pl.DataFrame
    criteria: pl.DataFrame
    bands: list[Band]
    names: dict[str, str | None]


def _option_date(text: str) -> dt.date:
    """An option's date; a bad one stops the command with the parser's message."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _read_results(path: Path) -> tuple[int, _Year]:
    """One `ntm evaluate --json` file -> its year and engine-shaped frames."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"Không tìm thấy tệp kết quả: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: không phải JSON hợp lệ ({exc})") from None
    try:
        year = int(doc["set"]["year"])
        set_id = str(doc["set"]["id"])
        rows = doc["communes"]
        communes = pl.DataFrame(
            {
                "unit": [str(r["unit"]) for r in rows],
                "period": [year] * len(rows),
                "met": [int(r["met"]) for r in rows],
                "meets_set": [bool(r["meets_set"]) for r in rows],
            },
            schema={
                "unit": pl.String,
                "period": pl.Int32,
                "met": pl.Int32,
                "meets_set": pl.Boolean,
            },
        )
        crit = [(str(r["unit"]), int(k), str(s)) for r in rows for k, s in r["criteria"].items()]
        names = {str(r["unit"]): r.get("name") for r in rows}
        bands = [
            Band(
                label_vi=b["label_vi"],
                label_en=b.get("label_en") or b["label_vi"],
                min=int(b["min"]),
                max=int(b["max"]),
            )
            for b in doc.get("summary", {}).get("bands", [])
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CommandError(
            f"{path}: không đúng dạng kết quả của `ntm evaluate --json` (thiếu hoặc sai {exc})"
        ) from None
    unknown = sorted({s for _, _, s in crit} - set(STATUSES))
    if unknown:
        raise CommandError(f"{path}: trạng thái tiêu chí không hợp lệ: {unknown}")
    criteria = pl.DataFrame(
        {
            "unit": [c[0] for c in crit],
            "period": [year] * len(crit),
            "criterion": [c[1] for c in crit],
            "status": [c[2] for c in crit],
        },
        schema={
            "unit": pl.String,
            "period": pl.Int32,
            "criterion": pl.Int32,
            "status": pl.String,
        },
    )
    return year, _Year(set_id, communes, criteria, bands, names)


def _units_loaded() -> bool:
    """Whether the units database exists here and holds units."""
    try:
        return Unit.objects.exists()
    except DatabaseError:
        return False


def _codes_text(codes: list[str], limit: int = 10) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f", … (+{len(codes) - limit})" if len(codes) > limit else "")


def _validity(codes: list[str]) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    rows = (
        Unit.objects.commune_level()
        .filter(code__in=codes)
        .order_by()
        .values_list("code", "valid_from", "valid_to")
    )
    for code, start, end in rows:
        spans.setdefault(str(code), []).append((start, end))
    return spans


def _units_day(year: int, data: _Year, explicit: dt.date | None) -> tuple[dt.date, list[str]]:
    """The date whose units the results of `year` sit on, and what to tell the reader."""
    codes = data.communes.get_column("unit").to_list()
    validity = _validity(codes)
    if explicit is not None:
        missing = missing_on(validity, codes, explicit)
        if missing:
            raise CommandError(
                f"Kết quả năm {year}: {len(missing)} mã xã không có hiệu lực vào ngày "
                f"{format_date(explicit)} (--units-date): {_codes_text(missing)}"
            )
        return explicit, [
            f"Kết quả năm {year} tính trên đơn vị hành chính ngày {format_date(explicit)} "
            "(--units-date)."
        ]
    end = dt.date(year, 12, 31)
    missing = missing_on(validity, codes, end)
    if not missing:
        return end, [f"Kết quả năm {year} tính trên đơn vị hành chính ngày {format_date(end)}."]
    day = latest_common_day(validity, codes, dt.date(year, 1, 1), end)
    if day is None:
        raise CommandError(
            f"Kết quả năm {year}: không có ngày nào trong năm mà mọi mã xã của kết quả đều có "
            f"hiệu lực; {len(missing)} mã không có vào ngày {format_date(end)}: "
            f"{_codes_text(missing)}. Hãy kiểm tra mã xã hoặc chỉ rõ --units-date."
        )
    return day, [
        f"Kết quả năm {year}: {len(missing)} mã xã không còn hiệu lực vào ngày "
        f"{format_date(end)} ({_codes_text(missing)}); kết quả được tính trên đơn vị hành chính "
        f"ngày {format_date(day)}, ngày cuối cùng trong năm mà mọi mã đều có hiệu lực "
        "(chọn ngày khác bằng --units-date)."
    ]


def _name_notes(year: int, data: _Year, day: dt.date) -> list[str]:
    """A code is reused over time: say when the results name another unit than the code's."""
    named = {code: name for code, name in data.names.items() if name}
    rows = (
        Unit.objects.valid_on(day)
        .commune_level()
        .filter(code__in=list(named))
        .values_list("code", "name", "name_key")
    )
    differ = sorted(
        f"{code} “{named[str(code)]}” ≠ “{name}”"
        for code, name, key in rows
        if name_key(named[str(code)]) != key
    )
    if not differ:
        return []
    return [
        f"Kết quả năm {year}: {len(differ)} xã có tên khác tên của mã đó ngày {format_date(day)} "
        f"(có thể là đơn vị khác cùng mã; kiểm tra --units-date): {_codes_text(differ, 5)}"
    ]


def _province(text: str, day: dt.date) -> Unit:
    found = find_units(text, day=day, kinds=[UnitKind.PROVINCE])
    if not found:
        raise CommandError(f"Không tìm thấy tỉnh nào khớp với {text!r} vào ngày {format_date(day)}")
    try:
        return resolve_one(found, text, day)
    except UnitLookupError as exc:
        raise CommandError(str(exc)) from None


def _province_on(province: Unit, day: dt.date, year: int) -> Unit:
    version = version_on(province, day)
    if version is None:
        raise CommandError(
            f"{province.name} ({province.code}) không có vào ngày {format_date(day)}, ngày đơn vị "
            f"hành chính của kết quả năm {year}"
        )
    return version


def _scope(units: Iterable[Unit]) -> pl.DataFrame:
    """Commune-level units with their kind, district (the child of the province) and name.
    A unit known only by name has no results of its own but still counts in scope, under
    its `unit_key` (the name the crosswalk gives it)."""
    rows = []
    for u in units:
        district = u.parent if u.parent and u.parent.kind == UnitKind.DISTRICT else None
        rows.append(
            (
                unit_key(u),
                u.kind,
                district.code if district else None,
                district.name if district else None,
                u.name,
            )
        )
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "kind": pl.String,
            "child_unit": pl.String,
            "child_name": pl.String,
            "name": pl.String,
        },
        orient="row",
    )


def _units_with_codes(day: dt.date, codes: list[str]) -> list[Unit]:
    return list(
        Unit.objects.valid_on(day).commune_level().filter(code__in=codes).select_related("parent")
    )


def _crosswalk(day: dt.date, as_of: dt.date) -> pl.DataFrame:
    try:
        return crosswalk(day, as_of)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = (
        "Thống kê nông thôn mới trên dữ liệu đã đánh giá: số xã đạt chuẩn X/Y và tỷ lệ, số "
        "xã được công nhận, số xã đạt từng tiêu chí, bình quân tiêu chí/xã, phân nhóm, thay "
        "đổi so với năm trước và năm gốc, theo huyện. Dữ liệu đã đánh giá là tệp JSON của "
        "`ntm evaluate --json` (mỗi năm một tệp) cho đến khi kết quả đánh giá được lưu trữ. "
        "(Statistics on evaluated data; until evaluations are stored, evaluated data is the "
        "JSON written by `ntm evaluate --json`, one file per year.)"
    )
    requires_system_checks: tuple[str, ...] = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--results",
            action="append",
            required=True,
            metavar="RESULTS.json",
            help="tệp JSON của `ntm evaluate --json`; lặp lại cho năm trước và năm gốc",
        )
        parser.add_argument("--period", type=int, required=True, help="năm thống kê")
        parser.add_argument(
            "--province",
            help="mã hoặc tên tỉnh (cần cơ sở dữ liệu đơn vị hành chính): mọi xã của tỉnh "
            "vào ngày đơn vị hành chính của kết quả, theo huyện",
        )
        parser.add_argument(
            "--units-date",
            metavar="DATE",
            help="ngày của đơn vị hành chính mà kết quả năm thống kê dùng (dd/mm/yyyy); mặc "
            "định 31/12 của năm, hoặc ngày cuối cùng trong năm mà mọi mã xã của kết quả còn "
            "hiệu lực",
        )
        parser.add_argument(
            "--as-of-units",
            metavar="DATE",
            help="quy đổi sang đơn vị hành chính của ngày này (dd/mm/yyyy); kết quả đạt/không "
            "đạt của xã sáp nhập hoặc chia tách là “không so sánh được”, xã giữ nguyên địa "
            "giới giữ kết quả",
        )
        parser.add_argument("--baseline", type=int, help="năm gốc để so sánh")
        parser.add_argument(
            "--percent-decimals", type=int, default=2, help="số chữ số thập phân (mặc định 2)"
        )
        parser.add_argument(
            "--truncate", action="store_true", help="cắt bớt thay vì làm tròn tỷ lệ phần trăm"
        )
        parser.add_argument(
            "--bands",
            help="cận dưới các nhóm theo số tiêu chí đạt, ví dụ 19,15,10,8,0 "
            "(mặc định: nhóm của bộ tiêu chí)",
        )
        parser.add_argument(
            "--tier", help="hạng (standard, advanced, ...); mặc định: hạng của bộ tiêu chí"
        )
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        period: int = options["period"]
        if not 0 <= options["percent_decimals"] <= 6:
            raise CommandError("--percent-decimals phải từ 0 đến 6")
        style = PercentStyle(
            options["percent_decimals"], "truncate" if options["truncate"] else "round"
        )
        years: dict[int, _Year] = {}
        for name in options["results"]:
            year, data = _read_results(Path(name))
            if year in years:
                raise CommandError(f"Có hai tệp kết quả cho năm {year}")
            years[year] = data
        if period not in years:
            raise CommandError(f"Không có tệp kết quả nào cho năm {period}")
        baseline: int | None = options["baseline"]
        if baseline is not None and baseline not in years:
            raise CommandError(f"Không có tệp kết quả nào cho năm gốc {baseline}")
        current = years[period]
        tier = options["tier"] or self._tier(current.set_id)
        total = self._criteria_count(current)
        bands: list[Band] | tuple[Band, ...]
        try:
            bands = (
                parse_bands(options["bands"], total)
                if options["bands"]
                else current.bands or DEFAULT_BANDS
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        as_of = _option_date(options["as_of_units"]) if options["as_of_units"] else None
        units_date = _option_date(options["units_date"]) if options["units_date"] else None

        notes: list[str] = []
        province_text: str | None = options["province"]
        loaded = _units_loaded()
        if (province_text or as_of or units_date) and not loaded:
            raise CommandError(
                "--province, --units-date và --as-of-units cần cơ sở dữ liệu đơn vị hành chính; "
                "hãy chạy `ntm units load` trước."
            )
        province: Unit | None = None
        days: dict[int, dt.date] = {}
        if not loaded:
            communes = pl.concat([y.communes for y in years.values()])
            criteria = pl.concat([y.criteria for y in years.values()])
            scope = communes.select(
                "unit",
                "period",
                pl.lit("commune").alias("kind"),
                pl.lit(None, dtype=pl.String).alias("child_unit"),
            )
            notes.append(
                "Chưa có cơ sở dữ liệu đơn vị hành chính: phạm vi là các xã có trong tệp kết "
                "quả, không phân theo huyện."
            )
        else:
            for y in sorted(years, reverse=True):
                day, said = _units_day(y, years[y], units_date if y == period else None)
                days[y] = day
                notes += said + _name_notes(y, years[y], day)
            if province_text:
                province = _province(province_text, as_of or days[period])
            if as_of is not None:
                communes, criteria, scope = self._rebase(years, days, province, as_of, notes)
            else:
                communes, criteria, scope = self._as_recorded(years, days, province)
                if province is None:
                    notes.append("Phạm vi: các xã có trong tệp kết quả.")
        notes.append("Chưa có dữ liệu công nhận được lưu trữ.")
        stats = statistics(
            scope,
            communes,
            criteria,
            period=period,
            tier=tier,
            parent=province.code if province else None,
            parent_name=province.name if province else None,
            bands=bands,
            baseline=baseline,
            basis=basis_label(as_of),
        )
        if options["json"]:
            dates = {str(y): d.isoformat() for y, d in sorted(days.items())}
            doc = stats.to_dict() | {"units_dates": dates, "notes": notes}
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        self.stdout.write(render_statistics(stats, style))
        for note in notes:
            self.stdout.write(note)

    def _tier(self, set_id: str) -> str:
        try:
            return load_set(set_id).tier
        except CriteriaError as exc:
            raise CommandError(
                f"Không đọc được bộ tiêu chí {set_id!r} ({exc}); hãy chỉ rõ --tier"
            ) from None

    def _criteria_count(self, year: _Year) -> int:
        counts = year.criteria.group_by("unit").len().get_column("len").to_list()
        return max(counts, default=0)

    def _as_recorded(
        self, years: dict[int, _Year], days: dict[int, dt.date], province: Unit | None
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """Each year's results on its own units; the scope is the province's communes then."""
        scopes = []
        for y, data in years.items():
            day = days[y]
            units = (
                units_of(_province_on(province, day, y), day, kinds=COMMUNE_LEVEL)
                if province is not None
                else _units_with_codes(day, data.communes.get_column("unit").to_list())
            )
            scopes.append(_scope(units).with_columns(pl.lit(y, dtype=pl.Int32).alias("period")))
        return (
            pl.concat([y.communes for y in years.values()]),
            pl.concat([y.criteria for y in years.values()]),
            pl.concat(scopes),
        )

    def _rebase(
        self,
        years: dict[int, _Year],
        days: dict[int, dt.date],
        province: Unit | None,
        as_of: dt.date,
        notes: list[str],
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """Every year's results carried onto the units of `as_of`; one scope for all years."""
        targets = units_of(province, as_of, kinds=COMMUNE_LEVEL) if province else None
        communes, criteria = [], []
        for y, data in sorted(years.items()):
            walk = _crosswalk(days[y], as_of)
            if targets is not None:
                # Keep every part of the province's new units, and every destination of those
                # parts, so that weights still sum to 1 and a merger across a boundary shows.
                inside = [unit_key(u) for u in targets]
                olds = walk.filter(pl.col("new_unit").is_in(inside)).get_column("old_unit")
                walk = walk.filter(pl.col("old_unit").is_in(olds.to_list()))
            else:
                known = set(walk.get_column("old_unit").to_list())
                lost = sorted(set(data.communes.get_column("unit").to_list()) - known)
                if lost:
                    notes.append(
                        f"Kết quả năm {y}: {len(lost)} xã không có đơn vị kế tiếp vào ngày "
                        f"{format_date(as_of)}, không được quy đổi: {_codes_text(lost)}"
                    )
            communes.append(transfer_results(data.communes, walk))
            criteria.append(transfer_results(data.criteria, walk).filter(pl.col("comparable")))
            notes.append(
                f"Kết quả năm {y} quy đổi từ đơn vị hành chính ngày {format_date(days[y])} sang "
                f"ngày {format_date(as_of)}."
            )
        moved = pl.concat(communes, how="diagonal_relaxed")
        if targets is None:
            targets = _units_with_codes(as_of, moved.get_column("unit").unique().to_list())
        return moved, pl.concat(criteria, how="diagonal_relaxed"), _scope(targets)
