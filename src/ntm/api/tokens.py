"""Creating, revoking and checking API tokens (services: one transaction, one audit row)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from ntm.api.models import ApiToken
from ntm.audit.services import record

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, User

PREFIX = "ntm_"
# `last_used_at` is written at most this often, so reads do not each cost a write.
TOUCH_EVERY = dt.timedelta(minutes=1)
TOKEN_OBJECT = "api.token"


class TokenThrottled(Exception):
    """Too many failed tokens from one client address; it may try again within `minutes`."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


class TokenError(ValueError):
    """A refused change; the message is for the person who asked (Vietnamese, then English)."""


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _snapshot(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def create_token(
    user: User,
    *,
    name: str = "",
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text (never stored, shown once)."""
    if not user.is_active:
        raise TokenError(
            "Tài khoản đã bị khoá: không tạo được mã truy cập. (The account is inactive.)"
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            prefix=raw[: len(PREFIX) + 6],
            digest=digest(raw),
            created_at=timezone.now(),
        )
        record(
            action="api.create_token",
            object_type=TOKEN_OBJECT,
            object_id=token.pk,
            after=_snapshot(token),
            acting_user=acting_user,
            actor=actor,
        )
    return token, raw


def revoke_token(
    token: ApiToken, *, acting_user: AbstractBaseUser | None = None, actor: str = ""
) -> ApiToken:
    """Stop a token at once; the row stays, so that its use remains answerable."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenError("Mã truy cập này đã bị thu hồi. (The token is already revoked.)")
        before = _snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            action="api.revoke_token",
            object_type=TOKEN_OBJECT,
            object_id=token.pk,
            before=before,
            after=_snapshot(token),
            acting_user=acting_user,
            actor=actor,
        )
    return token


def user_for_token(raw: str) -> User | None:
    """The active user of a live token, or None (unknown, revoked, or an inactive user)."""
    if not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Failed tokens per client address, counted in the cache (shared by every application server
# when NTM_CACHE_URL is set) over a fixed window that starts at the first failure.
_FAILURES_KEY = "ntm:api-token-failures:{}"


def _window_seconds() -> int:
    return math.ceil(settings.NTM_TOKEN_FAILURE_WINDOW.total_seconds())


def check_token_throttle(address: str) -> None:
    """Raise TokenThrottled while `address` has failed too often in the current window."""
    if int(cache.get(_FAILURES_KEY.format(address), 0)) >= settings.NTM_TOKEN_FAILURE_LIMIT:
        raise TokenThrottled(math.ceil(_window_seconds() / 60))


def record_token_failure(address: str) -> None:
    key = _FAILURES_KEY.format(address)
    timeout = _window_seconds()
    if cache.add(key, 1, timeout=timeout):
        return
    try:
        cache.incr(key)
    except ValueError:  # the window ended between add and incr: this failure opens a new one
        cache.add(key, 1, timeout=timeout)


def user_for_token_from(raw: str, address: str) -> User | None:
    """`user_for_token`, refused (TokenThrottled) for an address that has failed too often in
    the window, even with a good token; a failure counts against the address."""
    check_token_throttle(address)
    user = user_for_token(raw)
    if user is None:
        record_token_failure(address)
    return user
