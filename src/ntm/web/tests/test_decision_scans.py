"""The scanned decision attached to a province's decision: checked and served back as a value's
evidence is; only the province's own office attaches it, whoever reads the province downloads it."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from ntm.accounts.testing import PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.criteria.schema import CellChange
from ntm.decisions.models import Decision, DecisionScan
from ntm.decisions.services import Basis, DecisionError, NotAllowed, attach_scan, record_decision
from ntm.web.tests.matrix import OFFICE_ACTS, PROVINCE_READS

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"


@pytest.fixture
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def decision(p: Personas, media: Path) -> Decision:
    return record_decision(
        p.province,
        SET,
        Basis("TEST-07/QĐ-UBND", dt.date(2020, 3, 2), "UBND tỉnh Thử Nghiệm (TEST)"),
        [CellChange(indicator="2.2", column="province", value=80, status="verified")],
        effective_from=None,
        acting_user=p.province_office,
    ).decision


def _post(client: Client, d: Decision, name: str, data: bytes) -> object:
    url = reverse("web:province_decisions_scan", args=[d.province_id, d.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def _nothing_written(media: Path) -> None:
    assert not DecisionScan.objects.exists()
    assert not AuditLog.objects.filter(action="decisions.attach_scan").exists()
    assert not media.exists() or not any(f.is_file() for f in media.rglob("*"))


def test_the_office_attaches_the_scan_and_it_is_served_back(
    client: Client, p: Personas, decision: Decision, media: Path
) -> None:
    p.login(client, "province_office")
    response = _post(client, decision, "QĐ 07 (bản quét).exe", PDF)
    assert response.status_code == 302  # type: ignore[attr-defined]
    scan = DecisionScan.objects.get()
    assert (scan.original_name, scan.content_type, scan.size) == (
        "QĐ 07 (bản quét).exe.pdf",
        "application/pdf",
        len(PDF),
    )
    log = AuditLog.objects.get(action="decisions.attach_scan")
    assert log.legal_basis == "TEST-07/QĐ-UBND (02/03/2020)" and scan.audit_id == log.pk
    page = html.unescape(
        client.get(reverse("web:province_decisions", args=[p.province.pk])).content.decode()
    )
    assert "QĐ 07 (bản quét).exe.pdf" in page
    p.login(client, "officer_a")  # reads nothing of the province: no download
    url = reverse("web:province_decisions_scan_file", args=[p.province.pk, scan.pk])
    assert client.get(url).status_code == 404
    p.login(client, "central_viewer")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\n<script>alert(1)</script>", "có mã trang web (<script…)"),
        (b"MZ\x90\x00", "không phải loại được nhận"),
        (b"", "rỗng."),
        (PDF + b"x" * 2048, "nặng 2,0 KB, quá giới hạn 1,0 KB."),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_written(
    client: Client,
    p: Personas,
    decision: Decision,
    media: Path,
    settings: SettingsWrapper,
    data: bytes,
    message: str,
) -> None:
    settings.NTM_EVIDENCE_MAX_BYTES = 1024
    p.login(client, "province_office")
    response = _post(client, decision, "qd.pdf", data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = html.unescape(response.content.decode())  # type: ignore[attr-defined]
    assert "Tệp “qd.pdf” " in text and message in text
    _nothing_written(media)
    with pytest.raises(DecisionError, match=r"Tệp “qd\.pdf” "):
        attach_scan(decision, SimpleUploadedFile("qd.pdf", data), acting_user=p.province_office)
    _nothing_written(media)


@pytest.mark.parametrize(
    ("persona", "status"),
    OFFICE_ACTS,
)
def test_only_the_province_office_attaches(
    client: Client,
    p: Personas,
    decision: Decision,
    media: Path,
    persona: PersonaName,
    status: int,
) -> None:
    p.login(client, persona)
    response = _post(client, decision, "qd.pdf", PDF)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert DecisionScan.objects.exists() == (persona == "province_office")
    user = p.user(persona)
    if user is not None and persona != "province_office":
        with pytest.raises(NotAllowed):
            attach_scan(decision, SimpleUploadedFile("qd.pdf", PDF), acting_user=user)


@pytest.mark.parametrize(
    ("persona", "status"),
    PROVINCE_READS,
)
def test_who_downloads_the_scan(
    client: Client, p: Personas, decision: Decision, persona: PersonaName, status: int
) -> None:
    scan = attach_scan(decision, SimpleUploadedFile("qd.pdf", PDF), acting_user=p.province_office)
    p.login(client, persona)
    url = reverse("web:province_decisions_scan_file", args=[p.province.pk, scan.pk])
    assert client.get(url).status_code == status
