"""A district's own criteria (QĐ 320/QĐ-TTg Phụ lục I), recorded by the province office for the
QĐ 18/2022 district rule: through the service, with an audit row, and by nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from ntm.accounts.testing import PERSONAS, PersonaName, Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.units.models import Unit, UnitKind
from ntm.values.models import Declaration, DeclarationVersion
from ntm.values.services import NotAllowed, ValuesError, declare_district_statuses

pytestmark = pytest.mark.django_db

DISTRICT_SET = "vn-ntm-huyen-2021-2025"


@pytest.fixture
def district(personas: Personas) -> Unit:
    return make_unit("Huyện Thử", UnitKind.DISTRICT, "998", personas.province)


def test_the_province_office_records_a_district_criterion(
    personas: Personas, district: Unit
) -> None:
    cset = load_set(DISTRICT_SET)
    office = personas.province_office
    changed = declare_district_statuses(
        district, 2023, cset, {6: "not_met", 7: "met", 8: ""}, acting_user=office
    )
    assert changed == 2
    decl = Declaration.objects.get(unit=district, criterion=6)
    assert (decl.unit_id, decl.period, decl.set_id, decl.criterion, decl.status) == (
        district.pk,
        2023,
        DISTRICT_SET,
        6,
        "not_met",
    )
    assert not Declaration.objects.filter(criterion=8).exists()  # a blank with nothing to clear
    audit = AuditLog.objects.filter(action="values.declare_district").get(after__criterion=6)
    assert audit.acting_user_id == office.pk
    before, after = audit.before or {}, audit.after or {}
    assert before.get("status") == "" and after.get("status") == "not_met"
    assert after.get("unit") == district.pk and after.get("set") == DISTRICT_SET
    # The same status again changes nothing; a withdrawal is a new version.
    assert declare_district_statuses(district, 2023, cset, {6: "not_met"}, acting_user=office) == 0
    declare_district_statuses(district, 2023, cset, {6: ""}, acting_user=office)
    assert AuditLog.objects.filter(action="values.declare_district").count() == 3
    assert list(
        DeclarationVersion.objects.filter(declaration=decl).values_list("status", flat=True)
    ) == ["not_met", ""]


@pytest.mark.parametrize(
    ("unit", "year", "set_id", "criterion", "status", "message"),
    [
        ("commune", 2023, DISTRICT_SET, 6, "met", "chỉ được ghi nhận cho huyện"),
        ("district", 2021, DISTRICT_SET, 6, "met", "Huyện không tồn tại trong năm 2021"),
        ("district", 2023, "vn-ntm-xa-2021-2025", 6, "met", "không phải bộ tiêu chí huyện"),
        ("district", 2026, DISTRICT_SET, 6, "met", "không phải bộ tiêu chí huyện năm 2026"),
        ("district", 2023, DISTRICT_SET, 10, "met", "không có tiêu chí 10"),
        ("district", 2023, DISTRICT_SET, 6, "passed", "Trạng thái không hợp lệ: passed"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    personas: Personas,
    unit: str,
    year: int,
    set_id: str,
    criterion: int,
    status: str,
    message: str,
) -> None:
    district = make_unit(
        "Huyện Thử", UnitKind.DISTRICT, "998", personas.province, start=dt.date(2022, 1, 1)
    )
    target = personas.commune_a if unit == "commune" else district
    with translation.override("vi"), pytest.raises(ValuesError, match=message):
        declare_district_statuses(
            target,
            year,
            load_set(set_id),
            {1: "met", criterion: status},
            acting_user=personas.province_office,
        )
    assert not Declaration.objects.exists()
    assert not AuditLog.objects.filter(action="values.declare_district").exists()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_who_may_record_a_district_criterion(
    personas: Personas, district: Unit, persona: PersonaName
) -> None:
    user = personas.user(persona)
    assert user is not None
    cset = load_set(DISTRICT_SET)
    if persona == "province_office":
        declare_district_statuses(district, 2023, cset, {9: "met"}, acting_user=user)
        assert Declaration.objects.get(unit=district).status == "met"
        return
    with pytest.raises(NotAllowed):
        declare_district_statuses(district, 2023, cset, {9: "met"}, acting_user=user)
    assert not Declaration.objects.exists()
