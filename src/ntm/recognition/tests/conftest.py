from collections.abc import Iterator

import pytest
from django.utils import translation

from ntm.accounts.testing import personas  # noqa: F401  (a pytest fixture)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The services' refusals are checked by their English msgids (the pages check the
    Vietnamese)."""
    with translation.override("en"):
        yield
