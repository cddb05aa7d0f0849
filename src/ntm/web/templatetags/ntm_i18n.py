"""The language switch lists each language under its own name, as written in the settings.

Django's `get_language_info` spells "Tiếng Việt" with combining marks (not NFC) and
`get_available_languages` translates the names; settings.LANGUAGES holds the names we want.
"""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def other_languages(current: str) -> list[tuple[str, str]]:
    """(code, own name) of every interface language except `current`."""
    return [(code, str(name)) for code, name in settings.LANGUAGES if code != current]
