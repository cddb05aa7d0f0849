"""The published Lạng Sơn figures, computed by the app's own statistics from the demo record.

Each figure is asserted from `ntm.stats` over `ntm.values`' results, through the province
dashboard itself (`ntm.web.dashboards.province_overview`): end of 2020 live, mid-2020 as of
30/06/2020 (`ntm.demo.figures.mid_2020_overview`) — and on the rendered page's data-figure
hooks.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from ntm.criteria.loader import load_set
from ntm.demo.figures import mid_2020_overview, province_statistics
from ntm.demo.loader import DAY_2019, DAY_2020, DAY_MID_2020, DemoResult, demo_set_2010, province
from ntm.demo.users import ensure_demo_users
from ntm.stats.formatting import PercentStyle, format_number, format_percent, format_signed
from ntm.units.models import Unit
from ntm.values.evaluation import results_for_units
from ntm.web.dashboards import communes_on, province_overview, recorded_results

SET_2016 = load_set("vn-ntm-xa-2016-2020")


@pytest.fixture
def mid(demo: DemoResult):  # type: ignore[no-untyped-def]
    return mid_2020_overview(province()).statistics


def test_end_of_2020_on_the_dashboard(demo: DemoResult) -> None:
    overview = province_overview(province(), period=2020)
    f = overview.statistics.total.figures
    assert overview.simulated
    assert (f.meeting, f.communes, f.evaluated) == (65, 181, 181)  # 65 of 181
    assert format_percent(f.meeting, f.communes) == "35,91 %"
    assert format_number(f.average_met, 1) == "12,5"
    assert f.met_by_criterion[19] == 165
    assert f.met_by_criterion[18] == 93


def test_end_of_2020_as_of_31_12_is_the_current_record(demo: DemoResult) -> None:
    now = province_overview(province(), period=2020).statistics.total.figures
    then = province_statistics(province(), 2020, SET_2016, as_of=DAY_2020).total.figures
    assert then == now


def test_mid_2020(mid) -> None:  # type: ignore[no-untyped-def]
    f = mid.total.figures
    assert (f.meeting, f.communes, f.evaluated) == (49, 181, 181)  # 49 of 181
    assert format_percent(f.meeting, f.communes, PercentStyle(decimals=1)) == "27,1 %"
    assert format_number(f.average_met, 2) == "11,54"


def test_plus_9_93_since_2011_from_the_mid_2020_average(mid) -> None:  # type: ignore[no-untyped-def]
    change = mid.total.baseline
    assert change is not None and change.against == 2011
    assert format_signed(change.average_met, 2) == "+9,93"
    base = province_statistics(province(), 2011, demo_set_2010()).total.figures
    # 2011 is counted on the 177 pre-2019 communes the reference gives (not 207).
    assert (base.communes, base.evaluated, base.meeting) == (177, 177, 0)


def test_mid_2020_on_the_pre_2019_units(demo: DemoResult) -> None:
    """Published: 61 of 207. Only 177 pre-2019 communes are recorded (30 are missing from the
    reference), so the figure is computed on those: the communes continuing unchanged carry
    their mid-2020 result, the dissolved ones have none."""
    prov = province()
    pre = province_statistics(prov, 2020, SET_2016, as_of=DAY_MID_2020, units_day=DAY_2019)
    f = pre.total.figures
    assert f.communes == 177
    ev = recorded_results(prov, 2020, SET_2016, as_of=DAY_MID_2020).evaluation
    assert ev is not None
    communes = ev.communes
    meeting = communes.filter(pl.col("meets_set")).get_column("unit").cast(pl.Int64).to_list()
    continuing = Unit.objects.filter(pk__in=meeting).valid_on(DAY_2019)
    assert f.meeting == continuing.count()
    assert f.evaluated == sum(1 for u in Unit.objects.filter(pk__in=communes.get_column("unit")
                                                             .cast(pl.Int64).to_list())
                              if u.is_valid_on(DAY_2019))  # fmt: skip


def test_the_history_before_2020(demo: DemoResult) -> None:
    overview = province_overview(province(), period=2020)
    trend = {p.period: p.figures for p in overview.trend}
    assert sorted(trend) == [2016, 2017, 2018, 2019, 2020]  # the 2010-2015 set is not bundled
    assert [trend[y].meeting for y in sorted(trend)] == sorted(trend[y].meeting for y in trend)
    end_2015 = province_statistics(province(), 2015, demo_set_2010()).total.figures
    assert end_2015.meeting == 8  # "8 NTM communes" by 07/12/2015 (langson_timeseries.csv)


def test_income_before_2020_is_declared(demo: DemoResult) -> None:
    """Income has no threshold before 2020: its status is declared, the others computed."""
    units = communes_on(province(), dt.date(2018, 12, 31))
    crit = results_for_units(units, 2018, SET_2016).criteria
    basis = dict(crit.group_by("criterion").agg(pl.col("basis").unique()).iter_rows())
    assert basis[10] == ["declared"]
    assert all(basis[k] == ["computed"] for k in basis if k != 10)
    crit_2020 = results_for_units(units[:20], 2020, SET_2016).criteria
    assert crit_2020.get_column("basis").unique().to_list() == ["computed"]


def test_mid_2020_approval(demo: DemoResult) -> None:
    """On 30/06/2020 no commune had its 2020 approved (approvals came on 20/01/2021): the live
    count shows it, and counting approved communes only leaves no result at all."""
    live = mid_2020_overview(province())
    assert (live.approved, live.in_scope) == (0, 181)
    only = mid_2020_overview(province(), approved_only=True)
    f = only.figures
    assert (f.communes, f.evaluated, f.meeting, only.unapproved) == (181, 0, 0, 181)
    end = province_overview(province(), period=2020, approved_only=True)
    assert (end.approved, end.figures.meeting) == (181, 65)


def _figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"[^>]*>(.*?)</(?:li|p)>', page, re.S)
    assert found, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_mid_2020_on_the_page(demo: DemoResult) -> None:
    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    client = Client()
    assert client.login(username=office.username, password=office.password)
    url = reverse("web:province", args=[province().pk])
    page = client.get(f"{url}?period=2020&baseline=2011&as_of=30/06/2020").content.decode()
    assert "49/181 (27,07 %)" in _figure(page, "meeting")
    assert _figure(page, "average").endswith("11,54")
    assert "+9,93" in _figure(page, "baseline")
    assert "Tính đến 30/06/2020" in _figure(page, "basis")
    assert "đã duyệt 0/181 xã" in _figure(page, "basis")
    assert _figure(page, "approved").endswith("0/181")
