"""Count-only records in the read layer: a province where some communes are evaluated per
criterion and some known only by their number of criteria met gets the right average, bands
and communes at the standard, per-criterion counts over the evaluated ones only, and every
page marks the count-only communes (*chỉ có số tiêu chí đạt*)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ntm.accounts.testing import Personas, make_unit
from ntm.criteria.schema import CriteriaSet
from ntm.results.central import central_view
from ntm.results.commune import commune_view
from ntm.results.province import province_overview
from ntm.results.record import counts_frame
from ntm.units.models import Unit, UnitKind
from ntm.values.services import declare_status, record_count

YEAR = 2020
SET = "vn-ntm-xa-2016-2020"
COUNT_ONLY = "chỉ có số tiêu chí đạt"
QUERY: dict[str, str | int] = {"period": YEAR, "set": SET}


@pytest.fixture
def mixed(personas: Personas, cset: CriteriaSet) -> tuple[Personas, Unit, Unit, Unit]:
    """A: declared per criterion, 17 of 19 met; B: all 19 declared met, and a count record of
    5 that the per-criterion results override; C: count only, 19/19; D: count only, 10/19;
    E: nothing."""
    p = personas
    c, d, e = (
        make_unit(name, UnitKind.COMMUNE, code, p.province)
        for name, code in (("Xã Cẩm Lý", "99003"), ("Xã Đồng Mỏ", "99004"), ("Xã Yên Sơn", "99005"))
    )
    office = p.province_office
    for n in range(1, 20):
        declare_status(
            p.commune_a, YEAR, cset, n, "met" if n <= 17 else "not_met", acting_user=office
        )
        declare_status(p.commune_b, YEAR, cset, n, "met", acting_user=office)
    record_count(p.commune_b, YEAR, cset, 5, acting_user=office)
    record_count(c, YEAR, cset, 19, total=19, acting_user=office)
    record_count(d, YEAR, cset, 10, acting_user=office)
    return p, c, d, e


def test_figures_over_a_province_with_count_only_communes(
    mixed: tuple[Personas, Unit, Unit, Unit], cset: CriteriaSet
) -> None:
    p, c, d, e = mixed
    o = province_overview(p.province, period=YEAR, set_id=SET)
    f = o.figures
    assert (f.communes, f.evaluated, f.meeting, f.not_evaluated) == (5, 4, 2, 1)
    assert f.average_met == Fraction(17 + 19 + 19 + 10, 4)
    assert [b.count for b in f.bands] == [2, 1, 1, 0, 0]
    by_criterion = {k.criterion: k for k in f.criteria}
    assert (by_criterion[1].met, by_criterion[18].met, by_criterion[18].not_met) == (2, 1, 1)
    assert all(k.unknown == 0 for k in f.criteria)  # C and D are in no criterion's count
    assert f.communes_missing == 0
    assert (o.count_only, o.with_data) == (2, 4)
    points = {pt.unit.id: (pt.met, pt.count_only) for pt in o.points}
    assert points[c.pk] == (19, True) and points[d.pk] == (10, True)
    assert points[p.commune_b.pk] == (19, False) and points[e.pk] == (None, False)

    # A count written moves the cached overview at once (through the period's stamp).
    record_count(e, YEAR, cset, 18, acting_user=p.province_office)
    o = province_overview(p.province, period=YEAR, set_id=SET)
    assert (o.figures.evaluated, o.figures.meeting, o.count_only) == (5, 2, 3)
    close = {x.unit.id: (x.met, x.count_only, x.criteria) for x in o.close}
    assert close[e.pk] == (18, True, ())
    assert close[p.commune_a.pk][:2] == (17, False)

    row = next(r for r in central_view(period=YEAR).rows if r.province.id == p.province.pk)
    assert (row.evaluated, row.meeting, row.total_met) == (5, 2, 17 + 19 + 19 + 10 + 18)


def test_the_record_as_of_a_moment(personas: Personas, cset: CriteriaSet) -> None:
    p = personas
    record_count(p.commune_a, YEAR, cset, 14, acting_user=p.province_office)
    between = timezone.now()
    record_count(p.commune_a, YEAR, cset, 16, acting_user=p.officer_a)
    record_count(p.commune_b, YEAR, cset, 3, acting_user=p.officer_b)
    ids = [p.commune_a.pk, p.commune_b.pk]

    def held(at: dt.datetime | None = None) -> list[tuple[str, int, int]]:
        return sorted(counts_frame(ids, YEAR, SET, at=at).select("unit", "met", "total").rows())

    a, b = str(p.commune_a.pk), str(p.commune_b.pk)
    assert held() == [(a, 16, 19), (b, 3, 19)]
    assert held(between) == [(a, 14, 19)]
    record_count(p.commune_a, YEAR, cset, None, acting_user=p.province_office)
    assert held() == [(b, 3, 19)]
    assert held(between) == [(a, 14, 19)]
    o = province_overview(p.province, period=YEAR, set_id=SET, as_of=timezone.localdate(between))
    assert o.count_only == 1  # at the end of that day: only B, A withdrawn since


def test_approved_only_holds_back_a_count_only_commune(
    mixed: tuple[Personas, Unit, Unit, Unit],
) -> None:
    p, *_ = mixed
    o = province_overview(p.province, period=YEAR, set_id=SET, approved_only=True)
    assert (o.figures.evaluated, o.held_back, o.count_only) == (0, 4, 0)


def test_the_commune_view_and_pages(mixed: tuple[Personas, Unit, Unit, Unit]) -> None:
    p, c, d, _ = mixed
    v = commune_view(d, period=YEAR, set_id=SET)
    assert (v.count_only, v.has_data, v.met, v.total, v.meets_set) == (True, True, 10, 19, False)
    assert all(k.status == "missing_data" for k in v.criteria)
    (history,) = v.history
    assert history.counts == ("10/19",)
    b = commune_view(p.commune_b, period=YEAR, set_id=SET)
    assert (b.count_only, b.met, b.meets_set) == (False, 19, True)  # per criterion wins

    client = Client()
    p.login(client, "province_office")
    page = client.get(reverse("web:commune", args=[c.pk]), QUERY)
    text = page.content.decode()
    assert page.status_code == 200 and COUNT_ONLY in text and "19/19" in text
    page = client.get(reverse("web:commune", args=[p.commune_b.pk]), QUERY)
    assert COUNT_ONLY not in page.content.decode()
    page = client.get(reverse("web:province", args=[p.province.pk]), {"period": YEAR})
    text = page.content.decode()
    assert 'data-figure="count-only"' in text and COUNT_ONLY in text
    assert reverse("web:province_counts", args=[p.province.pk]) in text

    # The API says so too.
    body = client.get(f"/api/units/{c.pk}/evaluation", QUERY).json()
    assert (body["count_only"], body["met"], body["meets_set"]) == (True, 19, True)
    body = client.get(f"/api/units/{p.province.pk}/statistics", QUERY).json()
    assert body["count_only"] == 2
