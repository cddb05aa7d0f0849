"""The province office's page for count-only lists: a list imported whole, or refused with
every problem on the page and nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.values.models import CountRecord

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"


def _post(client: Client, p: Personas, text: str, **form: object) -> tuple[int, str]:
    upload = SimpleUploadedFile("danh sách.csv", text.encode())
    data = {"file": upload, "set_id": SET, "year": "2020", **form}
    response = client.post(reverse("web:province_counts", args=[p.province.pk]), data)
    return response.status_code, response.content.decode()


def test_a_list_is_imported_and_the_province_page_follows(p: Personas) -> None:
    client = Client()
    p.login(client, "province_office")
    page = client.get(reverse("web:province_counts", args=[p.province.pk]))
    assert page.status_code == 200 and "Số tiêu chí đạt của các xã" in page.content.decode()
    status, _ = _post(client, p, "Tên xã,Số tiêu chí đạt\nXa An Binh,19/19\n")
    assert status == 302
    assert CountRecord.objects.get().met == 19
    page = client.get(reverse("web:province", args=[p.province.pk]), {"period": 2020})
    assert "chỉ có số tiêu chí đạt" in page.content.decode()


@pytest.mark.parametrize(
    ("text", "form", "message"),
    [
        ("Tên xã,Số tiêu chí đạt\nAn Bình,20/19\n", {}, "20 tiêu chí đạt nhiều hơn 19"),
        ("Tên xã,Số tiêu chí đạt\nXã Lạ,12\n", {}, "không có xã nào tên này"),
        ("Tên xã,Số tiêu chí đạt\nAn Bình,12\n", {"year": "năm ngoái"}, "Hãy ghi năm"),
        ("Tên xã,Số tiêu chí đạt\nAn Bình,12\n", {"year": "2013"}, "không áp dụng cho năm 2013"),
    ],
)
def test_bad_input_is_listed_and_nothing_written(
    p: Personas, text: str, form: dict[str, str], message: str
) -> None:
    client = Client()
    p.login(client, "province_office")
    status, body = _post(client, p, text, **form)
    assert status == 400 and message in body
    assert not CountRecord.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="values.").exists()
