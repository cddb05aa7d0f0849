"""`ntm serve`: the application under gunicorn, as a deployment runs it.

Collects the static files first (WhiteNoise serves them from the application itself), then
replaces this process with gunicorn on `ntm.wsgi`. Settings come from the environment (README,
"Deployment"): NTM_DEBUG stays off, NTM_SECRET_KEY, NTM_ALLOWED_HOSTS, DATABASE_URL,
NTM_CACHE_URL, NTM_HTTPS behind a TLS proxy.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

BIND = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Phục vụ ứng dụng bằng gunicorn (sau khi thu gom tệp tĩnh), như khi triển khai thật. "
        "(Serve the app under gunicorn, static files collected first.)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("NTM_BIND", BIND))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("NTM_WORKERS", str(2 * (os.cpu_count() or 1) + 1))),
            help="số tiến trình gunicorn (mặc định 2 × số lõi + 1)",
        )
        parser.add_argument("--timeout", type=int, default=60, help="giây cho một yêu cầu")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError(
                "ntm serve không chạy với NTM_DEBUG=1 (trang lỗi gỡ rối lộ cấu hình). "
                "(ntm serve refuses NTM_DEBUG=1: the debug pages reveal the configuration.)"
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "ntm.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("NTM_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        self.stdout.write(f"gunicorn: http://{options['bind']} ({options['workers']} workers)")
        self.stdout.flush()
        os.execv(sys.executable, argv)
