"""The report files and the check of a published text through the API: the workbook and the
PDF with the command's options, the verdicts as JSON, who may ask, and bad options refused
with the `Error` body and no file left anywhere."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any, cast

import pytest
from django.http import FileResponse
from django.test import Client
from openpyxl import load_workbook

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.api.tests.test_api import SCOPE, bearer
from ntm.api.tests.test_input_bounds import assert_error, problem
from ntm.results.testing import seed

pytestmark = pytest.mark.django_db

# In the seeded world, commune A met 19 criteria in 2021 and commune B 17: 1/2 at the standard.
TEXT = (
    "Năm 2021, toàn tỉnh có 1/2 xã (50 %) đạt chuẩn nông thôn mới; bình quân đạt 18 tiêu chí/xã. "
    "Có 2/2 xã đạt chuẩn nông thôn mới theo báo cáo khác; bình quân 17,5 tiêu chí/xã."
)


@pytest.fixture
def temporary_files(tmp_path: Path) -> Iterator[Path]:
    """Every temporary file of the request under `tmp_path`, to see what is left there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        yield folder


def _left(folder: Path) -> list[Path]:
    """The report files left in `folder` (WeasyPrint keeps its own font folder there)."""
    return [f for f in folder.rglob("*") if f.name.startswith("ntm-")]


def _body(response: Any) -> bytes:
    return b"".join(cast(FileResponse, response).streaming_content)  # type: ignore[arg-type]


def _headers(p: Personas, persona: PersonaName) -> dict[str, str]:
    return bearer(p, persona) if persona != "anonymous" else {}


def _check(client: Client, headers: dict[str, str], unit: int, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/units/{unit}/check",
        json.dumps(body),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_workbook_for_readers_of_the_province_only(
    client: Client, personas: Personas, persona: PersonaName, temporary_files: Path
) -> None:
    p = personas
    seed(p)
    response = client.get(
        f"/api/units/{p.province.pk}/report/workbook?date=31/12/2021",
        **_headers(p, persona),  # type: ignore[arg-type]
    )
    if persona == "anonymous":
        assert_error(response, 401, "unauthorized")
        return
    if not SCOPE[persona][2]:
        assert_error(response, 404, "not_found")
        assert p.province.name not in response.content.decode()
        return
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ntm-99-2021-2021-12-31.xlsx"'
    wb = load_workbook(BytesIO(_body(response)))
    summary = {r[0]: r[1] for r in wb["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert (summary["Số xã trong phạm vi"], summary["Số xã đạt chuẩn"]) == (2, 1)
    assert _left(temporary_files) == []


def test_the_workbook_in_english_on_other_units(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    response = client.get(
        f"/api/units/{p.province.pk}/report/workbook?date=2021-12-31&lang=en&units_of=2022-06-30",
        **bearer(p, "central_viewer"),  # type: ignore[arg-type]
    )
    assert response.status_code == 200
    wb = load_workbook(BytesIO(_body(response)))
    summary = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(min_row=4, values_only=True)}
    assert summary["Communes meeting the set"] == 1
    assert summary["Units"] == "Re-based onto the administrative units of 30/06/2022."


def test_the_pdf(client: Client, personas: Personas, temporary_files: Path) -> None:
    p = personas
    seed(p)
    response = client.get(
        f"/api/units/{p.province.pk}/report/pdf?date=31/12/2021",
        **bearer(p, "province_office"),  # type: ignore[arg-type]
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert _body(response).startswith(b"%PDF-")
    assert _left(temporary_files) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # The command's own sentences (`ntm report workbook|pdf`).
        ("date=31/12/2021&units_of=2019-01-01", "không có xã nào vào ngày 01/01/2019"),
        ("date=31/12/2019", "chưa có số liệu nào được ghi nhận đến hết ngày 31/12/2019"),
        ("date=31/02/2021", "31/02/2021"),
        ("date=%20", "Hãy chọn ngày tính đến của báo cáo."),
    ],
)
@pytest.mark.parametrize("kind", ["workbook", "pdf"])
def test_bad_options_say_why_and_write_nothing(
    client: Client, personas: Personas, temporary_files: Path, kind: str, query: str, message: str
) -> None:
    p = personas
    seed(p)
    response = client.get(
        f"/api/units/{p.province.pk}/report/{kind}?{query}",
        **bearer(p, "province_office"),  # type: ignore[arg-type]
    )
    body = assert_error(response, 422, "invalid_choice")
    assert message in body["detail"]
    assert _left(temporary_files) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "query.date"),
        ("date=31/12/2021&lang=fr", "query.lang"),
        ("date=" + "3" * 11, "query.date"),
    ],
)
def test_options_out_of_bounds(client: Client, personas: Personas, query: str, field: str) -> None:
    p = personas
    response = client.get(
        f"/api/units/{p.province.pk}/report/workbook?{query}",
        **bearer(p, "province_office"),  # type: ignore[arg-type]
    )
    assert problem(assert_error(response, 422, "invalid"), field)


