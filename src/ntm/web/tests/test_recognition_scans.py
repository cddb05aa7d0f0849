"""The scan of a recognition decision on its page: attached by the province office, listed,
downloaded; a bad file refused on the page with nothing written."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from ntm.accounts.testing import Personas
from ntm.recognition.models import RecognitionDecision, RecognitionScan, Tier
from ntm.recognition.services import DecisionBasis, record_recognised

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"


@pytest.fixture
def decision(personas: Personas, settings: SettingsWrapper, tmp_path: Path) -> RecognitionDecision:
    settings.MEDIA_ROOT = tmp_path / "media"
    basis = DecisionBasis("TEST-2165/QĐ-UBND", dt.date(2018, 10, 31), "UBND tỉnh Thử Nghiệm")
    case = record_recognised(
        personas.commune_a, Tier.NTM, 2018, basis, acting_user=personas.province_office
    )
    assert case.decision is not None
    return case.decision


def test_attach_list_and_download(
    client: Client, personas: Personas, decision: RecognitionDecision
) -> None:
    personas.login(client, "province_office")
    url = reverse("web:recognition_decision_scan", args=[decision.pk])
    response = client.post(url, {"file": SimpleUploadedFile("QĐ 2165.pdf", PDF)})
    assert response.status_code == 302
    page = html.unescape(
        client.get(reverse("web:recognition_decision", args=[decision.pk])).content.decode()
    )
    assert "QĐ 2165.pdf" in page
    scan = RecognitionScan.objects.get()
    personas.login(client, "appraiser")
    download = client.get(reverse("web:recognition_scan_file", args=[scan.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]


def test_a_bad_file_is_refused_on_the_page(
    client: Client, personas: Personas, decision: RecognitionDecision
) -> None:
    personas.login(client, "province_office")
    url = reverse("web:recognition_decision_scan", args=[decision.pk])
    response = client.post(url, {"file": SimpleUploadedFile("qd.pdf", b"<script>x</script>")})
    assert response.status_code == 400
    assert "không phải loại được nhận" in html.unescape(response.content.decode())
    assert not RecognitionScan.objects.exists()
    response = client.post(url, {})
    assert response.status_code == 400
