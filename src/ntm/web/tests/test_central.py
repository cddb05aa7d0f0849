"""The central view as of a date and with approved communes only.

Two provinces. Tỉnh Thử Nghiệm has the 2021 audit history of `test_dashboards_as_of` (commune A
declared 16 criteria on 01/05/2021 and all 19 on 20/12/2021, when B declared
its 17; A's 2021 approved on 20/01/2022, B's not). Tỉnh Khác: C declared all 19 on 01/03/2021
and was approved on 25/12/2021; D declared 17 on 01/08/2021 and is not approved.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.recognition.models import Tier
from ntm.recognition.services import DecisionBasis, record_recognised
from ntm.results.central import central_view
from ntm.results.testing import SET_2020, History, seed
from ntm.units.models import Unit, UnitKind
from ntm.web.tests.test_dashboards import html, text

pytestmark = pytest.mark.django_db


def other_province(
    history: History, code: str = "98", name: str = "Tỉnh Khác"
) -> tuple[Unit, Unit, Unit]:
    province = make_unit(name, UnitKind.PROVINCE, code)
    c = make_unit(f"Xã Cây {code}", UnitKind.COMMUNE, f"{code}001", province)
    d = make_unit(f"Xã Dốc {code}", UnitKind.COMMUNE, f"{code}002", province)
    Unit.objects.filter(pk__in=[c.pk, d.pk]).update(region="TDMNPB")
    history.declare(c, 2021, SET_2020, set(), day="2021-03-01")
    history.declare(d, 2021, SET_2020, {2, 3}, day="2021-08-01")
    history.approve(c, 2021, SET_2020, "2021-12-25")
    return province, c, d


@pytest.fixture
def world(personas: Personas) -> Personas:
    p = personas
    h = History()
    h.declare(p.commune_a, 2021, SET_2020, {1, 2, 3}, day="2021-05-01")
    h.declare(p.commune_a, 2021, SET_2020, set(), day="2021-12-20")
    h.declare(p.commune_b, 2021, SET_2020, {2, 3}, day="2021-12-20")
    h.approve(p.commune_a, 2021, SET_2020, "2022-01-20")
    other_province(h)
    seed(p, h)
    return p


def rows(page: str) -> dict[str, str]:
    """Province name -> the text of its row."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        t = text(row).strip()
        for name in ("Tỉnh Thử Nghiệm", "Tỉnh Khác"):
            if name in t:
                out[name] = t[t.index(name) :]
    return out


def basis(page: str) -> str:
    found = re.search(r'class="figure-basis" data-figure="basis">(.*?)</p>', page, re.S)
    assert found is not None
    return text(found.group(1))


