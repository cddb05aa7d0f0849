"""The values pages, persona by persona, and the entry grid's HTMX behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.exchange import workbook
from ntm.exchange.workbook import template_columns
from ntm.jobs import Progress
from ntm.units.models import Unit
from ntm.values.models import Evidence, ImportJob, Stage, State, Submission, Value
from ntm.values.services import Entry, add_evidence, approve, save_value, submit
from ntm.values.services.imports import PROGRESS, WRITING
from ntm.web import views_entry as views

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _entry_url(p: Personas, unit: str = "commune_a") -> str:
    return reverse("values:entry", args=[getattr(p, unit).pk, SET, YEAR])


def _save_url(p: Personas, stage: str = "claimed", measure: str = INCOME) -> str:
    return reverse("values:save_cell", args=[p.commune_a.pk, SET, YEAR, measure, stage])


def _expect(response: Any, expected: int | str) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(django_settings.LOGIN_URL))
    else:
        assert response.status_code == expected, response.content.decode()[:500]


# --------------------------------------------------------------------------- reading pages

READ: dict[str, int | str] = dict(
    officer_a=200,
    officer_b=404,
    appraiser=200,
    province_office=200,
    central_viewer=200,
    administrator=200,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["choose", "entry", "value", "history"])
def test_reading_pages(client: Client, p: Personas, persona: PersonaName, page: str) -> None:
    a = p.commune_a.pk
    url = {
        "choose": reverse("values:choose", args=[a]),
        "entry": _entry_url(p),
        "value": reverse("values:value", args=[a, YEAR, INCOME]),
        "history": reverse("values:history", args=[a, YEAR, INCOME]),
    }[page]
    p.login(client, persona)
    response = client.get(url)
    _expect(response, READ[persona])
    if READ[persona] == 404:
        assert p.commune_a.name not in response.content.decode()


def test_unknown_set_year_or_measure_is_404(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    a = p.commune_a.pk
    assert client.get(reverse("values:entry", args=[a, "no-such-set", YEAR])).status_code == 404
    assert client.get(reverse("values:entry", args=[a, SET, 2023])).status_code == 404
    assert client.get(reverse("values:value", args=[a, YEAR, "nope"])).status_code == 404
    assert client.get(reverse("values:entry", args=[p.province.pk, SET, YEAR])).status_code == 404


def test_grid_shows_every_measure_threshold_and_status(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.get(_entry_url(p)).content.decode()
    cset = load_set(SET)
    for criterion in cset.criteria:
        assert f'id="crit-{criterion.number}"' in html
        for ind in criterion.indicators:
            for cond in ind.conditions:
                assert (
                    reverse(
                        "values:save_cell",
                        args=[p.commune_a.pk, SET, YEAR, cond.measure, "claimed"],
                    )
                    in html
                )
    assert "≥ 45 triệu đồng/người/năm" in html  # income, national column (no region known)
    assert '<span class="muted" data-column="national">cột Chỉ tiêu chung</span>' in html
    assert 'data-state="draft"' in html
    assert "Thiếu dữ liệu" in html
    # The appraiser's column is not editable by the commune.
    assert _save_url(p, "verified") not in html


def test_grid_names_the_column_in_both_languages(client: Client, p: Personas) -> None:
    Unit.objects.filter(pk=p.commune_a.pk).update(region="TDMNPB")
    p.login(client, "officer_a")
    html = client.get(_entry_url(p)).content.decode()
    assert "cột TDMNPB – Trung du miền núi phía Bắc</span>" in html
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(_entry_url(p)).content.decode()
    assert (
        "column TDMNPB – Trung du miền núi phía Bắc (Northern Midlands and Mountains)</span>"
        in html
    )


def test_unconfirmed_thresholds_are_marked(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.get(
        reverse("values:entry", args=[p.commune_a.pk, "vn-ntm-xa-2021-2025", 2021])
    ).content.decode()
    assert "ngưỡng chưa được xác nhận" in html


# --------------------------------------------------------------------------- saving a cell

SAVE_CLAIMED: dict[str, int | str] = dict(
    officer_a=200,
    officer_b=404,
    appraiser=403,
    province_office=403,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_save_claimed_cell(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    response = client.post(
        _save_url(p), {"value": "50", "version": "0", "criterion": "10"}, headers=HTMX
    )
    _expect(response, SAVE_CLAIMED[persona])
    assert Value.objects.filter(claimed_value=50.0).exists() == (persona == "officer_a")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("appraiser", 200),
        ("officer_a", 403),
        ("officer_b", 404),
        ("province_office", 403),
        ("central_viewer", 403),
        ("administrator", 403),
        ("anonymous", "login"),
    ],
)
def test_save_verified_cell(
    client: Client, p: Personas, persona: PersonaName, expected: int | str
) -> None:
    p.login(client, persona)
    response = client.post(
        _save_url(p, "verified"), {"value": "30", "version": "0", "criterion": "10"}, headers=HTMX
    )
    _expect(response, expected)
    assert Value.objects.filter(verified_value=30.0).exists() == (persona == "appraiser")


def test_saving_a_cell_flips_the_criterion(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.post(
        _save_url(p), {"value": "10", "version": "0", "criterion": "10"}, headers=HTMX
    ).content.decode()
    assert html.lstrip().startswith('<tbody id="crit-10"')
    assert '<td class="status-bad" data-status="not_met"><strong>Chưa đạt</strong>' in html
    assert 'id="values-summary"' in html and 'hx-swap-oob="true"' in html
    html = client.post(
        _save_url(p), {"value": "47,5", "version": "1", "criterion": "10"}, headers=HTMX
    ).content.decode()
    assert '<td class="status-ok" data-status="met"><strong>Đạt</strong>' in html
    assert "Đạt 1/19 tiêu chí" in html
    assert Value.objects.get().claimed_value == 47.5


def test_conflict_keeps_the_users_input_and_shows_the_other_value(
    client: Client, p: Personas
) -> None:
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=41.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    p.login(client, "officer_a")
    html = client.post(
        _save_url(p), {"value": "39", "version": "0", "criterion": "10"}, headers=HTMX
    ).content.decode()
    assert "Giá trị này vừa được Cán bộ xã An Bình lưu" in html
    assert "41 triệu đồng/người/năm" in html
    assert 'value="39"' in html  # the user's input is still in the field
    assert 'name="version" value="1"' in html  # saving again replaces knowingly
    assert Value.objects.get().claimed_value == 41.0
    # Without HTMX the answer is 409 Conflict.
    response = client.post(_save_url(p), {"value": "39", "version": "0", "criterion": "10"})
    assert response.status_code == 409


def test_bad_number_is_reported_in_the_cell(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.post(
        _save_url(p), {"value": "abc", "version": "0", "criterion": "10"}, headers=HTMX
    ).content.decode()
    assert "ô số chứa chữ" in html and 'value="abc"' in html
    assert not Value.objects.exists()


def test_plain_post_redirects_to_the_grid(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    response = client.post(_save_url(p), {"value": "50", "version": "0"})
    assert response.status_code == 302 and response["Location"] == _entry_url(p)


# --------------------------------------------------------------------------- declarations

DECLARE: dict[str, int | str] = dict(
    officer_a=200,
    officer_b=404,
    appraiser=200,
    province_office=200,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_declare(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    url = reverse("values:declare", args=[p.commune_a.pk, SET, YEAR, 19])
    response = client.post(url, {"status": "met"}, headers=HTMX)
    _expect(response, DECLARE[persona])
    if DECLARE[persona] == 200:
        html = response.content.decode()
        assert html.lstrip().startswith('<tbody id="crit-19"') and "(khai báo)" in html


# --------------------------------------------------------------------------- workflow


def _workflow(client: Client, p: Personas, action: str, reason: str = "") -> Any:
    """The action, its gaps confirmed (the empty record misses data: `test_workflow_pages`)."""
    url = reverse("values:workflow", args=[p.commune_a.pk, SET, YEAR])
    return client.post(url, {"action": action, "reason": reason, "confirm": "on"})


SUBMIT: dict[str, int | str] = dict(
    officer_a=302,
    officer_b=404,
    appraiser=403,
    province_office=403,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_submit(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    _expect(_workflow(client, p, "submit"), SUBMIT[persona])
    assert Submission.objects.filter(state=State.SUBMITTED).exists() == (persona == "officer_a")


APPROVE: dict[str, int | str] = dict(
    officer_a=403,
    officer_b=404,
    appraiser=403,
    province_office=302,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_approve_and_reopen(client: Client, p: Personas, persona: PersonaName) -> None:
    submit(p.commune_a, YEAR, load_set(SET), acting_user=p.officer_a)
    p.login(client, persona)
    _expect(_workflow(client, p, "approve"), APPROVE[persona])
    approved = persona == "province_office"
    assert Submission.objects.get().state == (State.APPROVED if approved else State.SUBMITTED)
    if approved:
        html = client.get(_entry_url(p)).content.decode()
        assert "Đã duyệt (khóa)" in html and "Mở lại" in html
        response = client.post(
            _entry_url(p).replace(f"/{YEAR}/", f"/{YEAR}/workflow/"),
            {"action": "reopen", "reason": ""},
            follow=True,
        )
        assert "Cần ghi lý do" in response.content.decode()
        assert Submission.objects.get().state == State.APPROVED
        _workflow(client, p, "reopen", "Sai số liệu hộ nghèo")
        sub = Submission.objects.get()
        assert (sub.state, sub.reason) == (State.RETURNED, "Sai số liệu hộ nghèo")


def test_approved_grid_has_no_editable_cells(client: Client, p: Personas) -> None:
    cset = load_set(SET)
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office)
    p.login(client, "officer_a")
    html = client.get(_entry_url(p)).content.decode()
    assert "values:save_cell" not in html and "/cell/" not in html
    assert (
        client.post(_save_url(p), {"value": "1", "version": "0"}, headers=HTMX).status_code == 200
    )
    assert not Value.objects.exists()


# --------------------------------------------------------------------------- evidence, comments

# The appraiser adds evidence to the verified stage.
UPLOAD: dict[str, int | str] = dict(
    officer_a=302,
    officer_b=404,
    appraiser=302,
    province_office=403,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_evidence(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    url = reverse("values:upload_evidence", args=[p.commune_a.pk, YEAR, INCOME])
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    _expect(client.post(url, {"file": upload}), UPLOAD[persona])
    assert Evidence.objects.exists() == (UPLOAD[persona] == 302)


def test_rejected_evidence_is_explained(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    url = reverse("values:upload_evidence", args=[p.commune_a.pk, YEAR, INCOME])
    upload = SimpleUploadedFile("a.pdf", b"<script>1</script>", content_type="application/pdf")
    response = client.post(url, {"file": upload}, follow=True)
    assert "không phải loại được nhận" in response.content.decode()
    assert not Evidence.objects.exists()


DOWNLOAD: dict[str, int | str] = dict(
    officer_a=200,
    officer_b=404,
    appraiser=200,
    province_office=200,
    central_viewer=200,
    administrator=200,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_download_evidence(client: Client, p: Personas, persona: PersonaName) -> None:
    upload = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n123")
    ev = add_evidence(p.commune_a, INCOME, YEAR, upload, acting_user=p.officer_a)
    p.login(client, persona)
    response = client.get(reverse("values:evidence_file", args=[ev.pk]))
    _expect(response, DOWNLOAD[persona])
    if DOWNLOAD[persona] == 200:
        assert response["Content-Type"] == "image/png"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n123"  # type: ignore[attr-defined]


COMMENT: dict[str, int | str] = dict(
    officer_a=302,
    officer_b=404,
    appraiser=302,
    province_office=302,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_comment(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    url = reverse("values:add_comment", args=[p.commune_a.pk, YEAR, INCOME])
    _expect(client.post(url, {"text": "Đề nghị bổ sung biên bản"}), COMMENT[persona])
    assert AuditLog.objects.filter(action="values.add_comment").exists() == (
        COMMENT[persona] == 302
    )
    if COMMENT[persona] == 302:
        html = client.get(reverse("values:value", args=[p.commune_a.pk, YEAR, INCOME])).content
        assert "Đề nghị bổ sung biên bản" in html.decode()


def test_history_page_lists_changes(client: Client, p: Personas) -> None:
    save_value(
        p.commune_a,
        INCOME,
        YEAR,
        Entry(value=40.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    p.login(client, "province_office")
    html = client.get(reverse("values:history", args=[p.commune_a.pk, YEAR, INCOME])).content
    text = html.decode()
    assert "Lưu giá trị tự đánh giá" in text and "40 triệu đồng/người/năm" in text
    assert "Cán bộ xã An Bình" in text


# --------------------------------------------------------------------------- import pages

IMPORT: dict[str, int | str] = dict(
    officer_a=200,
    officer_b=200,
    appraiser=200,
    province_office=200,
    central_viewer=403,
    administrator=403,
    anonymous="login",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_page(client: Client, p: Personas, persona: PersonaName) -> None:
    p.login(client, persona)
    _expect(client.get(reverse("values:import")), IMPORT[persona])


def _csv(rows: str) -> SimpleUploadedFile:
    headers = ["unit"] + [
        c.machine for c in template_columns(load_set(SET)) if c.role != "identity" and c.kind
    ]
    width = len(headers) - 2
    body = "".join(f"{r}{',' * width}\n" for r in rows.splitlines())
    return SimpleUploadedFile("xa.csv", (",".join(headers) + "\n" + body).encode())


@pytest.fixture
def inline_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run import jobs inside the request: a test's data is not visible to another thread."""
    monkeypatch.setattr(views, "launch", views.run_job)


