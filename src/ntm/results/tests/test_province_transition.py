"""A province's own transition rule: in Tỉnh Thử Nghiệm, by its decision, the 2021–2025 set
takes effect on 01/01/2023 instead of 08/03/2022. Its 2022 is judged by 2016–2020, its 2023 by
2021–2025; every other province keeps the national rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from ntm.accounts.testing import Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.decisions.models import Decision, SetDecision
from ntm.decisions.services import Basis, DecisionError, NotAllowed, record_transition
from ntm.exchange.workbook import InputError
from ntm.results.commune import commune_view
from ntm.results.province import province_overview
from ntm.results.sets import choose_set, province_sets, set_read_by
from ntm.units.models import UnitKind
from ntm.values.services.imports import import_values
from ntm.values.tests.test_import import INCOME, write_csv

pytestmark = pytest.mark.django_db

OLD, NEW = "vn-ntm-xa-2016-2020", "vn-ntm-xa-2021-2025"
DAY = dt.date(2023, 1, 1)
BASIS = Basis("TEST-11/QĐ-UBND", dt.date(2022, 2, 20), "UBND tỉnh Thử Nghiệm (TEST)")


def _rule(p: Personas, day: dt.date | None = DAY, set_id: str = OLD) -> None:
    record_transition(p.province, set_id, BASIS, day, acting_user=p.province_office)


def test_the_province_reads_each_side_of_its_own_date(p: Personas) -> None:
    other = make_unit("Tỉnh Khác", UnitKind.PROVINCE, "98")
    assert province_overview(p.province, period=2022).cset.id == NEW  # national: 08/03/2022
    _rule(p)
    before = province_overview(p.province, period=2022)
    assert before.cset.id == OLD and before.cset.effective_to == dt.date(2022, 12, 31)
    offered = [s.id for s in before.sets]
    assert offered[0] == OLD and NEW in offered  # both offered, the one in force first
    assert province_overview(p.province, period=2023).cset.id == NEW
    assert commune_view(p.commune_a, period=2022).cset.id == OLD
    assert commune_view(p.commune_a, period=2023).cset.id == NEW
    # The other province, and the national choice, keep the national rule.
    assert province_overview(other, period=2022).cset.id == NEW
    assert choose_set(2022).id == NEW  # type: ignore[union-attr]


def test_the_rule_is_versioned_and_audited(p: Personas) -> None:
    _rule(p)
    _rule(p)  # the same again: nothing new
    _rule(p, dt.date(2022, 6, 1))
    rows = SetDecision.objects.order_by("version")
    assert [(r.version, r.successor_from) for r in rows] == [(1, DAY), (2, dt.date(2022, 6, 1))]
    assert AuditLog.objects.filter(action="decisions.transition").count() == 2
    (old,) = [s for s in province_sets(p.province) if s.id == OLD]
    assert old.succeeded_by is not None
    assert old.succeeded_by.effective_from == dt.date(2022, 6, 1)
    assert old.succeeded_by.note == "TEST-11/QĐ-UBND (20/02/2022)"
    assert province_overview(p.province, period=2022).cset.id == NEW  # 31/12/2022 is after


@pytest.mark.parametrize(
    ("set_id", "day", "message"),
    [
        (NEW.replace("2021", "2099"), DAY, "không có bộ kế tiếp của trung ương"),
        ("vn-ntm-xa-2026-2030", DAY, "không có bộ kế tiếp của trung ương"),
        (OLD, None, "Cần ngày bộ tiêu chí kế tiếp có hiệu lực tại tỉnh."),
        (OLD, dt.date(2022, 3, 7), "trước ngày áp dụng trên toàn quốc (08/03/2022)"),
        (OLD, dt.date(2026, 1, 1), "Giai đoạn của bộ tiêu chí kế tiếp kết thúc năm 2025."),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_written(
    p: Personas, set_id: str, day: dt.date | None, message: str
) -> None:
    with pytest.raises(DecisionError) as refused:
        _rule(p, day, set_id)
    assert any(message in problem for problem in refused.value.problems)
    assert not SetDecision.objects.exists() and not Decision.objects.exists()


def test_a_rule_without_its_legal_basis_is_refused(p: Personas) -> None:
    with pytest.raises(DecisionError) as refused:
        record_transition(p.province, OLD, Basis("", None, ""), DAY, acting_user=p.province_office)
    assert len(refused.value.problems) == 3
    assert not SetDecision.objects.exists()


@pytest.mark.parametrize("persona", ["officer_a", "appraiser", "central_viewer", "administrator"])
def test_only_the_province_office_records_a_rule(p: Personas, persona: str) -> None:
    with pytest.raises(NotAllowed):
        record_transition(p.province, OLD, BASIS, DAY, acting_user=getattr(p, persona))
    assert not SetDecision.objects.exists()


def test_the_entry_grid_follows_the_rule(p: Personas, client: Client) -> None:
    p.login(client, "officer_a")
    url = f"/values/commune/{p.commune_a.pk}/{OLD}/2023/"
    assert client.get(url).status_code == 404  # nationally, 2016–2020 judges up to 2022
    _rule(p, dt.date(2023, 7, 1))
    assert client.get(url).status_code == 200  # in the province, 2023 too
    choose = client.get(f"/values/commune/{p.commune_a.pk}/").content.decode()
    assert f"/values/commune/{p.commune_a.pk}/{OLD}/2023/" in choose
    assert choose_set(2023).id == NEW  # type: ignore[union-attr]
    assert province_overview(p.province, period=2023).cset.id == NEW  # 31/12/2023: the new


def test_the_import_follows_the_rule(p: Personas, tmp_path: Path) -> None:
    _rule(p, dt.date(2023, 7, 1))
    path = write_csv(tmp_path / "xa.csv", load_set(OLD), [{"unit": "99001", INCOME: "41,5"}])
    with pytest.raises(InputError, match="năm 2023 nằm ngoài"):
        import_values(path, set_read_by(p.central_viewer, OLD), 2023, acting_user=p.officer_a)
    done = import_values(path, set_read_by(p.officer_a, OLD), 2023, acting_user=p.officer_a)
    assert done.changed == 1
