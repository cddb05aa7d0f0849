"""The real units, loaded once for the tests of this package.

The load (and the bundled Lạng Sơn events) run inside an outer transaction opened for the
package and rolled back after its last test, so every test sees the real data, each test's
own changes are rolled back by pytest-django, and other packages' tests never see the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from ntm.units.event_import import import_events
from ntm.units.loader import LoadResult, load_units


@pytest.fixture(scope="package")
def real_units(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadResult]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            result = load_units(actor="test:load")
            res = resources.files("ntm.units").joinpath("data/langson-events.yaml")
            import_events(Path(res.name), actor="test:import", text=res.read_text("utf-8"))
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield result
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def units(real_units: LoadResult, db: None) -> LoadResult:
    """The real data, inside a test whose changes are rolled back."""
    return real_units
