from __future__ import annotations

import datetime as dt

import polars as pl

from ntm.stats.jsonable import jsonable
from ntm.stats.rebase import basis_label
from ntm.stats.rollup import statistics
from ntm.stats.text import render_statistics
from ntm.vn.numbers import PercentStyle


def _province(meeting: dict[int, int], communes: int = 181) -> tuple[pl.DataFrame, ...]:
    """A province of `communes` communes with the published Lạng Sơn shape (49/181, 65/181);
    the per-commune results are simulated, only the counts are the published ones."""
    units = [f"x{i:03d}" for i in range(communes)]
    scope = pl.DataFrame(
        {
            "unit": units,
            "kind": ["commune"] * communes,
            "child_unit": ["d1" if i < 100 else "d2" for i in range(communes)],
            "child_name": ["Huyện Một" if i < 100 else "Huyện Hai" for i in range(communes)],
        }
    )
    rows = [
        (u, year, 19 if i < n else 12) for year, n in meeting.items() for i, u in enumerate(units)
    ]
    result = pl.DataFrame(
        {
            "unit": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "met": [r[2] for r in rows],
            "meets_set": [r[2] == 19 for r in rows],
        },
        schema_overrides={"period": pl.Int32},
    )
    criteria = pl.DataFrame(
        {
            "unit": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "criterion": [1] * len(rows),
            "status": ["met"] * len(rows),
        },
        schema_overrides={"period": pl.Int32},
    )
    return scope, result, criteria


def test_langson_shape_text() -> None:
    scope, communes, criteria = _province({2019: 49, 2020: 65})
    stats = statistics(scope, communes, criteria, period=2020, tier="standard", parent="20")
    text = render_statistics(stats)
    assert text.splitlines()[:2] == [
        "Thống kê nông thôn mới năm 2020 — đơn vị 20",
        "Cơ sở: theo đơn vị hành chính tại thời điểm đánh giá (as recorded)",
    ]
    assert "Số xã đạt chuẩn: 65/181 (35,91 %)" in text
    assert "Số xã được công nhận: chưa có dữ liệu công nhận" in text
    assert "So với năm 2019: số xã đạt chuẩn +16, tỷ lệ +8,84 điểm %" in text
    assert "  19 tiêu chí: 65 xã" in text
    assert "Huyện Một (d1):" in text
    assert "  Số xã đạt chuẩn: 65/100 (65,00 %)" in text
    assert "không so sánh được" not in text

    earlier = statistics(scope, communes, criteria, period=2019, tier="standard")
    assert "Số xã đạt chuẩn: 49/181 (27,07 %)" in render_statistics(earlier)
    truncated = render_statistics(earlier, PercentStyle(decimals=1, mode="truncate"))
    assert "Số xã đạt chuẩn: 49/181 (27,0 %)" in truncated
    rounded = render_statistics(earlier, PercentStyle(decimals=1))
    assert "Số xã đạt chuẩn: 49/181 (27,1 %)" in rounded


def test_rebased_text_says_so() -> None:
    scope, communes, criteria = _province({2020: 65})
    rebased = communes.with_columns((pl.col("unit") < "x010").alias("comparable"))
    stats = statistics(
        scope,
        rebased,
        criteria,
        period=2020,
        tier="advanced",
        basis=basis_label(dt.date(2025, 7, 1)),
    )
    text = render_statistics(stats)
    assert "Thống kê nông thôn mới nâng cao năm 2020" in text
    assert "quy đổi sang đơn vị hành chính ngày 01/07/2025 (re-based)" in text
    assert "Số xã đạt chuẩn: 10/181 (5,52 %)" in text
    assert "một phần thiếu số liệu): 171" in text


def test_unchanged_territory_is_labelled() -> None:
    scope, communes, criteria = _province({2020: 3}, communes=4)
    scope = scope.with_columns(pl.format("Xã {}", pl.col("unit")).alias("name"))
    # x000 and x001 are old units unchanged (renamed o0, o1 -> x000, x001); the others merged.
    rebased = communes.with_columns(
        (pl.col("unit") < "x002").alias("comparable"),
        pl.when(pl.col("unit") < "x002")
        .then(pl.col("unit").str.replace("x00", "o"))
        .alias("from_unit"),
    )
    stats = statistics(
        scope,
        rebased,
        criteria,
        period=2020,
        tier="standard",
        parent="20",
        parent_name="Tỉnh Lạng Sơn",
        basis=basis_label(dt.date(2025, 7, 1)),
    )
    assert [jsonable(c) for c in stats.total.figures.unchanged_territory] == [
        {"unit": "x000", "from_unit": "o0", "name": "Xã x000"},
        {"unit": "x001", "from_unit": "o1", "name": "Xã x001"},
    ]
    assert jsonable(stats)["parent_name"] == "Tỉnh Lạng Sơn"
    text = render_statistics(stats)
    assert text.splitlines()[0] == "Thống kê nông thôn mới năm 2020 — Tỉnh Lạng Sơn (20)"
    assert "Số xã đạt chuẩn: 2/4 (50,00 %)" in text
    assert "một phần thiếu số liệu): 2" in text
    assert "giữ kết quả đạt/không đạt (unchanged territory): 2" in text
    assert "  Xã x000 (x000) ← đơn vị cũ o0" in text
    # As recorded there is nothing to label.
    plain = render_statistics(statistics(scope, communes, criteria, period=2020, tier="standard"))
    assert "unchanged territory" not in plain


def test_no_results_show_no_zero_figures() -> None:
    scope, communes, criteria = _province({2019: 49})
    stats = statistics(
        scope, communes, criteria, period=2020, tier="standard", baseline=2019, parent_name="Tỉnh X"
    )
    text = render_statistics(stats)
    assert text.splitlines()[0] == "Thống kê nông thôn mới năm 2020 — Tỉnh X"  # no code
    assert "Số xã đạt chuẩn: — (chưa có số liệu)\n" in text
    assert "Bình quân số tiêu chí đạt/xã: —\n" in text
    assert "Phân nhóm" not in text and "So với" not in text
    assert "\nHuyện Một (d1):\n" in text
