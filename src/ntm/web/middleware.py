"""Vietnamese first: the interface speaks Vietnamese unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office computer set up
in English would get English pages. Here only the language the user picked with the switch
(the language cookie) counts; everyone else gets settings.LANGUAGE_CODE.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
