"""What the browser tests share besides fixtures: the set and year they work in, URLs, and the
seed that leaves one value to decide whether commune A is at the standard."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from django.urls import reverse
from playwright.sync_api import Locator, Page
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.criteria.loader import load_set
from ntm.units.models import Unit
from ntm.values.services import declare_status

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME_CRITERION = 10
INCOME_MEASURE = "income_per_capita"
INCOME_LABEL = "Thu nhập bình quân đầu người khu vực nông thôn"  # the input's accessible name


class OpenPage(Protocol):
    def __call__(self, username: str) -> Page: ...


class Shot(Protocol):
    def __call__(self, page: Page, step: str, focus: Locator | None = None) -> Path: ...


def declare_all_but_income(p: Personas) -> int:
    """Commune A declares every criterion met but income, so that one value (the income) decides
    whether the commune is at the standard. Returns the number of criteria."""
    cset = load_set(SET)
    for criterion in cset.criteria:
        if criterion.number != INCOME_CRITERION:
            declare_status(
                p.commune_a, YEAR, cset, criterion.number, "met", acting_user=p.officer_a
            )
    return len(cset.criteria)


def entry_url(server: LiveServer, unit: Unit) -> str:
    return server.url + reverse("values:entry", args=[unit.pk, SET, YEAR])


def province_url(server: LiveServer, province: Unit, page: str = "web:province") -> str:
    return server.url + reverse(page, args=[province.pk]) + f"?period={YEAR}&set={SET}"
