"""The province decisions page: a refused upload shows every problem and writes nothing; a
recorded cell appears in the history with its legal basis."""

from __future__ import annotations

import html

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.decisions.models import CellVersion, Decision

SET = "vn-ntm-xa-2016-2020"

BAD_OVERLAY = f"""schema_version: 1
kind: overlay
id: test-99
extends: {SET}
province_code: "99"
province_name: Tỉnh Thử Nghiệm (TEST)
legal_basis: {{number: TEST-03/QĐ-UBND, issuer: UBND tỉnh (TEST), date_signed: 2020-03-02}}
cells:
  - {{indicator: "99.9", column: province, value: 50, status: verified}}
  - {{indicator: "2.2", column: province, value: 150, status: verified}}
"""


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def _nothing_written() -> None:
    assert not Decision.objects.exists()
    assert not CellVersion.objects.exists()
    assert not AuditLog.objects.filter(action="decisions.record").exists()


def test_a_refused_overlay_shows_every_problem_and_writes_nothing(
    client: Client, p: Personas
) -> None:
    p.login(client, "province_office")
    upload = SimpleUploadedFile("quyet-dinh.yaml", BAD_OVERLAY.encode())

    response = client.post(
        reverse("web:province_decisions_overlay", args=[p.province.pk]), {"file": upload}
    )

    assert response.status_code == 400
    text = _text(response)
    assert "Không ghi gì:" in text
    assert "cells[0]" in text and "99.9" in text
    assert "cells[1]: a share is given in percent, 0 to 100 (found 150.0)" in text
    _nothing_written()


def test_a_refused_gap_workbook_shows_every_problem_and_writes_nothing(
    client: Client, p: Personas
) -> None:
    p.login(client, "province_office")
    rows = [
        "set,indicator,condition,column,value,decision_number,decision_date,issuer",
        f"{SET},2.2,0,national,bảy mươi,TEST-04/QĐ-UBND,02/03/2020,UBND tỉnh (TEST)",
        f"{SET},99.9,0,national,70,TEST-04/QĐ-UBND,02/03/2020,UBND tỉnh (TEST)",
        f"{SET},2.2,0,DBSH,150,TEST-04/QĐ-UBND,02/03/2020,UBND tỉnh (TEST)",
    ]
    upload = SimpleUploadedFile("o-can-bo-sung.csv", ("\n".join(rows) + "\n").encode())

    response = client.post(
        reverse("web:province_decisions_gaps_import", args=[p.province.pk]), {"file": upload}
    )

    assert response.status_code == 400
    text = _text(response)
    assert "dòng 2" in text and "ô số chứa chữ, cần một con số" in text
    assert "dòng 3" in text and "bộ tiêu chí không có chỉ tiêu này" in text
    assert "dòng 4" in text and "tỷ lệ ghi theo phần trăm, từ 0 đến 100" in text
    _nothing_written()


def test_a_bad_threshold_on_the_page_is_refused(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    response = client.post(
        reverse("web:province_decisions", args=[p.province.pk]),
        {
            "set_id": SET,
            "indicator": "15.1",
            "column": "province",
            "value": "chín mươi",
            "number": "TEST-05/QĐ-UBND",
            "date_signed": "02/03/2020",
            "issuer": "UBND tỉnh (TEST)",
        },
    )
    assert response.status_code == 400
    assert "Ngưỡng: ô số chứa chữ, cần một con số" in _text(response)
    _nothing_written()


def test_a_recorded_cell_is_in_the_history_with_its_legal_basis(
    client: Client, p: Personas
) -> None:
    p.login(client, "province_office")
    page = reverse("web:province_decisions", args=[p.province.pk])

    response = client.post(
        page,
        {
            "set_id": SET,
            "indicator": "15.1",
            "column": "province",
            "value": "90,5",
            "number": "TEST-06/QĐ-UBND",
            "date_signed": "02/03/2020",
            "issuer": "UBND tỉnh (TEST)",
            "effective_from": "01/04/2020",
        },
    )
    assert response.status_code == 302

    text = _text(client.get(page))
    assert "Đã ghi quyết định TEST-06/QĐ-UBND: 1 ô thay đổi, 0 ô không đổi." in text
    history = text[text.index('data-table="versions"') :]
    row = history[: history.index("</tr>", history.index("<tbody>"))]
    for shown in (
        SET,
        "15.1",
        "90,5",
        "Đã xác minh theo văn bản",
        "01/04/2020",
        "TEST-06/QĐ-UBND ngày 02/03/2020, UBND tỉnh (TEST)",
        p.province_office.get_username(),
    ):
        assert shown in row, shown