def _income_column() -> int:
    columns = template_columns(load_set(SET))
    headers = [c.machine for c in columns if c.role != "identity" and c.kind]
    return headers.index(INCOME)


@pytest.mark.usefixtures("inline_jobs")
def test_import_flow_success_and_job_visibility(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    before = "," * _income_column()
    upload = _csv(f"99001,{before}47")
    response = client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("values:import_job", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Đã nhập 1 giá trị của 1 xã" in html
    assert Value.objects.get().claimed_value == 47.0
    # The job page is its owner's only.
    for persona in ("officer_b", "appraiser", "province_office", "central_viewer", "administrator"):
        p.login(client, persona)
        assert client.get(reverse("values:import_job", args=[job.pk])).status_code == 404


@pytest.mark.usefixtures("inline_jobs")
def test_the_province_office_imports_for_its_communes_on_the_page(
    client: Client, p: Personas
) -> None:
    p.login(client, "province_office")
    before = "," * _income_column()
    upload = _csv(f"99001,{before}47\n99002,{before}39")
    response = client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Đã nhập 2 giá trị của 2 xã: 2 thay đổi" in html
    stored = dict(Value.objects.values_list("unit__code", "claimed_value"))
    assert stored == {"99001": 47.0, "99002": 39.0}


@pytest.mark.usefixtures("inline_jobs")
def test_import_flow_lists_every_problem(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    before = "," * _income_column()
    upload = _csv(f"99001,{before}bốn\n99002,{before}40")
    client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}
    )
    job = ImportJob.objects.get()
    html = client.get(reverse("values:import_job", args=[job.pk]), headers=HTMX).content.decode()
    assert "Tệp bị từ chối (2 lỗi); không ghi số liệu nào" in html
    assert "dòng 2" in html and "ô số chứa chữ" in html
    assert "dòng 3" in html and "xã này ngoài phạm vi của bạn" in html
    # Placed in the file the user sent, not in the server's copy of it (imports/…/import…).
    assert html.count("trang “xa.csv”") == 2 and "“import" not in html
    assert not Value.objects.exists()
    assert "hx-trigger" not in html  # finished: polling stops
    # The same job read in English: every problem in English, with its place.
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("values:import_job", args=[job.pk]), headers=HTMX).content.decode()
    assert "row 3" in html and "this commune is outside your scope" in html
    assert "row 2" in html and "dòng" not in html and "ngoài phạm vi" not in html


