"""The demo, built once for the tests of this package.

The real units and the bundled Lạng Sơn events (`ntm.units.testing.real_units_rolled_back`)
and the demo province are loaded inside an outer transaction opened for the package and
rolled back after its last test: every test sees the demo, each test's own changes are rolled
back, and other packages' tests never see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ntm.demo.loader import DemoResult, load_demo
from ntm.units.testing import real_units_rolled_back


@pytest.fixture(scope="package")
def built_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoResult]:
    with real_units_rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            result = load_demo(actor="test:demo")
        yield result


@pytest.fixture
def demo(built_demo: DemoResult, db: None) -> DemoResult:
    """The demo, inside a test whose changes are rolled back."""
    return built_demo
