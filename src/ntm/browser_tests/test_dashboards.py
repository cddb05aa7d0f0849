"""In a real browser: the province office approves a commune's period and its dashboard counts
the commune at the standard; the map draws every commune where it lies, coloured by result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from ntm.accounts.testing import Personas
from ntm.browser_tests.pages import (
    INCOME_MEASURE,
    SET,
    YEAR,
    OpenPage,
    Shot,
    declare_all_but_income,
    entry_url,
    province_url,
)
from ntm.criteria.loader import load_set
from ntm.units.models import Unit
from ntm.values.services import Entry, save_claimed_value, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def headline(page: Page, n: int) -> Locator:
    """The n-th headline figure of the province dashboard."""
    return page.locator("section[aria-labelledby='h-headline'] .headline > li").nth(n)


def test_office_approves_and_the_dashboard_counts_the_commune(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    total = declare_all_but_income(world)
    page = open_page("province_office")
    page.goto(province_url(live_server, world.province))
    # Commune A lacks one criterion; commune B has no values at all.
    expect(headline(page, 0)).to_contain_text("0/2 (0,00 %)")
    expect(headline(page, 1)).to_contain_text(f"{total - 1},00")
    shot(page, "dashboard-before")

    # What the commune officer does in the entry test, done here through the services.
    save_claimed_value(
        world.commune_a,
        INCOME_MEASURE,
        YEAR,
        Entry(value=47.5),
        expected_version=0,
        acting_user=world.officer_a,
    )
    submit(world.commune_a, YEAR, load_set(SET), acting_user=world.officer_a)

    page.goto(entry_url(live_server, world.commune_a))
    page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.locator("section.workflow")).to_contain_text("Đã duyệt (khóa)")
    expect(page.get_by_role("button", name="Lưu")).to_have_count(0)  # approved: locked
    shot(page, "approved")

    page.goto(province_url(live_server, world.province))
    expect(headline(page, 0)).to_contain_text("1/2 (50,00 %)")
    expect(headline(page, 1)).to_contain_text(f"{total},00")
    shot(page, "dashboard-after")


def test_map_draws_every_commune_where_it_lies(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    declare_all_but_income(world)
    # Coordinates as the bundled unit data records them (the persona units have none).
    Unit.objects.filter(pk=world.commune_a.pk).update(latitude=21.85, longitude=106.76)
    Unit.objects.filter(pk=world.commune_b.pk).update(latitude=21.70, longitude=106.50)
    page = open_page("province_office")
    page.goto(province_url(live_server, world.province, "web:province_map"))
    dots = page.locator("svg.map circle")
    expect(dots).to_have_count(2)
    expect(dots.locator("title")).to_have_text(
        [re.compile(world.commune_a.name), re.compile(world.commune_b.name)]
    )
    # Inside the map and apart: A, further east and north, to the upper right of B.
    box = page.locator("svg.map").bounding_box()
    a, b = (dots.nth(i).bounding_box() for i in range(2))
    assert box is not None and a is not None and b is not None
    for dot in (a, b):
        assert dot["width"] > 0 and dot["height"] > 0
        assert box["x"] <= dot["x"] and dot["x"] + dot["width"] <= box["x"] + box["width"]
        assert box["y"] <= dot["y"] and dot["y"] + dot["height"] <= box["y"] + box["height"]
    assert a["x"] > b["x"] + b["width"] and a["y"] + a["height"] < b["y"]
    # Coloured by criteria met: A has a band's colour, B the legend's "no result" grey.
    fill = "d => getComputedStyle(d).fill"
    no_result = page.locator(".legend .swatch").last.evaluate(
        "s => getComputedStyle(s).backgroundColor"
    )
    assert dots.nth(1).evaluate(fill) == no_result
    assert dots.nth(0).evaluate(fill) != no_result
    shot(page, "map")
