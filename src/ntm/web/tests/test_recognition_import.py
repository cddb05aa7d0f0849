"""The recognition-list import page: a refused list shows every problem and note and writes
nothing; an imported one shows what was written, the rows left out when only the clean rows
were chosen, and the notes."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.recognition.models import Recognition

HEAD = "Xã,Mức công nhận,Năm đạt chuẩn,Số quyết định,Ngày quyết định"


def _upload(*rows: str, name: str = "cong-nhan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEAD, *rows]) + "\n").encode())


def _post(client: Client, p: Personas, upload: SimpleUploadedFile, **extra: str) -> tuple[int, str]:
    if "_auth_user_id" not in client.session:
        p.login(client, "province_office")
    response = client.post(
        reverse("web:recognition_import", args=[p.province.pk]), {"file": upload, **extra}
    )
    return response.status_code, html.unescape(response.content.decode())


def test_the_form(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    response = client.get(reverse("web:recognition_import", args=[p.province.pk]))
    assert response.status_code == 200
    assert 'name="clean_only"' in response.content.decode()


def test_a_refused_list_shows_every_problem_and_note_and_writes_nothing(
    client: Client, p: Personas
) -> None:
    audit = AuditLog.objects.count()
    status, text = _post(
        client,
        p,
        _upload(
            "An Bình,NTM,2021,12/QĐ-UBND,8/12/20114",
            "Xã Hạnh Phúc,NTM,2021,12/QĐ-UBND,20/01/2022",
            "binh minh,NTM,2021,13/QĐ-UBND,20/01/2022",
        ),
    )
    assert status == 400
    assert "2 lỗi, không ghi kết quả nào" in text
    assert (
        "dòng 2, cột E “Ngày quyết định”, giá trị “8/12/20114”: năm “20114” không có thật" in text
    )
    assert "dòng 3, cột A “Xã”, giá trị “Xã Hạnh Phúc”: không có xã nào tên này" in text
    assert "tên “binh minh” được hiểu là Xã Bình Minh" in text  # a note
    assert not Recognition.objects.exists() and AuditLog.objects.count() == audit


def test_an_imported_list_shows_what_was_written_and_the_notes(client: Client, p: Personas) -> None:
    status, text = _post(client, p, _upload("An Bình,NTM,2021,12/QĐ-UBND,20/01/2022"))
    assert status == 200
    assert "1 quyết định công nhận đã ghi từ cong-nhan.csv." in text
    assert "12/QĐ-UBND ngày 20/01/2022" in text
    assert "quyết định ký ngày 20/01/2022 công nhận đạt chuẩn năm 2021: hợp lệ" in text
    assert Recognition.objects.get().unit == p.commune_a


def test_clean_only_lists_the_rows_left_out(client: Client, p: Personas) -> None:
    status, text = _post(
        client,
        p,
        _upload(
            "An Bình,NTM,2021,12/QĐ-UBND,8/12/20114", "Bình Minh,NTM,2021,12/QĐ-UBND,20/01/2022"
        ),
        clean_only="on",
    )
    assert status == 200
    assert "1 quyết định công nhận đã ghi" in text
    assert "dòng 2, cột E “Ngày quyết định”, giá trị “8/12/20114”" in text
    assert Recognition.objects.get().unit == p.commune_b
    assert AuditLog.objects.get(action="recognition.import").after["clean_only"] is True  # type: ignore[index]


def test_in_english(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    status, text = _post(client, p, _upload("An Bình,NTM,2021,12/QĐ-UBND,8/12/20114"))
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert status == 400
    assert (
        "row 2, column E “Ngày quyết định”, value “8/12/20114”: the year “20114” is impossible"
        in text
    )


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (SimpleUploadedFile("cong-nhan.pdf", b"%PDF-1.4"), "Chỉ nhận tệp .xlsx hoặc .csv."),
        (_upload(name="cong-nhan.csv"), "danh sách không có dòng công nhận nào"),
    ],
)
def test_files_refused_before_any_row(
    client: Client, p: Personas, upload: SimpleUploadedFile, reason: str
) -> None:
    status, text = _post(client, p, upload)
    assert status == 400 and reason in text
    assert not Recognition.objects.exists()


@override_settings(NTM_IMPORT_MAX_BYTES=10)
def test_a_file_too_large(client: Client, p: Personas) -> None:
    status, text = _post(client, p, _upload("An Bình,NTM,2021,12/QĐ-UBND,20/01/2022"))
    assert status == 400 and "Tệp “cong-nhan.csv” nặng" in text
    assert not Recognition.objects.exists()
