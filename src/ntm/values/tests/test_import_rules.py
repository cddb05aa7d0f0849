"""What an import means: a blank cell is "no data" in the import as in `ntm evaluate`; who may
import for which commune; problems placed in the file the user sent."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.accounts.testing import ACTOR, UNITS_START, Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import evaluate
from ntm.exchange.workbook import InputError, UnitInfo, read_input, template_columns
from ntm.units.models import UnitKind
from ntm.values.models import Stage, Value
from ntm.values.services import Entry, save_value
from ntm.values.services.imports import import_values
from ntm.values.tests.stored import stored_results as results_for
from ntm.values.tests.test_import import INCOME, WATER, YEAR, write_csv

pytestmark = pytest.mark.django_db


def _save(p: Personas, measure: str, entry: Entry) -> None:
    save_value(
        p.commune_a,
        measure,
        YEAR,
        entry,
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )


def test_a_blank_cell_clears_the_stored_value_and_is_counted(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    _save(p, INCOME, Entry(value=40.0))
    _save(p, WATER, Entry(numerator=90, denominator=120))
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "40"}])
    result = import_values(path, cset, YEAR, acting_user=p.officer_a)
    measures = {c.field for c in template_columns(cset) if c.kind}
    assert (result.values, result.unchanged, result.changed) == (1, 1, 0)
    assert (result.blank, result.cleared) == (len(measures) - 1, 1)
    water = Value.objects.get(measure=WATER)
    assert water.entry(Stage.CLAIMED)["numerator"] is None and water.claimed_version == 2
    row = AuditLog.objects.filter(object_type="values.value", object_id=str(water.pk)).latest("id")
    assert row.action == "values.import" and row.after is not None
    assert row.after["numerator"] is None and row.before["numerator"] == 90  # type: ignore[index]
    # No row is created for a blank cell that had nothing stored.
    assert set(Value.objects.values_list("measure", flat=True)) == {INCOME, WATER}


def test_the_import_and_evaluate_give_the_same_answer_for_one_file(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    _save(p, WATER, Entry(numerator=120, denominator=120))  # stored, then left blank in the file
    path = write_csv(
        tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "47,5", "rural_market": "Đạt"}]
    )
    import_values(path, cset, YEAR, acting_user=p.officer_a)
    unit = p.commune_a
    units, values = read_input(
        path,
        cset,
        year=YEAR,
        unit_lookup=lambda code: UnitInfo(code=code, province="99", region=unit.region),
    )

    def statuses(frame: pl.DataFrame) -> dict[int, str]:
        return dict(zip(frame["criterion"].to_list(), frame["status"].to_list(), strict=True))

    stored = statuses(results_for(unit, YEAR, cset).criteria)
    from_file = statuses(evaluate(cset, units, values).criteria)
    assert stored == from_file
    assert stored[10] == "met" and stored[7] == "met"
    # The stored water share was cleared by the blank cells, as `evaluate` reads them.
    assert Value.objects.get(measure=WATER).claimed_numerator is None


def test_the_province_office_imports_for_every_commune_of_its_province(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "tinh.csv",
        cset,
        [{"unit": "99001", INCOME: "40"}, {"unit": "99002", INCOME: "1"}],
    )
    result = import_values(path, cset, YEAR, acting_user=p.province_office)
    assert (result.units, result.changed) == (2, 2)
    assert set(Value.objects.values_list("claimed_value", flat=True)) == {1.0, 40.0}


def test_outside_the_scope_is_not_an_unknown_code(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    make_unit("Xã Ngoài", UnitKind.COMMUNE, "98001", other)
    path = write_csv(
        tmp_path / "tinh.csv",
        cset,
        [
            {"unit": "99001", INCOME: "40"},
            {"unit": "98001", INCOME: "40"},
            {"unit": "97001", INCOME: "40"},
            {"unit": "99002", INCOME: "bốn"},
        ],
    )
    with pytest.raises(InputError) as exc:
        import_values(path, cset, YEAR, acting_user=p.province_office, source_name="cua-toi.csv")
    problems = [str(x) for x in exc.value.problems]
    assert problems[0] == (
        "trang “cua-toi.csv”, dòng 3, cột A “Mã xã”, giá trị “98001”: xã này ngoài phạm vi của "
        "bạn: bạn không được nhập số liệu cho xã này"
    )
    assert "dòng 4" in problems[1] and "không có xã mang mã này" in problems[1]
    # The file's real errors are not hidden behind the scope problem.
    assert "dòng 5" in problems[2] and "ô số chứa chữ" in problems[2]
    assert "Tệp cua-toi.csv không dùng được" in str(exc.value)
    assert "tinh.csv" not in str(exc.value)
    assert not Value.objects.exists()


def test_a_commune_officer_imports_for_its_commune_only(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99002", INCOME: "40"}])
    with pytest.raises(InputError, match="xã này ngoài phạm vi của bạn"):
        import_values(path, cset, YEAR, acting_user=p.officer_a)
    for user in (p.central_viewer, p.administrator):
        with pytest.raises(InputError, match="xã này ngoài phạm vi của bạn"):
            import_values(path, cset, YEAR, acting_user=user)
    # The appraiser imports verified entries, not the commune's claims.
    with pytest.raises(InputError, match="xã này ngoài phạm vi của bạn"):
        import_values(path, cset, YEAR, acting_user=p.appraiser, stage="claimed")
    assert not Value.objects.exists()


def test_a_second_officer_of_another_province_is_outside(
    p: Personas, cset: CriteriaSet, tmp_path: Path
) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    office = create_user(
        "vanphong_khac",
        password=None,
        role=Role.PROVINCE_OFFICE,
        unit=other,
        full_name="Văn phòng tỉnh khác",
        valid_from=UNITS_START,
        actor=ACTOR,
    )
    path = write_csv(tmp_path / "xa.csv", cset, [{"unit": "99001", INCOME: "40"}])
    with pytest.raises(InputError, match="xã này ngoài phạm vi của bạn"):
        import_values(path, cset, YEAR, acting_user=office)
    assert not Value.objects.exists()
