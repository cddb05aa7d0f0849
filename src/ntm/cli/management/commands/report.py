"""`ntm report workbook|pdf --province P --date D [--units-of D] [--lang vi|en] --out FILE`:
a province's report files (`ntm.reports.files`, `ntm.reports.pdf`), read as of the end of D.

A bad option — an unknown province, a date before any data, a units date without units —
stops with one sentence and writes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ntm.cli.management.commands.stats import province_named
from ntm.reports.files import gather, write_workbook
from ntm.reports.pdf import write_pdf
from ntm.results.query import ChoiceError, parse_day

WRITERS = {"workbook": write_workbook, "pdf": write_pdf}


class Command(BaseCommand):
    help = (
        "Báo cáo nông thôn mới của một tỉnh đến hết một ngày: sổ Excel hoặc PDF. "
        "(A province's report files as of the end of a date: Excel workbook or PDF.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        for kind, help_text in (
            ("workbook", "sổ Excel (.xlsx)"),
            ("pdf", "tệp PDF"),
        ):
            p = kinds.add_parser(kind, help=help_text)
            p.add_argument("--province", required=True, help="mã hoặc tên tỉnh")
            p.add_argument("--date", required=True, help="số liệu đến hết ngày này (dd/mm/yyyy)")
            p.add_argument(
                "--units-of", metavar="DATE", help="quy đổi sang đơn vị hành chính của ngày này"
            )
            p.add_argument("--lang", choices=("vi", "en"), default="vi", help="ngôn ngữ")
            p.add_argument("--out", required=True, help="tệp kết quả")

    def handle(self, *args: Any, **options: Any) -> None:
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
            WRITERS[options["kind"]](report, options["out"])
        except ChoiceError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(options["out"])
