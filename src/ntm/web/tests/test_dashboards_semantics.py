"""What users saw wrong on the province page: no data is never zero, the set follows the
year, only years with a set are offered, and the page opens on the latest approved year."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import ACTOR, Personas, make_unit
from ntm.criteria.loader import load_set
from ntm.criteria.schema import CriteriaSet
from ntm.results.testing import SET_2020, SET_2022, History, at, seed
from ntm.units.models import UnitKind
from ntm.values.models import Stage
from ntm.values.services import (
    Entry,
    PastDeclaration,
    load_history,
    mark_simulated,
    save_value,
)
from ntm.web.tests.test_dashboards import html, text

pytestmark = pytest.mark.django_db


def _own_set() -> CriteriaSet:
    """A province's own set for years no bundled set applies to (2005-2008): not bundled."""
    raw = load_set("vn-ntm-xa-2010-2015").model_dump(mode="json")
    raw |= {
        "id": "tinh-cu-2005-2008",
        "period": {"start_year": 2005, "end_year": 2008},
        "effective_from": "2005-01-01",
        "effective_to": None,
        "succeeded_by": None,
        "versions": [raw["versions"][0] | {"effective_from": "2005-01-01"}],
    }
    return CriteriaSet.model_validate(raw)


RECORD_SET = _own_set()


def page(client: Client, p: Personas, query: str = "", status: int = 200) -> str:
    p.login(client, "province_office")
    return html(client, f"{reverse('web:province', args=[p.province.pk])}?{query}", status)


def figure(source: str, name: str) -> str:
    start = source.index(f'data-figure="{name}"')
    return text(source[source.index(">", start) + 1 : source.index("</li>", start)]).strip()


def test_a_year_without_data_shows_no_figure_not_zero(client: Client, p: Personas) -> None:
    seed(p)
    source = page(client, p, "period=2023")
    assert "— chưa có số liệu" in figure(source, "meeting")
    assert "0/2" not in figure(source, "meeting") and "0,00 %" not in figure(source, "meeting")
    assert figure(source, "average").endswith("—")
    assert 'data-figure="no-data"' in source
    # With data the figure is there, and the note is not.
    source = page(client, p, "period=2022")
    assert "1/2 (50,00 %)" in figure(source, "meeting")
    assert 'data-figure="no-data"' not in source


def test_the_set_follows_the_year(client: Client, p: Personas) -> None:
    seed(p)
    # The form keeps the 2021-2025 set when the year is switched to 2020: the year's own set
    # is used, never an error page.
    source = page(client, p, f"period=2020&set={SET_2022}")
    assert f"({SET_2020})" in text(source)
    assert "1/2" not in figure(source, "meeting") and "0/2 (0,00 %)" in figure(source, "meeting")
    assert f'value="{SET_2022}"' not in source  # only the sets of 2020 are offered
    source = page(client, p, "period=2022&set=/etc/passwd")
    assert f"({SET_2022})" in text(source)


def _offered(source: str) -> list[str]:
    select = source[
        source.index('<select id="id_set"') : source.index(
            "</select>", source.index('<select id="id_set"')
        )
    ]
    return re.findall(r'<option value="([^"]+)"', select)


def _selected(source: str) -> str:
    found = re.search(
        r'<option value="([^"]+)" selected>', source[source.index('<select id="id_set"') :]
    )
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("period", "default", "other"),
    [
        # 2021 is assessed on 31/12/2021, before QĐ 318/QĐ-TTg took effect (08/03/2022).
        (2021, SET_2020, SET_2022),
        # 2016-2020 was still in force from 01/01 to 07/03/2022.
        (2022, SET_2022, SET_2020),
    ],
)
def test_a_transition_year_offers_both_sets(
    client: Client, p: Personas, period: int, default: str, other: str
) -> None:
    seed(p)
    for persona in ("province_office", "central_viewer"):
        p.login(client, persona)
        url = reverse("web:province", args=[p.province.pk])
        source = html(client, f"{url}?period={period}")
        assert {default, other} <= set(_offered(source))
        assert _selected(source) == default
        # Either set, asked for, is a page (no data under it is said so), never an error.
        for chosen in (default, other):
            source = html(client, f"{url}?period={period}&set={chosen}")
            assert _selected(source) == chosen and f"({chosen})" in text(source)
        commune = reverse("web:commune", args=[p.commune_a.pk])
        for chosen in ("", default, other):
            source = html(client, f"{commune}?period={period}&set={chosen}")
            assert _selected(source) == (chosen or default)
    p.login(client, "central_viewer")
    source = html(client, f"{reverse('web:central')}?period={period}")
    assert _selected(source) == default and other in _offered(source)
    source = html(client, f"{reverse('web:central')}?period={period}&set={other}")
    assert _selected(source) == other


def test_only_years_with_a_set_are_offered(client: Client, p: Personas) -> None:
    since = dt.date(2005, 1, 1)
    province = make_unit("Tỉnh Cũ", UnitKind.PROVINCE, "97", start=since)
    older = make_unit("Xã Cũ", UnitKind.COMMUNE, "97001", province, start=since)
    load_history(
        [RECORD_SET],
        declarations=[
            PastDeclaration(older, 2006, RECORD_SET.id, c, "met", at("2006-12-31"))
            for c in range(1, 20)
        ],
        reason="test",
        actor=ACTOR,
    )
    p.login(client, "central_viewer")
    url = reverse("web:province", args=[province.pk])
    # 2006 is held under a set that is neither bundled nor the province's own: not offered.
    assert '<option value="2006"' not in html(client, url)
    mark_simulated(province, note="test", record_sets=[RECORD_SET], actor=ACTOR)
    source = html(client, f"{url}?period=2006")
    assert '<option value="2006"' in source
    assert f"({RECORD_SET.id})" in text(source)
    assert "1/1 (100,00 %)" in figure(source, "meeting")


def test_the_page_opens_on_the_latest_approved_year(client: Client, p: Personas) -> None:
    h = History()
    h.approve(p.commune_a, 2021, SET_2020, "2022-01-20")
    h.approve(p.commune_b, 2021, SET_2020, "2022-01-20")
    seed(p, h)
    # One commune's draft for a new year does not turn the landing page into "0/2".
    save_value(
        p.commune_a,
        "rural_market",
        2025,
        Entry(value=1.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    source = page(client, p)
    assert '<h2 id="h-headline">Năm 2021</h2>' in source
    assert 'data-figure="default-period"' in source
    assert "năm gần nhất có số liệu đã duyệt" in text(source)
    # Asked for, the draft year is shown, and the note is not.
    source = page(client, p, "period=2025")
    assert 'data-figure="default-period"' not in source
