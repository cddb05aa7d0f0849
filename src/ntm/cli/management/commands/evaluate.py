"""`ntm evaluate FILE --set SET --year YYYY`: evaluate an input workbook or CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language

from ntm.exchange.results import evaluate_file, summary_text, to_json, write_workbook
from ntm.exchange.workbook import InputError


class Command(BaseCommand):
    help = (
        "Đánh giá các xã trong một tệp nhập liệu (.xlsx hoặc .csv, theo mẫu của "
        "`ntm criteria template`): in bản tổng hợp và ghi bảng kết quả. "
        "(Evaluate an input workbook: print the summary, write the results workbook.)"
    )
    requires_system_checks: tuple[str, ...] = ()  # no checks: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp nhập liệu .xlsx hoặc .csv")
        parser.add_argument(
            "--set", required=True, dest="set_id", metavar="SET", help="mã bộ tiêu chí"
        )
        parser.add_argument("--year", required=True, type=int, help="năm đánh giá")
        parser.add_argument(
            "--out",
            help="bảng kết quả .xlsx (mặc định: <tệp nhập>-ket-qua.xlsx cạnh tệp nhập; "
            "với --json chỉ ghi khi có --out)",
        )
        parser.add_argument(
            "--json", action="store_true", help="ghi kết quả dạng JSON ra đầu ra chuẩn"
        )
        parser.add_argument(
            "--overlay",
            nargs="+",
            action="extend",
            default=[],
            metavar="FILE.yaml",
            help="bộ tiêu chí riêng của tỉnh (áp dụng cho xã có mã tỉnh trùng)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        try:
            results = evaluate_file(
                source, options["set_id"], year=options["year"], overlay_paths=options["overlay"]
            )
        except InputError as exc:
            raise CommandError(exc.message(get_language())) from None
        out = options["out"]
        if out is None and not options["json"]:
            out = source.with_name(f"{source.stem}-ket-qua.xlsx")
        if out is not None:
            write_workbook(results, out)
        if options["json"]:
            self.stdout.write(json.dumps(to_json(results), ensure_ascii=False, indent=2))
            return
        self.stdout.write(summary_text(results))
        self.stdout.write(f"Đã ghi bảng kết quả: {out}")
