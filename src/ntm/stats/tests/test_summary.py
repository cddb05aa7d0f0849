from __future__ import annotations

from fractions import Fraction

import polars as pl
import pytest

from ntm.criteria.schema import Band
from ntm.stats.jsonable import jsonable
from ntm.stats.summary import render_text, summarize
from ntm.vn.numbers import PercentStyle

BANDS = [
    Band(label_vi="19 tiêu chí", label_en="19 criteria", min=19, max=19),
    Band(label_vi="15–18 tiêu chí", label_en="15–18 criteria", min=15, max=18),
    Band(label_vi="10–14 tiêu chí", label_en="10–14 criteria", min=10, max=14),
    Band(label_vi="5–9 tiêu chí", label_en="5–9 criteria", min=5, max=9),
    Band(label_vi="Dưới 5 tiêu chí", label_en="under 5", min=0, max=4),
]


def _frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    # Three communes in 2024, two in 2025; two criteria only to keep the fixture readable.
    criteria = pl.DataFrame(
        {
            "unit": ["a", "a", "b", "b", "c", "c", "a", "a", "b", "b"],
            "period": [2024] * 6 + [2025] * 4,
            "criterion": [1, 2] * 5,
            "status": [
                "met",
                "met",
                "met",
                "basically_met",
                "missing_data",
                "not_met",
                "met",
                "met",
                "met",
                "met",
            ],
        },
        schema_overrides={"period": pl.Int32, "criterion": pl.Int32},
    )
    communes = pl.DataFrame(
        {
            "unit": ["a", "b", "c", "a", "b"],
            "period": [2024, 2024, 2024, 2025, 2025],
            "met": [19, 16, 3, 19, 19],
            "meets_set": [True, False, False, True, True],
        },
        schema_overrides={"period": pl.Int32},
    )
    return communes, criteria


def test_summary_per_period() -> None:
    communes, criteria = _frames()
    summary = summarize(communes, criteria, BANDS)
    assert [p.period for p in summary.periods] == [2024, 2025]
    p = summary.for_period(2024)
    assert (p.communes, p.meeting) == (3, 1)
    assert p.meeting_percent == Fraction(100, 3)
    assert p.average_met == Fraction(38, 3)
    assert p.met_by_criterion == {1: 2, 2: 1}
    assert p.basically_met_by_criterion == {1: 0, 2: 1}
    assert p.missing_by_criterion == {1: 1, 2: 0}
    assert p.communes_missing == 1
    assert [(b.band.min, b.count) for b in p.bands] == [(19, 1), (15, 1), (10, 0), (5, 0), (0, 1)]
    assert p.unbanded == 0
    q = summary.for_period(2025)
    assert (q.communes, q.meeting, q.meeting_percent) == (2, 2, Fraction(100))


def test_unbanded_and_single() -> None:
    communes, criteria = _frames()
    one = communes.filter(pl.col("period") == 2024)
    summary = summarize(one, criteria, BANDS[:2])
    assert summary.single.unbanded == 1
    with pytest.raises(ValueError, match="expected one period"):
        _ = summarize(communes, criteria, BANDS).single
    with pytest.raises(KeyError):
        summary.for_period(2030)


def test_json_is_exact() -> None:
    communes, criteria = _frames()
    d = jsonable(summarize(communes, criteria, BANDS))
    first = d["periods"][0]
    assert first["meeting_percent"] == {"exact": "100/3", "value": pytest.approx(33.333333)}
    assert first["bands"][0] == {
        "label_vi": "19 tiêu chí",
        "label_en": "19 criteria",
        "min": 19,
        "max": 19,
        "count": 1,
    }
    assert first["criteria"][1]["basically_met"] == 1


def test_render_text_styles() -> None:
    communes, criteria = _frames()
    summary = summarize(communes.filter(pl.col("period") == 2024), criteria, BANDS)
    text = render_text(summary)
    assert "Số xã đạt chuẩn: 1/3 (33,33 %)" in text
    assert "Bình quân số tiêu chí đạt/xã: 12,67" in text
    assert "  Tiêu chí 2: 1 / 1 / 1 / 0" in text
    truncated = render_text(summary, PercentStyle(decimals=1, mode="truncate"))
    assert "(33,3 %)" in truncated
    assert "12,6" in truncated


def test_empty_and_bad_input() -> None:
    communes, criteria = _frames()
    assert summarize(communes.clear(), criteria, BANDS).periods == ()
    with pytest.raises(ValueError, match="thiếu cột"):
        summarize(communes.drop("meets_set"), criteria, BANDS)
    bad = criteria.with_columns(pl.lit("ok").alias("status"))
    with pytest.raises(ValueError, match="unknown status"):
        summarize(communes, bad, BANDS)
