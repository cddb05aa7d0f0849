"""The `ntm` command: Django management commands under one console script."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    if args[:1] == ["run"]:
        # The demo on Django's development server, on a developer's machine: debug pages and
        # the public development key, unless NTM_DEBUG=0 is asked for.
        os.environ.setdefault("NTM_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ntm", *args])
