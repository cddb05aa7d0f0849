"""`ntm report`: the reports of a province (the narrative also of a district or the country).

- `narrative --province P|--district H|--country --date D [--compare D2 …] [--baseline Y]
  [--units-of D] …`: the Vietnamese (or English) narrative of a province
  (`ntm.reports.narrative`), of a district of the time or of the country
  (`ntm.reports.scopes`) as text with notes tracing each figure, or as HTML when the file
  ends in .html.
- `check FILE.txt --province P [--date D]`: each figure a published Vietnamese text states
  about the province's communes, reconciled with the record (`ntm.reports.check`): matches
  (with the province page's query), differs (by how much, and the closest reading), or cannot
  be checked. The exit status is 0 when every figure matches, 1 otherwise.
- `workbook|pdf --province P --date D [--units-of D] [--lang vi|en] --out FILE`: the report
  files (`ntm.reports.files`, `ntm.reports.pdf`) of the date's year, read as of the end of D. A
  bad option — an unknown province, a date before any data, a units date without units —
  stops with one sentence and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.cli.management.commands.stats import province_named
from ntm.reports.check import Status, check_text
from ntm.reports.files import gather, write_workbook
from ntm.reports.narrative import Options, ReportError, narrative, write
from ntm.reports.pdf import write_pdf
from ntm.reports.scopes import country_narrative, district_narrative
from ntm.reports.sentences import parse_precision
from ntm.results.query import ChoiceError, parse_day
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import UnitLookupError, find_units, province_on, resolve_one
from ntm.vn.dates import format_date

LABELS = {
    Status.MATCHES: "khớp / matches",
    Status.DIFFERS: "khác / differs",
    Status.UNCHECKED: "không kiểm tra được / cannot be checked",
}
WRITERS = {"workbook": write_workbook, "pdf": write_pdf}


def _narrative_arguments(parser: Any) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--province", help="mã hoặc tên tỉnh")
    scope.add_argument("--district", help="mã hoặc tên huyện (đơn vị cấp huyện đến 30/06/2025)")
    scope.add_argument("--country", action="store_true", help="toàn quốc")
    parser.add_argument("--date", required=True, help="tính đến ngày (dd/mm/yyyy)")
    parser.add_argument(
        "--compare", action="append", default=[], metavar="DATE", help="ngày so sánh (lặp lại được)"
    )
    parser.add_argument("--baseline", type=int, help="năm gốc để so sánh")
    parser.add_argument(
        "--units-of", metavar="DATE", help="thêm số liệu theo đơn vị hành chính của ngày này"
    )
    parser.add_argument(
        "--criteria", help="các tiêu chí nêu số xã đạt, cách nhau bởi dấu phẩy (mặc định: tất cả)"
    )
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    parser.add_argument("--approved-only", action="store_true", help="chỉ tính các xã đã duyệt")
    parser.add_argument(
        "--decimals",
        action="append",
        default=[],
        metavar="KIND=N",
        help="số chữ số thập phân: share=2, average=2, change=2, hoặc một số liệu: "
        "share@30/06/2020=1",
    )
    parser.add_argument(
        "--truncate", action="append", default=[], metavar="KIND", help="cắt bớt thay vì làm tròn"
    )
    parser.add_argument("--out", required=True, help="tệp kết quả (.txt, hoặc .html)")


def _district(text: str, day: dt.date) -> Unit:
    """The district named or coded `text`: the version in force on `day` if there is one,
    else its only version (the report then says when it existed)."""
    found = find_units(text, kinds=[UnitKind.DISTRICT])
    return resolve_one([u for u in found if u.is_valid_on(day)] or found, text, day)


class Command(BaseCommand):
    help = (
        "Báo cáo: báo cáo bằng lời, sổ Excel hoặc PDF của một tỉnh; kiểm tra số liệu của một văn "
        "bản đã công bố. (Reports: narrative, workbook, PDF; check a published text.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        _narrative_arguments(sub.add_parser("narrative", help="báo cáo bằng lời (narrative)"))
        check = sub.add_parser("check", help="Đối chiếu số liệu của một văn bản với dữ liệu.")
        check.add_argument("file", type=Path, help="văn bản (UTF-8)")
        check.add_argument("--province", required=True, help="mã hoặc tên tỉnh")
        check.add_argument("--date", help="ngày của số liệu (dd/mm/yyyy); mặc định hôm nay")
        for kind, help_text in (("workbook", "sổ Excel (.xlsx)"), ("pdf", "tệp PDF")):
            p = sub.add_parser(kind, help=help_text)
            p.add_argument("--province", required=True, help="mã hoặc tên tỉnh")
            p.add_argument("--date", required=True, help="số liệu đến hết ngày này (dd/mm/yyyy)")
            p.add_argument(
                "--units-of", metavar="DATE", help="quy đổi sang đơn vị hành chính của ngày này"
            )
            p.add_argument("--lang", choices=("vi", "en"), default="vi", help="ngôn ngữ")
            p.add_argument("--out", required=True, help="tệp kết quả")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "narrative":
            self._narrative(options)
        elif options["action"] == "check":
            self._check(options)
        else:
            self._file(options)

    def _file(self, options: dict[str, Any]) -> None:
        try:
            date = parse_day(options["date"], name="--date")
            units_of = parse_day(options["units_of"], name="--units-of")
            if date is None:
                raise CommandError(_("--date is required."))
            province = province_named(options["province"], date)
            report = gather(
                province,
                period=date.year,
                as_of=date,
                units_of=units_of,
                language=options["lang"],
            )
            WRITERS[options["action"]](report, options["out"])
        except ChoiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(options["out"])

    def _check(self, options: dict[str, Any]) -> None:
        try:
            province = province_on(options["province"], timezone.localdate())
        except UnitLookupError as exc:
            raise CommandError(str(exc)) from None
        try:
            day = parse_day(options["date"], name=_("The date")) or timezone.localdate()
        except ChoiceError as exc:
            raise CommandError(str(exc)) from None
        try:
            text = Path(options["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(file)s as UTF-8 text: %(error)s")
                % {"file": options["file"], "error": exc}
            ) from None
        try:
            verdicts = check_text(text, province, day)
        except ChoiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{province.name} · {format_date(day)}")
        if not verdicts:
            self.stdout.write(_("No figure about the communes was found in the text."))
            return
        for v in verdicts:
            self.stdout.write(f"- «{v.claim.text}»: {LABELS[v.status]}")
            self.stdout.write(f"    {_('record')}: {v.record} ({v.reading}) ?{v.query}")
            if v.note:
                self.stdout.write(f"    {v.note}")
        if any(v.status != Status.MATCHES for v in verdicts):
            sys.exit(1)

    def _narrative(self, options: dict[str, Any]) -> None:
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(
                _("No folder %(path)s to write the report in.") % {"path": out.parent}
            )
        try:
            day = parse_day(options["date"], name="--date")
            if day is None:
                raise CommandError(_("--date is required."))
            units_of = parse_day(options["units_of"], name="--units-of")
            compare = tuple(
                d for d in (parse_day(t, name="--compare") for t in options["compare"]) if d
            )
            criteria = (
                tuple(int(k) for k in options["criteria"].split(","))
                if options["criteria"]
                else None
            )
            opts = Options(
                day=day,
                compare=compare,
                baseline=options["baseline"],
                units_of=units_of,
                criteria=criteria,
                approved_only=options["approved_only"],
                lang=options["lang"],
                precision=parse_precision(options["decimals"], options["truncate"]),
            )
            if options["country"]:
                n = country_narrative(opts)
            elif options["district"]:
                n = district_narrative(_district(options["district"], day), opts)
            else:
                n = narrative(province_named(options["province"], units_of or day), opts)
        except (ChoiceError, ReportError, UnitLookupError, ValueError) as e:
            raise CommandError(str(e)) from None
        write(n, out)
        self.stdout.write(_("Report written to %(path)s.") % {"path": out})
