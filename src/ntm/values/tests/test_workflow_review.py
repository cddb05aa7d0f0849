"""The review workflow of issue 13: the appraiser returns with a reason, completeness shown
before submit and approve (confirmation recorded), the province's rule requiring
completeness, notifications written by the acts, and marking them read."""

from __future__ import annotations

from typing import Any

import pytest

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.evaluation.completeness import Completeness
from ntm.values.models import Notification, State, Submission, WorkflowRule
from ntm.values.services import (
    NeedsConfirmation,
    NotAllowed,
    ValuesError,
    add_comment,
    approve,
    mark_read,
    reopen,
    return_submission,
    set_require_complete,
    submit,
)
from ntm.values.testing import INCOME, YEAR

pytestmark = pytest.mark.django_db

GAPS = Completeness(total=19, computed=1, declared=0, missing_data=16, missing_threshold=2)
FULL = Completeness(total=19, computed=18, declared=1, missing_data=0, missing_threshold=0)


def _after(action: str) -> dict[str, Any]:
    after = AuditLog.objects.get(action=action).after
    assert isinstance(after, dict)
    return after


def _submitted(p: Personas, cset: Any) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a, completeness=FULL)


def test_the_appraiser_returns_with_a_reason_and_the_officers_are_told(
    p: Personas, cset: Any
) -> None:
    _submitted(p, cset)
    sub = return_submission(
        p.commune_a, YEAR, cset, reason="Thiếu biên bản kiểm tra", acting_user=p.appraiser
    )
    assert (sub.state, sub.reason) == (State.RETURNED, "Thiếu biên bản kiểm tra")
    audit = AuditLog.objects.get(action="values.return")
    assert audit.acting_user == p.appraiser and _after("values.return")["role"] == "appraiser"
    note = Notification.objects.get()
    assert (note.user, note.kind, note.unit, note.period, note.set_id) == (
        p.officer_a,
        "returned",
        p.commune_a,
        YEAR,
        cset.id,
    )
    assert note.text == "Thiếu biên bản kiểm tra" and note.audit == audit and note.read_at is None


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "central_viewer", "administrator"])
def test_others_may_not_return_and_nothing_is_written(p: Personas, cset: Any, who: str) -> None:
    _submitted(p, cset)
    with pytest.raises(NotAllowed):
        return_submission(p.commune_a, YEAR, cset, reason="x", acting_user=getattr(p, who))
    assert Submission.objects.get().state == State.SUBMITTED
    assert not AuditLog.objects.filter(action="values.return").exists()
    assert not Notification.objects.exists()


def test_the_appraiser_may_not_approve_or_reopen(p: Personas, cset: Any) -> None:
    _submitted(p, cset)
    with pytest.raises(NotAllowed):
        approve(p.commune_a, YEAR, cset, acting_user=p.appraiser, completeness=FULL)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=FULL)
    with pytest.raises(NotAllowed):
        reopen(p.commune_a, YEAR, cset, reason="x", acting_user=p.appraiser)


def test_a_gap_needs_confirmation_and_the_audit_keeps_it(p: Personas, cset: Any) -> None:
    with pytest.raises(NeedsConfirmation, match="16 trên 19 tiêu chí thiếu số liệu và 2"):
        submit(p.commune_a, YEAR, cset, acting_user=p.officer_a, completeness=GAPS)
    assert not Submission.objects.exists()
    assert not AuditLog.objects.filter(object_type="values.submission").exists()
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a, completeness=GAPS, confirmed=True)
    after = _after("values.submit")
    assert after["completeness"] == GAPS.as_record() and after["confirmed_with_gaps"] is True
    assert after["role"] == "commune_officer"
    with pytest.raises(NeedsConfirmation):
        approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=GAPS)
    assert Submission.objects.get().state == State.SUBMITTED
    approve(
        p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=GAPS, confirmed=True
    )
    after = _after("values.approve")
    assert after["confirmed_with_gaps"] is True and after["role"] == "province_office"


def test_a_complete_period_goes_through_unconfirmed(p: Personas, cset: Any) -> None:
    _submitted(p, cset)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=FULL)
    after = _after("values.approve")
    assert after["confirmed_with_gaps"] is False
    note = Notification.objects.get()
    assert (note.user, note.kind) == (p.officer_a, "approved")


