"""`ntm groups template | import`: commune groups (nhóm xã, 2026–2030) of a province."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ntm.exchange.groups import write_group_template
from ntm.exchange.workbook import InputError
from ntm.units.group_import import import_groups, template_rows
from ntm.units.queries import UnitLookupError, province_on
from ntm.vn.numbers import format_number


class Command(BaseCommand):
    help = "Nhóm xã (bộ tiêu chí 2026–2030): tải mẫu và nhập từ tệp."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tpl = sub.add_parser("template", help="Ghi tệp mẫu các xã của tỉnh.")
        tpl.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")
        tpl.add_argument("-o", "--output", required=True, help="Tệp .xlsx")
        imp = sub.add_parser("import", help="Nhập nhóm xã từ tệp (tất cả hoặc không).")
        imp.add_argument("file", help="Tệp .xlsx hoặc .csv")
        imp.add_argument("--province", required=True, help="Mã hoặc tên tỉnh")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        try:
            province = province_on(options["province"], today)
        except UnitLookupError as e:
            raise CommandError(str(e)) from e
        if options["action"] == "template":
            write_group_template(
                Path(options["output"]), template_rows(province, today), title=province.name
            )
            self.stdout.write(f"Đã ghi {options['output']}.")
            return
        try:
            written = import_groups(options["file"], province, actor=f"cli:{getpass.getuser()}")
        except InputError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Đã xếp nhóm cho {format_number(len(written))} xã.")
