"""`ntm recognition import FILE --province P --user USERNAME [--clean-only]`: a list of
recognitions (commune, district, tier, year of the standard, decision number and date)
recorded for a province by its office — all rows or none, or with `--clean-only` the rows
without a problem, the others left out and the choice recorded in the audit log."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ntm.cli.lookups import active_user, province_today
from ntm.exchange.workbook import InputProblem
from ntm.recognition.imports import ImportRefused, import_recognitions
from ntm.recognition.services import RecognitionError
from ntm.vn.numbers import format_number


def _lines(title: str, items: list[InputProblem]) -> list[str]:
    return [title, *(f"  - {p.text('vi')}" for p in items)] if items else []


class Command(BaseCommand):
    help = "Quyết định công nhận: nhập danh sách xã được công nhận, tất cả hoặc không."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Nhập danh sách công nhận (.xlsx hoặc .csv).")
        imp.add_argument("file", help="Tệp .xlsx hoặc .csv")
        imp.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        imp.add_argument("--user", required=True, help="Tên đăng nhập (Văn phòng Điều phối tỉnh)")
        imp.add_argument(
            "--clean-only",
            action="store_true",
            help="Chỉ nhập các dòng không có lỗi (lựa chọn được ghi vào nhật ký)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        province = province_today(options["province"])
        user = active_user(options["user"])
        try:
            report = import_recognitions(
                options["file"], province, acting_user=user, clean_only=options["clean_only"]
            )
        except ImportRefused as exc:
            notes = _lines("Ghi chú:", exc.notes)
            raise CommandError("\n".join([exc.message("vi"), *notes])) from None
        except RecognitionError as exc:
            raise CommandError("\n".join(exc.problems)) from None
        lines = [
            f"Đã ghi {format_number(len(report.written))} quyết định công nhận từ {report.source}.",
            *_lines("Bỏ qua (chỉ nhập các dòng không có lỗi):", report.skipped),
            *_lines("Ghi chú:", report.notes),
        ]
        self.stdout.write("\n".join(lines))
