"""Test-wide setup: tests of the pure packages are marked `pure` (run once, not per database)."""

from __future__ import annotations

import pytest

PURE_PACKAGES = ("vn", "criteria", "evaluation", "stats", "exchange")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.parts
        if "ntm" in parts and parts[parts.index("ntm") + 1] in PURE_PACKAGES:
            item.add_marker(pytest.mark.pure)


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a request in English must not leak into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: throttle counters, import progress and figures
    must not leak from one test into the next (a rolled-back test's ids are used again, so
    keys made of them could meet another test's)."""
    from django.core.cache import cache

    from ntm.results.cache import RECENT

    cache.clear()
    RECENT.clear()
