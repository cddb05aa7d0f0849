"""The `ntm` command: Django management commands under one console script."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ntm", *(sys.argv[1:] if argv is None else argv)])
