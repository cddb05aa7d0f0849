from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ntm.units.models import Unit
from ntm.units.services import NewUnit, create_unit, merge_units, rename_unit

pytestmark = pytest.mark.django_db

BANDS = [
    {"label_vi": "19 tiêu chí", "label_en": "19", "min": 19, "max": 19, "count": 0},
    {"label_vi": "15–18 tiêu chí", "label_en": "15-18", "min": 15, "max": 18, "count": 0},
    {"label_vi": "Dưới 15 tiêu chí", "label_en": "<15", "min": 0, "max": 14, "count": 0},
]


def _write(
    tmp_path: Path,
    year: int,
    met: dict[str, int],
    set_id: str = "vn-ntm-xa-2016-2020",
    names: dict[str, str] | None = None,
) -> Path:
    """A file shaped like `ntm evaluate --json` output (ntm.exchange.results.to_json)."""
    communes: list[dict[str, Any]] = [
        {
            "unit": unit,
            "name": (names or {}).get(unit, f"Xã {unit}"),
            "met": m,
            "basically_met": 0,
            "not_met": 19 - m,
            "missing": 0,
            "total": 19,
            "meets_set": m == 19,
            "criteria": {str(k): "met" if k <= m else "not_met" for k in range(1, 20)},
            "indicators": {},
        }
        for unit, m in met.items()
    ]
    doc = {
        "set": {"id": set_id, "name_vi": "Bộ tiêu chí", "label": set_id, "year": year},
        "source": None,
        "notes": [],
        "summary": {"period": year, "bands": BANDS},
        "communes": communes,
    }
    path = tmp_path / f"ket-qua-{year}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_stats_from_results_files(tmp_path: Path) -> None:
    y2019 = _write(tmp_path, 2019, {"01": 19, "02": 12, "03": 16})
    y2020 = _write(tmp_path, 2020, {"01": 19, "02": 19, "03": 16})
    text = _run(
        "--results", str(y2020), "--results", str(y2019), "--period", "2020", "--baseline", "2019"
    )
    assert "Thống kê nông thôn mới năm 2020" in text
    assert "Cơ sở: theo đơn vị hành chính tại thời điểm đánh giá (as recorded)" in text
    assert "Số xã đạt chuẩn: 2/3 (66,67 %)" in text
    assert "Bình quân số tiêu chí đạt/xã: 18,00" in text
    assert "So với năm 2019: số xã đạt chuẩn +1, tỷ lệ +33,33 điểm %" in text
    assert "So với năm gốc 2019" in text
    assert "  15–18 tiêu chí: 1 xã" in text
    assert "  Tiêu chí 16: 3 / 0 / 100,00 %" in text
    assert "  Tiêu chí 17: 2 / 0 / 66,67 %" in text
    assert "Chưa có cơ sở dữ liệu đơn vị hành chính" in text


def test_percent_style_bands_and_json(tmp_path: Path) -> None:
    path = _write(tmp_path, 2020, {"01": 19, "02": 12, "03": 16})
    text = _run(
        "--results",
        str(path),
        "--period",
        "2020",
        "--percent-decimals",
        "1",
        "--truncate",
        "--bands",
        "19,15,10,8,0",
        "--tier",
        "advanced",
    )
    assert "Thống kê nông thôn mới nâng cao năm 2020" in text
    assert "Số xã đạt chuẩn: 1/3 (33,3 %)" in text
    assert "  8–9 tiêu chí: 0 xã" in text
    assert "  Dưới 8 tiêu chí: 0 xã" in text
    doc = json.loads(_run("--results", str(path), "--period", "2020", "--json"))
    assert doc["basis"] == "as_recorded"
    assert doc["tier"] == "standard"
    assert doc["total"]["figures"]["meeting_percent"]["exact"] == "100/3"
    assert [b["count"] for b in doc["total"]["figures"]["bands"]] == [1, 1, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2021"], "Không có tệp kết quả nào cho năm 2021"),
        (["--period", "2020", "--baseline", "2015"], "năm gốc 2015"),
        (["--period", "2020", "--percent-decimals", "9"], "--percent-decimals"),
        (["--period", "2020", "--bands", "19,x"], "nhóm không hợp lệ"),
        (["--period", "2020", "--province", "20"], "ntm units load"),
        (["--period", "2020", "--as-of-units", "01/07/2025"], "ntm units load"),
        (["--period", "2020", "--units-date", "30/06/2020"], "ntm units load"),
        (["--period", "2020", "--as-of-units", "31/02/2025"], "Ngày không hợp lệ"),
    ],
)
def test_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    path = _write(tmp_path, 2020, {"01": 19})
    with pytest.raises(CommandError, match=message):
        _run("--results", str(path), *args)


