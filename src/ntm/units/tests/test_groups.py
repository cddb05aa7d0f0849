"""Commune groups: assigned by the province office, dated, with their legal basis; imported
from a workbook all or nothing; and what evaluation makes of them (TEST thresholds)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from ntm.accounts.testing import ACTOR, Personas, make_unit, personas
from ntm.audit.models import AuditLog
from ntm.exchange.groups import COLUMNS, read_groups, write_group_template
from ntm.exchange.workbook import InputError
from ntm.units.group_import import import_groups, template_rows
from ntm.units.groups import Assignment, Basis, GroupsRefused, assign_groups, groups_on
from ntm.units.models import GroupAssignment, UnitKind
from ntm.units.services import dissolve_unit

pytestmark = pytest.mark.django_db
__all__ = ["personas"]  # the fixture

BASIS = Basis("15/QĐ-UBND", dt.date(2026, 1, 5), "UBND tỉnh Thử Nghiệm")
FROM = dt.date(2026, 1, 15)
HEADERS = [c.header for c in COLUMNS]


def _file(tmp_path: Path, rows: list[list[Any]], name: str = "nhom.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Nhóm xã"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _row(code: Any, group: Any = 1, **kw: Any) -> list[Any]:
    return [
        code,
        kw.get("name", ""),
        group,
        kw.get("valid_from", "15/01/2026"),
        kw.get("number", "15/QĐ-UBND"),
        kw.get("date", "05/01/2026"),
        kw.get("issuer", "UBND tỉnh"),
    ]


def test_the_office_assigns_dated_groups_and_a_later_one_supersedes(personas: Personas) -> None:
    p = personas
    assign_groups(
        p.province,
        [Assignment(p.commune_a, "group_2", FROM, BASIS)],
        acting_user=p.province_office,
    )
    later = dt.date(2027, 1, 1)
    assign_groups(
        p.province,
        [Assignment(p.commune_a, "group_1", later, BASIS)],
        acting_user=p.province_office,
    )
    assert groups_on([p.commune_a.pk], FROM - dt.timedelta(days=1)) == {}
    assert groups_on([p.commune_a.pk], FROM) == {p.commune_a.pk: "group_2"}
    assert groups_on([p.commune_a.pk], later) == {p.commune_a.pk: "group_1"}
    audit = AuditLog.objects.filter(action="units.group.assign").order_by("pk")
    assert [(a.before or {}).get("group") for a in audit] == [None, "group_2"]
    assert {a.legal_basis for a in audit} == {"15/QĐ-UBND"}


@pytest.mark.parametrize("persona", ["officer_a", "appraiser", "central_viewer", "administrator"])
def test_only_the_province_office_assigns(personas: Personas, persona: str) -> None:
    user = getattr(personas, persona)
    with pytest.raises(GroupsRefused, match="bạn không được xếp nhóm"):
        assign_groups(
            personas.province,
            [Assignment(personas.commune_a, "group_1", FROM, BASIS)],
            acting_user=user,
        )
    assert not GroupAssignment.objects.exists()


def test_import_writes_every_row(personas: Personas, tmp_path: Path) -> None:
    p = personas
    path = _file(tmp_path, [_row("99001", 1), _row(None, "Nhóm 3", name="binh minh")])
    written = import_groups(path, p.province, acting_user=p.province_office)
    assert len(written) == 2
    assert groups_on([p.commune_a.pk, p.commune_b.pk], FROM) == {
        p.commune_a.pk: "group_1",
        p.commune_b.pk: "group_3",
    }


def _refused(path: Path, p: Personas) -> str:
    with pytest.raises(InputError) as err:
        import_groups(path, p.province, acting_user=p.province_office)
    assert not GroupAssignment.objects.exists()
    assert not AuditLog.objects.filter(action="units.group.assign").exists()
    return err.value.message("vi") + "\n" + err.value.message("en")


def test_import_refuses_an_unknown_commune(personas: Personas, tmp_path: Path) -> None:
    text = _refused(_file(tmp_path, [_row("99001"), _row("12345")]), personas)
    assert "dòng 3, cột A “Mã xã”, giá trị “12345”" in text
    assert "không có xã nào mang mã này" in text and "no commune has this code" in text


def test_import_refuses_a_commune_of_another_province(personas: Personas, tmp_path: Path) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    make_unit("Xã Ngoài", UnitKind.COMMUNE, "98001", other)
    text = _refused(_file(tmp_path, [_row("98001")]), personas)
    assert "dòng 2, cột A “Mã xã”, giá trị “98001”: Xã Ngoài không thuộc Tỉnh Thử Nghiệm" in text
    assert "Xã Ngoài is not in Tỉnh Thử Nghiệm" in text


@pytest.mark.parametrize("group", [4, "0", "nhóm A"])
def test_import_refuses_a_group_not_1_2_3(personas: Personas, tmp_path: Path, group: Any) -> None:
    text = _refused(_file(tmp_path, [_row("99001", group)]), personas)
    assert f"cột C “Nhóm xã (1, 2, 3)”, giá trị “{group}”: nhóm xã phải là 1, 2 hoặc 3" in text
    assert "the commune group must be 1, 2 or 3" in text


@pytest.mark.parametrize(
    ("blank", "column", "vi"),
    [
        ("number", "E “Số quyết định”", "thiếu số quyết định (căn cứ pháp lý)"),
        ("date", "F “Ngày quyết định”", "thiếu ngày quyết định"),
        ("issuer", "G “Cơ quan ban hành”", "thiếu cơ quan ban hành quyết định"),
    ],
)
def test_import_refuses_a_missing_legal_basis(
    personas: Personas, tmp_path: Path, blank: str, column: str, vi: str
) -> None:
    text = _refused(_file(tmp_path, [_row("99001", **{blank: None})]), personas)
    assert f"dòng 2, cột {column}: {vi}" in text


def test_import_refuses_a_duplicated_commune(personas: Personas, tmp_path: Path) -> None:
    text = _refused(_file(tmp_path, [_row("99001", 1), _row("99001", 2)]), personas)
    assert "dòng 3, cột A “Mã xã”, giá trị “99001”: Xã An Bình có mặt hai lần" in text
    assert "appears twice" in text


def test_import_refuses_a_commune_ended_before_the_date(personas: Personas, tmp_path: Path) -> None:
    dissolve_unit(personas.commune_b, date=dt.date(2026, 1, 1), actor=ACTOR)
    text = _refused(_file(tmp_path, [_row("99002")]), personas)
    assert "cột D “Áp dụng từ ngày”, giá trị “15/01/2026”: Xã Bình Minh không còn hiệu lực" in text
    assert "is not in force on 15/01/2026" in text


def test_import_refuses_a_bad_date_and_a_missing_header(personas: Personas, tmp_path: Path) -> None:
    text = _refused(_file(tmp_path, [_row("99001", valid_from="31/02/2026")]), personas)
    assert "giá trị “31/02/2026”: ngày không hợp lệ" in text
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Mã xã", "Tên xã"])
    wb.save(tmp_path / "x.xlsx")
    assert "không tìm thấy dòng tiêu đề" in _refused(tmp_path / "x.xlsx", personas)


def test_the_template_lists_the_communes_and_reads_back(personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_group_template(path, template_rows(personas.province, FROM), title="Tỉnh Thử Nghiệm")
    found = read_groups(path)
    assert found.rows == [] and found.problems == []  # nothing filled yet: nothing to import
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    codes = [r[0] for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert codes == ["99001", "99002"]


def test_the_command_writes_the_template_and_imports_it(personas: Personas, tmp_path: Path) -> None:
    out = tmp_path / "mau.xlsx"
    call_command("groups", "template", "--province", "99", "-o", str(out))
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    ws["C5"], ws["D5"], ws["E5"], ws["F5"], ws["G5"] = (
        "2",
        "15/01/2026",
        "15/QĐ-UBND",
        "05/01/2026",
        "UBND tỉnh",
    )
    wb.save(out)
    stdout = io.StringIO()
    call_command("groups", "import", str(out), "--province", "99", stdout=stdout)
    assert "Đã xếp nhóm cho 1 xã." in stdout.getvalue()
    assert groups_on([personas.commune_a.pk], FROM) == {personas.commune_a.pk: "group_2"}
    ws["C6"] = "7"
    wb.save(out)
    with pytest.raises(CommandError, match="nhóm xã phải là 1, 2 hoặc 3"):
        call_command("groups", "import", str(out), "--province", "99")
    assert GroupAssignment.objects.count() == 1
