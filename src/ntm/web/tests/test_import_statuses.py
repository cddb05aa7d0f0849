"""The criterion-level workbook on the import page, persona by persona: its template to
download, and the upload told apart from a values file and run as an import job."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.exchange.criterion_level import SHEET
from ntm.values.models import Declaration, ImportJob

# The values pages' fixtures: uploads in a temporary folder (autouse), jobs run inline.
from ntm.web.tests.test_entry import HTMX, SET, YEAR, _expect, inline_jobs, media  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inline_jobs")]


# The communes each persona's template lists (an int: the refusal's status code).
TEMPLATE: dict[PersonaName, list[str] | int | str] = dict(
    officer_a=["99001"],
    officer_b=["99002"],
    appraiser=403,
    province_office=["99001", "99002"],
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_template_lists_the_users_communes(
    client: Client, p: Personas, persona: PersonaName
) -> None:
    p.login(client, persona)
    response = client.get(reverse("values:level_template"), {"set_id": SET, "year": str(YEAR)})
    expected = TEMPLATE[persona]
    if not isinstance(expected, list):
        _expect(response, expected)
        return
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'"ket-qua-tieu-chi-{SET}-{YEAR}.xlsx"')
    ws = openpyxl.load_workbook(io.BytesIO(response.content))[SHEET]
    assert [c.value for c in ws["A"][4:]] == expected


def test_a_template_for_a_year_the_set_does_not_judge(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    response = client.get(reverse("values:level_template"), {"set_id": SET, "year": "2024"})
    assert response.status_code == 400
    assert "năm 2024 nằm ngoài các năm áp dụng bộ tiêu chí" in response.content.decode()


def _upload(rows: str, name: str = "tc.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("Mã xã,TC1,TC2,Số tiêu chí đạt\n" + rows).encode())


def _post(client: Client, upload: SimpleUploadedFile, stage: str = "claimed") -> Any:
    return client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": stage}
    )


# Importing a row of commune A on the page: True written, False refused row, else the page's
# refusal.
IMPORT_A: dict[PersonaName, bool | int | str] = dict(
    officer_a=True,
    officer_b=False,
    appraiser=False,
    province_office=True,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_imports_statuses_on_the_page(
    client: Client, p: Personas, persona: PersonaName
) -> None:
    p.login(client, persona)
    response = _post(client, _upload("99001,Đạt,CBĐ,1\n"))
    expected = IMPORT_A[persona]
    if not isinstance(expected, bool):
        _expect(response, expected)
        assert not ImportJob.objects.exists()
        return
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    if expected:
        assert "Đã nhập 2 trạng thái tiêu chí của 1 xã: 2 thay đổi, 0 không đổi" in html
        assert dict(Declaration.objects.values_list("criterion", "status")) == {
            1: "met",
            2: "basically_met",
        }
    else:
        assert "xã này ngoài phạm vi của bạn" in html
        assert not Declaration.objects.exists()


def test_every_problem_of_a_criterion_level_file_is_listed(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    before = AuditLog.objects.count()
    _post(client, _upload("99001,Đạt,có lẽ,5\n99009,Đạt,,\n"))
    job = ImportJob.objects.get()
    url = reverse("values:import_job", args=[job.pk])
    html = client.get(url, headers=HTMX).content.decode()
    assert "Tệp bị từ chối (2 lỗi); không ghi số liệu nào" in html
    assert "dòng 2, cột C “TC2”, giá trị “có lẽ”: không hiểu trạng thái" in html
    assert "dòng 2, cột D “Số tiêu chí đạt”, giá trị “5”: số tiêu chí đạt ghi 5" not in html
    assert "dòng 3, cột A “Mã xã”, giá trị “99009”: không có xã mang mã này" in html
    assert "trang “tc.csv”" in html
    assert not Declaration.objects.exists() and AuditLog.objects.count() == before
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url, headers=HTMX).content.decode()
    assert "row 2, column C “TC2”, value “có lẽ”: the status is not understood" in html
    assert "row 3" in html and "there is no commune with this code" in html


def test_a_criterion_level_file_with_the_verified_stage(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    _post(client, _upload("99001,Đạt,,\n"), stage="verified")
    job = ImportJob.objects.get()
    html = client.get(reverse("values:import_job", args=[job.pk]), headers=HTMX).content.decode()
    assert "nhập với giai đoạn “tự đánh giá”" in html
    assert not Declaration.objects.exists()


def test_the_import_page_offers_the_template(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.get(reverse("values:import")).content.decode()
    assert reverse("values:level_template") in html
    assert html.count('id="id_year"') == 1 and html.count('id="template_year"') == 1
    assert "Mẫu kết quả từng tiêu chí" in html
    p.login(client, "appraiser")  # imports verified values, not statuses
    html = client.get(reverse("values:import")).content.decode()
    assert reverse("values:level_template") not in html
