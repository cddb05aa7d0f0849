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
from ntm.values.models import Stage
from ntm.values.services import Entry, save_value, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def headline(page: Page, figure: str) -> Locator:
    """A headline figure of the province dashboard ("meeting", "average", ...)."""
    return page.locator(f"[data-figure='{figure}']")


def test_office_approves_and_the_dashboard_counts_the_commune(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    total = declare_all_but_income(world)
    page = open_page("province_office")
    page.goto(province_url(live_server, world.province))
    # Commune A lacks one criterion; commune B has no values at all.
    expect(headline(page, "meeting")).to_contain_text("0/2 (0,00 %)")
    expect(headline(page, "average")).to_contain_text(f"{total - 1},00")
    shot(page, "dashboard-before")

    # What the commune officer does in the entry test, done here through the services.
    save_value(
        world.commune_a,
        INCOME_MEASURE,
        YEAR,
        Entry(value=47.5),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=world.officer_a,
    )
    submit(world.commune_a, YEAR, load_set(SET), acting_user=world.officer_a)

    page.goto(entry_url(live_server, world.commune_a))
    page.get_by_role("button", name="Duyệt", exact=True).click()
    workflow = page.locator("section.workflow")
    expect(workflow).to_have_attribute("data-state", "approved")
    expect(workflow).to_contain_text("Đã duyệt (khóa)")
    expect(page.get_by_role("button", name="Lưu")).to_have_count(0)  # approved: locked
    shot(page, "approved")

    page.goto(province_url(live_server, world.province))
    expect(headline(page, "meeting")).to_contain_text("1/2 (50,00 %)")
    expect(headline(page, "average")).to_contain_text(f"{total},00")
    shot(page, "dashboard-after")


def test_map_draws_every_commune_where_it_lies(
    open_page: OpenPage, live_server: LiveServer, world: Personas, shot: Shot
) -> None:
    total = declare_all_but_income(world)
    # Coordinates as the bundled unit data records them (the persona units have none).
    Unit.objects.filter(pk=world.commune_a.pk).update(latitude=21.85, longitude=106.76)
    Unit.objects.filter(pk=world.commune_b.pk).update(latitude=21.70, longitude=106.50)
    page = open_page("province_office")
    page.goto(province_url(live_server, world.province, "web:province_map"))
    dots = page.locator("svg.map circle[data-unit-code]")
    expect(dots).to_have_count(2)
    a_dot = page.locator(f"svg.map circle[data-unit-code='{world.commune_a.code}']")
    b_dot = page.locator(f"svg.map circle[data-unit-code='{world.commune_b.code}']")
    expect(a_dot.locator("title")).to_have_text(re.compile(world.commune_a.name))
    expect(b_dot.locator("title")).to_have_text(re.compile(world.commune_b.name))
    # A has a result (all but one criterion); B has none.
    expect(a_dot).to_have_attribute("data-met", str(total - 1))
    expect(b_dot).to_have_attribute("data-met", "")
    # Inside the map and apart: A, further east and north, to the upper right of B.
    box = page.locator("svg.map").bounding_box()
    a, b = a_dot.bounding_box(), b_dot.bounding_box()
    assert box is not None and a is not None and b is not None
    for dot in (a, b):
        assert dot["width"] > 0 and dot["height"] > 0
        assert box["x"] <= dot["x"] and dot["x"] + dot["width"] <= box["x"] + box["width"]
        assert box["y"] <= dot["y"] and dot["y"] + dot["height"] <= box["y"] + box["height"]
    assert a["x"] > b["x"] + b["width"] and a["y"] + a["height"] < b["y"]
    # Coloured by criteria met: A has a band's colour, B the legend's "no result" grey.
    fill = "d => getComputedStyle(d).fill"
    no_result = page.locator(".legend .swatch rect").last.evaluate(fill)
    assert b_dot.evaluate(fill) == no_result
    assert a_dot.evaluate(fill) != no_result
    shot(page, "map")