def test_a_commune_has_no_report(client: Client, personas: Personas) -> None:
    p = personas
    response = client.get(
        f"/api/units/{p.commune_a.pk}/report/pdf?date=31/12/2021",
        **bearer(p, "administrator"),  # type: ignore[arg-type]
    )
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("persona", PERSONAS)
def test_checking_a_text(client: Client, personas: Personas, persona: PersonaName) -> None:
    p = personas
    seed(p)
    response = _check(
        client, _headers(p, persona), p.province.pk, {"text": TEXT, "date": "31/12/2021"}
    )
    if persona == "anonymous":
        assert_error(response, 401, "unauthorized")
        return
    if not SCOPE[persona][2]:
        assert_error(response, 404, "not_found")
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == "2021-12-31" and body["unit"]["id"] == p.province.pk
    found = [(v["text"].split()[0], v["status"], v["record"]) for v in body["verdicts"]]
    assert found == [
        ("1/2", "matches", "1/2"),
        ("18", "matches", "18"),
        ("2/2", "differs", "1/2"),
        ("17,5", "differs", "18,0"),
    ]
    first, wrong = body["verdicts"][0], body["verdicts"][2]
    assert first["label"] == "Khớp" and wrong["label"] == "Khác"
    assert first["url"].startswith(f"/province/{p.province.pk}/?period=2021")
    assert "as_of=2021-12-31" in first["query"]
    assert "+1" in wrong["note"]


def test_checking_a_text_in_english(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    client.cookies["django_language"] = "en"
    response = _check(
        client, bearer(p, "appraiser"), p.province.pk, {"text": TEXT, "date": "2021-12-31"}
    )
    verdicts = response.json()["verdicts"]
    assert [v["label"] for v in verdicts] == ["Matches", "Matches", "Differs", "Differs"]
    assert "communes against the record" in verdicts[2]["note"]


def test_a_text_without_figures(client: Client, personas: Personas) -> None:
    p = personas
    response = _check(client, bearer(p, "appraiser"), p.province.pk, {"text": "Không có số."})
    assert response.status_code == 200 and response.json()["verdicts"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "body.text"),
        ({"text": "x" * 100_001}, "body.text"),
        ({"date": "31/12/2021"}, "body.text"),
        ({"text": TEXT, "date": "3" * 11}, "body.date"),
    ],
)
def test_check_input_out_of_bounds(
    client: Client, personas: Personas, body: dict[str, Any], field: str
) -> None:
    p = personas
    response = _check(client, bearer(p, "appraiser"), p.province.pk, body)
    assert problem(assert_error(response, 422, "invalid"), field)


def test_a_bad_date_to_check_at(client: Client, personas: Personas) -> None:
    p = personas
    response = _check(
        client, bearer(p, "appraiser"), p.province.pk, {"text": TEXT, "date": "31/02/2021"}
    )
    body = assert_error(response, 422, "invalid_choice")
    assert "31/02/2021" in body["detail"] and "ngày/tháng/năm" in body["detail"]
