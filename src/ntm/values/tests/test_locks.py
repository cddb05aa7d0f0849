"""Approved means unchanged: every write that depends on a period's state decides under the
locks of that state (`services.lock_periods`), so a submit or an approval and a save or an
import never both act on what the other was about to change.

On PostgreSQL, with real concurrent connections: a deterministic version, in which one side
stops while it holds its locks (just after writing its audit row) and the other side runs
(saves, imports, declarations, comments and evidence against submits and approvals), and a
repeated natural race. SQLite serialises writers, so there the same conflicts are
tested one after the other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from pytest_django.fixtures import Settings as SettingsWrapper

from ntm.accounts.testing import Personas, make_personas
from ntm.audit import services as audit_services
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.exchange.workbook import InputError
from ntm.values import record as values_record
from ntm.values import services
from ntm.values.models import Comment, Declaration, Evidence, Stage, State, Submission, Value
from ntm.values.services import Entry, Locked, approve, imports, reopen, save_value, submit
from ntm.values.services.imports import import_values
from ntm.values.tests.test_import import INCOME, SET, YEAR, write_csv

CSET = load_set(SET)
postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers (one IMMEDIATE transaction at a time) and its shared-cache "
    "test database refuses a second writer; the sequential tests below cover it",
)


@pytest.fixture
def p(transactional_db: None) -> Personas:
    return make_personas()


def _save(p: Personas, stage: str, value: float) -> Value:
    user = p.officer_a if stage == Stage.CLAIMED else p.appraiser
    current = Value.objects.filter(unit=p.commune_a, measure=INCOME, period=YEAR).first()
    version = current.version(stage) if current else 0
    return save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=value),
        stage=stage,
        expected_version=version,
        acting_user=user,
    )


def _stored(p: Personas, stage: str) -> float | None:
    value = Value.objects.filter(unit=p.commune_a, measure=INCOME, period=YEAR).first()
    return None if value is None else value.entry(stage)["value"]


def _state(p: Personas) -> str:
    sub = Submission.objects.filter(unit=p.commune_a, period=YEAR, set_id=SET).first()
    return sub.state if sub else State.DRAFT


def _evidence(p: Personas, user: str = "appraiser") -> Evidence:
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban")
    return services.add_evidence(p.commune_a, INCOME, YEAR, upload, acting_user=getattr(p, user))


# What each write adds to a period, by the province office or the appraiser (the reviewers).
REVIEW_WRITES: dict[str, Callable[[Personas], Any]] = {
    "declaration": lambda p: services.declare_status(
        p.commune_a, YEAR, CSET, 10, "met", acting_user=p.province_office
    ),
    "comment": lambda p: services.add_comment(
        p.commune_a, INCOME, YEAR, "Sửa lại", acting_user=p.appraiser
    ),
    "evidence": _evidence,
}


def _added(p: Personas) -> tuple[int, int, int]:
    """Declarations, comments and evidence files of the commune's period."""
    return (
        Declaration.objects.filter(unit=p.commune_a, period=YEAR).exclude(status="").count(),
        Comment.objects.filter(value__unit=p.commune_a, value__period=YEAR).count(),
        Evidence.objects.filter(value__unit=p.commune_a, value__period=YEAR).count(),
    )


@pytest.fixture
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _submitted(p: Personas) -> None:
    _save(p, Stage.CLAIMED, 40.0)
    _save(p, Stage.VERIFIED, 40.0)
    submit(p.commune_a, YEAR, CSET, acting_user=p.officer_a)


# ------------------------------------------------------------------------- the harness


class Side(threading.Thread):
    """One side of a race, on its own database connection; keeps its result or error."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # the test reads it
            self.error = exc
        finally:
            connections.close_all()


@contextmanager
def held_after(monkeypatch: pytest.MonkeyPatch, action: str) -> Iterator[threading.Event]:
    """While inside, the service writing an audit row for `action` stops right after it —
    its transaction open, its locks held — until the block ends."""
    reached, release = threading.Event(), threading.Event()
    real = audit_services.record

    def record(**kwargs: Any) -> Any:
        row = real(**kwargs)
        if kwargs.get("action") == action and not reached.is_set():
            reached.set()
            release.wait(20)
        return row

    # The one writer of entries and states writes their audit rows; an import its summary.
    monkeypatch.setattr(values_record, "record", record)
    monkeypatch.setattr(imports, "record", record)
    try:
        yield reached
    finally:
        release.set()


def _waiting_on_a_lock(other: threading.Thread, seconds: float = 10.0) -> bool:
    """Whether another connection of this database waits for a row lock (polled until
    `other` ends or the time is up)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and other.is_alive():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def race_held(
    monkeypatch: pytest.MonkeyPatch,
    first: Callable[[], Any],
    action: str,
    second: Callable[[], Any],
) -> tuple[Side, Side, bool]:
    """Run `first` until it has written its `action` audit row, then `second`, then let
    `first` commit. Returns both sides and whether `second` had to wait for a lock."""
    with held_after(monkeypatch, action) as reached:
        one = Side(first)
        one.start()
        assert reached.wait(20), "the first side never reached its audit row"
        two = Side(second)
        two.start()
        waited = _waiting_on_a_lock(two)
    one.join(30)
    two.join(30)
    assert not one.is_alive() and not two.is_alive(), "a side never finished (deadlock?)"
    return one, two, waited


