"""`ntm decisions import`: the same service, all or nothing, every problem listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ntm.accounts.testing import Personas
from ntm.decisions.models import CellVersion
from ntm.decisions.tests.test_services import OVERLAY


def test_import_records_the_file(
    personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tinh.yaml"
    path.write_text(OVERLAY.format(code="99"), encoding="utf-8")
    call_command(
        "decisions",
        "import",
        str(path),
        "--province",
        "99",
        "--user",
        "province_office",
        "--effective-from",
        "01/07/2019",
    )
    assert "Đã ghi quyết định TEST-02/QĐ-UBND ngày 02/05/2019" in capsys.readouterr().out
    assert {r.effective_from.isoformat() for r in CellVersion.objects.all()} == {"2019-07-01"}


def test_a_bad_file_lists_every_problem(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "tinh.yaml"
    text = OVERLAY.format(code="99").replace('"15.1"', '"99.9"').replace("value: 32", "value: -1")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command(
            "decisions", "import", str(path), "--province", "99", "--user", "province_office"
        )
    message = str(caught.value)
    assert "Không ghi gì" in message
    assert "cells[0].indicator: unknown indicator '99.9'" in message
    assert "cells[1]: a threshold cannot be negative" in message
    assert not CellVersion.objects.exists()


def test_only_the_province_office(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "tinh.yaml"
    path.write_text(OVERLAY.format(code="99"), encoding="utf-8")
    with pytest.raises(CommandError, match="Chỉ Văn phòng Điều phối"):
        call_command("decisions", "import", str(path), "--province", "99", "--user", "appraiser")
    assert not CellVersion.objects.exists()
