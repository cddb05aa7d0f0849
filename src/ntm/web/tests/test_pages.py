"""Who may and who may not use each page of the shell, persona by persona."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.accounts.testing import ACTOR, PERSONAS, PersonaName, Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["web:home", "web:central"])
def test_anonymous_is_sent_to_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_anonymous_is_sent_to_login_even_for_units_that_do_not_exist(
    client: Client, personas: Personas
) -> None:
    for url in (
        reverse("web:commune", args=[personas.commune_a.pk]),
        reverse("web:commune", args=[999_999]),
        reverse("web:province", args=[personas.province.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url


# (persona, sees commune A, sees commune B, sees the province)
SCOPE = [
    ("officer_a", True, False, False),
    ("officer_b", False, True, False),
    ("appraiser", True, True, True),
    ("province_office", True, True, True),
    ("central_viewer", True, True, True),
    ("administrator", True, True, True),
]


@pytest.mark.parametrize(("persona", "sees_a", "sees_b", "sees_province"), SCOPE)
def test_unit_pages(
    client: Client,
    personas: Personas,
    persona: PersonaName,
    sees_a: bool,
    sees_b: bool,
    sees_province: bool,
) -> None:
    p = personas
    p.login(client, persona)
    for unit, allowed, name in (
        (p.commune_a, sees_a, "web:commune"),
        (p.commune_b, sees_b, "web:commune"),
        (p.province, sees_province, "web:province"),
    ):
        response = client.get(reverse(name, args=[unit.pk]))
        if allowed:
            assert response.status_code == 200
            assert unit.name in response.content.decode()
        else:
            # 404, like a unit that does not exist: nothing about it leaks.
            assert response.status_code == 404
            assert unit.name not in response.content.decode()
            assert "Không tìm thấy trang" in response.content.decode()


def test_commune_page_shows_the_unit_from_the_database(client: Client, personas: Personas) -> None:
    p = personas
    p.login(client, "officer_a")
    html = client.get(reverse("web:commune", args=[p.commune_a.pk])).content.decode()
    assert "Xã An Bình" in html
    assert "xã" in html  # kind
    assert "99001" in html
    assert "Tỉnh Thử Nghiệm" in html  # parent, named but not linked for an officer
    assert reverse("web:province", args=[p.province.pk]) not in html
    assert "01/01/2020" in html  # valid from, Vietnamese date
    assert "đang hiệu lực" in html
    p.login(client, "province_office")
    html = client.get(reverse("web:commune", args=[p.commune_a.pk])).content.decode()
    assert reverse("web:province", args=[p.province.pk]) in html


def test_a_unit_of_the_wrong_kind_is_404(client: Client, personas: Personas) -> None:
    personas.login(client, "central_viewer")
    assert client.get(reverse("web:commune", args=[personas.province.pk])).status_code == 404
    assert client.get(reverse("web:province", args=[personas.commune_a.pk])).status_code == 404
    assert client.get(reverse("web:commune", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer_a", 403),
        ("officer_b", 403),
        ("appraiser", 403),
        ("province_office", 403),
        ("central_viewer", 200),
        ("administrator", 200),
    ],
)
def test_central_page(
    client: Client, personas: Personas, persona: PersonaName, status: int
) -> None:
    personas.login(client, persona)
    response = client.get(reverse("web:central"))
    assert response.status_code == status
    html = response.content.decode()
    if status == 200:
        assert "Tỉnh Thử Nghiệm" in html
        assert reverse("web:province", args=[personas.province.pk]) in html
    else:
        assert "Không có quyền truy cập" in html
        assert "Tỉnh Thử Nghiệm" not in html


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_home_lists_exactly_the_visible_units(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    p = personas
    p.login(client, persona)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        "officer_a": {p.commune_a},
        "officer_b": {p.commune_b},
        "appraiser": {p.province, p.commune_a, p.commune_b},
        "province_office": {p.province, p.commune_a, p.commune_b},
        "central_viewer": {p.province},  # the country goes by province
        "administrator": {p.province},
    }[persona]
    for unit in (p.province, p.commune_a, p.commune_b):
        name = "web:province" if unit == p.province else "web:commune"
        assert (reverse(name, args=[unit.pk]) in html) == (unit in expected), unit
    assert (reverse("web:central") in html) == (persona in ("central_viewer", "administrator"))


def test_home_without_a_role(client: Client, personas: Personas) -> None:
    user = create_user("no_role", password=None, role=Role.CENTRAL_VIEWER, actor=ACTOR)
    user.role_assignments.update(valid_to="2020-12-31", valid_from="2020-01-01")
    client.force_login(user)
    html = client.get(reverse("web:home")).content.decode()
    assert "chưa có vai trò nào đang hiệu lực" in html
    assert reverse("web:central") not in html
    assert client.get(reverse("web:central")).status_code == 403


def test_login_and_logout(client: Client, personas: Personas) -> None:
    create_user(
        "dang_nhap",
        password="mật-khẩu-rất-dài-1",
        role=Role.COMMUNE_OFFICER,
        unit=personas.commune_a,
        actor=ACTOR,
    )
    page = client.get(reverse("web:login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    wrong = client.post(reverse("web:login"), {"username": "dang_nhap", "password": "sai-mật-khẩu"})
    assert wrong.status_code == 200
    assert "Vui lòng điền vào" in wrong.content.decode()  # Django's Vietnamese message
    assert "_auth_user_id" not in client.session
    ok = client.post(
        reverse("web:login"),
        {"username": "dang_nhap", "password": "mật-khẩu-rất-dài-1", "next": "/commune/1/"},
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/commune/1/"
    home = client.get(reverse("web:home"))
    assert "Xã An Bình" in home.content.decode()
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def test_login_refuses_a_redirect_to_another_site(client: Client, personas: Personas) -> None:
    create_user("di_xa", password="mật-khẩu-rất-dài-2", role=Role.CENTRAL_VIEWER, actor=ACTOR)
    response = client.post(
        reverse("web:login"),
        {"username": "di_xa", "password": "mật-khẩu-rất-dài-2", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("web:home")


def test_layout_is_keyboard_accessible(client: Client, personas: Personas) -> None:
    personas.login(client, "province_office")
    html = client.get(reverse("web:home")).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main" tabindex="-1">' in html
    assert '<html lang="vi">' in html
    assert 'aria-label="Trình đơn chính"' in html


def test_pages_name_a_local_favicon(client: Client, personas: Personas) -> None:
    html = client.get(reverse("web:login")).content.decode()
    [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    path = finders.find(href.removeprefix(settings.STATIC_URL))
    assert path
    assert Path(str(path)).read_text(encoding="utf-8").startswith("<svg")


def test_error_pages_render_without_context() -> None:
    # Django renders 500.html with an empty context: no user, no request.
    html = render_to_string("500.html")
    assert "Lỗi máy chủ" in html and "/static/ntm/css/ntm.css" in html


def test_a_404_does_not_tell_forbidden_from_missing(client: Client, personas: Personas) -> None:
    personas.login(client, "officer_b")
    forbidden_url = reverse("web:commune", args=[personas.commune_a.pk])
    missing_url = reverse("web:commune", args=[999_999])
    forbidden = client.get(forbidden_url)
    missing = client.get(missing_url)
    assert forbidden.status_code == missing.status_code == 404

    # The bodies differ only by the page's own address (echoed in the language switch) and
    # the per-response mask of the CSRF token.
    def normalised(html: str, url: str) -> str:
        html = re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")\w+', r"\1T", html)
        return html.replace(url, "URL")

    assert normalised(forbidden.content.decode(), forbidden_url) == normalised(
        missing.content.decode(), missing_url
    )
    assert "Không tìm thấy trang" in missing.content.decode()
