from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

BANDS = [
    {"label_vi": "19 tiêu chí", "label_en": "19", "min": 19, "max": 19, "count": 0},
    {"label_vi": "15–18 tiêu chí", "label_en": "15-18", "min": 15, "max": 18, "count": 0},
    {"label_vi": "Dưới 15 tiêu chí", "label_en": "<15", "min": 0, "max": 14, "count": 0},
]


def _write(
    tmp_path: Path, year: int, met: dict[str, int], set_id: str = "vn-ntm-xa-2016-2020"
) -> Path:
    """A file shaped like `ntm evaluate --json` output (ntm.reports.results.to_json)."""
    communes: list[dict[str, Any]] = [
        {
            "unit": unit,
            "name": f"Xã {unit}",
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
    path = tmp_path / f"ket-qua-{year}.json"
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
