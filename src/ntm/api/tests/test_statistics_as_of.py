"""The statistics endpoint takes the dashboard's `as_of` and `approved_only` (the world of
`ntm.web.tests.test_dashboards_as_of`: A at 16 criteria on 30/06/2021, 19 by the end of
2021, approved on 20/01/2022; B at 17, not approved)."""

from __future__ import annotations

import pytest
from django.test import Client

from ntm.accounts.testing import Personas
from ntm.api.tests.test_api import bearer, get
from ntm.results.testing import as_of_history, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> Personas:
    seed(personas, as_of_history(personas))
    return personas


def test_as_of_and_approved_only(client: Client, world: Personas) -> None:
    p = world
    headers = bearer(p, "province_office")
    url = f"/api/units/{p.province.pk}/statistics?period=2021"
    status, body = get(client, f"{url}&as_of=30/06/2021", headers)
    assert status == 200
    figures = body["statistics"]["total"]["figures"]
    assert (figures["meeting"], figures["evaluated"]) == (0, 1)
    assert figures["average_met"]["exact"] == "16/1"
    assert body["as_of"] == "2021-06-30" and body["approved"] == 0
    trend = {t["period"]: t for t in body["trend"]}
    assert trend[2020]["as_of"] == "2020-12-31" and sorted(trend) == [2020, 2021]
    status, same = get(client, f"{url}&as_of=2021-06-30", headers)
    assert same == body

    status, body = get(client, f"{url}&approved_only=1", headers)
    assert status == 200 and body["as_of"] is None and body["approved_only"]
    figures = body["statistics"]["total"]["figures"]
    assert (figures["meeting"], figures["evaluated"], figures["communes"]) == (1, 1, 2)
    assert (body["approved"], body["communes_in_scope"], body["held_back"]) == (1, 2, 1)
    status, body = get(client, f"{url}&approved_only=1&as_of=31/12/2021", headers)
    assert (body["approved"], body["statistics"]["total"]["figures"]["evaluated"]) == (0, 0)


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("as_of=31/02/2021", "Ngày tính đến phải viết dạng"),
        ("as_of=2020-12-31", "phải nằm trong hoặc sau năm 2021"),
    ],
)
def test_bad_as_of_is_explained(client: Client, world: Personas, query: str, detail: str) -> None:
    headers = bearer(world, "province_office")
    status, body = get(
        client, f"/api/units/{world.province.pk}/statistics?period=2021&{query}", headers
    )
    assert status == 422 and detail in body["detail"]


def test_out_of_scope_stays_404(client: Client, world: Personas) -> None:
    url = f"/api/units/{world.province.pk}/statistics?period=2021&as_of=30/06/2021&approved_only=1"
    assert get(client, url, bearer(world, "officer_a"))[0] == 404
    assert get(client, url + "&as_of=nonsense", bearer(world, "officer_b"))[0] == 404
    assert client.get(url).status_code == 401
