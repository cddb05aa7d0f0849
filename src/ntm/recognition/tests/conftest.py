from collections.abc import Iterator
from typing import Any

import pytest

from ntm.accounts.testing import personas  # noqa: F401  (a pytest fixture)
from ntm.units.loader import LoadResult
from ntm.units.testing import real_units_rolled_back


@pytest.fixture(scope="package")
def real_units(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadResult]:
    """The real units (Lạng Sơn's with its events), loaded once for the package."""
    with real_units_rolled_back(django_db_blocker) as result:
        yield result


@pytest.fixture
def units(real_units: LoadResult, db: None) -> LoadResult:
    """The real units, inside a test whose changes are rolled back."""
    return real_units
