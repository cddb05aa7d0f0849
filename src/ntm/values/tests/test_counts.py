"""Count-only records (`record_count`, `import_counts`, `ntm values import-counts`): who may
record them, versions read as of a moment, and every bad input refused with its message and
nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.criteria.schema import CriteriaSet
from ntm.exchange.workbook import InputError
from ntm.units.models import Unit
from ntm.values.models import CountRecord, CountVersion, PeriodStamp
from ntm.values.services import (
    Locked,
    NotAllowed,
    ValuesError,
    approve,
    import_counts,
    record_count,
    submit,
)

pytestmark = pytest.mark.django_db

YEAR = 2020
SET = "vn-ntm-xa-2016-2020"


def _nothing_written() -> None:
    assert not CountRecord.objects.exists()
    assert not CountVersion.objects.exists()
    assert not AuditLog.objects.filter(action__in=["values.count", "values.import_counts"]).exists()
    assert not PeriodStamp.objects.exists()


def _held(p: Personas) -> dict[str, tuple[int | None, int]]:
    """The count records that hold now (their rows; as of a moment: `ntm.results` tests)."""
    rows = CountRecord.objects.filter(period=YEAR, set_id=SET, met__isnull=False)
    return {str(u): (m, t) for u, m, t in rows.values_list("unit_id", "met", "total")}


def test_a_count_writes_its_version_audit_row_and_stamp(p: Personas, cset: CriteriaSet) -> None:
    row = record_count(
        p.commune_a, YEAR, cset, 14, total=19, note="Báo cáo 5/BC", acting_user=p.province_office
    )
    assert (row.met, row.total, row.note, row.version) == (14, 19, "Báo cáo 5/BC", 1)
    audit = AuditLog.objects.get(action="values.count")
    assert audit.acting_user_id == p.province_office.pk
    assert audit.after is not None and audit.after["met"] == 14
    assert PeriodStamp.objects.get(unit=p.commune_a, period=YEAR).audit_id == audit.pk

    record_count(p.commune_a, YEAR, cset, 16, acting_user=p.officer_a)
    first, second = CountVersion.objects.order_by("version")
    assert first.superseded_at == second.effective_at and second.met == 16
    assert _held(p) == {str(p.commune_a.pk): (16, 19)}

    # The same count again writes nothing; withdrawn, the record is no longer read.
    record_count(p.commune_a, YEAR, cset, 16, acting_user=p.officer_a)
    assert CountVersion.objects.count() == 2
    record_count(p.commune_a, YEAR, cset, None, acting_user=p.province_office)
    assert _held(p) == {}
    last = CountVersion.objects.order_by("version").last()
    assert last is not None and (last.met, last.superseded_at) == (None, None)


ALLOWED = {"officer_a", "province_office"}


@pytest.mark.parametrize("persona", [n for n in PERSONAS if n not in ALLOWED])
def test_only_the_commune_and_its_province_office_may_record(
    p: Personas, cset: CriteriaSet, persona: PersonaName
) -> None:
    user = p.user(persona) or AnonymousUser()
    with pytest.raises(NotAllowed, match="Bạn không có quyền ghi số tiêu chí đạt của xã này"):
        record_count(p.commune_a, YEAR, cset, 10, acting_user=user)  # type: ignore[arg-type]
    _nothing_written()


@pytest.mark.parametrize(
    ("met", "total", "message"),
    [
        (20, None, "20 tiêu chí đạt nhiều hơn 19 tiêu chí của bộ vn-ntm-xa-2016-2020"),
        (14, 20, "Bộ tiêu chí vn-ntm-xa-2016-2020 có 19 tiêu chí, không phải 20"),
        (-1, None, "Số tiêu chí đạt không thể âm"),
        (None, None, "Không có số tiêu chí đạt nào để hủy"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    p: Personas, cset: CriteriaSet, met: int | None, total: int | None, message: str
) -> None:
    with pytest.raises(ValuesError, match=message):
        record_count(p.commune_a, YEAR, cset, met, total=total, acting_user=p.province_office)
    _nothing_written()


def test_an_unknown_unit_and_a_long_note_are_refused(p: Personas, cset: CriteriaSet) -> None:
    with pytest.raises(ValuesError, match="Chỉ nhập số liệu cho xã"):
        record_count(p.province, YEAR, cset, 10, acting_user=p.province_office)
    with pytest.raises(ValuesError, match="Xã không tồn tại trong năm 2019"):
        record_count(p.commune_a, 2019, cset, 10, acting_user=p.province_office)
    with pytest.raises(ValuesError, match="Ghi chú dài quá 500 ký tự"):
        record_count(p.commune_a, YEAR, cset, 10, note="x" * 501, acting_user=p.province_office)
    _nothing_written()


def test_a_submitted_period_stops_the_commune_an_approved_one_everyone(
    p: Personas, cset: CriteriaSet
) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    with pytest.raises(Locked, match="đã gửi, đang chờ duyệt"):
        record_count(p.commune_a, YEAR, cset, 12, acting_user=p.officer_a)
    record_count(p.commune_a, YEAR, cset, 12, acting_user=p.province_office)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office)
    with pytest.raises(Locked, match="đã được duyệt"):
        record_count(p.commune_a, YEAR, cset, 13, acting_user=p.province_office)
    assert CountRecord.objects.get().met == 12


# ---------------------------------------------------------------------------- the import


def _list(tmp_path: Path, *rows: str, head: str = "Tên xã,Số tiêu chí đạt") -> Path:
    path = tmp_path / "danh-sach.csv"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def _communes(p: Personas) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=[p.commune_a.pk, p.commune_b.pk]))


def _import(p: Personas, cset: CriteriaSet, path: Path, user: Any = None) -> Any:
    return import_counts(
        path,
        cset,
        YEAR,
        _communes(p),
        acting_user=user or p.province_office,
        note="Báo cáo 12/BC-UBND",
        source_name="danh sách.csv",
    )


def test_a_list_is_imported_and_again_unchanged(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = _list(tmp_path, "an binh,14/19", "Xã Bình Minh,19")
    result = _import(p, cset, path)
    assert (result.units, result.created, result.changed, result.unchanged) == (2, 2, 0, 0)
    assert _held(p) == {str(p.commune_a.pk): (14, 19), str(p.commune_b.pk): (19, 19)}
    record = CountRecord.objects.get(unit=p.commune_a)
    assert record.note == "danh sách.csv: Báo cáo 12/BC-UBND"
    summary = AuditLog.objects.get(pk=result.audit_id)
    assert summary.after is not None and summary.after["units"] == 2
    assert AuditLog.objects.filter(action="values.import_counts").count() == 3
    again = _import(p, cset, path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["Xã Không Có,14/19"], "dòng 3, cột A “Tên xã”, giá trị “Xã Không Có”: không có xã nào"),
        (["An Bình,20/19"], "dòng 3, cột B “Số tiêu chí đạt”, giá trị “20/19”: 20 tiêu chí đạt"),
        (["An Bình,20"], "20 tiêu chí đạt nhiều hơn 19 tiêu chí của bộ"),
        (["An Bình,14/17"], "bộ tiêu chí có 19 tiêu chí, dòng này ghi 17"),
        (["An Bình,-3"], "số tiêu chí đạt không thể âm"),
        (["An Bình,đạt"], "số tiêu chí đạt phải là số nguyên từ 0 đến 19"),
        (
            ["An Bình,14", "an binh,15"],
            "dòng 4, cột A “Tên xã”, giá trị “an binh”: xã này đã có ở dòng 3",
        ),
    ],
)
def test_bad_input_to_the_import_is_listed_and_nothing_written(
    p: Personas, cset: CriteriaSet, tmp_path: Path, rows: list[str], message: str
) -> None:
    path = _list(tmp_path, "Bình Minh,12", *rows)
    with pytest.raises(InputError) as exc:
        _import(p, cset, path)
    assert message in exc.value.message("vi")
    assert "Tệp danh sách.csv không dùng được" in exc.value.message("vi")
    _nothing_written()


def test_an_empty_list_is_refused(p: Personas, cset: CriteriaSet, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="tệp không có dòng xã nào"):
        _import(p, cset, _list(tmp_path))
    _nothing_written()


def test_a_commune_outside_the_users_scope_and_a_locked_period(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = _list(tmp_path, "An Bình,12", "Bình Minh,12")
    with pytest.raises(InputError) as exc:
        _import(p, cset, path, user=p.officer_a)
    (problem,) = exc.value.problems
    assert problem.text("vi") == (
        "trang “danh sách.csv”, dòng 3, cột A “Tên xã”, giá trị “Bình Minh”: xã này ngoài phạm vi "
        "của bạn: bạn không được nhập số liệu cho xã này"
    )
    _nothing_written()
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office)
    before = AuditLog.objects.count()
    with pytest.raises(InputError) as exc:
        _import(p, cset, path)
    (problem,) = exc.value.problems
    assert "dòng 2" in problem.text("vi") and "đã được duyệt" in problem.text("vi")
    assert "approved" in problem.text("en")
    assert not CountRecord.objects.exists() and AuditLog.objects.count() == before


def test_the_command(p: Personas, tmp_path: Path, capsys: Any) -> None:
    path = _list(tmp_path, "99001,14/19", head="Mã xã,Số tiêu chí đạt")
    args = ["values", "import-counts", str(path), "--set", SET, "--year", str(YEAR)]
    call_command(*args, "--province", "99", "--user", "province_office")
    assert "Đã nhập số tiêu chí đạt của 1 xã: 1 mới" in capsys.readouterr().out
    assert CountRecord.objects.get().met == 14
    bad = _list(tmp_path, "99001,25", head="Mã xã,Số tiêu chí đạt")
    with pytest.raises(CommandError, match="25 tiêu chí đạt nhiều hơn 19"):
        call_command(*args[:2], str(bad), *args[3:], "--province", "99", "--user", "officer_a")
    with pytest.raises(CommandError):
        call_command(*args, "--province", "Không Có", "--user", "officer_a")
    assert CountRecord.objects.get().met == 14
