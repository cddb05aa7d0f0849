"""`ntm api token create USERNAME [--name NAME]` | `ntm api token revoke PREFIX` |
`ntm api token list USERNAME`: tokens for integrations."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ntm.api.models import ApiToken
from ntm.api.tokens import TokenError, create_token, revoke_token
from ntm.vn.dates import format_date, format_datetime

ACTOR = "cli:ntm api"


class Command(BaseCommand):
    help = "Mã truy cập API cho các hệ thống tích hợp (API tokens)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="group", required=True)
        token = sub.add_parser("token", help="Mã truy cập API.")
        actions = token.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Tạo mã truy cập cho một người dùng.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="Tên gợi nhớ của mã")
        listing = actions.add_parser("list", help="Các mã truy cập của một người dùng.")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Thu hồi một mã truy cập theo tiền tố.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            self._revoke(options["prefix"])
            return
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(options["username"])
        except user_model.DoesNotExist:
            raise CommandError(f"Không có người dùng {options['username']!r}.") from None
        if action == "create":
            try:
                _, raw = create_token(user, name=options["name"], actor=ACTOR)
            except TokenError as e:
                raise CommandError(str(e)) from e
            self.stdout.write(raw)
            self.stderr.write(
                "Hãy lưu mã này ngay: nó chỉ hiển thị một lần. (Store it now: shown only once.)"
            )
            return
        for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk"):
            state = "đã thu hồi" if t.revoked_at else "còn hiệu lực"
            used = format_datetime(t.last_used_at) if t.last_used_at else "chưa dùng"
            self.stdout.write(
                f"{t.prefix}…\t{t.name}\t{format_date(t.created_at)}\t{used}\t{state}"
            )

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.rstrip("….")
        found = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
        if len(found) != 1:
            raise CommandError(
                f"Tiền tố {prefix!r} khớp {len(found)} mã còn hiệu lực; cần đúng một."
            )
        try:
            revoke_token(found[0], actor=ACTOR)
        except TokenError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Đã thu hồi {prefix}….")
