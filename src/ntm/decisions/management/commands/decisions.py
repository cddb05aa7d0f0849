"""`ntm decisions import FILE --province P --user USERNAME [--effective-from DD/MM/YYYY]`:
a province's overlay file recorded as its decision, all or nothing (`ntm.decisions`)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ntm.decisions.services import DecisionError, import_overlay
from ntm.units.queries import UnitLookupError, province_on
from ntm.vn.dates import format_date, parse_date


class Command(BaseCommand):
    help = "Quyết định của tỉnh về bộ tiêu chí: ghi từ tệp YAML, tất cả hoặc không gì cả."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Ghi tệp bổ sung (overlay) YAML của tỉnh.")
        imp.add_argument("file", help="Tệp .yaml (kind: overlay)")
        imp.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        imp.add_argument("--user", required=True, help="Tên đăng nhập (Văn phòng Điều phối tỉnh)")
        imp.add_argument(
            "--effective-from",
            help="Ngày có hiệu lực (dd/mm/yyyy); mặc định ngày trong tệp, hoặc ngày ký",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["user"], is_active=True)
        except user_model.DoesNotExist:
            raise CommandError(f"Không có người dùng “{options['user']}”.") from None
        try:
            province = province_on(options["province"], timezone.localdate())
        except UnitLookupError as exc:
            raise CommandError(str(exc)) from None
        try:
            start = parse_date(options["effective_from"]) if options["effective_from"] else None
        except ValueError as exc:
            raise CommandError(f"--effective-from: {exc}") from None
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path.name}: không đọc được tệp ({exc}).") from None
        try:
            done = import_overlay(province, text, path.name, effective_from=start, acting_user=user)
        except DecisionError as exc:
            lines = "\n".join(f"- {p}" for p in exc.problems)
            raise CommandError(f"Không ghi gì: tệp bị từ chối.\n{lines}") from None
        d = done.decision
        self.stdout.write(
            f"Đã ghi quyết định {d.number} ngày {format_date(d.date_signed)} ({d.issuer}): "
            f"{done.written} ô mới, {done.unchanged} ô không đổi."
        )
