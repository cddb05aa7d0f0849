"""The commune table reads the province overview's figures: the same year results (one cache
entry, no second evaluation), the same counts, and filters that say what is wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ntm.accounts.testing import Personas
from ntm.results import communes, periods
from ntm.results.communes import RowStatus, TableFilters, commune_table, parse_filters
from ntm.results.province import province_overview
from ntm.results.query import ChoiceError
from ntm.results.testing import seed

pytestmark = pytest.mark.django_db


def test_the_table_reads_the_overviews_results_without_evaluating_again(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(p)
    o = province_overview(p.province, period=2021)
    runs: list[Any] = []
    real = periods.recorded_results

    def spy(*args: Any, **kwargs: Any) -> Any:
        runs.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(communes, "recorded_results", spy)  # as the table module calls it
    t = commune_table(p.province, TableFilters(), period=2021)
    # Another year: the overview the table asks for computes it, the table reads that.
    commune_table(p.province, TableFilters(status="meets"), period=2020)
    assert runs == []  # the overview's cache entry of each year, never a second reading
    assert [(r.unit.name, r.met, r.status, r.not_met) for r in t.rows] == [
        ("Xã An Bình", 19, RowStatus.MEETS, ()),
        ("Xã Bình Minh", 17, RowStatus.CLOSE, (2, 3)),
    ]
    # The overview's own counts, row by row.
    assert sum(r.status == RowStatus.MEETS for r in t.rows) == o.figures.meeting
    assert {r.unit.id for r in t.rows if r.status == RowStatus.CLOSE} == {
        c.unit.id for c in o.close
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"met_max": "-1"}, "Số tiêu chí đạt nhiều nhất phải là một số nguyên, không phải “-1”."),
        ({"met_min": "5", "met_max": "2"}, "(5) không thể nhiều hơn số nhiều nhất (2)."),
        ({"status": "gold"}, "Trạng thái xã không rõ: “gold”."),
        ({"sort": "-size"}, "Không sắp xếp được theo “size”; dùng một trong name, district"),
        ({"district": "x"}, "Huyện phải là một số nguyên, không phải “x”."),
    ],
)
def test_malformed_filters_say_why(query: dict[str, str], message: str) -> None:
    with pytest.raises(ChoiceError, match=re.escape(message)):
        parse_filters(query)


def test_filters_read_from_a_query() -> None:
    f = parse_filters({"status": "close", "met_min": "10", "not_met": "17", "sort": "-met"})
    assert f == TableFilters(status="close", met_min=10, not_met=17, sort="met", descending=True)
    # A district page fixes its district, whatever the query says.
    assert parse_filters({"district": "5"}, district=9).district == 9
