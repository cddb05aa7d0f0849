"""The report workbook and PDF of the persona province (`ntm.values.testing`): what they
hold, that they open (LibreOffice converts the workbook; poppler reads the PDF) and that a
bad option writes nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from ntm.reports.files import gather
from ntm.reports.pdf import FONT, local_fonts, render_html
from ntm.results.maps import band_colour
from ntm.results.province import province_overview
from ntm.units.models import Boundaries, Unit
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


def keep_pages(pdf: Path, name: str) -> list[Path]:
    """Page images under var/artifacts/ (gitignored) to look at, in page order."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


@pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed (apt-get install poppler-utils; .ci/run installs it)",
)
def test_pdf_pages_text_and_font(dated: World, tmp_path: Path) -> None:
    # Coordinates as the bundled unit data records them (the persona units have none).
    Unit.objects.filter(pk=dated.p.commune_a.pk).update(latitude=21.85, longitude=106.76)
    Unit.objects.filter(pk=dated.p.commune_b.pk).update(latitude=21.70, longitude=106.50)
    out = tmp_path / "bao-cao.pdf"
    _report("pdf", out)
    text = _pdf_text(out)
    assert "Tỉnh Thử Nghiệm" in text
    assert "Đến hết ngày 31/12/2020" in text
    assert "Số xã theo từng tiêu chí" in text
    pages = text.split("\f")[:-1]
    assert 2 <= len(pages) <= 5
    # The map has the last page to itself: its title, how it is drawn, its legend.
    assert pages[-1].lstrip().startswith("Bản đồ các xã theo số tiêu chí đạt")
    assert "Các xã được vẽ tại toạ độ đã ghi nhận." in pages[-1]
    legend = " ".join(pages[-1].split())  # the layout's line breaks and columns aside
    for label in ("Đạt 19/19 tiêu chí", "Dưới 5 tiêu chí", "Chưa có kết quả"):
        assert label in legend
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded
    assert "NTM-Sans" in fonts  # DejaVu Sans, under the name the report gives it
    images = keep_pages(out, "report-persona")
    assert len(images) == len(pages)
    # Both communes are drawn on the map page, each in its band's colour.
    with Image.open(images[-1]) as page:
        drawn = {colour for _count, colour in page.convert("RGB").getcolors(1 << 20) or []}
    o = province_overview(dated.p.province, period=2020, as_of=dt.date(2020, 12, 31))
    for point in o.points:
        colour = band_colour(point.met, o.cset.bands).lstrip("#")
        assert tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4)) in drawn, point.unit.name


def _html(world: World, language: str = "vi") -> str:
    day = dt.date(2020, 12, 31)
    return render_html(gather(world.p.province, period=2020, as_of=day, language=language))


def test_the_pdf_map_draws_the_uploaded_boundaries(dated: World) -> None:
    p = dated.p
    ring = [[106.7, 21.8], [106.8, 21.8], [106.8, 21.9], [106.7, 21.8]]
    east = [[x + 0.2, y] for x, y in ring]
    Boundaries.objects.create(
        province=p.province,
        original_name="ranh-gioi-xa.geojson",
        features=[
            {"code": p.commune_a.code, "rings": [ring]},
            {"code": p.commune_b.code, "rings": [east]},
        ],
        matched=2,
        uploaded_by=p.province_office,
        uploaded_at=timezone.now(),
    )
    html = _html(dated)
    assert "Ranh giới: ranh-gioi-xa.geojson." in html
    o = province_overview(p.province, period=2020, as_of=dt.date(2020, 12, 31))
    fills = re.findall(r'<path d="M[^"]+" fill="(#[0-9a-f]{6})"', html)
    assert sorted(fills) == sorted(band_colour(x.met, o.cset.bands) for x in o.points)
    assert "<circle" not in html
    english = _html(dated, "en")
    assert "Map of the communes by criteria met" in english
    assert "Boundaries: ranh-gioi-xa.geojson." in english
    assert "All 19 criteria" in english and "No result" in english


def test_the_pdf_says_when_there_is_no_map(dated: World) -> None:
    html = _html(dated)
    assert "Chưa vẽ được bản đồ: chưa xã nào của tỉnh có toạ độ" in html and "<path" not in html


@pytest.mark.parametrize(
    "url", ["https://fonts.example.org/a.woff2", "http://127.0.0.1/x.png", "file:///etc/passwd"]
)
def test_the_pdf_fetches_nothing_but_its_font(url: str) -> None:
    with pytest.raises(ValueError, match="fetch nothing"):
        local_fonts().fetch(url)
    assert local_fonts().fetch(FONT.as_uri()) is not None
