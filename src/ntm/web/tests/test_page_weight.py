"""Pages stay light for slow connections: the HTML plus every stylesheet and script it loads."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas

BUDGET = 150 * 1024  # bytes, uncompressed
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')


def static_prefix() -> str:
    return "/" + settings.STATIC_URL.strip("/") + "/"


def page_weight(html: str) -> tuple[int, list[str]]:
    """Bytes of the page and of the local static files it references (all of them must be local:
    nothing may come from the internet)."""
    total = len(html.encode())
    assets = ASSET.findall(html)
    for url in assets:
        assert url.startswith(static_prefix()), f"not a local asset: {url}"
        path = finders.find(url.removeprefix(static_prefix()))
        assert path, f"missing static file: {url}"
        with open(str(path), "rb") as f:
            total += len(f.read())
    return total, assets


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "name", "args"),
    [
        ("province_office", "web:home", ()),
        ("central_viewer", "web:central", ()),
        ("province_office", "web:commune", ("commune_a",)),
        ("anonymous", "web:login", ()),
    ],
)
def test_pages_stay_under_budget(
    client: Client, personas: Personas, persona: PersonaName, name: str, args: tuple[str, ...]
) -> None:
    personas.login(client, persona)
    url = reverse(name, args=[getattr(personas, a).pk for a in args])
    response = client.get(url)
    assert response.status_code == 200
    total, assets = page_weight(response.content.decode())
    assert any(a.endswith("htmx.min.js") for a in assets)
    assert any(a.endswith("ntm.css") for a in assets)
    assert total < BUDGET, f"{url}: {total} bytes"


def test_the_weight_counts_the_files() -> None:
    css = finders.find("ntm/css/ntm.css")
    assert css
    with open(str(css), "rb") as f:
        size = len(f.read())
    url = static_prefix() + "ntm/css/ntm.css"
    html = f'<link rel="stylesheet" href="{url}">'
    assert page_weight(html) == (len(html.encode()) + size, [url])


@pytest.mark.parametrize(
    "path",
    ["ntm/vendor/htmx/LICENSE", "ntm/vendor/htmx/htmx.min.js"],
)
def test_vendored_files_and_licences_are_served_by_the_app(path: str) -> None:
    assert finders.find(path)
