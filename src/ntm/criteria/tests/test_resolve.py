"""Column selection, versions, year-dependent thresholds and province overlays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ntm.criteria.loader import load_overlay_file, load_set
from ntm.criteria.resolve import NotInPeriod, applicable_overlays, assessment_date, resolve
from ntm.criteria.schema import NATIONAL, NO_GROUP, PROVINCE, Overlay

TEST_OVERLAY = Path(__file__).parent / "fixtures" / "test-overlay-2016-2020.yaml"
SET_2016 = "vn-ntm-xa-2016-2020"
SET_2021 = "vn-ntm-xa-2021-2025"


@pytest.fixture(scope="module")
def overlay() -> Overlay:
    return load_overlay_file(TEST_OVERLAY)


def test_the_test_overlay_says_it_is_a_test(overlay: Overlay) -> None:
    assert overlay.legal_basis.number.startswith("TEST")
    assert "TEST OVERLAY" in TEST_OVERLAY.read_text(encoding="utf-8")


def test_overlay_wins_over_the_national_value_for_its_province(overlay: Overlay) -> None:
    cset = load_set(SET_2016)
    national = resolve(cset, 2020)
    rs = resolve(cset, 2020, applicable_overlays([overlay], "20"))
    column, cell = national.lookup("15.1", 0, "TDMNPB")
    assert (column, cell.value, cell.basis) == ("TDMNPB", 85, "1980/QĐ-TTg")
    column, cell = rs.lookup("15.1", 0, "TDMNPB")
    assert (column, cell.value, cell.status) == (PROVINCE, 90, "verified")
    assert cell.basis == "TEST-0000/QĐ-UBND"
    assert rs.label == "vn-ntm-xa-2016-2020@1980/QĐ-TTg+test-overlay-2016-2020"
    # Communes of another province (or of none) do not get the overlay.
    assert applicable_overlays([overlay], "01") == ()
    assert applicable_overlays([overlay], None) == ()


def test_overlay_can_change_one_regional_column(overlay: Overlay) -> None:
    rs = resolve(load_set(SET_2016), 2020, [overlay])
    assert rs.lookup("17.1", 1, "TDMNPB")[1].value == 55
    assert rs.lookup("17.1", 1, "TN")[1].value == 50  # the national set's TN column


def test_order_overlay_then_commune_column_then_national(overlay: Overlay) -> None:
    cset = load_set(SET_2016)
    rs = resolve(cset, 2019, [overlay])
    # 2019 income: no national or regional value, the overlay fills it.
    assert rs.lookup("10", 0, "TDMNPB")[0] == PROVINCE
    # 14.2: the commune's region column is used before the national one.
    column, cell = rs.lookup("14.2", 0, "TDMNPB")
    assert (column, cell.value) == ("TDMNPB", 70)
    # A commune without a region uses the national column.
    assert rs.unit_column(None, None, []) == NATIONAL
    assert rs.lookup("14.2", 0, NATIONAL)[1].value == 85


def test_missing_falls_through_and_is_reported_when_nothing_has_a_value() -> None:
    cset = load_set(SET_2021)
    rs = resolve(cset, 2023)
    # 2.2 has only the TDMNPB column: a DBSH commune falls through to a missing national cell.
    column, cell = rs.lookup("2.2", 0, "DBSH")
    assert (column, cell.value, cell.status) == ("DBSH", None, "missing")
    # 15.3 has no national value but has the region's: the region is used.
    assert rs.lookup("15.3", 0, "DBSH")[1].value == 16.5
    # Income 2016-2019 (2016-2020 set) has no value in any column.
    column, cell = resolve(load_set(SET_2016), 2018).lookup("10", 0, "BTB")
    assert (column, cell.status) == ("BTB", "missing")


def test_year_dependent_thresholds_are_taken_for_the_year() -> None:
    cset = load_set(SET_2021)
    assert resolve(cset, 2022).lookup("10.1", 0, "TDMNPB")[1].value == 39
    assert resolve(cset, 2022).lookup("10.1", 0, "DNB")[1].value == 59
    assert resolve(cset, 2023).lookup("10.1", 0, "TDMNPB")[1].status == "missing"
    old = load_set(SET_2016)
    assert resolve(old, 2020).lookup("10", 0, "DNB")[1].value == 59
    assert resolve(old, 2019).lookup("10", 0, "DNB")[1].status == "missing"


def test_special_difficulty_and_safe_zone_communes_use_tdmnpb_in_2021_2025() -> None:
    rs = resolve(load_set(SET_2021), 2022)
    assert rs.unit_column("DNB", None, []) == "DNB"
    assert rs.unit_column("DNB", None, ["special_difficulty"]) == "TDMNPB"
    assert rs.unit_column("DBSCL", None, ["safe_zone_poor_district"]) == "TDMNPB"
    assert rs.lookup("10.1", 0, rs.unit_column("DNB", None, ["special_difficulty"]))[1].value == 39
    # 2016-2020 has no such rule.
    old = resolve(load_set(SET_2016), 2020)
    assert old.unit_column("DNB", None, ["special_difficulty"]) == "DNB"


def test_commune_groups_in_2026_2030() -> None:
    rs = resolve(load_set("vn-ntm-xa-2026-2030"), 2026)
    assert rs.unit_column("TDMNPB", "group_3", []) == "group_3"
    # Without a group the commune has no column of its own, whatever its region: never a
    # guessed one.
    assert rs.unit_column(None, None, []) == NO_GROUP
    assert rs.unit_column("TDMNPB", None, []) == NO_GROUP


def test_amendment_211_is_chosen_from_2024_and_carries_cells_as_unverified() -> None:
    cset = load_set(SET_2021)
    before, after = resolve(cset, 2023), resolve(cset, 2024)
    assert before.version.id == "318/QĐ-TTg"
    assert after.version.id == "211/QĐ-TTg"
    assert after.label == "vn-ntm-xa-2021-2025@211/QĐ-TTg"
    assert before.lookup("3.1", 0, "BTB")[1].status == "verified"
    cell = after.lookup("3.1", 0, "BTB")[1]
    assert (cell.value, cell.status) == (80, "unverified")
    assert before.condition_status("3.2", 0) == "verified"
    assert after.condition_status("3.2", 0) == "unverified"
    assert before.condition_status("1.1", 0) == "unverified"


def test_threshold_rows_cover_every_numeric_cell(overlay: Overlay) -> None:
    rs = resolve(load_set(SET_2016), 2020, [overlay])
    rows = rs.threshold_rows()
    keys = {(r.indicator, r.condition, r.column) for r in rows}
    assert len(keys) == len(rows) == len(rs.cells)
    assert ("15.1", 0, PROVINCE) in keys
    assert all(r.op in {">=", "<=", "=="} for r in rows)


def test_year_outside_the_years_the_set_applies_to() -> None:
    # 2016-2020 stays in force until 07/03/2022 (318/QĐ-TTg took effect on 08/03/2022).
    with pytest.raises(NotInPeriod, match=r"năm 2023 nằm ngoài các năm áp dụng .* \(2016–2022\)"):
        resolve(load_set(SET_2016), 2023)
    assert resolve(load_set(SET_2016), 2023, check_period=False).year == 2023


def test_a_set_judges_the_years_until_its_successor_takes_effect() -> None:
    old = load_set(SET_2016)
    for year in (2021, 2022):
        rs = resolve(old, year)
        # Income has no row for those years: missing, never the 2020 level.
        assert rs.lookup("10", 0, "TDMNPB")[1].status == "missing"
        assert rs.lookup("15.1", 0, "TDMNPB")[1].value == 85
    assert assessment_date(old, 2022) == dt.date(2022, 3, 7)


def test_overlay_of_another_set_is_refused(overlay: Overlay) -> None:
    with pytest.raises(ValueError, match="extends vn-ntm-xa-2016-2020"):
        resolve(load_set(SET_2021), 2022, [overlay])
