"""`ntm decisions import`, `gaps` and `import-gaps`: the same services, all or nothing, every
problem listed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from ntm.accounts.testing import Personas
from ntm.decisions.models import CellVersion
from ntm.decisions.tests.test_services import OVERLAY, SET
from ntm.exchange.gaps import SHEET


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


GAPS_HEAD = "set,indicator,condition,column,value,decision_number,decision_date,issuer"
GAPS_BASIS = "TEST-07/QĐ-UBND,02/03/2020,UBND tỉnh (TEST)"


def test_gaps_writes_the_cells_to_decide(
    personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o-can-bo-sung.xlsx"
    call_command(
        "decisions", "gaps", "--province", "99", "--set", SET, "--year", "2020", "-o", str(out)
    )
    ws = openpyxl.load_workbook(out)[SHEET]
    written = ws.max_row - 4  # below the title, the how-to line, an empty row and the header
    assert f"Đã ghi o-can-bo-sung.xlsx: {written} ô cần bổ sung." in capsys.readouterr().out
    assert written > 0


def test_gaps_of_an_unknown_set_is_refused(personas: Personas, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="Không có bộ tiêu chí cấp xã “vn-khong-co”"):
        call_command(
            "decisions",
            "gaps",
            "--province",
            "99",
            "--set",
            "vn-khong-co",
            "--year",
            "2020",
            "-o",
            str(out),
        )
    assert not out.exists()


def test_import_gaps_records_the_filled_rows(
    personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "o-can-bo-sung.csv"
    path.write_text(f"{GAPS_HEAD}\n{SET},2.2,0,national,80,{GAPS_BASIS}\n", encoding="utf-8")
    call_command(
        "decisions", "import-gaps", str(path), "--province", "99", "--user", "province_office"
    )
    assert "Đã ghi quyết định TEST-07/QĐ-UBND ngày 02/03/2020" in capsys.readouterr().out
    assert [(r.indicator, r.column, r.value) for r in CellVersion.objects.all()] == [
        ("2.2", "national", 80)
    ]


def test_import_gaps_lists_every_bad_row_and_writes_nothing(
    personas: Personas, tmp_path: Path
) -> None:
    path = tmp_path / "o-can-bo-sung.csv"
    rows = [f"{SET},2.2,0,national,tám mươi,{GAPS_BASIS}", f"{SET},2.2,0,NOWHERE,80,{GAPS_BASIS}"]
    path.write_text("\n".join([GAPS_HEAD, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command(
            "decisions", "import-gaps", str(path), "--province", "99", "--user", "province_office"
        )
    message = str(caught.value)
    assert "dòng 2" in message and "ô số chứa chữ, cần một con số" in message
    assert "dòng 3" in message and "bộ tiêu chí không có cột này" in message
    assert not CellVersion.objects.exists()
