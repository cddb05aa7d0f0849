"""Vietnamese first (`VietnameseFirstLocaleMiddleware`), the Permissions-Policy header, and
the temporary password a user must replace (`PasswordChangeRequiredMiddleware`).

Vietnamese first: the interface speaks Vietnamese unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office computer set up
in English would get English pages. Here only the language the user picked with the switch
(the language cookie) counts; everyone else gets settings.LANGUAGE_CODE.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from ntm.accounts.services import must_change_password


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Tells browsers that no page uses the camera, microphone, location and the like
    (settings.NTM_PERMISSIONS_POLICY): a script injected somehow cannot ask for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.NTM_PERMISSIONS_POLICY)
        return response


class PasswordChangeRequiredMiddleware:
    """A user holding a temporary password (set by an administrator) is sent to the password
    change page until they choose their own; only that page, logging out, the language switch
    and static files stay open to them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not _exempt(request.path) and must_change_password(user):
            return redirect(reverse("web:password_change"))
        return self.get_response(request)


def _exempt(path: str) -> bool:
    open_paths = (reverse("web:password_change"), reverse("web:logout"), reverse("set_language"))
    return path in open_paths or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
