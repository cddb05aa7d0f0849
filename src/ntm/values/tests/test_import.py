"""Bulk import: all or nothing, every problem in Vietnamese with its place, progress, audit."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.criteria.schema import CriteriaSet
from ntm.exchange.workbook import InputError, template_columns, write_template
from ntm.jobs import Progress
from ntm.values.models import Stage, Value
from ntm.values.services import Entry, save_value, submit
from ntm.values.services import imports as importing
from ntm.values.services.imports import import_values
from ntm.values.tests.stored import stored_results as results_for

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"
WATER = "households_clean_water_share"


def write_csv(path: Path, cset: CriteriaSet, rows: Sequence[dict[str, Any]]) -> Path:
    """A CSV with the machine headers: the commune code and every measure column."""
    headers = ["unit"] + [
        c.machine for c in template_columns(cset) if c.role != "identity" and c.kind
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=headers)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def _nothing_written() -> None:
    assert not Value.objects.exists()
    assert not AuditLog.objects.filter(action="values.import").exists()


def _problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(problem) for problem in exc.value.problems]


def test_workbook_import_writes_values_audit_and_results(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = tmp_path / "xa.xlsx"
    write_template(
        cset,
        path,
        rows=[
            {
                "unit": "99001",
                INCOME: 47.5,
                f"{WATER}__numerator": 90,
                f"{WATER}__denominator": 120,
                "rural_market": "Chưa đạt",
                "planning_general_plan": True,
            }
        ],
    )
    seen: list[Progress] = []
    result = import_values(path, cset, YEAR, acting_user=p.officer_a, progress=seen.append)
    assert (result.units, result.values, result.changed, result.unchanged) == (1, 4, 4, 0)
    income = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
    assert income.claimed_value == 47.5 and income.claimed_version == 1
    water = Value.objects.get(unit=p.commune_a, measure=WATER, period=YEAR)
    assert (water.claimed_numerator, water.claimed_denominator) == (90, 120)
    assert Value.objects.get(measure="rural_market").claimed_value == 0.0
    assert Value.objects.get(measure="planning_general_plan").claimed_value == 1.0
    summary = AuditLog.objects.get(action="values.import", object_type="values.import")
    assert summary.after is not None and summary.after["values"] == 4
    assert AuditLog.objects.filter(action="values.import", object_type="values.value").count() == 4
    assert seen[0].phase == importing.READING
    assert seen[-1] == Progress(importing.DONE, 4, 4)
    assert any(s.phase == importing.WRITING for s in seen)
    crit = results_for(p.commune_a, YEAR, cset).criteria
    assert crit.filter(crit["criterion"] == 10).row(0, named=True)["status"] == "met"


def test_csv_import_and_reimport_is_unchanged(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "41,5"}])
    first = import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert first.changed == 1
    again = import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert (again.changed, again.unchanged) == (0, 1)
    assert Value.objects.get().claimed_version == 1
    assert AuditLog.objects.filter(object_type="values.value").count() == 1


def test_verified_import_by_the_appraiser(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99002", INCOME: "30"}])
    import_values(path, cset, YEAR, acting_user=p.appraiser, stage="verified")
    value = Value.objects.get()
    assert (value.claimed_value, value.verified_value) == (None, 30.0)


def test_commune_outside_the_users_units_is_said_to_be_outside(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "40"}, {"unit": "99002", INCOME: "1"}]
    )
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert _problems(exc) == [
        "trang “xa.csv”, dòng 3, cột A “Mã xã”, giá trị “99002”: xã này ngoài phạm vi của bạn: "
        "bạn không được nhập số liệu cho xã này"
    ]
    assert "1 lỗi, không ghi kết quả nào" in str(exc.value)
    _nothing_written()


def test_unknown_code_and_bad_cells_are_all_listed(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "xa.csv",
        cset,
        [
            {
                "unit": "99001",
                INCOME: "bốn mươi",
                f"{WATER}__numerator": "130",
                f"{WATER}__denominator": "120",
            },
            {"unit": "12345", INCOME: "40"},
            {"unit": "99001", INCOME: "40"},
        ],
    )
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    problems = _problems(exc)
    assert len(problems) == 4
    assert any("dòng 2" in x and "bốn mươi" in x and "ô số chứa chữ" in x for x in problems)
    assert any("dòng 2" in x and "tử số lớn hơn mẫu số (130 > 120)" in x for x in problems)
    assert any("dòng 3" in x and "12345" in x and "không có xã mang mã này" in x for x in problems)
    assert any("dòng 4" in x and "xã bị lặp lại (đã có ở dòng 2)" in x for x in problems)
    _nothing_written()


def test_submitted_period_is_refused_with_its_row(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=40.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    before = AuditLog.objects.count()
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "50"}])
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert _problems(exc) == [
        "trang “xa.csv”, dòng 2, cột A “Mã xã”, giá trị “99001”: Số liệu năm 2020 theo bộ tiêu "
        "chí vn-ntm-xa-2016-2020 đã gửi, đang chờ duyệt: không sửa được."
    ]
    assert Value.objects.get().claimed_value == 40.0
    assert AuditLog.objects.count() == before


def test_not_applicable_where_the_set_has_no_such_choice(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", "rural_market": "KAD"}])
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    (problem,) = _problems(exc)
    assert "dòng 2" in problem and "“KAD”" in problem
    assert problem.endswith("chỉ tiêu này không có lựa chọn “Không áp dụng”")
    _nothing_written()


def test_year_outside_the_set(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "40"}])
    with pytest.raises(InputError) as exc:
        import_values(path, cset, 2023, acting_user=p.officer_a)
    assert any("năm 2023 nằm ngoài các năm áp dụng" in x for x in _problems(exc))
    _nothing_written()


def test_missing_column(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = tmp_path / "xa.csv"
    path.write_text(f"unit,{INCOME}\n99001,40\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert any("thiếu cột bắt buộc" in x and "dòng 1" in x for x in _problems(exc))
    _nothing_written()


def test_not_a_spreadsheet(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = tmp_path / "xa.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert _problems(exc) == ["không đọc được tệp đuôi “.pdf”; dùng .xlsx hoặc .csv"]
    _nothing_written()


def test_broken_workbook(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = tmp_path / "xa.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    assert _problems(exc)[0].startswith("không mở được tệp Excel")
    _nothing_written()


def test_unknown_stage(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "40"}])
    with pytest.raises(InputError, match="giai đoạn không hợp lệ"):
        import_values(path, cset, YEAR, acting_user=p.officer_a, stage="final")
    _nothing_written()


def test_command(p: Personas, cset: CriteriaSet, tmp_path: Path, capsys: Any) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "40"}])
    call_command(
        "values", "import", str(path), "--set", SET, "--year", str(YEAR), "--user", "officer_a"
    )
    out = capsys.readouterr()
    assert "Đã nhập 1 giá trị của 1 xã: 1 thay đổi" in out.out
    assert "Đang ghi số liệu: 1/1" in out.err
    assert Value.objects.get().claimed_value == 40.0


def test_the_province_office_imports_with_the_command(
    p: Personas, cset: CriteriaSet, tmp_path: Path, capsys: Any
) -> None:
    """`ntm values import --user vanphong.tinh` in the demo: every commune of its province."""
    path = write_csv(
        tmp_path / "tinh.csv",
        cset,
        [{"unit": "99001", INCOME: "40"}, {"unit": "99002", INCOME: "1"}],
    )
    call_command(
        "values",
        "import",
        str(path),
        "--set",
        SET,
        "--year",
        str(YEAR),
        "--user",
        p.province_office.username,
    )
    assert "Đã nhập 2 giá trị của 2 xã: 2 thay đổi" in capsys.readouterr().out
    stored = dict(Value.objects.values_list("unit__code", "claimed_value"))
    assert stored == {"99001": 40.0, "99002": 1.0}


def test_command_reports_every_problem_and_writes_nothing(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99002", INCOME: "40"}])
    with pytest.raises(CommandError, match=r"dòng 2.*xã này ngoài phạm vi của bạn"):
        call_command(
            "values", "import", str(path), "--set", SET, "--year", str(YEAR), "--user", "officer_a"
        )
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command(
            "values", "import", str(path), "--set", SET, "--year", str(YEAR), "--user", "nobody"
        )
    _nothing_written()
