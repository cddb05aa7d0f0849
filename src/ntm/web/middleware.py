"""Vietnamese first (`VietnameseFirstLocaleMiddleware`), and the Permissions-Policy header.

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
from django.utils import translation


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
