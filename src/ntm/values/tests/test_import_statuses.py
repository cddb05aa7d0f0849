"""The criterion-level import: through the values' import service (register, locks, audit,
progress), all or nothing; who may import which commune; every bad input says why and
writes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.accounts import permissions
from ntm.accounts.testing import PERSONAS, PersonaName, Personas, make_personas
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.criteria.schema import CriteriaSet
from ntm.exchange.criterion_level import SHEET, TemplateRow, read_level
from ntm.exchange.workbook import InputError
from ntm.jobs import Progress
from ntm.values.models import Declaration, DeclarationVersion, State, Submission, Value
from ntm.values.services import approve, declare_status, submit
from ntm.values.services import imports as importing
from ntm.values.services.imports import (
    STATUSES,
    import_file,
    import_statuses,
    level_template_day,
    level_template_rows,
)
from ntm.values.tests.test_import import write_csv as write_values_csv
from ntm.values.tests.test_locks import postgres_only, race_held

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020


def write_csv(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = ()) -> Path:
    """A CSV with the commune code, criteria 1 to 3 and the count, or the given header."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header or ["Mã xã", "TC1", "TC2", "TC3", "Số tiêu chí đạt"])
        w.writerows(rows)
    return path


def _declared() -> dict[tuple[str, int], str]:
    return {
        (d.unit.code or "", d.criterion): d.status
        for d in Declaration.objects.select_related("unit")
    }


def _nothing_written(audit_before: int) -> None:
    assert not Declaration.objects.exists()
    assert not DeclarationVersion.objects.exists()
    assert AuditLog.objects.count() == audit_before


def _refused(path: Path, cset: CriteriaSet, user: Any) -> list[str]:
    before = AuditLog.objects.count()
    with pytest.raises(InputError) as exc:
        import_statuses(path, cset, YEAR, acting_user=user)
    _nothing_written(before)
    return [str(p) for p in exc.value.problems]


def test_the_province_office_imports_its_communes(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "tc.csv",
        [["99001", "Đạt", "CBĐ", "x", "1"], ["99002", "dat", "", "chưa đạt", "1/19"]],
    )
    seen: list[Progress] = []
    result = import_statuses(path, cset, YEAR, acting_user=p.province_office, progress=seen.append)
    assert (result.kind, result.units, result.values, result.changed, result.blank) == (
        STATUSES,
        2,
        5,
        5,
        1,
    )
    assert _declared() == {
        ("99001", 1): "met",
        ("99001", 2): "basically_met",
        ("99001", 3): "not_met",
        ("99002", 1): "met",
        ("99002", 3): "not_met",
    }
    summary = AuditLog.objects.get(object_type=importing.IMPORT_OBJECT)
    assert summary.action == "values.import"
    assert summary.after is not None and summary.after["kind"] == STATUSES
    assert summary.after["statuses"] == 5 and summary.after["file"] == "tc.csv"
    rows = AuditLog.objects.filter(action="values.import", object_type="values.declaration")
    assert rows.count() == 5
    assert all(r.after is not None and r.after["import"] == summary.pk for r in rows)
    assert seen[0].phase == importing.READING and seen[-1] == Progress(importing.DONE, 5, 5)
    assert Declaration.objects.filter(version=1).count() == 5


def test_reimport_is_unchanged_and_a_blank_cell_withdraws(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "Đạt", "", "2"]])
    import_statuses(path, cset, YEAR, acting_user=p.officer_a)
    again = import_statuses(path, cset, YEAR, acting_user=p.officer_a)
    assert (again.changed, again.unchanged, again.cleared) == (0, 2, 0)
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    third = import_statuses(path, cset, YEAR, acting_user=p.officer_a)
    assert (third.changed, third.unchanged, third.cleared) == (0, 1, 1)
    assert _declared() == {("99001", 1): "met", ("99001", 2): ""}  # withdrawn, row kept
    assert Declaration.objects.get(criterion=2).version == 2


