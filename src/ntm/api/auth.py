"""Who is calling: a bearer token (integrations) or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from ntm.api.tokens import TokenThrottled, user_for_token_from


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # REMOTE_ADDR: the connection's address, which a client cannot choose by a header
        # (behind a reverse proxy it is the proxy's, and all its clients share one count).
        try:
            user = user_for_token_from(token, request.META.get("REMOTE_ADDR", ""))
        except TokenThrottled as throttled:
            raise HttpError(
                429,
                _(
                    "Too many requests with an invalid access token from this address. "
                    "Try again later (at most %(minutes)s min.)."
                )
                % {"minutes": throttled.minutes},
            ) from throttled
        if user is not None:
            # Permission checks read `request.user`, as for the pages.
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser's session; an account deactivated since it logged in gets nothing."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), ActiveSessionAuth()]