def test_bad_results_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy tệp kết quả"):
        _run("--results", str(tmp_path / "none.json"), "--period", "2020")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        _run("--results", str(broken), "--period", "2020")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"set": {"id": "x"}}), encoding="utf-8")
    with pytest.raises(CommandError, match="không đúng dạng kết quả"):
        _run("--results", str(wrong), "--period", "2020")
    path = _write(tmp_path, 2020, {"01": 19})
    with pytest.raises(CommandError, match="hai tệp kết quả cho năm 2020"):
        _run("--results", str(path), "--results", str(path), "--period", "2020")
    odd = _write(tmp_path, 2019, {"01": 19}, set_id="no-such-set")
    with pytest.raises(CommandError, match="hãy chỉ rõ --tier"):
        _run("--results", str(odd), "--period", "2019")


# --- with a units database (hand-built; the real units are tested in test_stats_db.py) -----

DAY = dt.date(2015, 1, 1)
EVENTS = dt.date(2021, 7, 1)


def _make(name: str, kind: str, code: str | None, parent: Unit | None = None) -> Unit:
    event = create_unit(
        NewUnit(name=name, kind=kind, code=code, parent=parent), date=DAY, actor="test"
    )
    unit = event.links.get().new_unit
    assert unit is not None
    return unit


def _units() -> dict[str, Unit]:
    """Lạng Sơn-like units from 2015: a province with two districts, four communes and a town,
    and a commune of another province; on 01/07/2021 commune 02 merges into 01, commune 03 is
    renamed (same territory) and 04 absorbs a commune known only by name (no code)."""
    province = _make("Tỉnh Lạng Sơn", "province", "20")
    other = _make("Tỉnh Cao Bằng", "province", "04")
    one = _make("Huyện Chi Lăng", "district", "186", province)
    two = _make("Huyện Đình Lập", "district", "187", province)
    units = {code: _make(f"Xã {code}", "commune", code, one) for code in ("10001", "10002")}
    units |= {code: _make(f"Xã {code}", "commune", code, two) for code in ("10003", "10004")}
    _make("Thị trấn 05", "town", "10005", two)
    _make("Xã 40099", "commune", "40099", _make("Huyện Khác", "district", "040", other))
    merge_units([units["10002"]], into=units["10001"], date=EVENTS, actor="test")
    rename_unit(units["10003"], "Xã Ba", date=EVENTS, actor="test")
    old = NewUnit(name="Xã Cũ", kind="commune", parent=two, valid_from=DAY)
    merge_units([old], into=units["10004"], date=EVENTS, actor="test")
    return units


def test_province_scope_and_districts(tmp_path: Path) -> None:
    _units()
    # 40099 lies in another province; 10005 is a town; "Xã Cũ" (no code) has no result.
    met = {"10001": 19, "10002": 12, "10003": 19, "10004": 19, "10005": 19, "40099": 19}
    path = _write(tmp_path, 2020, met)
    text = _run("--results", str(path), "--period", "2020", "--province", "Lang Son")
    assert "Thống kê nông thôn mới năm 2020 — Tỉnh Lạng Sơn (20)" in text
    assert "Số xã trong phạm vi: 5" in text
    assert "Số xã đạt chuẩn: 3/5 (60,00 %)" in text
    assert "Số xã chưa có kết quả đánh giá: 1" in text
    assert "Huyện Chi Lăng (186):\n  Số xã trong phạm vi: 2\n  Số xã đạt chuẩn: 1/2" in text
    assert "Huyện Đình Lập (187):\n  Số xã trong phạm vi: 3\n  Số xã đạt chuẩn: 2/3" in text
    assert "Kết quả năm 2020 tính trên đơn vị hành chính ngày 31/12/2020." in text
    assert "unchanged territory" not in text
    by_code = _run("--results", str(path), "--period", "2020", "--province", "20", "--json")
    assert json.loads(by_code)["total"]["figures"]["meeting"] == 3
    assert json.loads(by_code)["units_dates"] == {"2020": "2020-12-31"}
    with pytest.raises(CommandError, match="Không tìm thấy tỉnh nào khớp với 'Hà Giang'"):
        _run("--results", str(path), "--period", "2020", "--province", "Hà Giang")


def test_ambiguous_province_lists_the_candidates(tmp_path: Path) -> None:
    _make("Xã 10001", "commune", "10001", _make("Tỉnh Lạng Sơn", "province", "20"))
    _make("Tỉnh Lang Sơn", "province", "21")
    path = _write(tmp_path, 2020, {"10001": 19})
    with pytest.raises(CommandError) as caught:
        _run("--results", str(path), "--period", "2020", "--province", "lang son")
    message = str(caught.value)
    assert "khớp với 2 đơn vị" in message
    assert "Tỉnh Lạng Sơn (20," in message and "Tỉnh Lang Sơn (21," in message


