"""The report workbook and PDF of the persona province (`ntm.values.testing`): what they
hold, that they open (LibreOffice converts the workbook; poppler reads the PDF) and that a
bad option writes nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from openpyxl import load_workbook

from ntm.reports.pdf import FONT, local_fonts
from ntm.values.models import CountVersion, DeclarationVersion, EntryVersion, SubmissionVersion
from ntm.values.testing import World, persona_world, world

__all__ = ["persona_world", "world"]  # fixtures

ARTIFACTS = Path(__file__).resolve().parents[4] / "var" / "artifacts"
SHEETS = [
    "Tổng hợp",
    "Xã × tiêu chí",
    "Chi tiết chỉ tiêu",
    "Nhóm xã",
    "Theo tiêu chí",
    "Công nhận",
    "Cảnh báo",
    "Định nghĩa và nguồn",
]

pytestmark = pytest.mark.django_db
# The persona world is recorded today; the reports read 2020 as of its end, so every version
# of its record is moved back by six years, in order.
SHIFT = dt.timedelta(days=6 * 365)


@pytest.fixture
def dated(world: World) -> World:
    for model in (EntryVersion, SubmissionVersion, DeclarationVersion, CountVersion):
        model.objects.update(
            effective_at=F("effective_at") - SHIFT, superseded_at=F("superseded_at") - SHIFT
        )
    return world


def _report(kind: str, out: Path, *extra: str, date: str = "31/12/2020") -> str:
    stdout = StringIO()
    call_command(
        "report",
        kind,
        "--province",
        "99",
        "--date",
        date,
        "--out",
        str(out),
        *extra,
        stdout=stdout,
    )
    return stdout.getvalue()


def test_workbook_sheets_matrix_detail_and_charts(dated: World, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    _report("workbook", out)
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    matrix = wb["Xã × tiêu chí"]
    assert matrix.freeze_panes == "C2"
    assert matrix.auto_filter.ref
    names = [matrix.cell(r, 2).value for r in range(2, matrix.max_row + 1)]
    assert names == ["Xã An Bình", "Xã Bình Minh"]
    assert str(matrix.cell(1, 6).value).startswith("TC 1.")
    detail = wb["Chi tiết chỉ tiêu"]
    heads = [c.value for c in detail[1]]
    assert {"Ngưỡng", "Nguồn ngưỡng", "Cột ngưỡng", "Chênh lệch (≥ 0: đạt)"} <= set(heads)
    sources = {detail.cell(r, 10).value for r in range(2, detail.max_row + 1)}
    assert "Bộ tiêu chí quốc gia" in sources
    summary = {r[0].value: r[1].value for r in wb["Tổng hợp"].iter_rows(min_row=4)}
    assert summary["Tỉnh"] == "Tỉnh Thử Nghiệm"
    assert summary["Số xã trong phạm vi"] == 2
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # bands and per-criterion counts


def test_workbook_in_english_names_criteria_in_english(dated: World, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    _report("workbook", out, "--lang", "en")
    summary = {r[0].value: r[1].value for r in load_workbook(out)["Tổng hợp"].iter_rows(min_row=4)}
    assert summary["Province"] == "Tỉnh Thử Nghiệm"


@pytest.mark.skipif(
    shutil.which("libreoffice") is None,
    reason="libreoffice is not installed "
    "(apt-get install libreoffice-calc-nogui; .ci/run installs it)",
)
def test_workbook_opens_without_repair_in_libreoffice(dated: World, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    _report("workbook", out)
    done = subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bao-cao.pdf").stat().st_size > 1000


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--province", "Không Có Tỉnh Này", "--date", "31/12/2020"], "Không có tỉnh"),
        (["--province", "99", "--date", "30/06/2020"], "chưa có số liệu"),
        (["--province", "99", "--date", "31/12/2020", "--units-of", "01/01/2019"], "không có xã"),
        (["--province", "99", "--date", "31/02/2020"], "--date"),
    ],
)
@pytest.mark.parametrize("kind", ["workbook", "pdf"])
def test_bad_options_say_why_and_write_nothing(
    world: World, tmp_path: Path, kind: str, options: list[str], message: str
) -> None:
    out = tmp_path / "out.file"
    with pytest.raises(CommandError, match=message):
        call_command("report", kind, *options, "--out", str(out))
    assert list(tmp_path.iterdir()) == []


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def keep_pages(pdf: Path, name: str) -> None:
    """Page images under var/artifacts/ (gitignored) to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)], check=True)


@pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed (apt-get install poppler-utils; .ci/run installs it)",
)
def test_pdf_pages_text_and_font(dated: World, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.pdf"
    _report("pdf", out)
    text = _pdf_text(out)
    assert "Tỉnh Thử Nghiệm" in text
    assert "Đến hết ngày 31/12/2020" in text
    assert "Số xã theo từng tiêu chí" in text
    pages = text.count("\f")
    assert 1 <= pages <= 4
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded
    assert "NTM-Sans" in fonts  # DejaVu Sans, under the name the report gives it
    keep_pages(out, "report-persona")


@pytest.mark.parametrize(
    "url", ["https://fonts.example.org/a.woff2", "http://127.0.0.1/x.png", "file:///etc/passwd"]
)
def test_the_pdf_fetches_nothing_but_its_font(url: str) -> None:
    with pytest.raises(ValueError, match="fetch nothing"):
        local_fonts().fetch(url)
    assert local_fonts().fetch(FONT.as_uri()) is not None