@pytest.mark.usefixtures("inline_jobs")
def test_a_cut_problem_list_counts_every_problem(
    client: Client, p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_PROBLEMS_SHOWN", 2)
    p.login(client, "officer_a")
    before = "," * _income_column()
    upload = _csv("\n".join(f"99001,{before}sai{i}" for i in range(4)))
    client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}
    )
    job = ImportJob.objects.get()
    html = client.get(reverse("values:import_job", args=[job.pk]), headers=HTMX).content.decode()
    # Four problems (a text in row 2, the commune repeated in rows 3 to 5), two of them
    # listed: the heading counts them all, as the closing line does.
    assert "Tệp bị từ chối (4 lỗi); không ghi số liệu nào" in html
    assert "chỉ hiện 2 lỗi đầu trong 4 lỗi" in html
    # Written as the closing line writes it.
    job.summary = {"problems": 1001}
    job.save()
    html = client.get(reverse("values:import_job", args=[job.pk]), headers=HTMX).content.decode()
    assert "Tệp bị từ chối (1.001 lỗi)" in html


def test_import_job_page_polls_while_running(client: Client, p: Personas) -> None:
    job = ImportJob.objects.create(
        file="imports/x.csv",
        original_name="x.csv",
        set_id=SET,
        period=YEAR,
        created_by=p.officer_a,
        created_at=timezone.now(),
    )
    PROGRESS.callback(job.pk)(Progress(WRITING, 400, 1000))
    try:
        p.login(client, "officer_a")
        html = client.get(
            reverse("values:import_job", args=[job.pk]), headers=HTMX
        ).content.decode()
    finally:
        PROGRESS.forget(job.pk)
    assert 'hx-trigger="every 1s"' in html
    assert "Đang ghi số liệu: 400/1.000" in html and 'value="40"' in html


