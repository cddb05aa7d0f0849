"""Test support: data built once for a group of tests, and the real units.

`rolled_back` builds the data inside an outer transaction that is rolled back when the group
ends, so every test of the group sees it, each test's own changes are rolled back by
pytest-django, and other tests never see it. `real_units_rolled_back` builds the real units
(the `vietnamadminunits` data and the bundled Lạng Sơn events) that way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import transaction

from ntm.units.event_import import import_events
from ntm.units.loader import LoadResult, load_units

T = TypeVar("T")


@contextmanager
def rolled_back(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """For a fixture of package or module scope: `with rolled_back(blocker, build) as data:
    yield data` (pytest-django's `django_db_blocker`; ask for `django_db_setup`)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            data = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _load_real_units() -> LoadResult:
    result = load_units(actor="test:load")
    res = resources.files("ntm.units").joinpath("data/langson-events.yaml")
    import_events(Path(res.name), actor="test:import", text=res.read_text("utf-8"))
    return result


def real_units_rolled_back(django_db_blocker: Any) -> AbstractContextManager[LoadResult]:
    """The real units, as `rolled_back` builds data: `with real_units_rolled_back(blocker) as
    result: yield result`."""
    return rolled_back(django_db_blocker, _load_real_units)


# Fixtures: import both into a package's `conftest.py` to load the real units once for it.
@pytest.fixture(scope="package")
def real_units(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadResult]:
    with real_units_rolled_back(django_db_blocker) as result:
        yield result


@pytest.fixture
def units(real_units: LoadResult, db: None) -> LoadResult:
    """The real data, inside a test whose changes are rolled back."""
    return real_units