def test_live_figures_with_approval_counts(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    page = html(client, reverse("web:central") + "?period=2021")
    r = rows(page)
    # communes, at the standard, share, recognised, average, approved
    assert r["Tỉnh Thử Nghiệm"] == "Tỉnh Thử Nghiệm 2 1/2 50,00 % 0/2 18,00 1/2"
    assert r["Tỉnh Khác"] == "Tỉnh Khác 2 1/2 50,00 % 0/2 18,00 1/2"
    assert basis(page).endswith("Số liệu hiện hành; đã duyệt 2/4 xã.")


def test_as_of_a_day(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    page = html(client, reverse("web:central") + "?period=2021&as_of=30/06/2021")
    r = rows(page)
    # A had 16 criteria then and B nothing; C all 19 and D nothing; nothing approved yet.
    assert r["Tỉnh Thử Nghiệm"] == "Tỉnh Thử Nghiệm 2 0/2 0,00 % 0/2 16,00 0/2"
    assert r["Tỉnh Khác"] == "Tỉnh Khác 2 1/2 50,00 % 0/2 19,00 0/2"
    assert basis(page).endswith("Tính đến 30/06/2021; đã duyệt 0/4 xã.")
    assert re.search(r'name="as_of" [^>]*value="30/06/2021"', page)
    # The ISO form of the date gives the same figures.
    iso = html(client, reverse("web:central") + "?period=2021&as_of=2021-06-30")
    assert rows(iso) == r


def test_approved_only(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    url = reverse("web:central")
    page = html(client, f"{url}?period=2021&approved_only=1")
    r = rows(page)
    # B and D are not approved: no result (never failing); A and C alone are averaged.
    assert r["Tỉnh Thử Nghiệm"] == "Tỉnh Thử Nghiệm 2 1/2 50,00 % 0/2 19,00 1/2"
    assert r["Tỉnh Khác"] == "Tỉnh Khác 2 1/2 50,00 % 0/2 19,00 1/2"
    assert basis(page).endswith("đã duyệt 2/4 xã; chỉ tính xã đã duyệt, 2 xã chưa duyệt.")
    assert "2 xã có số liệu nhưng chưa được duyệt nên chưa có kết quả" in text(page)
    assert 'name="approved_only" type="checkbox" value="1" checked' in page
    # Approvals are read as of the day too: on 31/12/2021 only C was approved.
    page = html(client, f"{url}?period=2021&as_of=31/12/2021&approved_only=1")
    r = rows(page)
    assert r["Tỉnh Thử Nghiệm"] == "Tỉnh Thử Nghiệm 2 0/2 0,00 % 0/2 — 0/2"
    assert r["Tỉnh Khác"] == "Tỉnh Khác 2 1/2 50,00 % 0/2 19,00 1/2"
    view = central_view(period=2021, as_of=dt.date(2021, 12, 31), approved_only=True)
    assert (view.in_scope, view.approved, view.held_back) == (4, 1, 3)


def test_drill_down_and_sort_links_carry_the_choices(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    page = html(client, reverse("web:central") + "?period=2021&as_of=30/06/2021&approved_only=1")
    links = [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    province = reverse("web:province", args=[world.province.pk])
    wanted = f"{province}?period=2021&set={SET_2020}&as_of=2021-06-30&approved_only=1"
    assert wanted in links
    # The province page behind the link counts the same: A not approved on 30/06/2021.
    t = text(html(client, wanted))
    assert "Số xã đạt chuẩn 0/2 (0,00 %)" in t and "Tính đến 30/06/2021" in t
    sorts = [link for link in links if "sort=" in link]
    assert len(sorts) == 8
    assert all("as_of=2021-06-30" in s and "approved_only=1" in s for s in sorts), sorts
    page = html(client, reverse("web:central") + "?period=2021&approved_only=1&sort=-approved")
    assert 'aria-sort="descending"' in page


def test_recognised_communes_beside_those_at_the_standard(client: Client, world: Personas) -> None:
    p = world
    basis = DecisionBasis("TEST-9/QĐ-UBND", dt.date(2021, 12, 28), "UBND tỉnh Thử Nghiệm")
    record_recognised(p.commune_b, Tier.NTM, 2021, basis, acting_user=p.province_office)
    p.login(client, "central_viewer")
    r = rows(html(client, reverse("web:central") + "?period=2021"))
    # B is recognised (17/19: no longer meeting the set); A meets it without a decision.
    assert r["Tỉnh Thử Nghiệm"] == "Tỉnh Thử Nghiệm 2 1/2 50,00 % 1/2 18,00 1/2"
    # As of a day before the decision, nobody was recognised yet.
    r = rows(html(client, reverse("web:central") + "?period=2021&as_of=27/12/2021"))
    assert r["Tỉnh Thử Nghiệm"].startswith("Tỉnh Thử Nghiệm 2 1/2 50,00 % 0/2")


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
def test_bad_input_is_a_400_that_says_why(
    client: Client, world: Personas, query: str, message: str
) -> None:
    world.login(client, "central_viewer")
    audit = AuditLog.objects.count()
    page = html(client, f"{reverse('web:central')}?{query}", 400)
    assert message in page
    assert AuditLog.objects.count() == audit


ACCESS: dict[PersonaName, int] = {
    "officer_a": 403,
    "officer_b": 403,
    "appraiser": 403,
    "province_office": 403,
    "central_viewer": 200,
    "administrator": 200,
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_who_may_use_the_new_parameters(
    client: Client, world: Personas, persona: PersonaName
) -> None:
    world.login(client, persona)
    url = reverse("web:central")
    status = ACCESS[persona]
    page = html(client, f"{url}?period=2021&as_of=30/06/2021&approved_only=1", status)
    assert ("Tỉnh Khác" in page) is (status == 200)
    # Bad input is refused only to those who may see the page; the others get the 403.
    assert client.get(f"{url}?as_of=nonsense").status_code == (400 if status == 200 else 403)


def test_anonymous_is_sent_to_login(client: Client, world: Personas) -> None:
    for query in ("?period=2021&as_of=30/06/2021&approved_only=1", "?as_of=nonsense"):
        response = client.get(reverse("web:central") + query)
        assert response.status_code == 302 and "login" in response["Location"]


def test_queries_do_not_grow_with_the_provinces(client: Client, world: Personas) -> None:
    world.login(client, "central_viewer")
    queries = (
        "?period=2021",
        "?period=2021&approved_only=1",
        "?period=2021&as_of=30/06/2021",
        "?period=2021&as_of=31/12/2021&approved_only=1",
    )

    def count(query: str) -> int:
        url = reverse("web:central") + query
        html(client, url)  # the first request fills the results cache
        with CaptureQueriesContext(connection) as ctx:
            html(client, url)
        return len(ctx.captured_queries)

    before = [count(q) for q in queries]
    more = History()
    for code in ("97", "96", "95"):
        other_province(more, code, f"Tỉnh Số {code}")
    more.load()
    assert central_view(period=2021).in_scope == 10
    assert [count(q) for q in queries] == before
