"""`ntm stats` over the stored record, on a small province of hand-built units.

The record is loaded by the values service (`load_history`, through
`ntm.results.testing.History`), as the read layer reads it: version rows, each holding from a
moment. The real Lạng Sơn units and `--from-json` are tested in test_stats_db.py.

The province (code 20, region TDMNPB) has two districts and seven communes from 2015; on
01/07/2023 three pairs merge: Xã Hai into Xã Một, Xã Bốn into Xã Ba, Xã Sáu into Xã Năm.
Xã Tám is unchanged; a town and a commune of another province are outside the scope.
2022 (the 2021–2025 set; poverty threshold for TDMNPB ≤ 13 %):

- Xã Một 10/300 poor households (3,3 %, met) and Xã Hai 30/100 (30 %, not met): merged,
  40/400 = 10 % — met on the combined values (their unweighted mean, 16,7 %, would fail);
- Xã Ba and Xã Bốn: a market (yes/no), which does not carry across a merger;
- Xã Năm 5/100 (met) and Xã Sáu nothing: the merged commune lacks a part's value;
- Xã Tám: every criterion declared met (it meets the set).

2020 (the 2016–2020 set): Xã Một declares 12 criteria met, Xã Tám 15. 2021: no data.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ntm.results.scope import UnitRef
from ntm.results.testing import SET_2020, SET_2022, History, at
from ntm.stats.jsonable import jsonable
from ntm.units.models import Unit, UnitKind
from ntm.units.services import NewUnit, create_unit, merge_units
from ntm.values.services import Entry, PastValue

pytestmark = pytest.mark.django_db

START = dt.date(2015, 1, 1)
MERGED = "01/07/2023"
POOR = "poor_near_poor_household_share"
MARKET = "rural_market"
NAMES = {
    "10001": "Xã Một",
    "10002": "Xã Hai",
    "10003": "Xã Ba",
    "10004": "Xã Bốn",
    "10005": "Xã Năm",
    "10006": "Xã Sáu",
    "10008": "Xã Tám",
}


def _make(name: str, kind: str, code: str, parent: Unit | None = None, **extra: Any) -> Unit:
    event = create_unit(
        NewUnit(name=name, kind=kind, code=code, parent=parent, **extra), date=START, actor="test"
    )
    unit = event.links.get().new_unit
    assert unit is not None
    return unit


def _units() -> dict[str, Unit]:
    province = _make("Tỉnh Lạng Sơn", UnitKind.PROVINCE, "20", region="TDMNPB")
    chi_lang = _make("Huyện Chi Lăng", UnitKind.DISTRICT, "186", province)
    dinh_lap = _make("Huyện Đình Lập", UnitKind.DISTRICT, "187", province)
    units = {
        code: _make(name, UnitKind.COMMUNE, code, chi_lang if code <= "10004" else dinh_lap)
        for code, name in NAMES.items()
    }
    _make("Thị trấn Bảy", UnitKind.TOWN, "10007", dinh_lap)
    other = _make("Tỉnh Cao Bằng", UnitKind.PROVINCE, "04", region="TDMNPB")
    _make(
        "Xã Khác", UnitKind.COMMUNE, "40099", _make("Huyện Khác", UnitKind.DISTRICT, "040", other)
    )
    merged = dt.datetime.strptime(MERGED, "%d/%m/%Y").date()
    for into, old in (("10001", "10002"), ("10003", "10004"), ("10005", "10006")):
        merge_units([units[old]], into=units[into], date=merged, actor="test")
    return units


def _value(h: History, unit: Unit, measure: str, entry: Entry, day: str = "2022-12-31") -> None:
    h.values.append(PastValue(unit, measure, 2022, entry, at(day)))


@pytest.fixture
def units(db: None) -> dict[str, Unit]:
    """The units, without a record."""
    return _units()


def _history(units: dict[str, Unit]) -> History:
    """The record of the module docstring, for a test to add to before it is loaded."""
    h = History()
    _value(h, units["10001"], POOR, Entry(numerator=10, denominator=300))
    _value(h, units["10002"], POOR, Entry(numerator=30, denominator=100))
    _value(h, units["10003"], MARKET, Entry(value=1))
    _value(h, units["10004"], MARKET, Entry(value=1))
    _value(h, units["10005"], POOR, Entry(numerator=5, denominator=100))
    h.declare(units["10008"], 2022, SET_2022, set())
    h.declare(units["10001"], 2020, SET_2020, set(range(13, 20)))
    h.declare(units["10008"], 2020, SET_2020, {1, 2, 3, 4})
    return h


@pytest.fixture
def record(units: dict[str, Unit]) -> dict[str, Unit]:
    """The units with the record of the module docstring."""
    _history(units).load()
    return units


def call_stats(*args: str) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def _run(*args: str) -> str:
    return call_stats("--province", "Lạng Sơn", *args)


def _json(*args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_run(*args, "--json"))
    return doc


def _criterion(text: str, number: int) -> str:
    (line,) = [s for s in text.splitlines() if s.startswith(f"  Tiêu chí {number}:")]
    return line.strip()


def test_as_recorded_in_vietnamese(record: dict[str, Unit]) -> None:
    text = _run("--period", "2022")
    assert text.startswith(
        "Thống kê nông thôn mới năm 2022 — Tỉnh Lạng Sơn (20)\n"
        "Cơ sở: theo đơn vị hành chính tại thời điểm đánh giá (as recorded)\n"
        "Số xã trong phạm vi: 7\n"  # the town and the other province's commune are out
        "Số xã đạt chuẩn: 1/7 (14,29 %)\n"
    )
    assert "Bình quân số tiêu chí đạt/xã: 3,83 (trên 6 xã có kết quả)" in text
    assert "Số xã chưa có kết quả đánh giá: 1" in text  # Xã Sáu: no data is no result
    assert "  Đạt 19/19 tiêu chí: 1 xã\n" in text and "  Dưới 5 tiêu chí: 5 xã\n" in text
    # Poverty met by Một (3,3 %), Năm (5 %) and Tám (declared), not Hai (30 %).
    assert _criterion(text, 11) == "Tiêu chí 11: 3 / 0 / 50,00 %"
    assert _criterion(text, 7) == "Tiêu chí 7: 3 / 0 / 50,00 %"  # Ba, Bốn, Tám
    # Districts by their GSO codes, never by database ids.
    assert (
        "\nHuyện Chi Lăng (186):\n  Số xã trong phạm vi: 4\n  Số xã đạt chuẩn: 0/4 (0,00 %)\n"
        in (text)
    )
    assert (
        "\nHuyện Đình Lập (187):\n  Số xã trong phạm vi: 3\n  Số xã đạt chuẩn: 1/3 (33,33 %)\n"
        in (text)
    )
    assert text.endswith(
        "Bộ tiêu chí: vn-ntm-xa-2021-2025.\n"
        "Đơn vị hành chính: theo đơn vị hành chính tại thời điểm đánh giá (as recorded).\n"
        "Số liệu hiện hành.\n"
        "Đã duyệt: 0/7 xã.\n"
    )
    assert "Số xã đạt chuẩn: 1/7 (14,3 %)" in _run("--period", "2022", "--percent-decimals", "1")
    truncated = _run("--period", "2022", "--percent-decimals", "1", "--truncate")
    assert "Số xã đạt chuẩn: 1/7 (14,2 %)" in truncated
    assert _criterion(truncated, 11) == "Tiêu chí 11: 3 / 0 / 50,0 %"
    # The province by code, or by name without diacritics.
    assert _run("--period", "2022") == call_stats("--province", "20", "--period", "2022")
    assert _run("--period", "2022") == call_stats("--province", "lang son", "--period", "2022")


def test_rebased_values_are_carried_and_evaluated_again(record: dict[str, Unit]) -> None:
    text = _run("--period", "2022", "--units-of", MERGED)
    assert "Cơ sở: quy đổi sang đơn vị hành chính ngày 01/07/2023 (re-based)\n" in text
    assert "Số xã trong phạm vi: 4\nSố xã đạt chuẩn: 1/4 (25,00 %)\n" in text
    assert "Số xã không so sánh được (số liệu không chuyển được trọn vẹn sang đơn vị mới" in text
    # Một+Hai: 40/400 = 10 % meets the poverty criterion on the combined values.
    assert _criterion(text, 11) == "Tiêu chí 11: 2 / 0 / 100,00 %"
    # The market of Ba and Bốn (yes/no) does not carry; only Tám's, unchanged, counts.
    assert _criterion(text, 7) == "Tiêu chí 7: 1 / 0 / 50,00 %"
    doc = _json("--period", "2022", "--units-of", MERGED)
    assert (doc["basis"], doc["communes_in_scope"], doc["with_data"]) == (
        "rebased:2023-07-01",
        4,
        4,
    )
    f = doc["statistics"]["total"]["figures"]
    assert (f["communes"], f["evaluated"], f["not_comparable"], f["meeting"]) == (4, 2, 2, 1)
    assert f["average_met"]["exact"] == "10/1"  # (1 + 19) / 2
    # One not comparable in each district: Ba+Bốn (yes/no), Năm+Sáu (Sáu has no value).
    districts = {c["name"]: c["figures"] for c in doc["statistics"]["children"]}
    assert {k: (v["evaluated"], v["not_comparable"]) for k, v in districts.items()} == {
        "Huyện Chi Lăng": (1, 1),
        "Huyện Đình Lập": (1, 1),
    }


def test_a_yes_no_value_across_a_merger_is_not_comparable(units: dict[str, Unit]) -> None:
    h = History()
    _value(h, units["10003"], MARKET, Entry(value=1))
    _value(h, units["10004"], MARKET, Entry(value=1))
    h.load()
    text = _run("--period", "2022", "--units-of", MERGED)
    assert "Số xã đạt chuẩn: — (không so sánh được)\n" in text
    assert "Bình quân số tiêu chí đạt/xã: —\n" in text
    assert "Phân nhóm" not in text and "Tiêu chí 7" not in text  # no count is zero
    assert "  Số xã đạt chuẩn: — (chưa có số liệu)\n" in text  # Đình Lập: nothing recorded
    # As recorded, both communes meet criterion 7.
    assert _criterion(_run("--period", "2022"), 7) == "Tiêu chí 7: 2 / 0 / 100,00 %"


def test_as_of_and_approved_only(units: dict[str, Unit]) -> None:
    h = _history(units)
    # Xã Hai corrects its poverty rate on 15/02/2023 (10 %, met); Một, Hai and Tám are
    # approved on 01/03/2023.
    _value(h, units["10002"], POOR, Entry(numerator=10, denominator=100), day="2023-02-15")
    for code in ("10001", "10002", "10008"):
        h.approve(units[code], 2022, SET_2022, "2023-03-01")
    h.load()
    before = _run("--period", "2022", "--as-of", "31/01/2023")
    assert _criterion(before, 11) == "Tiêu chí 11: 3 / 0 / 50,00 %"
    assert before.endswith("Tính đến hết ngày 31/01/2023.\nĐã duyệt: 0/7 xã.\n")
    live = _run("--period", "2022")
    assert _criterion(live, 11) == "Tiêu chí 11: 4 / 0 / 66,67 %"
    assert live.endswith("Số liệu hiện hành.\nĐã duyệt: 3/7 xã.\n")
    assert _run("--period", "2022", "--as-of", "2023-03-01") == live.replace(
        "Số liệu hiện hành.", "Tính đến hết ngày 01/03/2023."
    )

    only = _run("--period", "2022", "--approved-only")
    assert "Số xã đạt chuẩn: 1/7 (14,29 %)\n" in only
    assert "(trên 3 xã có kết quả)" in only  # Ba, Bốn and Năm are held back, not failing
    assert only.endswith("Đã duyệt: 3/7 xã (chỉ tính các xã đã duyệt).\n")
    doc = _json("--period", "2022", "--approved-only", "--units-of", MERGED)
    f = doc["statistics"]["total"]["figures"]
    # Một+Hai is approved (both parts are), Tám too; Ba+Bốn and Năm+Sáu are not.
    assert (doc["approved"], f["evaluated"], f["not_comparable"], f["meeting"]) == (2, 2, 0, 1)
    doc = _json("--period", "2022", "--approved-only", "--as-of", "28/02/2023")
    assert (doc["approved"], doc["statistics"]["total"]["figures"]["evaluated"]) == (0, 0)


def test_baseline_and_a_year_without_data(record: dict[str, Unit]) -> None:
    text = _run("--period", "2022", "--baseline", "2020")
    # 2020: Một 12 criteria, Tám 15, on the 2016–2020 set; 2021 has no data, so no change
    # against it.
    assert (
        "So với năm gốc 2020: số xã đạt chuẩn +1, tỷ lệ +14,29 điểm %, "
        "bình quân tiêu chí/xã -9,67, số xã trong phạm vi 0\n"
    ) in text
    assert "So với năm 2021" not in text
    doc = _json("--period", "2022", "--baseline", "2020")
    total = doc["statistics"]["total"]
    assert total["change_previous"] is None
    assert total["change_baseline"]["meeting_points"]["exact"] == "100/7"
    # The trend as the API writes it: each year's figures under `figures`.
    assert [(t["period"], t["set_id"], t["figures"]["meeting"]) for t in doc["trend"]] == [
        (2020, SET_2020, 0),
        (2022, SET_2022, 1),
    ]

    # No data is never zero: no X/Y, no average, no bands, no change against 2020.
    empty = _run("--period", "2021", "--baseline", "2020")
    assert "Số xã đạt chuẩn: — (chưa có số liệu)\n" in empty
    assert "Bình quân số tiêu chí đạt/xã: —\n" in empty
    assert "Số xã chưa có kết quả đánh giá: 7\n" in empty
    assert "So với" not in empty and "Phân nhóm" not in empty and "Tiêu chí 1:" not in empty
    assert "Chưa có xã nào có số liệu năm 2021: không có số liệu để thống kê." in empty
    total = _json("--period", "2021", "--baseline", "2020")["statistics"]["total"]
    assert (total["change_previous"], total["change_baseline"]) == (None, None)
    # Nor is a baseline year without data a change against zero.
    assert "So với năm gốc" not in _run("--period", "2022", "--baseline", "2021")


def test_json_document(record: dict[str, Unit]) -> None:
    doc = _json("--period", "2022", "--baseline", "2020")
    province = Unit.objects.get(code="20")
    # The province as the API names a unit (`ntm.results.scope.UnitRef`).
    assert doc["province"] == jsonable(UnitRef.of(province))
    assert (doc["province"]["id"], doc["province"]["code"]) == (province.pk, "20")
    assert {k: v for k, v in doc.items() if k not in ("province", "statistics", "trend")} == {
        "period": 2022,
        "baseline": 2020,
        "set": SET_2022,
        "basis": "as_recorded",
        "as_of": None,
        "approved_only": False,
        "approved": 0,
        "communes_in_scope": 7,
        "with_data": 6,
        "simulated": False,
    }
    stats = doc["statistics"]
    assert (stats["parent"], stats["period"], stats["tier"]) == (str(province.pk), 2022, "standard")
    f = stats["total"]["figures"]
    assert (f["communes"], f["evaluated"], f["not_evaluated"], f["meeting"]) == (7, 6, 1, 1)
    assert f["meeting_percent"] == {"exact": "100/7", "value": 100 / 7}
    assert f["average_met"]["exact"] == "23/6"
    assert {c["criterion"]: c["met"] for c in f["criteria"]}[11] == 3
    assert [b["count"] for b in f["bands"]] == [1, 0, 0, 0, 5]
    assert [c["name"] for c in stats["children"]] == ["Huyện Chi Lăng", "Huyện Đình Lập"]
    assert _json("--period", "2022", "--as-of", "31/12/2022")["as_of"] == "2022-12-31"


def test_ambiguous_province_lists_the_candidates(record: dict[str, Unit]) -> None:
    _make("Tỉnh Lang Sơn", UnitKind.PROVINCE, "21")
    with pytest.raises(CommandError) as caught:
        call_stats("--province", "lang son", "--period", "2022")
    message = str(caught.value)
    assert "khớp với 2 đơn vị" in message
    assert "Tỉnh Lạng Sơn (20," in message and "Tỉnh Lang Sơn (21," in message
    assert caught.value.returncode == 1


TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "2022"], r"Năm gốc \(2022\) phải trước năm báo cáo \(2022\)\."),
        (
            ["--as-of", "31/12/2021"],
            r"Ngày tính đến \(31/12/2021\) phải nằm trong hoặc sau năm 2022",
        ),
        (["--as-of", TOMORROW], r"Ngày tính đến \(.*\) không được sau hôm nay\."),
        (
            ["--as-of", "31/02/2023"],
            "--as-of phải viết dạng ngày/tháng/năm .* không phải “31/02/2023”",
        ),
        (["--units-of", "2025-13-01"], "--units-of phải viết dạng ngày/tháng/năm"),
        (["--percent-decimals", "7"], "--percent-decimals phải từ 0 đến 6"),
        (["--province", "Hà Giang"], "Không có tỉnh nào khớp với “Hà Giang” vào ngày 31/12/2022"),
    ],
)
def test_arguments_refused(record: dict[str, Unit], args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        call_stats("--province", "20", "--period", "2022", *args)
    assert caught.value.returncode == 1


def test_a_year_no_set_applies_to(record: dict[str, Unit]) -> None:
    with pytest.raises(CommandError, match="Không có bộ tiêu chí cấp xã nào áp dụng cho năm 2031"):
        _run("--period", "2031")
