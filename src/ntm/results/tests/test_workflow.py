"""The workflow's read models: a period's completeness and the province's review queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ntm.accounts.testing import Personas, make_unit
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation.semantics import Status
from ntm.results.query import ChoiceError
from ntm.results.workflow import completeness, queue
from ntm.units.models import UnitKind
from ntm.values.models import Stage
from ntm.values.services import (
    Entry,
    declare_status,
    return_submission,
    save_value,
    submit,
)
from ntm.values.testing import INCOME, YEAR

pytestmark = pytest.mark.django_db


def test_completeness_counts_every_criterion_once(p: Personas, cset: CriteriaSet) -> None:
    empty = completeness(p.commune_a, YEAR, cset)
    assert empty.total == len(cset.criteria) == 19
    assert (empty.computed, empty.declared) == (0, 0)
    assert empty.missing_data + empty.missing_threshold == 19 and not empty.complete
    declare_status(p.commune_a, YEAR, cset, 19, Status.MET, acting_user=p.officer_a)
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=60.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    later = completeness(p.commune_a, YEAR, cset)
    assert later.declared == 1
    assert later.computed + later.declared + later.gaps == 19
    assert later.gaps == empty.gaps - 1 - later.computed
    # Commune B's record is its own.
    assert completeness(p.commune_b, YEAR, cset) == empty


def test_the_queue_groups_counts_and_filters(p: Personas, cset: CriteriaSet) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    q = queue(p.province, period=YEAR, set_id=cset.id)
    assert (q.period, q.cset.id, q.districts) == (YEAR, cset.id, ())
    assert q.counts == {"submitted": 1, "returned": 0, "draft": 1, "approved": 0}
    assert [(r.unit.name, r.state) for r in q.rows] == [
        ("Xã An Bình", "submitted"),
        ("Xã Bình Minh", "draft"),
    ]
    return_submission(p.commune_a, YEAR, cset, reason="Thiếu minh chứng", acting_user=p.appraiser)
    q = queue(p.province, period=YEAR, set_id=cset.id, state="returned")
    assert q.counts["returned"] == 1 and q.total == 2
    (row,) = q.rows
    assert (row.unit.id, row.reason, row.changed_by) == (
        p.commune_a.pk,
        "Thiếu minh chứng",
        "Thẩm định viên",
    )
    assert (
        row.changed_at is not None
        and timezone.localtime(row.changed_at).date() == timezone.localdate()
    )


def test_the_queue_opens_on_the_latest_year_with_a_submission_waiting(
    p: Personas, cset: CriteriaSet
) -> None:
    this_year = timezone.localdate().year
    assert queue(p.province).period == this_year
    submit(p.commune_b, YEAR, cset, acting_user=p.officer_b)
    q = queue(p.province)
    assert (q.period, q.cset.id, q.counts["submitted"]) == (YEAR, cset.id, 1)
    assert q.periods[0] == this_year and YEAR in q.periods


def test_the_queue_by_district_in_name_order(p: Personas, cset: CriteriaSet) -> None:
    start = dt.date(2020, 1, 1)
    north = make_unit("Huyện Bắc Sơn", UnitKind.DISTRICT, "99901", p.province, start=start)
    south = make_unit("Huyện Bình Gia", UnitKind.DISTRICT, "99902", p.province, start=start)
    make_unit("Xã Đồng Ý", UnitKind.COMMUNE, "99011", north, start=start)
    make_unit("Xã Chiến Thắng", UnitKind.COMMUNE, "99012", north, start=start)
    make_unit("Xã Hoa Thám", UnitKind.COMMUNE, "99013", south, start=start)
    q = queue(p.province, period=YEAR, set_id=cset.id)
    assert [d.name for d in q.districts] == ["Huyện Bắc Sơn", "Huyện Bình Gia"]
    names = [(r.district.name if r.district else "", r.unit.name) for r in q.rows]
    assert names == [
        ("", "Xã An Bình"),
        ("", "Xã Bình Minh"),
        ("Huyện Bắc Sơn", "Xã Chiến Thắng"),
        ("Huyện Bắc Sơn", "Xã Đồng Ý"),
        ("Huyện Bình Gia", "Xã Hoa Thám"),
    ]
    q = queue(p.province, period=YEAR, set_id=cset.id, district=north.pk)
    assert [r.unit.name for r in q.rows] == ["Xã Chiến Thắng", "Xã Đồng Ý"]
    assert q.counts["draft"] == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"state": "lost"}, "Trạng thái “lost” không hợp lệ."),
        ({"district": 999999}, "Huyện này không thuộc tỉnh trong năm 2020."),
        ({"period": 2001}, "2001"),
    ],
)
def test_the_queue_refuses_bad_choices(
    p: Personas, cset: CriteriaSet, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ChoiceError, match=message):
        queue(p.province, **{"period": YEAR, **kwargs})  # type: ignore[arg-type]
