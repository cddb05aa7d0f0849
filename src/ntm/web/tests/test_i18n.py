"""Vietnamese first, English on request; both catalogues complete and current."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas

NTM = Path(__file__).resolve().parents[2]
LOCALE = NTM / "locale"


@pytest.mark.django_db
def test_vietnamese_by_default_and_english_on_request(client: Client, personas: Personas) -> None:
    personas.login(client, "province_office")
    html = client.get(reverse("web:home")).content.decode()
    assert '<html lang="vi">' in html
    assert "Đơn vị của bạn" in html and "Văn phòng Điều phối tỉnh" in html
    # The switch posts the language and comes back to the same page.
    assert 'name="language" value="en" lang="en">English</button>' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": "/central/"})
    assert response.status_code == 302 and response["Location"] == "/central/"
    html = client.get(reverse("web:home")).content.decode()
    assert '<html lang="en">' in html
    assert "Your units" in html and "Province office" in html
    assert "Đơn vị của bạn" not in html
    assert 'name="language" value="vi" lang="vi">Tiếng Việt</button>' in html
    # Dates keep the Vietnamese format in English.
    assert "since 01/01/2020" in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Đơn vị của bạn" in client.get(reverse("web:home")).content.decode()


@pytest.mark.django_db
def test_a_browser_set_up_in_english_still_gets_vietnamese(
    client: Client, personas: Personas
) -> None:
    personas.login(client, "province_office")
    html = client.get(reverse("web:home"), headers={"accept-language": "en-US,en"}).content.decode()
    assert '<html lang="vi">' in html and "Đơn vị của bạn" in html


def _entries(po: Path) -> dict[str, str]:
    """msgid -> msgstr of a catalogue written with --no-wrap (header left out)."""
    text = po.read_text(encoding="utf-8")
    if "#, fuzzy" in text.split('msgid ""', 2)[-1]:
        pytest.fail(f"{po} has fuzzy entries")
    pairs = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, flags=re.MULTILINE)
    return {mid: mstr for mid, mstr in pairs if mid}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogues_are_complete_and_compiled(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    entries = _entries(po)
    assert entries, po
    assert [mid for mid, mstr in entries.items() if not mstr] == []
    for mid, mstr in entries.items():
        assert re.findall(r"%\(\w+\)s", mid) == re.findall(r"%\(\w+\)s", mstr), mid
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1, "run `make messages`"


def test_vietnamese_catalogue_is_translated() -> None:
    vi = _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po")
    same = [mid for mid, mstr in vi.items() if mid == mstr and mid not in {"ntm"}]
    assert same == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools are not installed")
def test_catalogues_hold_every_marked_string(tmp_path: Path) -> None:
    """Extracting the strings again (as `make messages` does) finds nothing new."""
    work = tmp_path / "ntm"
    shutil.copytree(NTM, work, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale",
            "vi",
            "--no-obsolete",
            "--no-location",
            "--no-wrap",
            "--ignore",
            "tests/*",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "ntm.settings", "PATH": "/usr/bin:/bin"},
    )
    extracted = set(_entries(work / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    committed = set(_entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    assert extracted - committed == set(), "new strings: run `make messages` and translate them"
    assert committed - extracted == set(), "obsolete strings: run `make messages`"
