"""`ntm restore FILE.zip`: an archive of `ntm backup` restored into an empty database (either
backend) and its stored files, all or nothing (`ntm.backup.archive`)."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ntm.backup.archive import BackupError, restore
from ntm.vn.numbers import format_number


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu của ntm vào cơ sở dữ liệu trống (tất cả hoặc không). "
        "(Restore an ntm backup into an empty database, all or nothing.)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", help="tệp .zip do ntm backup ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = restore(Path(options["archive"]), actor=f"cli:{getpass.getuser()}")
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"Đã khôi phục {format_number(sum(rows.values()))} dòng dữ liệu từ "
            f"{options['archive']}. (Restored.)"
        )
