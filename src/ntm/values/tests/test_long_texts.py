"""Every text a page takes is bounded, and a text over its bound is refused with its own
reason — not as an empty comment, an unknown action or a missing file — and nothing is
written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ntm.accounts.testing import Personas
from ntm.criteria.loader import load_set
from ntm.values.models import Comment, Evidence, State, Submission
from ntm.values.services import Entry, save_value, submit

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"
MEGABYTE = "x" * 1_000_000


def _said(client: Client, url: str, data: dict[str, object], language: str = "vi") -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client.post(url, data, follow=True).content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [("vi", "Góp ý dài quá 2.000 ký tự."), ("en", "The comment is longer than 2")],
)
def test_a_long_comment(client: Client, p: Personas, language: str, message: str) -> None:
    p.login(client, "officer_a")
    url = reverse("values:add_comment", args=[p.commune_a.pk, YEAR, INCOME])
    assert message in _said(client, url, {"text": MEGABYTE}, language)
    assert not Comment.objects.exists()


def test_a_long_reason(client: Client, p: Personas) -> None:
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=40.0),
        stage="claimed",
        expected_version=0,
        acting_user=p.officer_a,
    )
    submit(p.commune_a, YEAR, load_set(SET), acting_user=p.officer_a)
    p.login(client, "province_office")
    url = reverse("values:workflow", args=[p.commune_a.pk, SET, YEAR])
    html = _said(client, url, {"action": "return", "reason": MEGABYTE})
    assert "Lý do dài quá 2.000 ký tự." in html
    assert Submission.objects.get().state == State.SUBMITTED


def test_a_long_evidence_description(
    client: Client, p: Personas, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    p.login(client, "officer_a")
    url = reverse("values:upload_evidence", args=[p.commune_a.pk, YEAR, INCOME])
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 x")
    html = _said(client, url, {"file": upload, "description": MEGABYTE})
    assert "Mô tả dài quá 500 ký tự." in html
    assert not Evidence.objects.exists()
    # Without a file, the page still asks for one.
    assert "Hãy chọn tệp để tải lên." in _said(client, url, {"description": "Biên bản"})
