"""The province's decisions in force on the assessment date are read by every page: a new
decision moves the cached figures at once, and each threshold says where it came from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.accounts.testing import ACTOR, UNITS_START, Personas, make_unit
from ntm.criteria.loader import load_set
from ntm.criteria.schema import CellChange
from ntm.decisions.services import Basis, record_decision
from ntm.results.central import central_view
from ntm.results.commune import commune_view
from ntm.results.province import province_overview
from ntm.units.models import UnitKind
from ntm.values.models import Stage
from ntm.values.services import Entry, save_value

YEAR = 2020
SET = "vn-ntm-xa-2016-2020"
INCOME = "income_per_capita"  # 45 in the national column for 2020


def _income_met(p: Personas) -> int:
    o = province_overview(p.province, period=YEAR, set_id=SET)
    (counts,) = [c for c in o.statistics.total.figures.criteria if c.criterion == 10]
    return counts.met


def _decide(p: Personas, value: float, number: str, day: dt.date) -> None:
    record_decision(
        p.province,
        SET,
        Basis(number, day, "UBND tỉnh Thử Nghiệm (TEST)"),
        [CellChange(indicator="10", column="province", year=YEAR, value=value, status="verified")],
        effective_from=None,
        acting_user=p.province_office,
    )


@pytest.fixture
def income(personas: Personas) -> Personas:
    save_value(
        personas.commune_a,
        INCOME,
        YEAR,
        Entry(value=48),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=personas.officer_a,
    )
    return personas


def test_a_new_decision_version_changes_the_province_figure(income: Personas) -> None:
    p = income
    assert _income_met(p) == 1  # 48 against the national 45
    _decide(p, 50, "TEST-01/QĐ-UBND", dt.date(2020, 3, 1))
    assert _income_met(p) == 0  # the province asks 50: no stale figure
    _decide(p, 47, "TEST-02/QĐ-UBND", dt.date(2020, 9, 1))
    assert _income_met(p) == 1  # the later decision is in force on 31/12/2020
    # A decision that takes effect after the assessment date does not count for the year.
    _decide(p, 60, "TEST-03/QĐ-UBND", dt.date(2021, 2, 1))
    assert _income_met(p) == 1


def test_the_province_set_fingerprint_moves(income: Personas) -> None:
    p = income
    before = province_overview(p.province, period=YEAR, set_id=SET).cset
    assert before is load_set(SET)
    _decide(p, 50, "TEST-01/QĐ-UBND", dt.date(2020, 3, 1))
    after = province_overview(p.province, period=YEAR, set_id=SET).cset
    assert after.id == SET and after != before
    assert [o.legal_basis.number for o in after.overlays] == ["TEST-01/QĐ-UBND"]


def test_the_commune_page_says_which_decision_a_threshold_comes_from(income: Personas) -> None:
    p = income
    _decide(p, 50, "TEST-01/QĐ-UBND", dt.date(2020, 3, 1))
    view = commune_view(p.commune_a, period=YEAR, set_id=SET)
    (c10,) = [c for c in view.criteria if c.number == 10]
    (row,) = c10.conditions
    assert (row.threshold, row.column, row.status) == (50, "province", "not_met")
    assert row.threshold_source == "TEST-01/QĐ-UBND (01/03/2020)"
    (c15,) = [c for c in view.criteria if c.number == 15]
    assert all(r.threshold_source is None for r in c15.conditions)


def test_the_entry_grid_and_commune_page_show_it(income: Personas, client: Client) -> None:
    p = income
    _decide(p, 50, "TEST-01/QĐ-UBND", dt.date(2020, 3, 1))
    p.login(client, "province_office")
    grid = client.get(f"/values/commune/{p.commune_a.pk}/{SET}/{YEAR}/").content.decode()
    assert "quyết định của tỉnh TEST-01/QĐ-UBND (01/03/2020)" in grid
    assert "≥ 50" in grid
    page = client.get(f"/commune/{p.commune_a.pk}/?period={YEAR}&set={SET}").content.decode()
    assert "quyết định của tỉnh TEST-01/QĐ-UBND (01/03/2020)" in page


def _central_met(p: Personas) -> dict[str, int]:
    view = central_view(period=YEAR, set_id=SET)
    return {r.province.code or "": r.total_met for r in view.rows}


def test_the_central_view_applies_each_province_decisions(income: Personas) -> None:
    p = income
    code = p.province.code or ""
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    commune = make_unit("Xã Cây", UnitKind.COMMUNE, "98001", other)
    office = create_user(
        "office_98",
        password=None,
        role=Role.PROVINCE_OFFICE,
        unit=other,
        full_name="Văn phòng tỉnh Khác",
        valid_from=UNITS_START,
        actor=ACTOR,
    )
    officer = create_user(
        "officer_98",
        password=None,
        role=Role.COMMUNE_OFFICER,
        unit=commune,
        full_name="Cán bộ xã Cây",
        valid_from=UNITS_START,
        actor=ACTOR,
    )
    save_value(
        commune,
        INCOME,
        YEAR,
        Entry(value=48),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=officer,
    )
    before = _central_met(p)
    assert before[code] == before["98"] >= 1
    _decide(p, 50, "TEST-01/QĐ-UBND", dt.date(2020, 3, 1))
    after = _central_met(p)  # the cached view moved with the decision
    assert after == {**before, code: before[code] - 1}
    # The other province's own decision counts for it only.
    record_decision(
        other,
        SET,
        Basis("TEST-9/QĐ-UBND", dt.date(2020, 3, 1), "UBND tỉnh Khác (TEST)"),
        [CellChange(indicator="10", column="province", year=YEAR, value=49, status="verified")],
        effective_from=None,
        acting_user=office,
    )
    assert _central_met(p) == {**after, "98": before["98"] - 1}


def test_the_central_view_reads_all_decisions_in_one_query(income: Personas) -> None:
    p = income
    _decide(p, 50, "TEST-01/QĐ-UBND", dt.date(2020, 3, 1))
    central_view(period=YEAR, set_id=SET)
    with CaptureQueriesContext(connection) as ctx:
        central_view(period=YEAR, set_id=SET)
    assert sum("decisions_cellversion" in q["sql"] for q in ctx.captured_queries) == 1
