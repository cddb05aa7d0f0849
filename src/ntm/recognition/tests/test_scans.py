"""A recognition decision's scan as its evidence: who may attach it, and bad files refused
with their reason, nothing written (no row, no audit row, no file on disk)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings as SettingsWrapper

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.recognition.models import RecognitionDecision, RecognitionScan, Tier
from ntm.recognition.services import (
    DecisionBasis,
    RecognitionError,
    attach_scan,
    record_recognised,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
BASIS = DecisionBasis("TEST-2165/QĐ-UBND", dt.date(2018, 10, 31), "UBND tỉnh Thử Nghiệm")


@pytest.fixture
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _decision(p: Personas) -> RecognitionDecision:
    case = record_recognised(p.commune_a, Tier.NTM, 2018, BASIS, acting_user=p.province_office)
    assert case.decision is not None
    return case.decision


@pytest.mark.parametrize("persona", [n for n in PERSONAS if n != "anonymous"])
def test_only_the_province_office_attaches_the_scan(
    personas: Personas, persona: PersonaName, media: Path
) -> None:
    decision = _decision(personas)
    user = personas.user(persona)
    assert user is not None
    upload = SimpleUploadedFile("QĐ 2165 (bản quét).pdf", PDF)
    if persona == "province_office":
        scan = attach_scan(decision, upload, acting_user=user)
        assert (scan.content_type, scan.size, scan.original_name) == (
            "application/pdf",
            len(PDF),
            "QĐ 2165 (bản quét).pdf",
        )
        assert scan.file.read() == PDF
        assert AuditLog.objects.filter(action="recognition.attach_scan").count() == 1
        return
    with pytest.raises(RecognitionError, match="không có quyền"):
        attach_scan(decision, upload, acting_user=user)
    assert not RecognitionScan.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "không phải loại được nhận"),
        (b"", "rỗng"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(
    personas: Personas, media: Path, data: bytes, message: str
) -> None:
    decision = _decision(personas)
    with pytest.raises(RecognitionError, match=message):
        attach_scan(
            decision, SimpleUploadedFile("qd.pdf", data), acting_user=personas.province_office
        )
    assert not RecognitionScan.objects.exists()
    assert not AuditLog.objects.filter(action="recognition.attach_scan").exists()
    assert not media.exists() or not any(media.rglob("*.*"))
