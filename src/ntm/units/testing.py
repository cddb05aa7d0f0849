"""Test support: the real units, loaded once for a group of tests.

The load (the `vietnamadminunits` data and the bundled Lạng Sơn events) runs inside an outer
transaction that is rolled back when the group ends, so every test of the group sees the real
data, each test's own changes are rolled back by pytest-django, and other tests never see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from ntm.units.event_import import import_events
from ntm.units.loader import LoadResult, load_units


@contextmanager
def real_units_rolled_back(django_db_blocker: Any) -> Iterator[LoadResult]:
    """For a fixture of package or module scope: `with real_units_rolled_back(blocker) as
    result: yield result` (pytest-django's `django_db_blocker`; ask for `django_db_setup`)."""
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
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
