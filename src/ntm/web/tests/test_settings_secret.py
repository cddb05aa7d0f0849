"""A deployment (NTM_DEBUG=0) never runs with the public development key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ntm

SRC = str(Path(ntm.__file__).resolve().parent.parent)


def _import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NTM_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", "import ntm.settings as s; print(s.DEBUG, len(s.SECRET_KEY))"],
        env={**clean, "PYTHONPATH": SRC, "NTM_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_debug_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    run = _import_settings(tmp_path, NTM_DEBUG="0")
    assert run.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in run.stderr
    assert "NTM_SECRET_KEY" in run.stderr


@pytest.mark.parametrize("key", ["", "   ", "dev-only-not-secret"])
def test_no_debug_with_an_empty_or_the_public_key_refuses_to_start(
    tmp_path: Path, key: str
) -> None:
    run = _import_settings(tmp_path, NTM_DEBUG="0", NTM_SECRET_KEY=key)
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr


def test_no_debug_with_a_key_starts(tmp_path: Path) -> None:
    run = _import_settings(tmp_path, NTM_DEBUG="0", NTM_SECRET_KEY="k" * 50)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "50"]


def test_debug_without_a_key_uses_the_development_key(tmp_path: Path) -> None:
    run = _import_settings(tmp_path)  # NTM_DEBUG defaults to 1, as for `make run` and the tests
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[0] == "True"