def test_the_province_rule_refuses_approval_with_gaps(p: Personas, cset: Any) -> None:
    _submitted(p, cset)
    set_require_complete(p.province, True, acting_user=p.province_office)
    refusals = (
        (GAPS, "Tỉnh yêu cầu đầy đủ mọi tiêu chí trước khi duyệt: 16 trên 19"),
        (None, "chưa đọc được mức đầy đủ"),
    )
    for shown, message in refusals:
        with pytest.raises(ValuesError, match=message):
            approve(
                p.commune_a,
                YEAR,
                cset,
                acting_user=p.province_office,
                completeness=shown,
                confirmed=True,
            )
    assert Submission.objects.get().state == State.SUBMITTED
    assert not AuditLog.objects.filter(action="values.approve").exists()
    assert not Notification.objects.exists()
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=FULL)
    assert Submission.objects.get().state == State.APPROVED


def test_the_rule_in_english(p: Personas, cset: Any) -> None:
    from django.utils import translation

    _submitted(p, cset)
    set_require_complete(p.province, True, acting_user=p.province_office)
    with (
        translation.override("en"),
        pytest.raises(ValuesError, match="The province requires every criterion complete"),
    ):
        approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=GAPS)


def test_the_rule_is_the_province_offices_and_audited(p: Personas) -> None:
    for who in ("officer_a", "appraiser", "central_viewer", "administrator"):
        with pytest.raises(NotAllowed):
            set_require_complete(p.province, True, acting_user=getattr(p, who))
    assert not WorkflowRule.objects.exists()
    assert not AuditLog.objects.filter(action="values.set_require_complete").exists()
    rule = set_require_complete(p.province, True, acting_user=p.province_office)
    assert rule.require_complete and rule.changed_by == p.province_office
    set_require_complete(p.province, False, acting_user=p.province_office)
    rows = AuditLog.objects.filter(action="values.set_require_complete").order_by("id")
    changes = [(r.before or {}, r.after or {}) for r in rows]
    assert [(b["require_complete"], a["require_complete"]) for b, a in changes] == [
        (False, True),
        (True, False),
    ]


def test_reopen_and_comments_notify_the_officers_not_the_author(p: Personas, cset: Any) -> None:
    _submitted(p, cset)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=FULL)
    reopen(p.commune_a, YEAR, cset, reason="Sai số thu nhập", acting_user=p.province_office)
    add_comment(p.commune_a, INCOME, YEAR, "Xem lại mẫu số", acting_user=p.appraiser)
    add_comment(p.commune_a, INCOME, YEAR, "Đã xem lại", acting_user=p.officer_a)
    kinds = list(Notification.objects.order_by("id").values_list("user__username", "kind", "text"))
    assert kinds == [
        ("officer_a", "approved", ""),
        ("officer_a", "reopened", "Sai số thu nhập"),
        ("officer_a", "comment", "Xem lại mẫu số"),
    ]
    assert not Notification.objects.filter(user=p.officer_b).exists()


def test_mark_read_touches_only_ones_own(p: Personas, cset: Any) -> None:
    _submitted(p, cset)
    return_submission(p.commune_a, YEAR, cset, reason="Thiếu", acting_user=p.appraiser)
    mine = Notification.objects.get()
    assert mark_read([mine.pk], acting_user=p.officer_b) == 0
    assert not AuditLog.objects.filter(action="values.notifications_read").exists()
    assert mark_read(None, acting_user=p.officer_a) == 1
    mine.refresh_from_db()
    assert mine.read_at is not None
    audit = AuditLog.objects.get(action="values.notifications_read")
    assert audit.after == {"notifications": [mine.pk]} and audit.acting_user == p.officer_a
    assert mark_read(None, acting_user=p.officer_a) == 0


def test_the_state_is_refused_before_the_gaps(p: Personas, cset: Any) -> None:
    with pytest.raises(ValuesError, match="trạng thái “Đang soạn”"):
        approve(p.commune_a, YEAR, cset, acting_user=p.province_office, completeness=GAPS)
    assert not Submission.objects.exists()
    assert not AuditLog.objects.filter(object_type="values.submission").exists()
