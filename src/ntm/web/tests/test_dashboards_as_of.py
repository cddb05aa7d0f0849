"""As-of dates and approval on the province overview, the map and the commune page.

The persona world of `ntm.results.testing`, given a history: 2020 recorded on 30/12/2020
(commune A then met 14 criteria, corrected to 15 on 01/02/2021); in 2021 A declared 16
criteria on 01/05/2021 and all 19 on 20/12/2021, when B declared its 17. A's 2021 is approved
on 20/01/2022; B's is not.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.results.province import province_overview
from ntm.results.query import Geography
from ntm.results.testing import as_of_history, seed
from ntm.web.tests.test_dashboards import html, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> Personas:
    seed(personas, as_of_history(personas))
    return personas


def figure_bases(page: str) -> list[str]:
    return [text(b) for b in re.findall(r'class="figure-basis"[^>]*>(.*?)</p>', page, re.S)]


def test_the_overview_as_of_a_day(client: Client, world: Personas) -> None:
    p = world
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk])
    page = html(client, f"{url}?period=2021&as_of=30/06/2021")
    t = text(page)
    # A: 16 criteria then; B had declared nothing yet (no result, not a failure).
    assert "Số xã đạt chuẩn 0/2 (0,00 %)" in t
    assert "Bình quân số tiêu chí đạt/xã 16,00" in t
    assert "1 xã có kết quả, 1 xã chưa có số liệu nào" in t
    bases = figure_bases(page)
    assert len(bases) >= 6
    assert all("Tính đến 30/06/2021" in b and "đã duyệt 0/2 xã" in b for b in bases), bases
    # The same view with an ISO date; live, both communes count.
    assert text(html(client, f"{url}?period=2021&as_of=2021-06-30")).count("16,00") >= 1
    live = text(html(client, f"{url}?period=2021"))
    assert "Số xã đạt chuẩn 1/2 (50,00 %)" in live and "Số liệu hiện hành" in live


def test_previous_years_are_read_at_their_end(world: Personas) -> None:
    p = world
    then = province_overview(p.province, period=2021, as_of=dt.date(2021, 6, 30))
    live = province_overview(p.province, period=2021)
    trend = {t.period: t for t in then.trend}
    # 2020 as of 31/12/2020: A's correction of 01/02/2021 is not in it.
    assert trend[2020].as_of == dt.date(2020, 12, 31)
    assert str(trend[2020].figures.average_met) == "13"
    assert str({t.period: t for t in live.trend}[2020].figures.average_met) == "27/2"
    assert sorted(trend) == [2020, 2021]  # 2022 had not begun
    assert then.statistics.total.previous is not None


def test_approval_counts_and_approved_only(client: Client, world: Personas) -> None:
    p = world
    p.login(client, "province_office")
    url = reverse("web:province", args=[p.province.pk])
    live = html(client, f"{url}?period=2021")
    assert all("đã duyệt 1/2 xã" in b for b in figure_bases(live))
    only = html(client, f"{url}?period=2021&approved_only=1")
    t = text(only)
    # B is not approved: it has no result (not a failing commune); A alone is averaged.
    assert "Số xã đạt chuẩn 1/2 (50,00 %)" in t
    assert "Bình quân số tiêu chí đạt/xã 19,00" in t
    assert "1 xã có kết quả đã duyệt, 1 xã chưa duyệt (không tính), 0 xã chưa có số liệu" in t
    bases = figure_bases(only)
    assert all("chỉ tính xã đã duyệt, 1 xã chưa duyệt" in b for b in bases), bases
    assert 'name="approved_only" type="checkbox" value="1" checked' in only
    # Approvals are read as of the day too: on 31/12/2021 nothing was approved.
    o = province_overview(p.province, period=2021, as_of=dt.date(2021, 12, 31), approved_only=True)
    assert (o.approved, o.figures.evaluated, o.figures.meeting) == (0, 0, 0)
    o = province_overview(p.province, period=2021, as_of=dt.date(2022, 1, 20), approved_only=True)
    assert (o.approved, o.figures.evaluated, o.figures.meeting) == (1, 1, 1)
    # Re-based (the units have not changed): the same communes approved and held back.
    o = province_overview(p.province, period=2021, geography=Geography.REBASED, approved_only=True)
    assert (o.approved, o.held_back, o.figures.evaluated, o.figures.meeting) == (1, 1, 1, 1)


def test_map_and_commune_page_as_of(client: Client, world: Personas) -> None:
    p = world
    p.login(client, "province_office")
    page = html(
        client, reverse("web:province_map", args=[p.province.pk]) + "?period=2021&as_of=30/06/2021"
    )
    assert "Tính đến 30/06/2021" in figure_bases(page)[0]
    assert re.search(r'data-met="16"', page) and 'data-met="17"' not in page
    commune = reverse("web:commune", args=[p.commune_a.pk])
    t = text(html(client, f"{commune}?period=2021&as_of=30/06/2021"))
    assert "Số tiêu chí đạt 16/19" in t and "Tính đến 30/06/2021 · chưa duyệt" in t
    t = text(html(client, f"{commune}?period=2021&approved_only=1"))
    assert "Số tiêu chí đạt 19/19" in t and "đã duyệt" in t
    b = reverse("web:commune", args=[p.commune_b.pk])
    t = text(html(client, f"{b}?period=2021&approved_only=1"))
    assert "Năm này chưa được duyệt" in t and "Số tiêu chí đạt 0/19" in t


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2021&as_of=31/02/2021", "Ngày tính đến phải viết dạng ngày/tháng/năm"),
        ("period=2021&as_of=hôm qua", "Ngày tính đến phải viết dạng ngày/tháng/năm"),
        ("period=2021&as_of=31/12/2020", "phải nằm trong hoặc sau năm 2021"),
        ("period=2021&as_of=01/01/2999", "không được sau hôm nay"),
        ("period=2021&approved_only=yes", "phải là 1 hoặc 0"),
    ],
)
def test_bad_as_of_is_a_400_that_says_why(
    client: Client, world: Personas, query: str, message: str
) -> None:
    world.login(client, "province_office")
    audit = AuditLog.objects.count()
    for name, pk in (
        ("web:province", world.province.pk),
        ("web:province_map", world.province.pk),
        ("web:commune", world.commune_a.pk),
    ):
        assert message in html(client, f"{reverse(name, args=[pk])}?{query}", 400)
    assert AuditLog.objects.count() == audit


def test_personas_with_the_new_parameters(client: Client, world: Personas) -> None:
    p = world
    query = "?period=2021&as_of=30/06/2021&approved_only=1"
    bad = "?period=2021&as_of=nonsense"
    pages = (
        reverse("web:province", args=[p.province.pk]),
        reverse("web:province_map", args=[p.province.pk]),
        reverse("web:commune", args=[p.commune_a.pk]),
    )
    for url in pages:
        response = client.get(url + query)
        assert response.status_code == 302 and "login" in response["Location"]
    p.login(client, "officer_b")
    for url in pages:  # outside B's scope: 404 whatever the parameters, never a 400
        assert client.get(url + query).status_code == 404
        assert client.get(url + bad).status_code == 404
    own = reverse("web:commune", args=[p.commune_b.pk])
    assert "Tính đến 30/06/2021" in html(client, own + query)
    p.login(client, "officer_a")
    assert "Số tiêu chí đạt 16/19" in text(html(client, pages[2] + "?period=2021&as_of=30/06/2021"))
