"""`ntm report narrative --province P --date D …`: the reports an office files.

One subcommand per report (argparse subparsers); `narrative` writes the Vietnamese (or
English) narrative as text with notes tracing each figure, or as HTML when FILE ends in .html.
Bad options are a message and no file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ntm.cli.management.commands.stats import _province
from ntm.reports.narrative import Options, ReportError, narrative, write
from ntm.reports.sentences import parse_precision
from ntm.results.query import ChoiceError, parse_day


def _narrative_arguments(parser: Any) -> None:
    parser.add_argument("--province", required=True, help="mã hoặc tên tỉnh")
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


class Command(BaseCommand):
    help = "Báo cáo của văn phòng điều phối. (The reports an office files.)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        _narrative_arguments(sub.add_parser("narrative", help="báo cáo bằng lời (narrative)"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "narrative":
            self._narrative(options)

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
            precision = parse_precision(options["decimals"], options["truncate"])
            province = _province(options["province"], units_of or day)
            n = narrative(
                province,
                Options(
                    day=day,
                    compare=compare,
                    baseline=options["baseline"],
                    units_of=units_of,
                    criteria=criteria,
                    approved_only=options["approved_only"],
                    lang=options["lang"],
                    precision=precision,
                ),
            )
        except (ChoiceError, ReportError, ValueError) as e:
            raise CommandError(str(e)) from None
        write(n, out)
        self.stdout.write(_("Report written to %(path)s.") % {"path": out})
