"""`ntm run`: the main job of `make run` — the demo, served at http://127.0.0.1:8000.

Creates the database under the var directory and migrates it, loads the real units and the
bundled Lạng Sơn events, loads the demo province (Lạng Sơn, simulated values 2011–2020,
`ntm.demo`), creates one demo user per role, prints their logins and serves the app with
Django's development server. Every step is skipped when already done, so a second run only
checks and serves. `--no-serve` stops before serving (tests, scripts).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ntm.audit.models import AuditLog
from ntm.demo.loader import DemoError, load_demo
from ntm.demo.users import ensure_demo_users
from ntm.units.event_import import EventImportError, import_events
from ntm.units.loader import load_units
from ntm.units.models import Unit
from ntm.vn.numbers import format_number

ACTOR = "system:run"
EVENTS_FILE = "langson-events.yaml"
ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Chạy bản demo: tạo cơ sở dữ liệu, nạp đơn vị hành chính thật và tỉnh demo Lạng Sơn "
        "(dữ liệu mô phỏng), tạo tài khoản demo và phục vụ tại http://127.0.0.1:8000. "
        "(Build the demo and serve it.)"
    )
    requires_system_checks: tuple[str, ...] = ()  # runserver runs them before serving

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="chỉ chuẩn bị dữ liệu, không phục vụ web"
        )
        parser.add_argument("--addrport", default=ADDRPORT, help=f"mặc định {ADDRPORT}")

    def handle(self, *args: Any, **options: Any) -> None:
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
        self._units()
        try:
            result = load_demo()
            users = ensure_demo_users()
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.loaded:
            self.stdout.write(
                f"Đã nạp tỉnh demo Lạng Sơn (dữ liệu mô phỏng): "
                f"{format_number(result.values)} giá trị, "
                f"{format_number(result.declarations)} kết quả khai báo, trong "
                f"{format_number(result.seconds, 1)} giây."
            )
        else:
            self.stdout.write("Tỉnh demo Lạng Sơn (dữ liệu mô phỏng) đã có sẵn.")
        self.stdout.write("")
        self.stdout.write("Tài khoản demo (mật khẩu công khai, chỉ dùng cho bản demo):")
        width = max(len(u.username) for u in users)
        for u in users:
            self.stdout.write(
                f"  {u.username:<{width}}  mật khẩu: {u.password:<16} {u.role.label} — {u.scope}"
            )
        self.stdout.write("")
        if options["no_serve"]:
            return
        self.stdout.write(f"Mở http://{options['addrport']}/ trong trình duyệt (Ctrl+C để dừng).")
        call_command("runserver", options["addrport"], use_reloader=False)

    def _units(self) -> None:
        if not Unit.objects.filter(source_key__startswith="vau:").exists():
            result = load_units(actor=ACTOR)
            self.stdout.write(
                f"Đã nạp {format_number(result.created_units)} đơn vị hành chính thật "
                f"trong {format_number(result.seconds, 1)} giây."
            )
        if not AuditLog.objects.filter(
            action="units.import_events", after__file=EVENTS_FILE
        ).exists():
            res = resources.files("ntm.units").joinpath(f"data/{EVENTS_FILE}")
            try:
                events = import_events(EVENTS_FILE, actor=ACTOR, text=res.read_text("utf-8"))
            except EventImportError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                f"Đã nhập {format_number(len(events))} sự kiện đơn vị hành chính của Lạng Sơn "
                "(2019, 2024)."
            )
