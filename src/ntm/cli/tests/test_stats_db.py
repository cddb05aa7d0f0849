"""`ntm stats` on the real units of Lạng Sơn (loaded once for this module).

The units, their 2025 mapping and the Lạng Sơn events of 2019 and 2024 are real (the
`vietnamadminunits` package and the bundled reference events). The evaluation results are
SIMULATED: declared criterion statuses run through the real engine and written with
`ntm.exchange.results.to_json`, the shape of `ntm evaluate --json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from ntm.criteria.loader import load_set
from ntm.evaluation import VALUES_SCHEMA, evaluate
from ntm.exchange.results import build_results, to_json
from ntm.units.loader import LoadResult
from ntm.units.testing import real_units_rolled_back

SET_ID = "vn-ntm-xa-2021-2025"
# Real communes of Lạng Sơn on 31/12/2024 (code, name) and their SIMULATED criteria met.
# From 01/07/2025 05998, 06001 and 06010 form Xã Đoàn Kết (06001); 06067 and 06073 form
# Xã Hoa Thám (06073); 06151 and 06160 (not evaluated) form Xã Hội Hoan (06151).
COMMUNES_2024 = {
    ("05998", "Xã Khánh Long"): 19,
    ("06001", "Xã Đoàn Kết"): 19,
    ("06010", "Xã Cao Minh"): 15,
    ("06067", "Xã Hưng Đạo"): 19,
    ("06073", "Xã Hoa Thám"): 10,
    ("06151", "Xã Hội Hoan"): 19,
}


@pytest.fixture(scope="module")
def real_units(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadResult]:
    """Loaded once for this module, seen by no other module."""
    with real_units_rolled_back(django_db_blocker) as result:
        yield result


@pytest.fixture
def units(real_units: LoadResult, db: None) -> LoadResult:
    return real_units


def _results(tmp_path: Path, year: int, communes: dict[tuple[str, str], int]) -> Path:
    """SIMULATED results of real communes, written as `ntm evaluate --json` writes them: the
    first `met` criteria declared met, the rest not met, evaluated by the real engine."""
    cset = load_set(SET_ID)
    codes = [code for code, _ in communes]
    frame = pl.DataFrame(
        {
            "unit": codes,
            "name": [name for _, name in communes],
            "province": ["20"] * len(codes),
            "region": ["TDMNPB"] * len(codes),
        }
    )
    declared = pl.DataFrame(
        [
            (code, year, k, "met" if k <= met else "not_met")
            for (code, _), met in communes.items()
            for k in range(1, 20)
        ],
        schema={"unit": pl.String, "period": pl.Int32, "criterion": pl.Int32, "status": pl.String},
        orient="row",
    )
    values = pl.DataFrame(schema=VALUES_SCHEMA)
    evaluation = evaluate(cset, frame, values, years=[year], declared=declared)
    results = build_results(
        evaluation, cset, frame, year=year, notes=["Số liệu mô phỏng (simulated)"]
    )
    path = tmp_path / f"ket-qua-{year}.json"
    path.write_text(json.dumps(to_json(results), ensure_ascii=False), encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def _district(doc: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in doc["children"] if c["name"] == name]
    figures: dict[str, Any] = found["figures"]
    return figures


def test_langson_2024_by_district_and_rebased_onto_2025_units(
    units: LoadResult, tmp_path: Path
) -> None:
    path = _results(tmp_path, 2024, COMMUNES_2024)
    args = ["--results", str(path), "--period", "2024", "--province", "Lạng Sơn"]
    text = _run(*args)
    assert "Thống kê nông thôn mới năm 2024 — Tỉnh Lạng Sơn (20)" in text
    # 175 communes on 31/12/2024 (after NQ 1246); towns and wards are outside the set.
    assert "Số xã đạt chuẩn: 4/175 (2,29 %)" in text
    assert "Số xã chưa có kết quả đánh giá: 169" in text
    assert "Huyện Tràng Định (180):\n  Số xã trong phạm vi: 19\n  Số xã đạt chuẩn: 2/19" in text
    assert "Huyện Bình Gia (181):\n  Số xã trong phạm vi: 18\n  Số xã đạt chuẩn: 1/18" in text
    assert "Huyện Văn Lãng (182):\n  Số xã trong phạm vi: 16\n  Số xã đạt chuẩn: 1/16" in text
    doc = json.loads(_run(*args, "--json"))
    assert len(doc["children"]) == 11
    assert _district(doc, "Huyện Cao Lộc")["evaluated"] == 0
    assert sum(c["figures"]["communes"] for c in doc["children"]) == 175

    # The same results by code, and on the units of 01/07/2025: 61 communes, no districts.
    rebased = _run(*args[:-1], "20", "--as-of-units", "01/07/2025")
    assert "quy đổi sang đơn vị hành chính ngày 01/07/2025 (re-based)" in rebased
    assert "Số xã trong phạm vi: 61" in rebased
    # Every evaluated commune merged: Đoàn Kết, Hoa Thám and Hội Hoan are not comparable.
    assert "Số xã đạt chuẩn: 0/61 (0,00 %)" in rebased
    assert "sáp nhập hoặc chia tách): 3" in rebased
    assert "Số xã chưa có kết quả đánh giá: 58" in rebased
    assert "(unchanged territory): 0" in rebased
    assert "Huyện" not in rebased.split("Kết quả năm")[0]
    doc = json.loads(_run(*args, "--as-of-units", "01/07/2025", "--json"))
    figures = doc["total"]["figures"]
    assert (figures["communes"], figures["evaluated"], figures["not_comparable"]) == (61, 0, 3)
    assert doc["children"] == []


def test_unchanged_territory_on_real_units(units: LoadResult, tmp_path: Path) -> None:
    # 2023 results re-based onto the units of 01/12/2024 (NQ 1246). Đoàn Kết is unchanged;
    # Khánh Long absorbed Vĩnh Tiến and Đội Cấn took half of Đại Đồng, communes the records
    # know only by name (no code), so neither is the same territory any more.
    communes = {
        ("06001", "Xã Đoàn Kết"): 19,
        ("05998", "Xã Khánh Long"): 19,
        ("06025", "Xã Đội Cấn"): 19,
    }
    path = _results(tmp_path, 2023, communes)
    args = ["--results", str(path), "--period", "2023", "--province", "lang son"]
    assert "Số xã trong phạm vi: 181" in _run(*args)
    text = _run(*args, "--as-of-units", "01/12/2024")
    assert "Số xã trong phạm vi: 175" in text
    assert "Số xã đạt chuẩn: 1/175 (0,57 %)" in text
    assert "sáp nhập hoặc chia tách): 2" in text
    assert "(unchanged territory): 1" in text
    assert "  Xã Đoàn Kết (06001) ← đơn vị cũ 06001" in text
    assert "Huyện Tràng Định (180):\n  Số xã trong phạm vi: 19\n  Số xã đạt chuẩn: 1/19" in text


def test_2025_results_on_pre_reform_units(units: LoadResult, tmp_path: Path) -> None:
    # 05998 ended on 30/06/2025; 06001 is also the code of the new Xã Đoàn Kết.
    communes = {("05998", "Xã Khánh Long"): 19, ("06001", "Xã Đoàn Kết"): 19}
    path = _results(tmp_path, 2025, communes)
    args = ["--results", str(path), "--period", "2025", "--province", "20"]
    text = _run(*args)
    assert (
        "Kết quả năm 2025: 1 mã xã không còn hiệu lực vào ngày 31/12/2025 (05998); kết quả được "
        "tính trên đơn vị hành chính ngày 30/06/2025"
    ) in text
    assert "Số xã đạt chuẩn: 2/175 (1,14 %)" in text
    assert "Huyện Tràng Định (180):" in text
    same = _run(*args, "--units-date", "30/06/2025")
    assert "tính trên đơn vị hành chính ngày 30/06/2025 (--units-date)." in same
    assert "Số xã đạt chuẩn: 2/175 (1,14 %)" in same
    rebased = _run(*args, "--as-of-units", "01/07/2025")
    assert "Số xã đạt chuẩn: 0/61 (0,00 %)" in rebased
    assert "sáp nhập hoặc chia tách): 1" in rebased
    assert "quy đổi từ đơn vị hành chính ngày 30/06/2025 sang ngày 01/07/2025" in rebased
    with pytest.raises(CommandError, match=r"không có hiệu lực vào ngày 31/12/2025.*05998"):
        _run(*args, "--units-date", "31/12/2025")
