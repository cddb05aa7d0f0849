"""*Kiểm tra văn bản đã công bố*: a pasted text's figures shown with their verdicts, the
record's figure linked to the page that shows it; who may use the page; validation errors in
the form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas, make_unit
from ntm.results.testing import seed
from ntm.units.models import UnitKind
from ntm.web.tests.matrix import PROVINCE_READS

pytestmark = pytest.mark.django_db

# In the seeded world, commune A met 19 criteria in 2021 and commune B 17: 1/2 at the standard
# and 18 criteria per commune; the second sentence errs twice.
TEXT = (
    "Năm 2021, toàn tỉnh có 1/2 xã (50 %) đạt chuẩn nông thôn mới; bình quân đạt 18 tiêu chí/xã. "
    "Có 2/2 xã đạt chuẩn nông thôn mới theo báo cáo khác; bình quân 17,5 tiêu chí/xã."
)


def _url(p: Personas) -> str:
    return reverse("web:province_report_check", args=[p.province.pk])


def _rows(page: str) -> list[str]:
    """The verdict of each row of the table, in order."""
    return [part.split('"', 1)[0] for part in page.split('data-verdict="')[1:]]


@pytest.mark.parametrize(("persona", "status"), PROVINCE_READS)
def test_who_may_check_a_text(
    client: Client, personas: Personas, persona: PersonaName, status: int
) -> None:
    p = personas
    seed(p)
    p.login(client, persona)
    form = client.get(_url(p))
    assert form.status_code == status
    posted = client.post(_url(p), {"text": TEXT, "province": p.province.pk, "date": "31/12/2021"})
    assert posted.status_code == status
    if status == 404:
        assert p.province.name not in posted.content.decode()
    if status == 200:
        assert "Kiểm tra văn bản đã công bố" in form.content.decode()
        assert len(_rows(posted.content.decode())) == 4


def test_the_report_page_leads_to_it(client: Client, personas: Personas) -> None:
    personas.login(client, "province_office")
    page = client.get(reverse("web:province_report", args=[personas.province.pk]))
    assert f'href="{_url(personas)}"' in page.content.decode()


def test_each_figure_with_its_verdict_and_the_records_figure(
    client: Client, personas: Personas
) -> None:
    p = personas
    seed(p)
    p.login(client, "appraiser")
    page = client.post(
        _url(p), {"text": TEXT, "province": p.province.pk, "date": "31/12/2021"}
    ).content.decode()
    assert _rows(page) == ["matches", "matches", "differs", "differs"]
    assert "Tỉnh Thử Nghiệm tính đến 31/12/2021" in page
    assert 'class="status-ok"><strong>Khớp</strong>' in page
    assert 'class="status-bad"><strong>Khác</strong>' in page
    assert "Khớp: 2" in page and "Khác: 2" in page and "Không kiểm tra được: 0" in page
    link = reverse("web:province", args=[p.province.pk])
    assert f'<a href="{link}?period=2021&amp;set=' in page
    assert "as_of=2021-12-31" in page
    assert "«2/2 xã" in page and "+1" in page  # the deliberate error, by how much
    # The text stays in the form, to be corrected and checked again.
    assert "bình quân 17,5 tiêu chí/xã" in page.split("</textarea>")[0]


def test_the_page_in_english(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    p.login(client, "central_viewer")
    client.cookies["django_language"] = "en"
    page = client.post(
        _url(p), {"text": TEXT, "province": p.province.pk, "date": "2021-12-31"}
    ).content.decode()
    assert "Check a published text" in page
    assert "<strong>Matches</strong>" in page and "<strong>Differs</strong>" in page
    assert "The figures against the record of Tỉnh Thử Nghiệm as of 31/12/2021" in page


def test_a_text_without_figures(client: Client, personas: Personas) -> None:
    p = personas
    p.login(client, "province_office")
    page = client.post(_url(p), {"text": "Không có số liệu.", "province": p.province.pk})
    assert page.status_code == 200
    assert "Không tìm thấy số liệu nào về các xã trong văn bản." in page.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": ""}, "Trường này là bắt buộc."),
        ({"text": "x" * 100_001}, "100000"),
        ({"date": "31/02/2021"}, "31/02/2021"),
        ({"province": "999999"}, "Hãy chọn một lựa chọn hợp lệ."),
    ],
)
def test_invalid_input_is_shown_in_the_form(
    client: Client, personas: Personas, change: dict[str, str], message: str
) -> None:
    p = personas
    p.login(client, "province_office")
    data = {"text": TEXT, "province": str(p.province.pk), "date": "31/12/2021"} | change
    response = client.post(_url(p), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page.replace(".", "") if message.isdigit() else message in page
    assert 'role="alert"' in page and "data-verdict" not in page


def test_only_provinces_the_user_reads_can_be_chosen(client: Client, personas: Personas) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    p = personas
    p.login(client, "province_office")
    form = client.get(_url(p)).content.decode()
    assert "Tỉnh Thử Nghiệm" in form and "Tỉnh Khác" not in form
    response = client.post(_url(p), {"text": TEXT, "province": other.pk})
    assert response.status_code == 400 and "Tỉnh Khác" not in response.content.decode()
