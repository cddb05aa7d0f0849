"""Years in page addresses are bounded by their converter: a year outside 2000–2100 is a 404
(a comment or evidence for year 0 or 99999 was a server error), and the pages still answer
for the real years."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ntm.accounts.testing import Personas
from ntm.criteria.loader import load_measures, sets_for_period
from ntm.values.models import FIRST_YEAR, LAST_YEAR, Comment, Value
from ntm.values.services import set_reads
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


def _read_in(year: int) -> set[str]:
    return {m for s in sets_for_period(year) for m in set_reads(s.id)}


# A measure of the 2021–2025 set that no set of 2020 reads.
LATER = next(k for k in sorted(load_measures()) if k not in _read_in(2020) and k in _read_in(2022))


@pytest.mark.parametrize(
    ("year", "measure"), [("2099", MEASURE), ("2000", MEASURE), ("2020", LATER)]
)
@pytest.mark.parametrize("page", ["comments/", "evidence/"])
def test_posting_where_no_criteria_set_reads_the_value_is_404(
    client: Client,
    personas: Personas,
    settings: Settings,
    tmp_path: Path,
    year: str,
    measure: str,
    page: str,
) -> None:
    """A value no set of its year reads is never shown: a comment or a file would make a row
    for it, out of sight."""
    settings.MEDIA_ROOT = tmp_path
    c = client_for(client, personas)
    url = f"/values/commune/{personas.commune_a.pk}/{year}/value/{measure}/{page}"
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 x")
    assert c.post(url, {"text": "Góp ý", "file": upload}).status_code == 404
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
