"""`ntm stats --results RESULTS.json --period YYYY`: statistics of evaluated communes.

Evaluated data reaches this command as the JSON written by `ntm evaluate --json` (one file
per year; give --results once per year, e.g. the period, the year before and the baseline)
until evaluations are stored. With the units database loaded (`ntm units load`), --province
counts every commune of the province valid at the period (not only those in the files) and
breaks them down by district, and --as-of-units re-bases onto the units of a date.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ntm.criteria.loader import CriteriaError, load_set
from ntm.criteria.schema import Band
from ntm.stats.bands import DEFAULT_BANDS, parse_bands
from ntm.stats.formatting import PercentStyle
from ntm.stats.rebase import basis_label, transfer_results
from ntm.stats.rollup import statistics
from ntm.stats.summary import STATUSES
from ntm.stats.text import render_statistics


class _Year:
    def __init__(
        self, set_id: str, communes: pl.DataFrame, criteria: pl.DataFrame, bands: list[Band]
    ) -> None:
        self.set_id = set_id
        self.communes = communes
        self.criteria = criteria
        self.bands = bands


def _parse_date(text: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd)")


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
    return year, _Year(set_id, communes, criteria, bands)


def _units_loaded() -> bool:
    """Whether the units database exists here and holds units."""
    try:
        from ntm.units.models import Unit
    except ImportError:
        return False
    try:
        return Unit.objects.exists()
    except DatabaseError:
        return False


def _units_date(year: int) -> dt.date:
    # Results of a year are taken to be on the units in force at its end.
    return dt.date(year, 12, 31)


def _province_code(province: str, day: dt.date) -> str:
    from ntm.units.models import Unit, UnitKind
    from ntm.units.names import name_key

    found = [
        u
        for u in Unit.objects.valid_on(day).filter(kind=UnitKind.PROVINCE)
        if province in (u.code, u.name) or u.name_key == name_key(province)
    ]
    if not found:
        raise CommandError(f"Không tìm thấy tỉnh {province!r} vào ngày {day:%d/%m/%Y}")
    if len(found) > 1:
        names = ", ".join(u.label for u in found)
        raise CommandError(f"Tên tỉnh {province!r} không rõ, có thể là: {names}")
    return str(found[0].code)


def _scope_from_db(day: dt.date, province: str | None, codes: list[str] | None) -> pl.DataFrame:
    """Commune-level units valid on `day` (of the province, or with these codes) with their
    kind and district."""
    from django.db.models import Q

    from ntm.units.models import Unit, UnitKind

    units = Unit.objects.valid_on(day).commune_level().select_related("parent")
    if province is not None:
        units = units.filter(Q(parent__code=province) | Q(parent__parent__code=province))
    if codes is not None:
        units = units.filter(code__in=codes)
    rows = [
        (
            u.code,
            u.kind,
            u.parent.code if u.parent and u.parent.kind == UnitKind.DISTRICT else None,
            u.parent.name if u.parent and u.parent.kind == UnitKind.DISTRICT else None,
        )
        for u in units
    ]
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "kind": pl.String,
            "child_unit": pl.String,
            "child_name": pl.String,
        },
        orient="row",
    )


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
            "vào cuối năm thống kê, theo huyện",
        )
        parser.add_argument(
            "--as-of-units",
            metavar="DATE",
            help="quy đổi sang đơn vị hành chính của ngày này (dd/mm/yyyy); kết quả đạt/không "
            "đạt của xã sáp nhập hoặc chia tách là “không so sánh được”",
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

        communes = pl.concat([y.communes for y in years.values()])
        criteria = pl.concat([y.criteria for y in years.values()])
        notes: list[str] = []
        province = options["province"]
        as_of = _parse_date(options["as_of_units"]) if options["as_of_units"] else None
        loaded = _units_loaded()
        if (province or as_of) and not loaded:
            raise CommandError(
                "--province và --as-of-units cần cơ sở dữ liệu đơn vị hành chính; hãy chạy "
                "`ntm units load` trước."
            )
        code = _province_code(province, _units_date(period)) if province else None
        if as_of is not None:
            communes, criteria, scope = self._rebase(communes, criteria, years, code, as_of)
        elif loaded:
            scope = pl.concat(
                [
                    _scope_from_db(
                        _units_date(y),
                        code,
                        None if code else data.communes.get_column("unit").to_list(),
                    ).with_columns(pl.lit(y, dtype=pl.Int32).alias("period"))
                    for y, data in years.items()
                ]
            )
            if not code:
                notes.append("Phạm vi: các xã có trong tệp kết quả.")
        else:
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
        notes.append("Chưa có dữ liệu công nhận được lưu trữ.")
        stats = statistics(
            scope,
            communes,
            criteria,
            period=period,
            tier=tier,
            parent=code,
            bands=bands,
            baseline=baseline,
            basis=basis_label(as_of),
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(stats.to_dict() | {"notes": notes}, ensure_ascii=False, indent=2)
            )
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

    def _rebase(
        self,
        communes: pl.DataFrame,
        criteria: pl.DataFrame,
        years: dict[int, _Year],
        province: str | None,
        as_of: dt.date,
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        # Looked up at run time: the crosswalk query is written beside this command.
        crosswalk: Callable[..., pl.DataFrame] | None = getattr(
            importlib.import_module("ntm.units"), "crosswalk", None
        )
        if crosswalk is None:
            raise CommandError("Chưa có bảng chuyển đổi đơn vị hành chính (ntm.units.crosswalk)")
        walks = [
            crosswalk(_units_date(y), as_of, province=province).with_columns(
                pl.lit(y, dtype=pl.Int32).alias("period")
            )
            for y in years
        ]
        walk = pl.concat(walks)
        moved_communes = transfer_results(communes, walk)
        moved_criteria = transfer_results(criteria, walk).filter(pl.col("comparable"))
        codes = None if province else moved_communes.get_column("unit").unique().to_list()
        scope = _scope_from_db(as_of, province, codes)
        return moved_communes, moved_criteria, scope
