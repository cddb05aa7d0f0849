"""The login throttle's authentication backend (django-axes), for web logins only."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses a locked-out username and address before ModelBackend checks the password.

    A call without a request (the test client's `login()`, a management command) is not a
    login over the network: there is no client address to count, so it is left to ModelBackend
    instead of failing as axes does."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
