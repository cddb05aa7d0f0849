"""The production profile: debug off unless asked, never the public key outside development,
`check --deploy` clean with the production environment set, the security headers and cookie
flags on every page, and `ntm serve` serving pages and static files under gunicorn."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import ntm
from ntm.accounts.testing import Personas

SRC = str(Path(ntm.__file__).resolve().parent.parent)
PRODUCTION = {
    "NTM_HTTPS": "1",
    "NTM_HSTS_SUBDOMAINS": "1",
    "NTM_HSTS_PRELOAD": "1",
    "NTM_ALLOWED_HOSTS": "ntm.example.vn",
}


def _env(tmp_path: Path, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NTM_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DATABASE_URL", None)
    return {**clean, "PYTHONPATH": SRC, "NTM_VAR_DIR": str(tmp_path), **env}


def _python(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETTINGS = "import ntm.settings as s; print(s.DEBUG, s.SECRET_KEY)"
# Fresh processes on their own SQLite under tmp_path: the test database's backend plays no part,
# so they run once (in the SQLite pass).
ONCE = pytest.mark.once


@ONCE
def test_debug_is_off_and_the_installation_makes_its_own_key(tmp_path: Path) -> None:
    first = _python(tmp_path, SETTINGS)
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "False" and len(key) >= 50 and key != "dev-only-not-secret"
    made = tmp_path / "secret-key"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600  # its owner's only
    again = _python(tmp_path, SETTINGS)
    assert again.stdout.split()[1] == key  # kept: sessions survive a restart


@ONCE
def test_a_key_given_is_used(tmp_path: Path) -> None:
    run = _python(tmp_path, SETTINGS, NTM_SECRET_KEY="k" * 50)
    assert run.stdout.split() == ["False", "k" * 50]
    assert not (tmp_path / "secret-key").exists()


@ONCE
def test_the_public_development_key_is_refused_outside_development(tmp_path: Path) -> None:
    run = _python(tmp_path, SETTINGS, NTM_SECRET_KEY="dev-only-not-secret")
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr and "NTM_SECRET_KEY" in run.stderr


@ONCE
def test_a_key_that_cannot_be_made_asks_for_one(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")  # the var directory would have to be a file
    run = _python(blocked, SETTINGS)
    assert run.returncode != 0
    assert "Không đọc hay tạo được khoá bí mật" in run.stderr and "NTM_SECRET_KEY" in run.stderr


@ONCE
def test_debug_on_asked_for_uses_the_development_key(tmp_path: Path) -> None:
    run = _python(tmp_path, SETTINGS, NTM_DEBUG="1")
    assert run.stdout.split() == ["True", "dev-only-not-secret"]


@ONCE
def test_the_demo_command_turns_debug_on_and_others_do_not(tmp_path: Path) -> None:
    code = (
        "import os, django.core.management as m; "
        "m.execute_from_command_line = lambda argv: print(os.environ.get('NTM_DEBUG')); "
        "from ntm.cli import main; main([{!r}])"
    )
    assert _python(tmp_path, code.format("run")).stdout.split() == ["1"]
    assert _python(tmp_path, code.format("stats")).stdout.split() == ["None"]
    assert _python(tmp_path, code.format("run"), NTM_DEBUG="0").stdout.split() == ["0"]


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return _python(
        tmp_path,
        "from ntm.cli import main; main(['check', '--deploy', '--fail-level', 'WARNING'])",
        **env,
    )


@ONCE
def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    run = _check_deploy(tmp_path, **PRODUCTION)
    assert run.returncode == 0, run.stderr
    assert "no issues" in run.stdout


@ONCE
def test_check_deploy_names_what_a_deployment_without_https_lacks(tmp_path: Path) -> None:
    run = _check_deploy(tmp_path)
    assert run.returncode != 0
    for check in ("W004", "W008", "W012", "W016"):
        assert f"security.{check}" in run.stderr


def test_every_page_carries_the_security_headers(client: Client, personas: Personas) -> None:
    login = client.get(reverse("web:login"))
    csp = login["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'"):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "camera=()" in login["Permissions-Policy"]
    assert login["X-Frame-Options"] == "DENY"
    assert login["X-Content-Type-Options"] == "nosniff"
    assert login["Referrer-Policy"] == "same-origin"
    assert login.cookies["csrftoken"]["httponly"]
    personas.province_office.set_password("Mật-khẩu-thử-2020")
    personas.province_office.save()
    done = client.post(
        reverse("web:login"),
        {"username": personas.province_office.username, "password": "Mật-khẩu-thử-2020"},
    )
    assert done.status_code == 302
    assert done.cookies["sessionid"]["httponly"]
    page = client.get(reverse("web:province", args=[personas.province.pk]))
    assert page.status_code == 200 and "script-src 'self'" in page["Content-Security-Policy"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`ntm serve` (gunicorn, one worker) on a fresh SQLite database: its address."""
    env = _env(tmp_path, NTM_SECRET_KEY="s" * 50)
    ntm_cli = [sys.executable, "-c", "from ntm.cli import main; main()"]
    subprocess.run([*ntm_cli, "migrate", "-v0"], env=env, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*ntm_cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/static/ntm/css/ntm.css", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@ONCE
def test_serve_runs_gunicorn_with_the_static_files(served: str) -> None:
    with urllib.request.urlopen(served + "/static/ntm/css/ntm.css") as css:
        assert css.status == 200 and b"{" in css.read()
        assert "max-age" in css.headers.get("Cache-Control", "")
    with urllib.request.urlopen(served + reverse("web:login")) as login:
        assert login.status == 200
        assert "script-src 'self'" in login.headers["Content-Security-Policy"]
        assert "Đăng nhập" in login.read().decode()
