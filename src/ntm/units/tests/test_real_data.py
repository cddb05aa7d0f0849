"""The bundled real data: the published counts, lineage, crosswalks, reloads."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ntm.audit.models import AuditLog
from ntm.units import services
from ntm.units.loader import LoadResult, load_units
from ntm.units.models import COMMUNE_LEVEL, EventKind, Origin, Unit, UnitEvent, UnitKind
from ntm.units.queries import (
    CROSSWALK_SCHEMA,
    UnitLookupError,
    ancestors,
    compose,
    counts_by_kind,
    crosswalk,
    find_units,
    lineage,
    parent_on,
    resolve_one,
    unit_key,
    units_of,
)

BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)


def national(day: dt.date) -> dict[str, int]:
    qs = Unit.objects.valid_on(day)
    return {kind: qs.filter(kind=kind).count() for kind in UnitKind.values}


def new_unit(code: str) -> Unit:
    return Unit.objects.get(code=code, valid_from=AFTER)


def old_unit(code: str) -> Unit:
    return Unit.objects.get(code=code, valid_to=BEFORE)


def test_langson_counts_before_and_after_the_2025_reform(units: LoadResult) -> None:
    assert counts_by_kind("Lạng Sơn", BEFORE) == {
        "district": 11,
        "commune": 175,
        "town": 14,
        "ward": 5,
    }
    assert counts_by_kind("lang son", AFTER) == {"commune": 61, "ward": 4}


def test_national_counts(units: LoadResult) -> None:
    after = national(AFTER)
    assert after["province"] == 34
    assert after["district"] == 0
    assert sum(after[k] for k in COMMUNE_LEVEL) == 3321
    assert (after["commune"], after["ward"], after["special_zone"]) == (2621, 687, 13)
    before = national(BEFORE)
    assert before["province"] == 63
    assert before["district"] == 696
    # The package holds 10,040 rows, of which 5 are island districts without communes
    # (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo): 10,035 commune-level units,
    # the figure docs/domain.md gives for end 2024.
    assert sum(before[k] for k in COMMUNE_LEVEL) == 10035
    assert (before["commune"], before["ward"], before["town"]) == (7695, 1724, 616)


def test_langson_history_recorded_from_the_reference(units: LoadResult) -> None:
    # 207 communes before NQ 818, 181 after, 175 from 01/12/2024 (NQ 1246).
    assert counts_by_kind("20", dt.date(2019, 12, 31)) == {
        "district": 11,
        "commune": 207,
        "town": 14,
        "ward": 5,
    }
    assert counts_by_kind("20", dt.date(2020, 1, 1))["commune"] == 181
    assert counts_by_kind("20", dt.date(2024, 11, 30))["commune"] == 181
    assert counts_by_kind("20", dt.date(2024, 12, 1))["commune"] == 175
    bac_ai = Unit.objects.get(name="Xã Bắc Ái")
    assert bac_ai.code == "06052" and bac_ai.valid_to == dt.date(2019, 12, 31)
    assert bac_ai.parent is not None and bac_ai.parent.name == "Huyện Tràng Định"
    # GSO codes pass to new units: 06139 was Trùng Quán's until 2019, Bắc Hùng's since 2020.
    assert Unit.objects.get(code="06139", valid_to=BEFORE).valid_from == dt.date(2020, 1, 1)
    assert Unit.objects.get(code="06139", valid_to=dt.date(2019, 12, 31)).name == "Xã Trùng Quán"


def test_langson_on_31_12_2019_is_the_gso_list(units: LoadResult) -> None:
    """Every unit in force the day before NQ 818, by code, name, kind and district, is the GSO
    list of the time (units/data/langson-units-2019.csv)."""
    prefix = {"commune": "Xã ", "town": "Thị trấn ", "ward": "Phường "}
    res = resources.files("ntm.units").joinpath("data/langson-units-2019.csv")
    with res.open(encoding="utf-8") as f:
        listed = {
            (r["code"], prefix[r["kind"]] + r["name"], r["kind"], r["district_code"])
            for r in csv.DictReader(f)
        }
    day = dt.date(2019, 12, 31)
    recorded = {
        (u.code, u.name, u.kind, u.parent.code if u.parent else None)
        for u in units_of("20", day)
        if u.kind in prefix
    }
    assert len(listed) == 226
    assert recorded == listed


def test_parent_and_ancestors_as_of_a_date(units: LoadResult) -> None:
    that_khe = old_unit("06040")
    assert [u.name for u in ancestors(that_khe, BEFORE)] == ["Huyện Tràng Định", "Tỉnh Lạng Sơn"]
    assert parent_on(that_khe, AFTER) == Unit.objects.get(code="20")  # the 2025 version
    assert [u.name for u in ancestors(new_unit("06040"), AFTER)] == ["Tỉnh Lạng Sơn"]
    assert ancestors(new_unit("06040"), BEFORE)[0].name == "Huyện Tràng Định"


def _preds(unit: Unit, depth: int = 1) -> dict[str, float]:
    return {
        s.old.name: round(s.weight, 4)
        for s in lineage(unit).predecessors
        if s.depth == depth and s.old is not None
    }


def test_lineage_of_new_langson_communes(units: LoadResult) -> None:
    that_khe = new_unit("06040")
    assert that_khe.name == "Xã Thất Khê"
    assert _preds(that_khe) == {"Xã Chí Minh": 1, "Xã Chi Lăng": 1, "Thị trấn Thất Khê": 1}
    # 2024: the town took part of Đại Đồng (weights unknown) and Đại Đồng's code.
    assert _preds(that_khe, 2) == {"Xã Đại Đồng": 0.5, "Thị trấn Thất Khê": 1}
    doan_ket = new_unit("06001")
    assert _preds(doan_ket) == {"Xã Khánh Long": 1, "Xã Đoàn Kết": 1, "Xã Cao Minh": 1}
    assert _preds(doan_ket, 2) == {"Xã Vĩnh Tiến": 1}
    quoc_khanh = new_unit("06004")
    assert set(_preds(quoc_khanh)) == {"Xã Quốc Khánh", "Xã Tri Phương", "Xã Đội Cấn"}
    steps = lineage(quoc_khanh).predecessors
    assert {s.legal_basis for s in steps} == {"NQ 1672/NQ-UBTVQH15", "NQ 1246/NQ-UBTVQH15"}
    assert lineage(quoc_khanh).successors == []


def test_lineage_of_a_split_commune(units: LoadResult) -> None:
    kien_moc = old_unit("06625")
    succ = {s.new.name: s.weight for s in lineage(kien_moc).successors if s.new}
    # Split by the new communes' areas (417,78 and 301,31 km²): all the package gives.
    assert succ == pytest.approx({"Xã Kiên Mộc": 417.78 / 719.09, "Xã Châu Sơn": 301.31 / 719.09})
    event = UnitEvent.objects.filter(links__old_unit=kien_moc).distinct().get()
    assert "diện tích" in event.note


def test_lineage_of_reclassified_units(units: LoadResult) -> None:
    # Nationally: a town that became a commune on its own (Mường Lát, Thanh Hóa).
    muong_lat = old_unit("14845")
    [step] = lineage(muong_lat).successors
    assert step.event_kind == EventKind.RECLASSIFY and step.new is not None
    assert (muong_lat.kind, step.new.kind) == (UnitKind.TOWN, UnitKind.COMMUNE)
    # In Lạng Sơn: a commune that became part of a ward leaves the NTM denominator.
    hoang_dong = old_unit("05986")
    assert hoang_dong.kind == UnitKind.COMMUNE
    [step] = lineage(hoang_dong).successors
    assert step.new is not None
    assert step.new.name == "Phường Tam Thanh" and step.new.kind == UnitKind.WARD


def test_regions_are_inherited_and_conflicts_flagged(units: LoadResult) -> None:
    assert {u.region for u in units_of("20", AFTER)} == {"TDMNPB"}
    lam_dong = Unit.objects.get(code="68", valid_from=AFTER)  # + Đắk Nông (TN), Bình Thuận
    assert lam_dong.region_conflict
    assert Unit.objects.filter(region__isnull=True).count() == 0


def test_crosswalk_of_langson_to_2025(units: LoadResult) -> None:
    cw = crosswalk(BEFORE, AFTER, province="20")
    assert cw.schema == pl.Schema(CROSSWALK_SCHEMA)
    communes = cw.filter(pl.col("old_unit").str.len_chars() == 5)
    assert communes["old_unit"].n_unique() == 194
    assert communes["new_unit"].n_unique() == 65
    sums = cw.group_by("old_unit").agg(pl.col("weight").sum())
    assert (sums["weight"] - 1).abs().max() < 1e-9  # type: ignore[operator]
    assert cw.filter(pl.col("old_unit") == "06625").sort("new_unit").rows() == [
        ("06625", "06625", pytest.approx(417.78 / 719.09)),
        ("06625", "06637", pytest.approx(301.31 / 719.09)),
    ]


def test_crosswalk_of_the_whole_country(units: LoadResult) -> None:
    cw = crosswalk(BEFORE, AFTER)
    communes = cw.filter(pl.col("old_unit").str.len_chars() == 5)
    assert communes["old_unit"].n_unique() == 10035
    assert cw["new_unit"].n_unique() == 3321 + 34
    # 691 districts end without successor; the 5 island districts become special zones.
    assert cw.filter(pl.col("old_unit").str.len_chars() == 3).height == 5


def test_crosswalk_composes_through_dates(units: LoadResult) -> None:
    d1, d2, d3 = dt.date(2024, 11, 30), dt.date(2024, 12, 1), AFTER
    direct = crosswalk(d1, d3, province="20")
    chained = compose(crosswalk(d1, d2, province="20"), crosswalk(d2, d3, province="20"))
    assert_frame_equal(direct, chained, check_exact=False)
    same_day = crosswalk(d1, d1, province="20")
    assert (same_day["old_unit"] == same_day["new_unit"]).all()
    assert (same_day["weight"] == 1.0).all()
    # The province and all its units; those known only by name are named by their id.
    assert set(same_day["old_unit"]) == {"20", *(unit_key(u) for u in units_of("20", d1))}
    nameless = same_day.filter(pl.col("old_unit").str.starts_with("id:")).height
    assert nameless == sum(1 for u in units_of("20", d1) if not u.code)
    with pytest.raises(ValueError, match="Chỉ chuyển đổi được từ ngày trước sang ngày sau"):
        crosswalk(d3, d1)


def test_names_match_without_diacritics_and_prefix(units: LoadResult) -> None:
    for text in ("Lạng Sơn", "lang son", "Tỉnh Lạng Sơn", "20"):
        assert resolve_one(find_units(text, day=AFTER, kinds=["province"]), text).code == "20"
    assert resolve_one(find_units("Xã Kiên Mộc", day=AFTER), "Xã Kiên Mộc").code == "06625"
    with pytest.raises(UnitLookupError) as err:
        resolve_one(find_units("Hòa Bình", day=BEFORE), "Hòa Bình", BEFORE)
    assert "khớp với" in str(err.value)
    assert "Huyện Văn Quan" in str(err.value) and "Huyện Chi Lăng" in str(err.value)


def test_reload_is_idempotent(units: LoadResult) -> None:
    n_units, n_events, n_audit = (
        Unit.objects.count(),
        UnitEvent.objects.count(),
        AuditLog.objects.count(),
    )
    again = load_units(actor="test:reload")
    assert (again.created_units, again.created_events, again.created_links) == (0, 0, 0)
    assert (Unit.objects.count(), UnitEvent.objects.count()) == (n_units, n_events)
    assert AuditLog.objects.count() == n_audit


def test_reload_preserves_user_changes(units: LoadResult) -> None:
    doan_ket = new_unit("06001")
    services.rename_unit(
        doan_ket, "Xã Đoàn Kết Mới", date=dt.date(2026, 1, 1), legal_basis="NQ thử", actor="test"
    )
    doan_ket.refresh_from_db()
    assert doan_ket.origin == Origin.USER and doan_ket.valid_to == dt.date(2025, 12, 31)
    # Bắc Hùng's start was set by the Lạng Sơn import.
    bac_hung = Unit.objects.get(code="06139", valid_to=BEFORE)
    again = load_units(actor="test:reload")
    assert again.created_units == 0 and again.preserved >= 2
    doan_ket.refresh_from_db()
    bac_hung.refresh_from_db()
    assert doan_ket.valid_to == dt.date(2025, 12, 31) and doan_ket.name == "Xã Đoàn Kết"
    assert bac_hung.valid_from == dt.date(2020, 1, 1)
    assert [u.name for u in find_units("06001", day=dt.date(2026, 1, 1))] == ["Xã Đoàn Kết Mới"]


def test_the_load_and_the_import_are_audited(units: LoadResult) -> None:
    load = AuditLog.objects.get(action="units.load")
    assert load.actor == "test:load" and load.after is not None
    assert load.after["created_units"] == units.created_units
    imported = AuditLog.objects.filter(actor="test:import")
    assert imported.filter(action="units.import_events").count() == 1
    assert imported.filter(action="units.create").count() == 5
    assert imported.filter(action="units.merge", legal_basis="NQ 818/NQ-UBTVQH14").count() == 12
    merge = imported.filter(action="units.merge", legal_basis="NQ 1246/NQ-UBTVQH15")
    assert merge.count() == 5
