"""`ntm sample`: the bundled sample workbook, evaluated without a database.

Evaluates the bundled sample workbook (real Lạng Sơn communes, simulated values) for 2020
against the 2016–2020 set, prints the summary and writes var/sample-results.xlsx.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language

from ntm.exchange.results import evaluate_file, summary_text, write_workbook
from ntm.exchange.workbook import InputError
from ntm.values.data import SAMPLE_NOTE, SAMPLE_SET, SAMPLE_WORKBOOK, SAMPLE_YEAR


class Command(BaseCommand):
    help = (
        "Đánh giá bảng mẫu đi kèm (dữ liệu mô phỏng cho các xã thật của Lạng Sơn) và ghi "
        "var/sample-results.xlsx. (Evaluate the bundled sample workbook.)"
    )
    requires_system_checks: tuple[str, ...] = ()  # no checks: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", help="bảng kết quả .xlsx (mặc định: <NTM_VAR_DIR>/sample-results.xlsx)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"] or Path(settings.VAR_DIR) / "sample-results.xlsx")
        try:
            results = evaluate_file(
                SAMPLE_WORKBOOK, SAMPLE_SET, year=SAMPLE_YEAR, notes=(SAMPLE_NOTE,)
            )
        except InputError as exc:  # the bundled file is broken: a bug, said plainly
            raise CommandError(exc.message(get_language())) from None
        write_workbook(results, out)
        self.stdout.write(summary_text(results))
        self.stdout.write(f"Đã ghi bảng kết quả: {out}")