def test_import_rejects_other_file_types(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    upload = SimpleUploadedFile("xa.pdf", b"%PDF-1.4")
    response = client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}
    )
    assert response.status_code == 200
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in response.content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = SimpleUploadedFile("xa.pdf", b"%PDF-1.4")
    response = client.post(
        reverse("values:import"), {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}
    )
    assert "Only .xlsx and .csv files are accepted." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_over_the_size_limit_says_size_and_limit(
    client: Client, p: Personas, settings: Settings
) -> None:
    """The real size and the limit, in one unit, with the precision that tells them apart."""
    settings.NTM_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    p.login(client, "officer_a")
    said = {}
    for language in ("vi", "en"):
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
        upload = SimpleUploadedFile("tinh.csv", b"x" * (10 * 1024 * 1024 + 1))
        response = client.post(
            reverse("values:import"),
            {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"},
        )
        said[language] = response.content.decode()
    assert "Tệp “tinh.csv” nặng 10.485.761 byte, quá giới hạn 10.485.760 byte." in said["vi"]
    assert "File “tinh.csv” is 10,485,761 bytes, over the limit of 10,485,760 bytes." in said["en"]
    assert not ImportJob.objects.exists()


def test_the_import_page_says_what_a_blank_cell_means(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    html = client.get(reverse("values:import")).content.decode()
    assert "Ô để trống là chưa có số liệu: khi nhập, giá trị đã lưu của ô đó bị xóa" in html


def test_grid_in_english(client: Client, p: Personas) -> None:
    p.login(client, "officer_a")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_entry_url(p)).content.decode()
    assert "Claimed (commune)" in html and "Verified (appraiser)" in html
    assert "Missing data" in html and "Submit for approval" in html
