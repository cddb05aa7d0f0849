"""The gap workbook: exported, filled, imported back as one decision — or refused whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from ntm.accounts.testing import Personas
from ntm.criteria.loader import load_set
from ntm.criteria.resolve import resolve
from ntm.decisions.gaps import import_gaps
from ntm.decisions.models import CellVersion
from ntm.decisions.queries import with_decisions
from ntm.decisions.services import NotAllowed
from ntm.exchange.gaps import SHEET, gap_rows, write_gaps
from ntm.exchange.workbook import InputError

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
HEAD = "set,indicator,condition,column,year,value,decision_number,decision_date,issuer"
BASIS = "12/QĐ-UBND,02/03/2020,UBND tỉnh"
DAY = dt.date(YEAR, 12, 31)  # an assessment day after the decision


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "o-can-bo-sung.csv"
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    return path


def test_round_trip_the_threshold_comes_from_the_decision(
    personas: Personas, tmp_path: Path
) -> None:
    p = personas.province
    cset = with_decisions(load_set(SET), p.code, p.name, DAY)
    rows = gap_rows(cset, YEAR)
    assert any(r.indicator == "2.2" and r.column == "national" for r in rows)
    path = tmp_path / "gaps.xlsx"
    write_gaps(path, cset, YEAR, rows, title=personas.province.name)

    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    header = [c.value for c in ws[4]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for r in range(5, ws.max_row + 1):
        if (ws.cell(r, col["Mã chỉ tiêu"]).value, ws.cell(r, col["Cột"]).value) == (
            "2.2",
            "national",
        ):
            ws.cell(r, col["Giá trị quyết định"]).value = 80
            ws.cell(r, col["Số quyết định"]).value = "12/QĐ-UBND"
            ws.cell(r, col["Ngày ký"]).value = "02/03/2020"
            ws.cell(r, col["Cơ quan ban hành"]).value = "UBND tỉnh"
    wb.save(path)

    done = import_gaps(path, personas.province, acting_user=personas.province_office)
    assert done.written == 1

    after = with_decisions(load_set(SET), p.code, p.name, DAY)
    column, cell = resolve(after, YEAR).lookup("2.2", 0, "national")
    assert (column, cell.value, cell.status) == ("national", 80, "verified")
    assert cell.basis == "12/QĐ-UBND"  # the decision, where pages say the threshold came from
    assert not any(r.indicator == "2.2" and r.column == "national" for r in gap_rows(after, YEAR))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (f"{SET},2.2,0,national,,bảy mươi,{BASIS}", "ô số chứa chữ, cần một con số"),
        (f"{SET},99.9,0,national,,70,{BASIS}", "bộ tiêu chí không có chỉ tiêu này"),
        (f"{SET},2.2,3,national,,70,{BASIS}", "chỉ tiêu 2.2 không có điều kiện này"),
        (f"{SET},2.2,0,NOWHERE,,70,{BASIS}", "bộ tiêu chí không có cột này"),
        (f"{SET},2.1,0,national,,70,{BASIS}", "điều kiện này không có ngưỡng số"),
        (f"{SET},2.2,0,national,2030,70,{BASIS}", "bộ tiêu chí không có ô cho năm này"),
        ("vn-khong-co,2.2,0,national,,70," + BASIS, "không có bộ tiêu chí này"),
        (f"{SET},2.2,0,national,,70,12/QĐ-UBND,31/02/2020,UBND tỉnh", "ngày không hợp lệ"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_written(
    personas: Personas, tmp_path: Path, row: str, expected: str
) -> None:
    good = f"{SET},2.2,0,TDMNPB,,60,{BASIS}"
    with pytest.raises(InputError) as caught:
        import_gaps(
            _csv(tmp_path, good, row), personas.province, acting_user=personas.province_office
        )
    text = str(caught.value)
    assert expected in text
    assert "dòng 3" in text  # the bad row, not the good one
    assert not CellVersion.objects.exists()


def test_a_missing_legal_basis_is_refused(personas: Personas, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{SET},2.2,0,national,,80,,,")
    with pytest.raises(InputError) as caught:
        import_gaps(path, personas.province, acting_user=personas.province_office)
    assert "dòng 2" in str(caught.value)
    assert "thiếu căn cứ pháp lý" in str(caught.value)
    assert not CellVersion.objects.exists()


def test_an_inconsistent_legal_basis_is_refused(personas: Personas, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        f"{SET},2.2,0,national,,80,{BASIS}",
        f"{SET},2.2,0,TDMNPB,,60,13/QĐ-UBND,02/03/2020,UBND tỉnh",
    )
    with pytest.raises(InputError) as caught:
        import_gaps(path, personas.province, acting_user=personas.province_office)
    assert "dòng 3" in str(caught.value)
    assert "căn cứ pháp lý khác dòng 2" in str(caught.value)
    assert "13/QĐ-UBND" in str(caught.value)
    assert not CellVersion.objects.exists()


def test_a_value_out_of_range_is_reported_at_its_row(personas: Personas, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{SET},2.2,0,national,,80,{BASIS}", f"{SET},2.2,0,DBSH,,150,{BASIS}")
    with pytest.raises(InputError) as caught:
        import_gaps(path, personas.province, acting_user=personas.province_office)
    text = str(caught.value)
    assert "dòng 3" in text and "“Giá trị quyết định”" in text and "150" in text
    assert "tỷ lệ ghi theo phần trăm, từ 0 đến 100" in text  # 2.2 is a share (measures.yaml)
    assert not CellVersion.objects.exists()


def test_only_the_province_office_imports(personas: Personas, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{SET},2.2,0,national,,80,{BASIS}")
    with pytest.raises(NotAllowed):
        import_gaps(path, personas.province, acting_user=personas.appraiser)
    assert not CellVersion.objects.exists()
