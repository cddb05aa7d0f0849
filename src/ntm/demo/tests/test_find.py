"""Finding communes in the demo's real Lạng Sơn history: Xã Vạn Linh of today (formed on
01/07/2025 from Hòa Bình, Vạn Linh and Y Tịch, with no year of its own yet) leads to each
predecessor's record, and each predecessor back to it; search finds both, and the district
drill-down of 2020 lists Chi Lăng's communes in Vietnamese order."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ntm.demo.loader import DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.units.models import Unit, UnitKind
from ntm.vn.collation import sort_key


def _client(username: str) -> Client:
    user = next(u for u in ensure_demo_users() if u.username == username)
    client = Client()
    assert client.login(username=user.username, password=user.password)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _van_linh() -> tuple[Unit, Unit]:
    today = timezone.localdate()
    versions = Unit.objects.filter(code="06505", kind=UnitKind.COMMUNE).order_by("valid_from")
    old = next(u for u in versions if not u.is_valid_on(today))
    new = next(u for u in versions if u.is_valid_on(today))
    return old, new


def _found(page: str) -> list[str]:
    return re.findall(r'<li data-unit="\d+">\s*<a href="[^"]+">([^<]+)</a>', page)


def test_lineage_links_between_van_linh_and_its_predecessors(demo: DemoResult) -> None:
    old, new = _van_linh()
    for username in ("canbo.xa", "vanphong.tinh"):
        client = _client(username)
        merged = _page(client, reverse("web:commune", args=[new.pk]))
        links = re.findall(r'<a href="(/commune/\d+/)" data-link="predecessor">([^<]+)</a>', merged)
        assert [name for _url, name in links] == ["Xã Hòa Bình", "Xã Vạn Linh", "Xã Y Tịch"]
        assert "Hình thành ngày 01/07/2025" in merged
        # One click: the old Vạn Linh's own record, with its years 2011–2020.
        record = _page(client, links[1][0])
        assert links[1][0] == reverse("web:commune", args=[old.pk])
        years = set(re.findall(r'<option value="(\d{4})"', record))
        assert {str(y) for y in range(2011, 2021)} <= years
        back = re.search(r'<a href="([^"]+)" data-link="successor">([^<]+)</a>', record)
        assert back is not None and back.groups() == (
            reverse("web:commune", args=[new.pk]),
            "Xã Vạn Linh",
        )
        assert "sáp nhập ngày 01/07/2025" in record


def test_search_finds_van_linh_under_its_names_for_those_who_may_read_it(
    demo: DemoResult,
) -> None:
    office = _client("vanphong.tinh")
    found = _page(office, reverse("web:search") + "?q=van+linh")
    # In force first, each group in Vietnamese order; "Nguyễn Văn Linh" (Hưng Yên) is a
    # commune of another province, which the office of Lạng Sơn does not read.
    assert _found(found) == ["Xã Vạn Linh", "Xã Vạn Linh"]
    assert "có hiệu lực từ 01/07/2025" in found
    assert "đến 30/06/2025" in found and "từ —" not in found
    old = _page(office, reverse("web:search") + "?q=y+tich")
    assert _found(old) == ["Xã Y Tịch"]
    assert "Đã trở thành: Xã Vạn Linh (sáp nhập, 01/07/2025)" in re.sub(r"<[^>]+>", "", old)
    assert _found(_page(office, reverse("web:search") + "?q=06505")) == ["Xã Vạn Linh"] * 2
    # The central viewer reads every province: the Hưng Yên and Phú Thọ namesakes too.
    central = _found(_page(_client("trunguong"), reverse("web:search") + "?q=van+linh"))
    assert central == sorted(central[:2], key=sort_key) + sorted(central[2:], key=sort_key)
    assert {"Xã Nguyễn Văn Linh", "Xã Vân Lĩnh"} <= set(central)
    # The commune's officer: its commune and what it was formed from, nothing else.
    officer = _found(_page(_client("canbo.xa"), reverse("web:search") + "?q=linh"))
    assert officer == ["Xã Vạn Linh", "Xã Vạn Linh"]


def test_district_drill_down_in_2020(demo: DemoResult) -> None:
    office = _client("vanphong.tinh")
    prov = province()
    overview = _page(office, reverse("web:province", args=[prov.pk]) + "?period=2020")
    link = re.search(r'<a href="([^"]+)" data-link="district">Huyện Chi Lăng</a>', overview)
    assert link is not None
    page = _page(office, link.group(1))
    names = re.findall(r'<tr data-commune="\d+">\s*<th scope="row"><a [^>]*>([^<]+)</a>', page)
    old, _new = _van_linh()
    assert "Xã Vạn Linh" in names and len(names) > 10
    assert names == sorted(names, key=sort_key)
    assert f'data-commune="{old.code}"' in page
