"""Services of ntm.values: entries, conflicts, workflow, declarations, evidence, history."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings as SettingsWrapper

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.values import services
from ntm.values.files import sniff
from ntm.values.models import Evidence, Stage, State, Submission, Value
from ntm.values.services import (
    Conflict,
    Entry,
    InvalidEntry,
    Locked,
    NotAllowed,
    ValuesError,
    add_comment,
    add_evidence,
    approve,
    declare_status,
    reopen,
    return_submission,
    save_value,
    submit,
    value_history,
)
from ntm.values.tests.stored import stored_results as results_for

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
# Criterion 10 (income) of 2016-2020: one numeric indicator on `income_per_capita`.
INCOME = "income_per_capita"


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _criterion_status(p: Personas, cset: Any, number: int) -> str:
    ev = results_for(p.commune_a, YEAR, cset)
    row = ev.criteria.filter(ev.criteria["criterion"] == number).row(0, named=True)
    return str(row["status"])


def test_save_claimed_writes_value_audit_and_results(personas: Personas, cset: Any) -> None:
    p = personas
    value = save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=45.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    assert value.claimed_value == 45.0 and value.claimed_version == 1
    assert value.claimed_by == p.officer_a
    row = AuditLog.objects.get(action="values.save_claimed")
    assert row.object_id == str(value.pk)
    assert row.before is not None and row.after is not None
    assert row.before["value"] is None and row.after["value"] == 45.0
    assert row.acting_user_id == p.officer_a.pk
    ind = results_for(p.commune_a, YEAR, cset).indicators
    income = ind.filter(ind["measure"] == INCOME).row(0, named=True)
    assert income["value"] == 45.0 and income["stage"] == "claimed"


def test_verified_value_wins_and_the_result_says_so(personas: Personas, cset: Any) -> None:
    p = personas
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=50.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=30.0),
        stage=Stage.VERIFIED,
        expected_version=0,
        acting_user=p.appraiser,
    )
    value = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
    assert (value.claimed_value, value.verified_value) == (50.0, 30.0)
    ind = results_for(p.commune_a, YEAR, cset).indicators
    income = ind.filter(ind["measure"] == INCOME).row(0, named=True)
    assert income["value"] == 30.0 and income["stage"] == "verified"


def test_criterion_flips_on_save(personas: Personas, cset: Any) -> None:
    p = personas
    assert _criterion_status(p, cset, 10) == "missing_data"
    v = save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=1.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    assert _criterion_status(p, cset, 10) == "not_met"
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=500.0),
        stage=Stage.CLAIMED,
        expected_version=v.claimed_version,
        acting_user=p.officer_a,
    )
    assert _criterion_status(p, cset, 10) == "met"


def test_stale_version_is_a_conflict_showing_the_other_value(personas: Personas) -> None:
    p = personas
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=41.5),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    with pytest.raises(Conflict) as exc:
        save_value(
            p.commune_a,
            INCOME,
            YEAR,
            Entry(value=39.0),
            stage=Stage.CLAIMED,
            expected_version=0,
            acting_user=p.officer_a,
        )
    message = str(exc.value)
    assert "41,5 triệu đồng/người/năm" in message
    assert "Cán bộ xã An Bình" in message
    assert "39" in message and "chưa được lưu" in message
    assert exc.value.current_version == 1
    value = Value.objects.get(unit=p.commune_a, measure=INCOME, period=YEAR)
    assert value.claimed_value == 41.5 and value.claimed_version == 1
    assert AuditLog.objects.filter(action="values.save_claimed").count() == 1


def test_same_value_saved_again_is_no_change(personas: Personas) -> None:
    p = personas
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=41.5),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    v = save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=41.5),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    assert v.claimed_version == 1
    assert AuditLog.objects.filter(action="values.save_claimed").count() == 1


@pytest.mark.parametrize(
    ("measure", "entry", "message"),
    [
        (INCOME, Entry(value=-1.0), "không được âm"),
        ("households_clean_water_share", Entry(numerator=5.0), "Cần cả tử số và mẫu số"),
        ("households_clean_water_share", Entry(numerator=5.0, denominator=0.0), "lớn hơn 0"),
        ("households_clean_water_share", Entry(numerator=9.0, denominator=5.0), "trên 100 %"),
        ("households_clean_water_share", Entry(value=50.0), "tử số và mẫu số"),
        (INCOME, Entry(not_applicable=True), "Không áp dụng"),
        ("no_such_measure", Entry(value=1.0), "Không có mã đo lường"),
    ],
)
def test_invalid_entries_are_refused(
    personas: Personas, measure: str, entry: Entry, message: str
) -> None:
    with pytest.raises(InvalidEntry, match=message):
        save_value(
            personas.commune_a,
            measure,
            YEAR,
            entry,
            stage=Stage.CLAIMED,
            expected_version=0,
            acting_user=personas.officer_a,
        )
    assert not Value.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="values.").exists()


@pytest.mark.parametrize("who", ["officer_b", "province_office", "central_viewer", "appraiser"])
def test_only_the_communes_officer_saves_claimed(personas: Personas, who: str) -> None:
    user = getattr(personas, who)
    with pytest.raises(NotAllowed):
        save_value(
            personas.commune_a,
            INCOME,
            YEAR,
            Entry(value=1.0),
            stage=Stage.CLAIMED,
            expected_version=0,
            acting_user=user,
        )
    assert not Value.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "province_office", "central_viewer"])
def test_only_the_appraiser_saves_verified(personas: Personas, who: str) -> None:
    with pytest.raises(NotAllowed):
        save_value(
            personas.commune_a,
            INCOME,
            YEAR,
            Entry(value=1.0),
            stage=Stage.VERIFIED,
            expected_version=0,
            acting_user=getattr(personas, who),
        )
    assert not Value.objects.exists()


def test_workflow_submit_approve_lock_reopen(personas: Personas, cset: Any) -> None:
    p = personas
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=40.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    sub = submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    assert sub.state == State.SUBMITTED
    # Submitted: the commune's entry is frozen; the appraiser still verifies.
    with pytest.raises(Locked, match="đang chờ duyệt"):
        save_value(
            p.commune_a,
            INCOME,
            YEAR,
            Entry(value=41.0),
            stage=Stage.CLAIMED,
            expected_version=1,
            acting_user=p.officer_a,
        )
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=39.0),
        stage=Stage.VERIFIED,
        expected_version=0,
        acting_user=p.appraiser,
    )
    with pytest.raises(NotAllowed):
        approve(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    assert approve(p.commune_a, YEAR, cset, acting_user=p.province_office).state == "approved"
    with pytest.raises(Locked, match="đã được duyệt"):
        save_value(
            p.commune_a,
            INCOME,
            YEAR,
            Entry(value=38.0),
            stage=Stage.VERIFIED,
            expected_version=1,
            acting_user=p.appraiser,
        )
    with pytest.raises(ValuesError, match="Cần ghi lý do"):
        reopen(p.commune_a, YEAR, cset, reason="  ", acting_user=p.province_office)
    with pytest.raises(NotAllowed):
        reopen(p.commune_a, YEAR, cset, reason="x", acting_user=p.officer_a)
    sub = reopen(p.commune_a, YEAR, cset, reason="Sai số thu nhập", acting_user=p.province_office)
    assert sub.state == State.RETURNED and sub.reason == "Sai số thu nhập"
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=41.0),
        stage=Stage.CLAIMED,
        expected_version=1,
        acting_user=p.officer_a,
    )
    actions = list(
        AuditLog.objects.filter(object_type="values.submission").values_list("action", "reason")
    )
    assert actions == [
        ("values.submit", ""),
        ("values.approve", ""),
        ("values.reopen", "Sai số thu nhập"),
    ]


def test_return_needs_a_reason_and_a_submission(personas: Personas, cset: Any) -> None:
    p = personas
    with pytest.raises(ValuesError, match="trạng thái “Đang soạn”"):
        return_submission(p.commune_a, YEAR, cset, reason="x", acting_user=p.province_office)
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    with pytest.raises(ValuesError, match="Cần ghi lý do"):
        return_submission(p.commune_a, YEAR, cset, reason="", acting_user=p.province_office)
    sub = return_submission(
        p.commune_a, YEAR, cset, reason="Thiếu minh chứng", acting_user=p.province_office
    )
    assert sub.state == State.RETURNED
    assert Submission.objects.get().reason == "Thiếu minh chứng"


def test_declared_status_overrides_and_can_be_withdrawn(personas: Personas, cset: Any) -> None:
    p = personas
    declare_status(p.commune_a, YEAR, cset, 19, "met", acting_user=p.officer_a)
    crit = results_for(p.commune_a, YEAR, cset).criteria
    row = crit.filter(crit["criterion"] == 19).row(0, named=True)
    assert (row["status"], row["source"]) == ("met", "declared")
    declare_status(p.commune_a, YEAR, cset, 19, "", acting_user=p.officer_a)
    crit = results_for(p.commune_a, YEAR, cset).criteria
    assert crit.filter(crit["criterion"] == 19).row(0, named=True)["source"] == "computed"
    with pytest.raises(ValuesError, match="không có tiêu chí 42"):
        declare_status(p.commune_a, YEAR, cset, 42, "met", acting_user=p.officer_a)
    with pytest.raises(NotAllowed):
        declare_status(p.commune_a, YEAR, cset, 19, "met", acting_user=p.officer_b)


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_sniff() -> None:
    assert sniff(b"%PDF-1.7 ...") == "pdf"
    assert sniff(b"\x89PNG\r\n\x1a\nxxxx") == "png"
    assert sniff(b"\xff\xd8\xff\xe0xxxx") == "jpeg"
    assert sniff(_docx()) == "docx"
    assert sniff(b"PK\x03\x04broken") is None
    assert sniff(b"MZ\x90\x00 an exe") is None


def test_evidence_is_sniffed_stored_and_audited(personas: Personas, media: Path) -> None:
    p = personas
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test", content_type="image/png")
    ev = add_evidence(p.commune_a, INCOME, YEAR, upload, acting_user=p.officer_a)
    assert ev.content_type == "application/pdf"  # from the bytes, not the browser
    name = str(ev.file.name)
    assert (media / name).read_bytes() == b"%PDF-1.4 test"
    assert name.endswith(".pdf") and "bien-ban" not in name
    after = AuditLog.objects.get(action="values.add_evidence").after
    assert after is not None and after["name"] == "bien-ban.pdf"


def test_evidence_with_a_lying_name_is_refused(personas: Personas, media: Path) -> None:
    upload = SimpleUploadedFile("anh.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(InvalidEntry, match="không phải loại được nhận"):
        add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_evidence_over_the_size_limit_is_refused(
    personas: Personas, settings: SettingsWrapper
) -> None:
    settings.NTM_EVIDENCE_MAX_BYTES = 10
    upload = SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 20)
    with pytest.raises(InvalidEntry, match="quá giới hạn"):
        add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_a)
    assert not Evidence.objects.exists()


def test_evidence_by_outsiders_is_refused(personas: Personas) -> None:
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    with pytest.raises(NotAllowed):
        add_evidence(personas.commune_a, INCOME, YEAR, upload, acting_user=personas.officer_b)
    assert not Evidence.objects.exists()


def test_comments(personas: Personas) -> None:
    p = personas
    add_comment(p.commune_a, INCOME, YEAR, "Số liệu theo báo cáo thống kê", acting_user=p.appraiser)
    with pytest.raises(InvalidEntry, match="trống"):
        add_comment(p.commune_a, INCOME, YEAR, "  ", acting_user=p.officer_a)
    with pytest.raises(NotAllowed):
        add_comment(p.commune_a, INCOME, YEAR, "x", acting_user=p.central_viewer)
    assert Value.objects.get().comments.count() == 1


def test_history_tells_who_when_old_new_stage_reason(personas: Personas, cset: Any) -> None:
    p = personas
    v = save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=40.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=42.5),
        stage=Stage.CLAIMED,
        expected_version=1,
        acting_user=p.officer_a,
        reason="Cập nhật số liệu cuối năm",
    )
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    return_submission(
        p.commune_a, YEAR, cset, reason="Thiếu minh chứng", acting_user=p.province_office
    )
    history = value_history(v)
    assert [(h.action, h.stage, h.old, h.new, h.reason) for h in history] == [
        ("Lưu giá trị tự đánh giá", "tự đánh giá", "(trống)", "40 triệu đồng/người/năm", ""),
        (
            "Lưu giá trị tự đánh giá",
            "tự đánh giá",
            "40 triệu đồng/người/năm",
            "42,5 triệu đồng/người/năm",
            "Cập nhật số liệu cuối năm",
        ),
        ("Gửi duyệt", f"bộ {SET}", "đang soạn", "đã gửi, chờ duyệt", ""),
        ("Trả lại", f"bộ {SET}", "đã gửi, chờ duyệt", "bị trả lại", "Thiếu minh chứng"),
    ]
    assert history[0].who == "Cán bộ xã An Bình"


def test_describe_entry() -> None:
    m = services.measure_of("households_clean_water_share")
    assert services.describe_entry(m, {"numerator": 12.0, "denominator": 15.0}) == "12/15 (80 %)"
    assert services.describe_entry(m, {"not_applicable": True}) == "Không áp dụng"