# ------------------------------------------------------------------------- deterministic


@postgres_only
def test_a_save_waits_for_an_approval_and_is_refused(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _submitted(p)
    one, two, waited = race_held(
        monkeypatch,
        lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
        "values.approve",
        lambda: _save(p, Stage.VERIFIED, 99.0),
    )
    assert one.error is None and waited
    assert isinstance(two.error, Locked) and "đã được duyệt" in str(two.error)
    assert _state(p) == State.APPROVED and _stored(p, Stage.VERIFIED) == 40.0


@postgres_only
def test_an_approval_waits_for_a_save_and_approves_what_was_saved(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _submitted(p)
    one, two, waited = race_held(
        monkeypatch,
        lambda: _save(p, Stage.VERIFIED, 41.0),
        "values.save_verified",
        lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
    )
    assert one.error is None and two.error is None and waited
    assert _state(p) == State.APPROVED and _stored(p, Stage.VERIFIED) == 41.0
    saved = AuditLog.objects.filter(action="values.save_verified").latest("id")
    approved = AuditLog.objects.get(action="values.approve")
    assert saved.created_at <= approved.created_at


@postgres_only
def test_a_claim_waits_for_a_submit_and_is_refused(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(p, Stage.CLAIMED, 40.0)
    one, two, waited = race_held(
        monkeypatch,
        lambda: submit(p.commune_a, YEAR, CSET, acting_user=p.officer_a),
        "values.submit",
        lambda: _save(p, Stage.CLAIMED, 99.0),
    )
    assert one.error is None and waited
    assert isinstance(two.error, Locked) and "đã gửi" in str(two.error)
    assert _state(p) == State.SUBMITTED and _stored(p, Stage.CLAIMED) == 40.0


@postgres_only
def test_a_submit_waits_for_a_claim_and_submits_what_was_saved(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save(p, Stage.CLAIMED, 40.0)
    one, two, waited = race_held(
        monkeypatch,
        lambda: _save(p, Stage.CLAIMED, 41.0),
        "values.save_claimed",
        lambda: submit(p.commune_a, YEAR, CSET, acting_user=p.officer_a),
    )
    assert one.error is None and two.error is None and waited
    assert _state(p) == State.SUBMITTED and _stored(p, Stage.CLAIMED) == 41.0
    saved = AuditLog.objects.filter(action="values.save_claimed").latest("id")
    assert saved.id < AuditLog.objects.get(action="values.submit").id


@postgres_only
@pytest.mark.parametrize("write", list(REVIEW_WRITES))
def test_a_declaration_comment_or_evidence_waits_for_an_approval_and_is_refused(
    p: Personas, monkeypatch: pytest.MonkeyPatch, media: Path, write: str
) -> None:
    _submitted(p)
    before = _added(p)
    one, two, waited = race_held(
        monkeypatch,
        lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
        "values.approve",
        lambda: REVIEW_WRITES[write](p),
    )
    assert one.error is None and waited
    assert isinstance(two.error, Locked) and "đã được duyệt" in str(two.error)
    assert _state(p) == State.APPROVED and _added(p) == before


@postgres_only
def test_an_import_waits_for_an_approval_and_is_refused(
    p: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _submitted(p)
    path = write_csv(tmp_path / "xa.csv", CSET, [{"unit": "99001", INCOME: "99"}])
    one, two, waited = race_held(
        monkeypatch,
        lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
        "values.approve",
        lambda: import_values(path, CSET, YEAR, acting_user=p.appraiser, stage=Stage.VERIFIED),
    )
    assert one.error is None and waited
    assert isinstance(two.error, InputError) and "đã được duyệt" in str(two.error)
    assert "dòng 2" in str(two.error)
    assert _state(p) == State.APPROVED and _stored(p, Stage.VERIFIED) == 40.0
    assert not AuditLog.objects.filter(action="values.import").exists()


@postgres_only
def test_an_approval_waits_for_an_import(
    p: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _submitted(p)
    path = write_csv(tmp_path / "xa.csv", CSET, [{"unit": "99001", INCOME: "42"}])
    one, two, waited = race_held(
        monkeypatch,
        lambda: import_values(path, CSET, YEAR, acting_user=p.appraiser, stage=Stage.VERIFIED),
        "values.import",
        lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
    )
    assert one.error is None and two.error is None and waited
    assert _state(p) == State.APPROVED and _stored(p, Stage.VERIFIED) == 42.0


@postgres_only
def test_two_imports_of_one_commune_follow_each_other(
    p: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = write_csv(tmp_path / "a.csv", CSET, [{"unit": "99001", INCOME: "41"}])
    second = write_csv(tmp_path / "b.csv", CSET, [{"unit": "99001", INCOME: "43"}])
    one, two, waited = race_held(
        monkeypatch,
        lambda: import_values(first, CSET, YEAR, acting_user=p.officer_a),
        "values.import",
        lambda: import_values(second, CSET, YEAR, acting_user=p.province_office),
    )
    assert one.error is None and two.error is None and waited
    value = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
    assert value.claimed_value == 43.0 and value.claimed_version == 2
    rows = AuditLog.objects.filter(object_type="values.value", object_id=str(value.pk))
    assert sorted(r.after["version"] for r in rows) == [1, 2]  # type: ignore[index]


# ------------------------------------------------------------------------- natural races

ROUNDS = 8


def _both(a: Callable[[], Any], b: Callable[[], Any]) -> tuple[Side, Side]:
    barrier = threading.Barrier(2)

    def at_once(work: Callable[[], Any]) -> Callable[[], Any]:
        def go() -> Any:
            barrier.wait(10)
            return work()

        return go

    one, two = Side(at_once(a)), Side(at_once(b))
    one.start()
    two.start()
    one.join(30)
    two.join(30)
    assert not one.is_alive() and not two.is_alive(), "a side never finished (deadlock?)"
    return one, two


@postgres_only
def test_saves_racing_approvals_never_change_an_approved_period(p: Personas) -> None:
    _submitted(p)
    for n in range(ROUNDS):
        approved_before = AuditLog.objects.filter(action="values.approve").count()
        saver, approver = _both(
            lambda n=n: _save(p, Stage.VERIFIED, 50.0 + n),  # type: ignore[misc]
            lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
        )
        assert approver.error is None
        assert saver.error is None or isinstance(saver.error, Locked)
        approval = AuditLog.objects.filter(action="values.approve").latest("id")
        assert AuditLog.objects.filter(action="values.approve").count() == approved_before + 1
        if saver.error is None:  # the save came first: the approval approved it
            saved = AuditLog.objects.filter(action="values.save_verified").latest("id")
            assert saved.id < approval.id and _stored(p, Stage.VERIFIED) == 50.0 + n
        reopen(p.commune_a, YEAR, CSET, reason="vòng thử tiếp", acting_user=p.province_office)
        submit(p.commune_a, YEAR, CSET, acting_user=p.officer_a)
        # Nothing wrote after the approval, until the reopening.
        later = AuditLog.objects.filter(id__gt=approval.id, object_type="values.value")
        assert not later.exists()


@postgres_only
def test_claims_racing_submits_never_land_in_a_submitted_period(p: Personas) -> None:
    for n in range(ROUNDS):
        _save(p, Stage.CLAIMED, 30.0 + n)
        claimer, submitter = _both(
            lambda n=n: _save(p, Stage.CLAIMED, 60.0 + n),  # type: ignore[misc]
            lambda: submit(p.commune_a, YEAR, CSET, acting_user=p.officer_a),
        )
        assert submitter.error is None
        sent = AuditLog.objects.filter(action="values.submit").latest("id")
        assert not AuditLog.objects.filter(id__gt=sent.id, object_type="values.value").exists()
        assert claimer.error is None or isinstance(claimer.error, Locked)
        approve(p.commune_a, YEAR, CSET, acting_user=p.province_office)
        reopen(p.commune_a, YEAR, CSET, reason="vòng thử tiếp", acting_user=p.province_office)


@postgres_only
def test_imports_racing_approvals_never_change_an_approved_period(
    p: Personas, tmp_path: Path
) -> None:
    _submitted(p)
    for n in range(ROUNDS):
        path = write_csv(tmp_path / f"xa{n}.csv", CSET, [{"unit": "99001", INCOME: str(50 + n)}])
        importer, approver = _both(
            lambda path=path: import_values(  # type: ignore[misc]
                path, CSET, YEAR, acting_user=p.appraiser, stage=Stage.VERIFIED
            ),
            lambda: approve(p.commune_a, YEAR, CSET, acting_user=p.province_office),
        )
        assert approver.error is None
        approval = AuditLog.objects.filter(action="values.approve").latest("id")
        if importer.error is None:  # the import came first: the approval approved it
            imported = AuditLog.objects.filter(action="values.import").latest("id")
            assert imported.id < approval.id and _stored(p, Stage.VERIFIED) == 50.0 + n
        else:
            assert isinstance(importer.error, InputError)
            assert "đã được duyệt" in str(importer.error)
        reopen(p.commune_a, YEAR, CSET, reason="vòng thử tiếp", acting_user=p.province_office)
        submit(p.commune_a, YEAR, CSET, acting_user=p.officer_a)
        # Nothing wrote after the approval, until the reopening.
        later = AuditLog.objects.filter(id__gt=approval.id, object_type="values.value")
        assert not later.exists()


@postgres_only
def test_imports_of_one_commune_racing_each_other_both_land(p: Personas, tmp_path: Path) -> None:
    for n in range(ROUNDS):
        mine = write_csv(tmp_path / f"a{n}.csv", CSET, [{"unit": "99001", INCOME: str(40 + n)}])
        theirs = write_csv(tmp_path / f"b{n}.csv", CSET, [{"unit": "99001", INCOME: str(60 + n)}])
        one, two = _both(
            lambda mine=mine: import_values(mine, CSET, YEAR, acting_user=p.officer_a),  # type: ignore[misc]
            lambda theirs=theirs: import_values(  # type: ignore[misc]
                theirs, CSET, YEAR, acting_user=p.province_office
            ),
        )
        assert one.error is None and two.error is None
        value = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
        # One after the other: two versions more, the later import's value kept.
        assert value.claimed_version == 2 * (n + 1)
        last = AuditLog.objects.filter(object_type="values.value", object_id=str(value.pk))
        assert last.latest("id").after["value"] == value.claimed_value  # type: ignore[index]
    versions = [
        r.after["version"]  # type: ignore[index]
        for r in AuditLog.objects.filter(action="values.import", object_type="values.value")
    ]
    assert sorted(versions) == list(range(1, 2 * ROUNDS + 1))


# ------------------------------------------------------------------------- one after the other


def test_after_an_approval_nothing_of_the_period_changes(
    p: Personas, tmp_path: Path, media: Path
) -> None:
    _submitted(p)
    approve(p.commune_a, YEAR, CSET, acting_user=p.province_office)
    with pytest.raises(Locked):
        _save(p, Stage.VERIFIED, 99.0)
    path = write_csv(tmp_path / "xa.csv", CSET, [{"unit": "99001", INCOME: "99"}])
    with pytest.raises(InputError, match="đã được duyệt"):
        import_values(path, CSET, YEAR, acting_user=p.appraiser, stage=Stage.VERIFIED)
    with pytest.raises(Locked):
        services.declare_status(p.commune_a, YEAR, CSET, 10, "met", acting_user=p.province_office)
    with pytest.raises(Locked):
        services.add_comment(p.commune_a, INCOME, YEAR, "Sửa lại", acting_user=p.appraiser)
    with pytest.raises(Locked, match="đã được duyệt"):
        _evidence(p)
    assert _stored(p, Stage.VERIFIED) == 40.0
    assert _added(p) == (0, 0, 0)


def test_after_a_submit_the_commune_cannot_change_its_claims(
    p: Personas, tmp_path: Path, media: Path
) -> None:
    _submitted(p)
    with pytest.raises(Locked):
        _save(p, Stage.CLAIMED, 99.0)
    path = write_csv(tmp_path / "xa.csv", CSET, [{"unit": "99001", INCOME: "99"}])
    with pytest.raises(InputError, match="đã gửi"):
        import_values(path, CSET, YEAR, acting_user=p.officer_a)
    with pytest.raises(Locked, match="đã gửi"):
        _evidence(p, "officer_a")
    # The review goes on: the appraiser still verifies, comments and adds evidence.
    _save(p, Stage.VERIFIED, 41.0)
    services.add_comment(p.commune_a, INCOME, YEAR, "Đã đối chiếu", acting_user=p.appraiser)
    _evidence(p)
    assert _stored(p, Stage.CLAIMED) == 40.0
    assert _added(p) == (0, 1, 1)
