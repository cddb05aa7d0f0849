"""The demo, built once for the tests of this package.

Real units, the bundled Lạng Sơn events and the demo province are loaded inside an outer
transaction opened for the package and rolled back after its last test (as in
ntm/units/tests/conftest.py): every test sees the demo, each test's own changes are rolled
back, and other packages' tests never see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from ntm.demo.loader import DemoResult, load_demo
from ntm.units.event_import import import_events
from ntm.units.loader import load_units


@pytest.fixture(scope="package")
def built_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_units(actor="test:load")
            res = resources.files("ntm.units").joinpath("data/langson-events.yaml")
            import_events(Path(res.name), actor="test:import", text=res.read_text("utf-8"))
            result = load_demo(actor="test:demo")
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield result
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(built_demo: DemoResult, db: None) -> DemoResult:
    """The demo, inside a test whose changes are rolled back."""
    return built_demo
