"""One question, one answer: the demo's Lạng Sơn figures are identical through the province
page, the API's statistics, `ntm stats --json` and the read layer itself
(`ntm.results.province.province_overview`) — 2020 live, 2020 as of 30/06/2020 against 2011,
and 2020 re-based onto the units of 01/07/2025.

The page and the API re-base onto the units in force today (the province's reference date),
which are those of 01/07/2025; the command and the read layer are asked for 01/07/2025 itself,
so that figure is computed twice (two cache keys) and must come out the same.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ntm.demo.loader import DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.results.province import ProvinceOverview, province_overview
from ntm.results.query import Geography
from ntm.results.scope import communes_on
from ntm.stats.jsonable import jsonable
from ntm.stats.rollup import Change
from ntm.vn.numbers import format_number, format_percent, format_signed

UNITS_2025 = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class Case:
    overview: dict[str, Any]  # province_overview's arguments
    query: str  # the page's and the API's query string
    command: tuple[str, ...]  # ntm stats' arguments


CASES = {
    "live": Case({"period": 2020}, "period=2020", ("--period", "2020")),
    "mid-2020": Case(
        {"period": 2020, "baseline": 2011, "as_of": dt.date(2020, 6, 30)},
        "period=2020&baseline=2011&as_of=30/06/2020",
        ("--period", "2020", "--baseline", "2011", "--as-of", "30/06/2020"),
    ),
    "rebased": Case(
        {"period": 2020, "geography": Geography.REBASED, "onto": UNITS_2025},
        "period=2020&geography=rebased",
        ("--period", "2020", "--units-of", "01/07/2025"),
    ),
}


def _hook(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"[^>]*>(.*?)</(?:li|p)>', page, re.S)
    assert found, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _table(page: str, section: str, following: str) -> list[tuple[str, str]]:
    """(row header, first number) of each row of the table under a page section."""
    part = page[page.index(f'id="{section}"') : page.index(f'id="{following}"')]
    return re.findall(r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td>', part)


def _change(text: str) -> str:
    """ "+4 xã; +2,1 tiêu chí" (or "—") from a change hook."""
    found = re.search(r"(\S+ xã; \S+ tiêu chí|—)$", text)
    assert found, text
    return found.group(1)


def _page(client: Client, case: Case) -> dict[str, Any]:
    url = reverse("web:province", args=[province().pk])
    response = client.get(f"{url}?{case.query}")
    assert response.status_code == 200
    page = response.content.decode()
    return {
        "meeting": _hook(page, "meeting").removeprefix("Số xã đạt chuẩn "),
        "average": _hook(page, "average").removeprefix("Bình quân số tiêu chí đạt/xã "),
        "previous": _change(_hook(page, "previous")),
        "baseline": _change(_hook(page, "baseline")),
        "approved": _hook(page, "approved").rsplit(" ", 1)[-1],
        "criteria": [
            (int(name.split(".")[0]), met) for name, met in _table(page, "h-criteria", "h-bands")
        ],
        "bands": _table(page, "h-bands", "h-trend"),
    }


def _shown_change(change: Change | None) -> str:
    if change is None:
        return "—"
    average = "—" if change.average_met is None else format_signed(change.average_met)
    return f"{format_signed(change.meeting, 0)} xã; {average} tiêu chí"


def _as_shown(o: ProvinceOverview) -> dict[str, Any]:
    """What the page must show of the read layer's overview, in its number style."""
    f = o.figures
    assert o.has_data  # every case has data
    if not o.comparable:
        meeting = "— không so sánh được"
    else:
        meeting = f"{format_number(f.meeting)}/{format_number(f.communes)} " + (
            f"({format_percent(f.meeting, f.communes)})"
        )
    return {
        "meeting": meeting,
        "average": format_number(f.average_met, 2) if f.evaluated else "—",
        "previous": _shown_change(o.statistics.total.previous),
        "baseline": _shown_change(o.statistics.total.baseline),
        "approved": f"{format_number(o.approved)}/{format_number(o.in_scope)}",
        "criteria": [(c.criterion, format_number(c.met)) for c in f.criteria],
        "bands": [(b.band.label_vi, format_number(b.count)) for b in f.bands],
    }


def _without_basis(statistics: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in statistics.items() if k != "basis"}


@pytest.mark.parametrize("name", list(CASES))
def test_the_page_the_api_the_command_and_the_read_layer_agree(demo: DemoResult, name: str) -> None:
    case = CASES[name]
    prov = province()
    direct = province_overview(prov, **case.overview)
    expected = jsonable(direct.statistics)

    out = StringIO()
    call_command("stats", "--province", prov.code, *case.command, "--json", stdout=out)
    cli = json.loads(out.getvalue())

    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    client = Client()
    assert client.login(username=office.username, password=office.password)
    response = client.get(f"/api/units/{prov.pk}/statistics?{case.query}")
    assert response.status_code == 200
    api = response.json()

    assert cli["statistics"] == expected
    if direct.onto is None:
        assert api["statistics"] == expected
    else:
        # Today's units are those of 01/07/2025: the same figures on another basis date.
        today = timezone.localdate()
        assert {u.pk for u in communes_on(prov, today)} == {
            u.pk for u in communes_on(prov, UNITS_2025)
        }
        assert (api["basis"], cli["basis"]) == (
            f"rebased:{today.isoformat()}",
            "rebased:2025-07-01",
        )
        assert _without_basis(api["statistics"]) == _without_basis(expected)
    assert api["trend"] == cli["trend"] == [jsonable(t) for t in direct.trend]
    scope = (direct.approved, direct.in_scope)
    assert (cli["approved"], cli["communes_in_scope"]) == scope
    assert (api["approved"], api["communes_in_scope"]) == scope
    assert cli["as_of"] == api["as_of"] == (direct.as_of.isoformat() if direct.as_of else None)

    assert _page(client, case) == _as_shown(direct)
