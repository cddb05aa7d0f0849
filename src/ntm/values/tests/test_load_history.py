"""`load_history`: a past record with each entry's effective moment, loaded in one go."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.values.models import Declaration, Stage, State, Submission, Value
from ntm.values.services import (
    Entry,
    HistoryRefused,
    PastApproval,
    PastDeclaration,
    PastValue,
    load_history,
    save_value,
)

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"  # criterion 10; threshold 45 in the national column for 2020
ROADS = "transport_village_roads_share"
REASON = "Nạp số liệu năm 2020 từ sổ theo dõi"


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(17)))


MID = dt.date(YEAR, 6, 30)
END = dt.date(YEAR, 12, 31)
APPROVED = dt.date(YEAR + 1, 1, 20)


def _record(p: Personas) -> dict[str, Any]:
    a = p.commune_a
    return {
        "values": [
            PastValue(a, INCOME, YEAR, Entry(value=40.0), at(MID)),
            PastValue(a, INCOME, YEAR, Entry(value=50.0), at(END)),
            PastValue(a, ROADS, YEAR, Entry(numerator=8.0, denominator=10.0), at(MID)),
            # the same entry again: no change, so no new version and no audit row
            PastValue(a, ROADS, YEAR, Entry(numerator=8.0, denominator=10.0), at(END)),
        ],
        "declarations": [PastDeclaration(a, YEAR, SET, 1, "met", at(END))],
        "approvals": [PastApproval(a, YEAR, SET, at(APPROVED))],
    }


def _counts() -> tuple[int, int, int, int]:
    return (
        Value.objects.count(),
        Declaration.objects.count(),
        Submission.objects.count(),
        AuditLog.objects.count(),
    )


def test_a_good_load_writes_rows_with_their_history(personas: Personas, cset: Any) -> None:
    p = personas
    result = load_history([cset], **_record(p), reason=REASON, acting_user=p.province_office)
    assert (result.values, result.declarations, result.approvals) == (2, 1, 1)
    # income: 2 versions x 2 stages; roads: 1 x 2; a declaration, an approval, the summary
    assert result.audit_rows == 4 + 2 + 1 + 1 + 1

    income = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
    for stage in ("claimed", "verified"):
        assert income.entry(stage)["value"] == 50.0
        assert income.version(stage) == 2
        assert getattr(income, f"{stage}_at") == at(END)
        assert getattr(income, f"{stage}_by") == p.province_office
    roads = Value.objects.get(unit=p.commune_a, measure=ROADS, period=YEAR)
    assert (roads.claimed_numerator, roads.claimed_denominator, roads.claimed_version) == (
        8.0,
        10.0,
        1,
    )
    decl = Declaration.objects.get(unit=p.commune_a, period=YEAR, set_id=SET, criterion=1)
    assert (decl.status, decl.version, decl.declared_at) == ("met", 1, at(END))
    sub = Submission.objects.get(unit=p.commune_a, period=YEAR, set_id=SET)
    assert (sub.state, sub.changed_at) == (State.APPROVED, at(APPROVED))


def test_the_audit_rows_carry_before_after_and_the_moment(personas: Personas, cset: Any) -> None:
    p = personas
    result = load_history([cset], **_record(p), reason=REASON, actor="cli:tinh")
    income = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
    rows = list(
        AuditLog.objects.filter(
            action="values.import", object_id=str(income.pk), after__stage="claimed"
        ).order_by("id")
    )
    where = {"unit": p.commune_a.pk, "measure": INCOME, "period": YEAR}
    empty = {"numerator": None, "denominator": None, "not_applicable": False}
    assert [(r.before, r.after) for r in rows] == [
        (
            None,
            {
                "stage": "claimed",
                "value": 40.0,
                **empty,
                "version": 1,
                **where,
                "at": at(MID).isoformat(),
            },
        ),
        (
            {"stage": "claimed", "value": 40.0, **empty, "version": 1},
            {
                "stage": "claimed",
                "value": 50.0,
                **empty,
                "version": 2,
                **where,
                "at": at(END).isoformat(),
            },
        ),
    ]
    assert all(r.actor == "cli:tinh" and r.reason == REASON for r in rows)
    assert AuditLog.objects.filter(action="values.import", object_type="values.value").count() == 6

    decl = AuditLog.objects.get(action="values.declare")
    state = {"unit": p.commune_a.pk, "period": YEAR, "set": SET, "criterion": 1}
    assert decl.before == {**state, "status": ""}
    assert decl.after == {**state, "status": "met", "at": at(END).isoformat()}
    approval = AuditLog.objects.get(action="values.approve")
    where = {"unit": p.commune_a.pk, "period": YEAR, "set": SET}
    assert approval.before == {**where, "state": "draft"}
    assert approval.after == {**where, "state": "approved", "at": at(APPROVED).isoformat()}

    summary = AuditLog.objects.get(pk=result.audit_id)
    assert (summary.action, summary.object_type, summary.actor) == (
        "values.load_history",
        "values.history",
        "cli:tinh",
    )
    assert summary.after == {
        "values": 2,
        "declarations": 1,
        "approvals": 1,
        "units": 1,
        "periods": [YEAR],
        "sets": [SET],
        "stages": ["claimed", "verified"],
    }


def test_a_period_holding_values_is_refused_and_nothing_written(
    personas: Personas, cset: Any
) -> None:
    p = personas
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=45.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    counts = _counts()
    good_b = PastValue(p.commune_b, INCOME, YEAR, Entry(value=50.0), at(END))
    record = _record(p)
    with pytest.raises(HistoryRefused) as refused:
        load_history([cset], [*record["values"], good_b], reason=REASON, actor="test")
    assert refused.value.problems == [
        "Xã An Bình (99001) năm 2020 đã có số liệu: lịch sử chỉ được nạp vào năm còn trống. "
        "(This unit and period already hold values.)"
    ]
    assert "chưa ghi gì" in str(refused.value)
    assert _counts() == counts


def test_bad_input_is_refused_with_every_problem(personas: Personas, cset: Any) -> None:
    p = personas
    a, b = p.commune_a, p.commune_b
    counts = _counts()
    bad = [
        PastValue(a, "households_permanent_housing_share", YEAR, Entry(value=1.0), at(END)),
        PastValue(a, "no_such_measure", YEAR, Entry(value=1.0), at(END)),
        PastValue(a, ROADS, YEAR, Entry(numerator=12.0, denominator=10.0), at(END)),
        PastValue(a, INCOME, 2019, Entry(value=30.0), at(END)),  # before the commune existed
        PastValue(b, INCOME, YEAR, Entry(value=50.0), dt.datetime(2020, 12, 31)),
        PastValue(b, ROADS, YEAR, Entry(numerator=1.0, denominator=2.0), at(MID)),
        PastValue(b, ROADS, YEAR, Entry(numerator=2.0, denominator=2.0), at(MID)),
        PastValue(b, "rural_market", YEAR, Entry(value=1.0), at(END)),
    ]
    declarations = [
        PastDeclaration(a, YEAR, SET, 99, "met", at(END)),
        PastDeclaration(a, YEAR, "vn-ntm-xa-2021-2025", 1, "met", at(END)),
    ]
    approvals = [PastApproval(b, YEAR, SET, dt.datetime(2020, 12, 1, tzinfo=dt.UTC))]
    with pytest.raises(HistoryRefused) as refused:
        load_history([cset], bad, declarations, approvals, reason=REASON, actor="test")
    problems = refused.value.problems
    expected = [
        "households_permanent_housing_share, năm 2020: bộ tiêu chí của năm này "
        "(vn-ntm-xa-2016-2020) không đọc chỉ tiêu này.",
        "không có mã đo lường “no_such_measure”",
        "Tử số lớn hơn mẫu số (12 > 10)",
        "Xã An Bình (99001) năm 2019: Xã không tồn tại trong năm 2019.",
        "thiếu múi giờ",
        "Xã Bình Minh (99002), transport_village_roads_share, năm 2020: hai giá trị khác nhau "
        "cùng lúc 17:00 30/06/2020.",
        "tiêu chí 99, năm 2020, bộ vn-ntm-xa-2016-2020: bộ tiêu chí không có tiêu chí này.",
        "bộ vn-ntm-xa-2021-2025: bộ tiêu chí không có trong lần nạp.",
        "Xã Bình Minh (99002), năm 2020, bộ vn-ntm-xa-2016-2020: rural_market thay đổi sau khi "
        "được duyệt lúc",
    ]
    for text in expected:
        assert sum(text in problem for problem in problems) == 1, text
    assert len(problems) == len(expected)
    assert _counts() == counts


def test_an_acting_user_must_approve_for_every_unit(personas: Personas, cset: Any) -> None:
    p = personas
    counts = _counts()
    with pytest.raises(HistoryRefused) as refused:
        load_history([cset], **_record(p), reason=REASON, acting_user=p.officer_a)
    assert refused.value.problems == [
        "Xã An Bình (99001): bạn không có quyền duyệt số liệu của đơn vị này. (Not allowed.)"
    ]
    assert _counts() == counts
