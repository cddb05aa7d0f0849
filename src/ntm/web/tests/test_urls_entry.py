"""Years in page addresses are bounded by their converter: a year outside 2000–2100 is a 404
(a comment or evidence for year 0 or 99999 was a server error), and the pages still answer
for the real years."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.values.models import FIRST_YEAR, LAST_YEAR, Comment, Value
from ntm.web.urls_entry import YearConverter

pytestmark = pytest.mark.django_db

MEASURE = "transport_village_roads_share"
HUGE = "1" + "0" * 20


def client_for(client: Client, p: Personas) -> Client:
    p.login(client, "officer_a")
    client.raise_request_exception = False  # a server error shows as a 500, not raised
    return client


@pytest.mark.parametrize("year", ["0", "99999", "1999", "2101", "0202", HUGE])
@pytest.mark.parametrize("page", ["", "history/"])
def test_value_pages_with_an_impossible_year_are_404(
    client: Client, personas: Personas, year: str, page: str
) -> None:
    c = client_for(client, personas)
    url = f"/values/commune/{personas.commune_a.pk}/{year}/value/{MEASURE}/{page}"
    assert c.get(url).status_code == 404


@pytest.mark.parametrize("year", ["0", "99999", "1999", "2101", HUGE])
@pytest.mark.parametrize("page", ["comments/", "evidence/"])
def test_posting_to_an_impossible_year_is_404_and_writes_nothing(
    client: Client, personas: Personas, year: str, page: str
) -> None:
    c = client_for(client, personas)
    url = f"/values/commune/{personas.commune_a.pk}/{year}/value/{MEASURE}/{page}"
    assert c.post(url, {"text": "Góp ý"}).status_code == 404
    assert not Value.objects.exists() and not Comment.objects.exists()


def test_real_years_still_answer(client: Client, personas: Personas) -> None:
    c = client_for(client, personas)
    pk = personas.commune_a.pk
    url = reverse("values:value", args=[pk, 2021, MEASURE])
    assert url == f"/values/commune/{pk}/2021/value/{MEASURE}/"
    assert c.get(url).status_code == 200
    assert c.get(reverse("values:history", args=[pk, 2021, MEASURE])).status_code == 200
    response = c.post(reverse("values:add_comment", args=[pk, 2021, MEASURE]), {"text": "Góp ý"})
    assert response.status_code == 302
    assert Comment.objects.get().text == "Góp ý"


def test_the_converter_takes_the_programmes_years() -> None:
    assert (YearConverter.first, YearConverter.last) == (FIRST_YEAR, LAST_YEAR)
    with pytest.raises(ValueError):
        YearConverter().to_python("2101")
    assert YearConverter().to_python("2000") == 2000
