"""Fixtures of the read layer's tests: the persona world and the 2016–2020 set."""

from __future__ import annotations

import pytest

from ntm.accounts.testing import Personas, personas
from ntm.criteria.loader import load_set
from ntm.criteria.schema import CriteriaSet

__all__ = ["cset", "p", "personas"]


@pytest.fixture
def p(personas: Personas) -> Personas:
    return personas


@pytest.fixture
def cset() -> CriteriaSet:
    return load_set("vn-ntm-xa-2016-2020")
