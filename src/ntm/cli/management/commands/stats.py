"""`ntm stats --province P --period Y`: a province's figures, as its page shows them.

The figures come from the read layer (`ntm.results.province.province_overview`), the same
code as the province page and the API's statistics: the stored record, as recorded (each year
on its own units) or re-based onto the units of `--units-of` (values carried with each
measure's combine rule and evaluated again; pass/fail never transfers), live or `--as-of` a
date, against the year before and `--baseline`. With `--from-json FILE…` the same code runs
over `ntm evaluate --json` output (one file per year) instead of the stored record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.results.files import read_files
from ntm.results.province import ProvinceOverview, province_overview
from ntm.results.query import ChoiceError, Geography, parse_day
from ntm.results.record import STORED, Source
from ntm.results.scope import UnitRef
from ntm.stats.jsonable import jsonable
from ntm.stats.rollup import Statistics
from ntm.stats.text import basis_text, render_statistics
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import UnitLookupError, find_units, resolve_one
from ntm.vn.dates import format_date
from ntm.vn.numbers import PercentStyle


def province_named(text: str, day: dt.date) -> Unit:
    found = find_units(text, day=day, kinds=[UnitKind.PROVINCE])
    if not found:
        raise CommandError(
            _("No province matches “%(text)s” on %(day)s.")
            % {"text": text, "day": format_date(day)}
        )
    try:
        return resolve_one(found, text, day)
    except UnitLookupError as exc:
        raise CommandError(str(exc)) from None


def as_json(o: ProvinceOverview) -> dict[str, Any]:
    """The overview's figures as plain JSON: the statistics and the trend as the API writes
    them (`ntm.stats.jsonable`)."""
    return {
        "province": jsonable(UnitRef.of(o.province)),
        "period": o.period,
        "baseline": o.baseline,
        "set": o.cset.id,
        "basis": o.basis,
        "as_of": o.as_of.isoformat() if o.as_of else None,
        "approved_only": o.approved_only,
        "approved": o.approved,
        "communes_in_scope": o.in_scope,
        "with_data": o.with_data,
        "simulated": o.simulated,
        "statistics": jsonable(o.statistics),
        "trend": [jsonable(t) for t in o.trend],
    }


class Command(BaseCommand):
    help = (
        "Số liệu nông thôn mới của một tỉnh như trang của tỉnh: số xã đạt chuẩn X/Y và tỷ lệ, "
        "bình quân tiêu chí/xã, số xã đạt từng tiêu chí, phân nhóm, thay đổi so với năm trước "
        "và năm gốc, theo huyện — từ số liệu đã lưu, hoặc từ tệp của `ntm evaluate --json`. "
        "(A province's figures as its page shows them, from the stored record or from "
        "`ntm evaluate --json` files.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="mã hoặc tên tỉnh")
        parser.add_argument("--period", type=int, required=True, help="năm thống kê")
        parser.add_argument("--baseline", type=int, help="năm gốc để so sánh")
        parser.add_argument(
            "--as-of",
            metavar="DATE",
            help="số liệu như đã ghi nhận đến hết ngày này (dd/mm/yyyy); mặc định: hiện tại",
        )
        parser.add_argument(
            "--units-of",
            metavar="DATE",
            help="quy đổi sang đơn vị hành chính của ngày này (dd/mm/yyyy): giá trị được "
            "chuyển theo quy tắc của từng chỉ tiêu rồi đánh giá lại",
        )
        parser.add_argument(
            "--from-json",
            nargs="+",
            metavar="FILE",
            help="tệp của `ntm evaluate --json` (mỗi năm một tệp) thay cho số liệu đã lưu",
        )
        parser.add_argument(
            "--approved-only", action="store_true", help="chỉ tính các xã đã được duyệt"
        )
        parser.add_argument(
            "--percent-decimals", type=int, default=2, help="số chữ số thập phân (mặc định 2)"
        )
        parser.add_argument(
            "--truncate", action="store_true", help="cắt bớt thay vì làm tròn tỷ lệ phần trăm"
        )
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["percent_decimals"] <= 6:
            raise CommandError(_("--percent-decimals must be from 0 to 6."))
        style = PercentStyle(
            options["percent_decimals"], "truncate" if options["truncate"] else "round"
        )
        period: int = options["period"]
        try:
            as_of = parse_day(options["as_of"], name="--as-of")
            units_of = parse_day(options["units_of"], name="--units-of")
            province = province_named(
                options["province"], units_of or min(dt.date(period, 12, 31), _today())
            )
            source: Source = STORED
            set_id = None
            if options["from_json"]:
                if as_of is not None:
                    raise CommandError(_("Files hold no history: --as-of reads the stored record."))
                if options["approved_only"]:
                    # Files hold no approvals: every commune would be held back.
                    raise CommandError(
                        _("Files hold no approvals: --approved-only reads the stored record.")
                    )
                files = read_files(options["from_json"], province)
                source, set_id = files, files.set_ids.get(period)
            o = province_overview(
                province,
                period=period,
                baseline=options["baseline"],
                set_id=set_id,
                geography=Geography.REBASED if units_of else Geography.AS_RECORDED,
                onto=units_of,
                as_of=as_of,
                approved_only=options["approved_only"],
                source=source,
            )
        except ChoiceError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(as_json(o), ensure_ascii=False, indent=2))
            return
        self.stdout.write(render_statistics(_by_code(o), style))
        for note in _notes(o):
            self.stdout.write(note)


def _today() -> dt.date:
    return timezone.localdate()


def _by_code(o: ProvinceOverview) -> Statistics:
    """The statistics with the province and its districts named by GSO code, as a reader
    knows them (the read layer keys units by primary key: codes are reused over time)."""
    s = o.statistics
    ids = [int(c.unit) for c in s.children if c.unit is not None]
    codes = {
        str(pk): code for pk, code in Unit.objects.filter(pk__in=ids).values_list("pk", "code")
    }
    return replace(
        s,
        parent=o.province.code,
        total=replace(s.total, unit=o.province.code),
        children=tuple(replace(c, unit=codes.get(c.unit or "")) for c in s.children),
    )


def _notes(o: ProvinceOverview) -> list[str]:
    """What the figures are counted on, as the page's basis line says it."""
    notes = [
        _("Criteria set: %(set)s.") % {"set": o.cset.id},
        _("Units: %(basis)s.") % {"basis": basis_text(o.basis)},
        _("As of %(day)s.") % {"day": format_date(o.as_of)} if o.as_of else _("Live record."),
        _("Approved: %(x)s of %(y)s communes%(only)s.")
        % {
            "x": o.approved,
            "y": o.in_scope,
            "only": _(" (only approved communes counted)") if o.approved_only else "",
        },
    ]
    if not o.has_data:
        notes.append(_("No commune holds data for %(year)s: no figure.") % {"year": o.period})
    if o.simulated:
        notes.append(_("Simulated data (dữ liệu mô phỏng)."))
    return notes