def test_a_criterion_column_the_file_lacks_is_left_alone(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    declare_status(p.commune_a, YEAR, cset, 19, "met", acting_user=p.officer_a)
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    import_statuses(path, cset, YEAR, acting_user=p.officer_a)
    assert _declared() == {("99001", 1): "met", ("99001", 19): "met"}


# Who may import a row of commune A (officer_a's commune, of the persona province).
IMPORT_A: dict[PersonaName, bool] = dict(
    officer_a=True,
    officer_b=False,
    appraiser=False,
    province_office=True,
    central_viewer=False,
    administrator=False,
    anonymous=False,
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_import_statuses(
    p: Personas, cset: CriteriaSet, tmp_path: Path, persona: PersonaName
) -> None:
    user: Any = getattr(p, persona) if persona != "anonymous" else AnonymousUser()
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    if IMPORT_A[persona]:
        import_statuses(path, cset, YEAR, acting_user=user)
        assert _declared() == {("99001", 1): "met"}
        return
    assert _refused(path, cset, user) == [
        "trang “tc.csv”, dòng 2, cột A “Mã xã”, giá trị “99001”: xã này ngoài phạm vi của "
        "bạn: bạn không được nhập số liệu cho xã này"
    ]


def test_every_bad_input_says_why_and_writes_nothing(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "tc.csv",
        [
            ["99001", "Đạt", "Đạt", "Đạt", "3"],
            ["99009", "Đạt", "", "", ""],
            ["99002", "Đạt gần hết", "", "", ""],
            ["99003", "Đạt", "", "", "20"],
            ["99004", "Đạt", "", "", "2"],
        ],
    )
    problems = _refused(path, cset, p.officer_a)
    place = "trang “tc.csv”"
    assert problems == [
        f"{place}, dòng 3, cột A “Mã xã”, giá trị “99009”: không có xã mang mã này",
        f"{place}, dòng 4, cột B “TC1”, giá trị “Đạt gần hết”: không hiểu trạng thái; ghi Đạt, "
        "Cơ bản đạt hoặc Chưa đạt (hoặc Đ/CBĐ/CĐ, ✓/x, 1/0), để trống nếu chưa khai báo",
        f"{place}, dòng 4, cột A “Mã xã”, giá trị “99002”: xã này ngoài phạm vi của bạn: bạn "
        "không được nhập số liệu cho xã này",
        f"{place}, dòng 5, cột E “Số tiêu chí đạt”, giá trị “20”: số tiêu chí đạt lớn hơn số "
        "tiêu chí của bộ (19)",
        f"{place}, dòng 5, cột A “Mã xã”, giá trị “99003”: không có xã mang mã này",
        f"{place}, dòng 6, cột E “Số tiêu chí đạt”, giá trị “2”: số tiêu chí đạt ghi 2 nhưng "
        "dòng này có 1 tiêu chí Đạt (Cơ bản đạt không tính là Đạt)",
        f"{place}, dòng 6, cột A “Mã xã”, giá trị “99004”: không có xã mang mã này",
    ]


def test_an_unknown_criterion_column(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "tc.csv", [["99001", "Đạt", "Đạt"]], header=["Mã xã", "TC1", "TC20 Khác"]
    )
    assert _refused(path, cset, p.officer_a) == [
        "trang “tc.csv”, dòng 1, cột C “TC20 Khác”: bộ tiêu chí vn-ntm-xa-2016-2020 không có "
        "tiêu chí 20 (bộ có 19 tiêu chí)"
    ]


def test_a_year_the_set_does_not_judge(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    before = AuditLog.objects.count()
    with pytest.raises(InputError) as exc:
        import_statuses(path, cset, 2024, acting_user=p.officer_a)
    _nothing_written(before)
    assert str(exc.value.problems[0]).startswith("năm 2024 nằm ngoài các năm áp dụng bộ tiêu chí")


def test_a_submitted_or_approved_period_refuses(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    for user in (p.officer_a, p.province_office):
        assert _refused(path, cset, user) == [
            "trang “tc.csv”, dòng 2, cột A “Mã xã”, giá trị “99001”: Số liệu năm 2020 theo bộ "
            "tiêu chí vn-ntm-xa-2016-2020 đã gửi, đang chờ duyệt: không sửa được."
        ]
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office)
    before = AuditLog.objects.count()
    with pytest.raises(InputError) as exc:
        import_statuses(path, cset, YEAR, acting_user=p.province_office)
    assert AuditLog.objects.count() == before and not Declaration.objects.exists()
    assert "đã được duyệt: không sửa được" in str(exc.value)
    assert "are approved: they cannot be changed" in exc.value.message("en")


def test_import_file_tells_the_two_kinds_apart(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    values = write_values_csv(
        tmp_path / "v.csv", cset, [{"unit": "99001", "income_per_capita": 40}]
    )
    assert import_file(values, cset, YEAR, acting_user=p.officer_a).kind == "values"
    assert Value.objects.get().claimed_value == 40
    level = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    assert import_file(level, cset, YEAR, acting_user=p.officer_a).kind == STATUSES
    with pytest.raises(InputError) as exc:
        import_file(level, cset, YEAR, acting_user=p.appraiser, stage="verified")
    assert "nhập với giai đoạn “tự đánh giá”" in str(exc.value)
    assert "import it with the stage “claimed”" in exc.value.message("en")


def test_the_template_rows_are_the_users_communes(p: Personas, cset: CriteriaSet) -> None:
    declare_status(p.commune_a, YEAR, cset, 4, "basically_met", acting_user=p.officer_a)

    def rows(user: User) -> list[TemplateRow]:
        day = level_template_day(YEAR)
        return level_template_rows(permissions.importable_communes(user, day), cset, YEAR)

    assert [(r.code, r.name, dict(r.statuses)) for r in rows(p.province_office)] == [
        ("99001", "Xã An Bình", {4: "basically_met"}),
        ("99002", "Xã Bình Minh", {}),
    ]
    assert [r.code for r in rows(p.officer_b)] == ["99002"]
    for persona in ("appraiser", "central_viewer", "administrator"):
        assert rows(getattr(p, persona)) == []


def test_the_cli_writes_the_template_and_imports_it(p: Personas, tmp_path: Path) -> None:
    out = tmp_path / "tc.xlsx"
    call_command(
        "criteria",
        "template",
        SET,
        "--out",
        str(out),
        "--level",
        "criterion",
        "--province",
        "99",
        "--year",
        str(YEAR),
    )
    cset = load_set(SET)
    sheet = openpyxl.load_workbook(out)[SHEET]
    assert [c.value for c in sheet["A"][4:]] == ["99001", "99002"]
    assert [p.reason for p in read_level(out, cset).problems] == [
        "không có dòng nào ghi trạng thái tiêu chí"  # nothing filled yet
    ]
    path = write_csv(tmp_path / "tc.csv", [["99002", "Đạt", "", "", "1"]])
    imported = io.StringIO()
    args = ("--set", SET, "--year", str(YEAR), "--user", "province_office")
    call_command("values", "import", str(path), *args, stdout=imported)
    assert imported.getvalue().startswith("Đã nhập 1 trạng thái tiêu chí của 1 xã: 1 thay đổi")
    assert _declared() == {("99002", 1): "met"}
    bad = write_csv(tmp_path / "bad.csv", [["99002", "có lẽ", "", "", ""]])
    with pytest.raises(CommandError, match="không hiểu trạng thái"):
        call_command("values", "import", str(bad), *args)
    with pytest.raises(CommandError, match="--province"):
        call_command("criteria", "template", SET, "--out", str(out), "--level", "criterion")


# ------------------------------------------------------------------------- races (PostgreSQL)


@pytest.fixture
def tp(transactional_db: None) -> Personas:
    return make_personas()


@postgres_only
def test_a_status_import_waits_for_a_submit_and_is_refused(
    tp: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cset = load_set(SET)
    declare_status(tp.commune_a, YEAR, cset, 1, "met", acting_user=tp.officer_a)
    path = write_csv(tmp_path / "tc.csv", [["99001", "Chưa đạt", "", "", ""]])
    one, two, waited = race_held(
        monkeypatch,
        lambda: submit(tp.commune_a, YEAR, cset, acting_user=tp.officer_a),
        "values.submit",
        lambda: import_statuses(path, cset, YEAR, acting_user=tp.province_office),
    )
    assert one.error is None and waited
    assert isinstance(two.error, InputError) and "đã gửi, đang chờ duyệt" in str(two.error)
    assert _declared() == {("99001", 1): "met"}
    assert not AuditLog.objects.filter(action="values.import").exists()


@postgres_only
def test_a_submit_waits_for_a_status_import(
    tp: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cset = load_set(SET)
    path = write_csv(tmp_path / "tc.csv", [["99001", "Đạt", "", "", ""]])
    one, two, waited = race_held(
        monkeypatch,
        lambda: import_statuses(path, cset, YEAR, acting_user=tp.officer_a),
        "values.import",
        lambda: submit(tp.commune_a, YEAR, cset, acting_user=tp.officer_a),
    )
    assert one.error is None and two.error is None and waited
    assert _declared() == {("99001", 1): "met"}
    assert Submission.objects.get(unit=tp.commune_a, period=YEAR).state == State.SUBMITTED
