"""`ntm backup --out FILE.zip`: the whole record (database content and stored files) in one
archive with a manifest and checksums (`ntm.backup.archive`)."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ntm.backup.archive import BackupError, write_backup
from ntm.vn.numbers import format_number


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ hồ sơ (cơ sở dữ liệu và các tệp minh chứng) vào một tệp .zip có "
        "manifest và mã kiểm tra. (Back up the whole record into one archive.)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="tệp lưu trữ .zip cần ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = write_backup(Path(options["out"]), actor=f"cli:{getpass.getuser()}")
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"Đã ghi {done.path}: {format_number(sum(done.rows.values()))} dòng dữ liệu, "
            f"{format_number(done.files)} tệp. (Wrote {done.path}.)"
        )
        for name in done.missing_files:
            self.stderr.write(
                f"Thiếu tệp {name} trong kho lưu trữ: không có trong bản sao lưu. "
                f"(The stored file {name} is missing: not in the archive.)"
            )
