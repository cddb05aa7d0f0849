"""The published Lạng Sơn figures, computed by the app's own statistics from the demo record.

Each figure is asserted from `ntm.stats` over `ntm.values`' results, through the province
read layer itself (`ntm.results.province.province_overview`): end of 2020 live, mid-2020 as of
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
from ntm.demo.loader import DAY_2019, DAY_2020, DAY_MID_2020, DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.recognition.models import Recognition, RecognitionDecision, Status, Tier
from ntm.results.evaluation import evaluated
from ntm.results.periods import recorded_results
from ntm.results.province import province_overview
from ntm.results.record import moment
from ntm.results.scope import communes_on, pk_crosswalk
from ntm.units.models import Unit, UnitEvent
from ntm.vn.numbers import PercentStyle, format_number, format_percent, format_signed

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


def test_plus_9_93_since_2011_from_the_end_2020_average(mid) -> None:  # type: ignore[no-untyped-def]
    """ "đến hết năm 2020 đạt 12,5 tiêu chí/xã, tăng 9,93 tiêu chí/xã so với năm 2011": from the
    end-2020 average, so 2,57 in 2011 (the corrected reading of the reference)."""
    end = province_overview(province(), period=2020, baseline=2011).statistics.total.baseline
    assert end is not None and end.against == 2011 and end.average_met is not None
    assert format_signed(end.average_met, 2) == "+9,93"
    change = mid.total.baseline
    assert change is not None and change.against == 2011
    assert format_signed(change.average_met, 2) == "+8,97"  # 11,54 - 2,57, in mid-2020
    base = province_statistics(province(), 2011, load_set("vn-ntm-xa-2010-2015")).total.figures
    # 2011 is counted on the 207 communes before the NQ 818 mergers.
    assert (base.communes, base.evaluated, base.meeting) == (207, 207, 0)
    assert format_number(base.average_met, 2) == "2,57"


def test_61_of_207_on_the_units_before_the_mergers(mid) -> None:  # type: ignore[no-untyped-def]
    """Published beside 49 of 181 at 30/06/2020: "61 of 207 counted on the units before the
    2019 mergers". The 207 communes of 31/12/2019 were last measured in period 2019 (37 of them
    ended with the mergers), so it is the 2019 record on its own units, as it stood
    at 30/06/2020 — on the page, the previous year of the mid-2020 view."""
    prov = province()
    pre = province_statistics(prov, 2019, SET_2016, as_of=DAY_MID_2020).total.figures
    assert (pre.meeting, pre.communes, pre.evaluated) == (61, 207, 207)
    assert format_percent(pre.meeting, pre.communes) == "29,47 %"
    change = mid.total.previous
    assert change is not None and change.against == 2019
    assert (change.meeting, change.communes) == (49 - 61, 181 - 207)


def test_the_mergers_carry_the_standing_of_2019_into_mid_2020(demo: DemoResult) -> None:
    """A commune that continued keeps its end-2019 standing until mid-2020; one created by a
    merger is at the standard only if every commune it was made of was."""
    prov = province()
    before = recorded_results(prov, 2019, SET_2016, at=moment(DAY_MID_2020)).evaluation
    after = recorded_results(prov, 2020, SET_2016, at=moment(DAY_MID_2020)).evaluation
    assert before is not None and after is not None

    def meeting(frame: pl.DataFrame) -> set[int]:
        return set(frame.filter(pl.col("meets_set")).get_column("unit").cast(pl.Int64))

    met_2019, met_mid = meeting(before.communes), meeting(after.communes)
    old = {u.pk for u in communes_on(prov, DAY_2019)}
    new = {u.pk for u in communes_on(prov, DAY_MID_2020)}
    assert (len(old), len(new)) == (207, 181)
    assert {u for u in old & new if u in met_mid} == {u for u in old & new if u in met_2019}
    walk = pk_crosswalk(prov, DAY_2019, DAY_2020)
    for made, parts in walk.group_by("new_unit").agg("old_unit").iter_rows():
        if int(made) in met_mid and int(made) not in old:
            assert all(int(p) in met_2019 for p in parts)


def test_the_history_before_2020(demo: DemoResult) -> None:
    overview = province_overview(province(), period=2020)
    trend = {p.period: p.figures for p in overview.trend}
    # 2011-2015 under the set the record was kept under (the provenance row gives it).
    assert sorted(trend) == list(range(2011, 2021))
    assert {p.set_id for p in overview.trend if p.period <= 2015} == {"vn-ntm-xa-2010-2015"}
    assert [trend[y].meeting for y in sorted(trend)] == sorted(trend[y].meeting for y in trend)
    end_2015 = province_statistics(province(), 2015, load_set("vn-ntm-xa-2010-2015")).total.figures
    assert end_2015.meeting == 8  # "8 NTM communes" by 07/12/2015 (langson_timeseries.csv)
    assert trend[2015] == end_2015


def _criteria(units: list[Unit], year: int) -> pl.DataFrame:
    counted = evaluated(units, year, SET_2016).counted()
    assert counted is not None
    return counted.criteria


def test_income_before_2020_is_declared(demo: DemoResult) -> None:
    """Income has no threshold before 2020: its status is declared, the others computed."""
    units = communes_on(province(), dt.date(2018, 12, 31))
    crit = _criteria(units, 2018)
    source = dict(crit.group_by("criterion").agg(pl.col("source").unique()).iter_rows())
    assert source[10] == ["declared"]
    assert all(source[k] == ["computed"] for k in source if k != 10)
    crit_2020 = _criteria(units[:20], 2020)
    assert crit_2020.get_column("source").unique().to_list() == ["computed"]


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
    assert "+8,97" in _figure(page, "baseline")
    assert "Tính đến 30/06/2020" in _figure(page, "basis")
    assert "đã duyệt 0/181 xã" in _figure(page, "basis")
    assert _figure(page, "approved").endswith("0/181")
    # The year before, on its own 207 communes: "61 of 207 on the units before the mergers".
    assert "-12 xã" in _figure(page, "previous")
    assert re.search(
        r'<th scope="row">2019</th><td>[^<]*</td><td class="num">61/207</td>'
        r'<td class="num">29,47 %</td>',
        page,
    )


def test_65_of_181_recognised_at_the_end_of_2020_from_recognition_records(
    demo: DemoResult,
) -> None:
    r = province_overview(province(), period=2020).recognition
    assert r is not None
    assert (r.recognised, r.in_scope) == (65, 181)
    assert format_percent(r.recognised, r.in_scope) == "35,91 %"
    # The demo recognises the communes at the standard: the two counts agree at the end of 2020.
    assert r.meeting_unrecognised == () and r.recognised_not_meeting == ()
    real = Recognition.objects.filter(decision__number="2165/QĐ-UBND").get()
    assert (real.unit.name, real.year, real.decision.simulated) == ("Xã Bính Xá", 2018, False)  # type: ignore[union-attr]
    # Every made-up decision number says so, on the record and in its number.
    made_up = RecognitionDecision.objects.filter(simulated=True)
    assert made_up.exists() and all("mô phỏng" in d.number for d in made_up)


def test_as_of_mid_2020_the_2020_decisions_were_not_yet_taken(demo: DemoResult) -> None:
    r = mid_2020_overview(province()).recognition
    assert r is not None
    # The communes recognised until 2019 that continue into 2020, none for 2020 yet.
    held = Recognition.objects.filter(year__lte=2019, tier=Tier.NTM).exclude(
        ended_on__lte=DAY_MID_2020
    )
    assert r.recognised == held.count() == 49  # as many as at the standard on that day


def test_the_city_completed_the_task_in_2017_and_its_communes_agree(demo: DemoResult) -> None:
    city = Recognition.objects.get(tier=Tier.COMPLETED)
    assert (city.unit.name, city.year) == ("Thành phố Lạng Sơn", 2017)
    communes = Unit.objects.filter(parent=city.unit, kind="commune")
    assert {u.name for u in communes} == {"Xã Hoàng Đồng", "Xã Quảng Lạc", "Xã Mai Pha"}
    held = Recognition.objects.filter(unit__in=communes, tier=Tier.NTM)
    assert sorted((c.unit.name, c.year) for c in held) == [
        ("Xã Hoàng Đồng", 2017),
        ("Xã Mai Pha", 2017),
        ("Xã Quảng Lạc", 2017),
    ]


def test_recognitions_of_merged_communes_end_with_the_merger(demo: DemoResult) -> None:
    ended = Recognition.objects.filter(status=Status.ENDED)
    assert ended.exists()
    assert {c.ended_on for c in ended} <= {e.date for e in UnitEvent.objects.all()}
    # Those of the 2019–2020 mergers among them, before the figures of 2020.
    assert any(c.ended_on is not None and c.ended_on.year <= 2020 for c in ended)


def test_the_2020_plan_and_its_progress(demo: DemoResult) -> None:
    targets = province_overview(province(), period=2020).targets
    assert {t.basis for t in targets} == {"18/KH-UBND 22/01/2020 UBND tỉnh Lạng Sơn"}
    by = {(t.kind, t.tier, t.group): t for t in targets}
    ntm = by[("new_recognitions", "ntm", "all")]
    # 65 recognised at the end of 2020, 49 of them before: 16 new, the plan asked for 13.
    assert (ntm.value, ntm.actual, ntm.reached) == (13.0, 16.0, True)
    advanced = by[("new_recognitions", "advanced", "all")]
    assert (advanced.value, advanced.actual) == (3.0, 0.0)  # the demo simulates no NC tier
    border = by[("group_average", "ntm", "border")]
    assert (border.value, border.value_max, border.actual) == (11.5, 12.0, None)