def test_rebased_merged_renamed_and_grown_communes(tmp_path: Path) -> None:
    _units()
    path = _write(tmp_path, 2020, {"10001": 19, "10002": 12, "10003": 19, "10004": 19, "40099": 19})
    args = ["--results", str(path), "--period", "2020", "--province", "20"]
    text = _run(*args, "--as-of-units", "01/01/2022")
    assert "quy đổi sang đơn vị hành chính ngày 01/01/2022 (re-based)" in text
    # On 01/01/2022 the province has 10001 (with 10002), Xã Ba (10003), 10004 (with Xã Cũ).
    assert "Số xã trong phạm vi: 3" in text
    # Only the renamed commune keeps its result: same territory.
    assert "Số xã đạt chuẩn: 1/3 (33,33 %)" in text
    assert "sáp nhập hoặc chia tách): 2" in text
    assert "giữ kết quả đạt/không đạt (unchanged territory): 1" in text
    assert "  Xã Ba (10003) ← đơn vị cũ 10003" in text
    assert "Kết quả năm 2020 quy đổi từ đơn vị hành chính ngày 31/12/2020 sang ngày 01/01/2022" in (
        text
    )
    doc = json.loads(_run(*args, "--as-of-units", "01/01/2022", "--json"))
    figures = doc["total"]["figures"]
    assert (figures["communes"], figures["evaluated"], figures["not_comparable"]) == (3, 1, 2)
    assert figures["unchanged_territory"] == [
        {"unit": "10003", "from_unit": "10003", "name": "Xã Ba"}
    ]
    assert [(c["unit"], c["figures"]["not_comparable"]) for c in doc["children"]] == [
        ("186", 1),
        ("187", 1),
    ]
    with pytest.raises(CommandError, match="Chỉ chuyển đổi được từ ngày trước sang ngày sau"):
        _run(*args, "--as-of-units", "01/01/2019")
    # Without --province the scope is the new units the results went to: 10001, Xã Ba,
    # 10004 and 40099 (unchanged, in the other province).
    anywhere = _run("--results", str(path), "--period", "2020", "--as-of-units", "01/01/2022")
    assert "Số xã đạt chuẩn: 2/4 (50,00 %)" in anywhere
    assert "(unchanged territory): 2" in anywhere


def test_units_date_of_a_year_with_changes(tmp_path: Path) -> None:
    _units()
    # 2021 results on the units before 01/07/2021: 10002 ended on 30/06/2021.
    path = _write(tmp_path, 2021, {"10001": 19, "10002": 12, "10003": 19})
    text = _run("--results", str(path), "--period", "2021", "--province", "20")
    assert (
        "Kết quả năm 2021: 1 mã xã không còn hiệu lực vào ngày 31/12/2021 (10002); kết quả được "
        "tính trên đơn vị hành chính ngày 30/06/2021, ngày cuối cùng trong năm mà mọi mã đều "
        "có hiệu lực (chọn ngày khác bằng --units-date)."
    ) in text
    assert "Số xã trong phạm vi: 5" in text  # 10001-10004 and Xã Cũ, all still there
    assert "Số xã đạt chuẩn: 2/5 (40,00 %)" in text
    explicit = _run(
        "--results", str(path), "--period", "2021", "--province", "20", "--units-date", "30/6/2021"
    )
    assert "Kết quả năm 2021 tính trên đơn vị hành chính ngày 30/06/2021 (--units-date)." in (
        explicit
    )
    assert "Số xã đạt chuẩn: 2/5 (40,00 %)" in explicit
    with pytest.raises(CommandError, match=r"1 mã xã không có hiệu lực vào ngày 31/12/2021.*10002"):
        _run("--results", str(path), "--period", "2021", "--units-date", "31/12/2021")
    never = _write(tmp_path, 2021, {"10001": 19, "10077": 19})
    with pytest.raises(CommandError, match=r"không có ngày nào trong năm.*: 10077"):
        _run("--results", str(never), "--period", "2021")
    # A code in force on 31/12 that names another unit then (10003 is "Xã Ba" from 01/07/2021).
    renamed = _write(tmp_path, 2021, {"10001": 19, "10003": 19})
    text = _run("--results", str(renamed), "--period", "2021")
    assert "1 xã có tên khác tên của mã đó ngày 31/12/2021" in text
    assert "10003 “Xã 10003” ≠ “Xã Ba”" in text
