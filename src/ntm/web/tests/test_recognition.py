"""The recognition pages: the province's register (filters, paging, Excel), a decision's page,
a case's page (history, QĐ 18/2022 checklist, the next step) and a unit's recognitions; every
step persona by persona, refusals shown on the page with nothing written, and a whole life
cycle through the pages."""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ntm.accounts.testing import PERSONAS, PersonaName, Personas, make_unit
from ntm.audit.models import AuditLog
from ntm.recognition.models import Recognition, RecognitionDecision, RecognitionStep, Status, Tier
from ntm.recognition.services import (
    DecisionBasis,
    appraise,
    complete_dossier,
    end_by_merger,
    propose,
    record_recognised,
    verify,
)
from ntm.recognition.testing import BASIS, merge_both, recognise_both
from ntm.units.models import Unit, UnitKind
from ntm.web import views_recognition

DECISION_FORM = {
    "number": "TEST-12/QĐ-UBND",
    "date_signed": "26/01/2021",
    "signer": "Hồ Tiến Thiệu",
    "issuer": "UBND tỉnh Thử Nghiệm",
}
REVOKING_FORM = {
    "number": "TEST-9/QĐ-UBND",
    "date_signed": "02/05/2023",
    "issuer": "UBND tỉnh Thử Nghiệm",
    "reason": "Chỉ còn đạt 9/19 tiêu chí năm 2022",
}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def engine_says_met(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's verdict on the set, for the page (the persona world holds no values)."""
    monkeypatch.setattr(views_recognition, "set_met", lambda case: True)


def _at(p: Personas, status: Status, unit: Unit | None = None) -> Recognition:
    """A case of commune A (or `unit`) for NTM 2020, moved through the services to `status`."""
    unit = unit or p.commune_a
    officer = p.officer_a if unit == p.commune_a else p.officer_b
    case = propose(unit, Tier.NTM, 2020, acting_user=officer)
    if status == Status.PROPOSED:
        return case
    case = complete_dossier(
        case,
        satisfaction=Decimal("93.5"),
        debt_outstanding=False,
        security_complex=False,
        acting_user=officer,
    )
    if status == Status.DOSSIER_COMPLETE:
        return case
    case = verify(case, acting_user=p.appraiser)
    if status == Status.VERIFIED:
        return case
    case = appraise(case, votes_for=20, votes_total=22, acting_user=p.province_office)
    if status == Status.APPRAISED:
        return case
    assert status == Status.RECOGNISED
    record_recognised(p.commune_b, Tier.NTM, 2019, BASIS, acting_user=p.province_office)
    return Recognition.objects.get(unit=p.commune_b, tier=Tier.NTM)


# ---------------------------------------------------------------------------- who may do what

# One expectation per persona, in the order of PERSONAS:
# officer_a, officer_b, appraiser, province_office, central_viewer, administrator, anonymous.
READ_A = (200, 404, 200, 200, 200, 200, "login")
READ_PROVINCE = (404, 404, 200, 200, 200, 200, "login")
OFFICE_ON_A = (403, 404, 403, 302, 403, 403, "login")
OFFICE_ON_PROVINCE = (404, 404, 403, 302, 403, 403, "login")


def _check(response: Any, expect: int | str) -> None:
    if expect == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
    else:
        assert response.status_code == expect, _text(response)[:500]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_each_page(client: Client, p: Personas, persona: PersonaName) -> None:
    case = _at(p, Status.DOSSIER_COMPLETE)
    record_recognised(p.commune_a, Tier.ADVANCED, 2022, BASIS, acting_user=p.province_office)
    decision = RecognitionDecision.objects.get()
    p.login(client, persona)
    i = PERSONAS.index(persona)
    for url, row in (
        (reverse("web:recognitions", args=[p.province.pk]), READ_PROVINCE),
        (reverse("web:recognitions_export", args=[p.province.pk]), READ_PROVINCE),
        (reverse("web:recognition", args=[case.pk]), READ_A),
        (reverse("web:recognition_decision", args=[decision.pk]), READ_A),
        (reverse("web:recognition_unit", args=[p.commune_a.pk]), READ_A),
    ):
        response = client.get(url)
        _check(response, row[i])
        if response.status_code == 404:
            assert p.commune_a.name not in _text(response)


def _post_case(
    status: Status, data: dict[str, Any]
) -> Callable[[Personas], tuple[str, dict[str, Any]]]:
    def make(p: Personas) -> tuple[str, dict[str, Any]]:
        case = _at(p, status)
        return reverse("web:recognition", args=[case.pk]), data

    return make


def _post_unit(data: dict[str, Any]) -> Callable[[Personas], tuple[str, dict[str, Any]]]:
    def make(p: Personas) -> tuple[str, dict[str, Any]]:
        return reverse("web:recognition_unit", args=[p.commune_a.pk]), data

    return make


def _recognise_several(p: Personas) -> tuple[str, dict[str, Any]]:
    a, b = _at(p, Status.APPRAISED), _at(p, Status.APPRAISED, p.commune_b)
    data = {"action": "recognise", "case": [a.pk, b.pk], **DECISION_FORM}
    return reverse("web:recognitions", args=[p.province.pk]), data


def _propose_on_register(p: Personas) -> tuple[str, dict[str, Any]]:
    data = {"action": "propose", "unit": p.commune_a.pk, "tier": "ntm", "year": "2020"}
    return reverse("web:recognitions", args=[p.province.pk]), data


DOSSIER = {
    "action": "dossier",
    "satisfaction": "93,5",
    "debt_outstanding": "no",
    "security_complex": "no",
}
# Each step, how to post it, and what each persona gets.
STEPS: dict[str, tuple[Callable[[Personas], tuple[str, dict[str, Any]]], tuple[Any, ...]]] = {
    # The commune's own officers and the province office propose and complete the dossier.
    "propose": (
        _post_unit({"action": "propose", "tier": "ntm", "year": "2020"}),
        (302, 404, 403, 302, 403, 403, "login"),
    ),
    "propose on the register": (_propose_on_register, OFFICE_ON_PROVINCE),
    "dossier": (
        _post_case(Status.PROPOSED, DOSSIER),
        (302, 404, 403, 302, 403, 403, "login"),
    ),
    # The province's appraiser verifies.
    "verify": (
        _post_case(Status.DOSSIER_COMPLETE, {"action": "verify"}),
        (403, 404, 302, 403, 403, 403, "login"),
    ),
    # The province office records the council's vote, decides and revokes.
    "appraise": (
        _post_case(Status.VERIFIED, {"action": "appraise", "votes_for": "20", "votes_total": "22"}),
        OFFICE_ON_A,
    ),
    "recognise": (
        _post_case(Status.APPRAISED, {"action": "recognise", **DECISION_FORM}),
        OFFICE_ON_A,
    ),
    "recognise several": (_recognise_several, OFFICE_ON_PROVINCE),
}


@pytest.mark.usefixtures("engine_says_met")
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("step", STEPS)
def test_who_may_take_each_step(
    client: Client, p: Personas, step: str, persona: PersonaName
) -> None:
    make, row = STEPS[step]
    url, data = make(p)
    steps = RecognitionStep.objects.count()
    p.login(client, persona)
    expect = row[PERSONAS.index(persona)]
    response = client.post(url, data)
    _check(response, expect)
    assert (RecognitionStep.objects.count() > steps) == (expect == 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_revoke(client: Client, p: Personas, persona: PersonaName) -> None:
    case = record_recognised(p.commune_a, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    p.login(client, persona)
    response = client.post(
        reverse("web:recognition", args=[case.pk]), {"action": "revoke", **REVOKING_FORM}
    )
    _check(response, OFFICE_ON_A[PERSONAS.index(persona)])
    case.refresh_from_db()
    assert (case.status == Status.REVOKED) == (persona == "province_office")


def _merged(p: Personas) -> Unit:
    """Communes A and B, both recognised NTM, merged into a new commune on 01/12/2024."""
    recognise_both(p)
    event = merge_both(p)
    end_by_merger(event, actor="test")
    new = event.links.select_related("new_unit").first().new_unit  # type: ignore[union-attr]
    assert new is not None
    return new


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_acknowledge_a_merged_commune(
    client: Client, p: Personas, persona: PersonaName
) -> None:
    new = _merged(p)
    p.login(client, persona)
    url = reverse("web:recognition_unit", args=[new.pk])
    # The new commune is nobody's officer's: they do not read it.
    row = (404, 404, 403, 302, 403, 403, "login")
    _check(
        client.post(url, {"action": "acknowledge", "tier": "ntm", **DECISION_FORM}),
        row[PERSONAS.index(persona)],
    )
    acknowledged = Recognition.objects.filter(unit=new, status=Status.ACKNOWLEDGED)
    assert acknowledged.exists() == (persona == "province_office")


def test_the_acknowledgement_is_offered_with_the_predecessors_decisions(
    client: Client, p: Personas
) -> None:
    new = _merged(p)
    p.login(client, "province_office")
    url = reverse("web:recognition_unit", args=[new.pk])
    text = _text(client.get(url))
    offer = text[text.index('id="h-acknowledge"') :]
    assert "01/12/2024" in offer
    assert "TEST-2165/QĐ-UBND ngày 26/01/2021" in offer
    assert "TEST-77/QĐ-UBND ngày 20/01/2022" in offer
    # A tier not every predecessor held is refused on the page, and nothing is written.
    response = client.post(url, {"action": "acknowledge", "tier": "advanced", **DECISION_FORM})
    assert response.status_code == 400
    assert "Không phải mọi đơn vị hợp thành Xã Hợp Nhất đều giữ mức công nhận này" in _text(
        response
    )
    assert not Recognition.objects.filter(unit=new).exists()
    response = client.post(url, {"action": "acknowledge", "tier": "ntm", **DECISION_FORM})
    case = Recognition.objects.get(unit=new)
    assert response["Location"] == reverse("web:recognition", args=[case.pk])
    page = _text(client.get(response["Location"]))
    assert "Xã An Bình" in page and "Xã Bình Minh" in page  # the predecessors listed


# ---------------------------------------------------------------------------- the life cycle


def test_a_whole_life_cycle_through_the_pages(
    client: Client, p: Personas, engine_says_met: None
) -> None:
    p.login(client, "officer_a")
    response = client.post(
        reverse("web:recognition_unit", args=[p.commune_a.pk]),
        {"action": "propose", "tier": "ntm", "year": "2020", "note": "Tờ trình số 5"},
    )
    case = Recognition.objects.get(unit=p.commune_a)
    url = reverse("web:recognition", args=[case.pk])
    assert response["Location"] == url
    assert client.post(url, DOSSIER).status_code == 302

    p.login(client, "appraiser")
    assert 'value="verify"' in _text(client.get(url))
    assert client.post(url, {"action": "verify", "note": "Đã thẩm tra thực địa"}).status_code == 302

    p.login(client, "province_office")
    assert 'value="appraise"' in _text(client.get(url))
    vote = {"action": "appraise", "votes_for": "20", "votes_total": "22"}
    assert client.post(url, vote).status_code == 302
    register = reverse("web:recognitions", args=[p.province.pk])
    assert f'name="case" value="{case.pk}"' in _text(client.get(register))
    response = client.post(register, {"action": "recognise", "case": [case.pk], **DECISION_FORM})
    assert response.status_code == 302

    case.refresh_from_db()
    assert case.status == Status.RECOGNISED
    page = _text(client.get(url))
    assert '<dd data-figure="status" class="rc-recognised">Được công nhận</dd>' in page
    history = page[page.index('data-table="steps"') :]
    for shown in ("Cán bộ xã An Bình", "Thẩm định viên", "Đã thẩm tra thực địa", "Tờ trình số 5"):
        assert shown in history, shown
    assert history.count("<tr>") == 6  # header and five steps
    # Verification (thẩm tra) and the council's appraisal (thẩm định) read apart.
    assert history.index("Đã thẩm tra") < history.index("Đã thẩm định")
    checklist = page[page.index('data-table="checklist"') : page.index('id="h-next"')]
    assert checklist.count("đạt") >= 4 and "không đạt" not in checklist
    assert 'value="revoke"' in page

    response = client.post(url, {"action": "revoke", **REVOKING_FORM})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REVOKED
    decision_page = _text(client.get(reverse("web:recognition_decision", args=[case.decision_id])))
    assert "Xã An Bình" in decision_page and "Hồ Tiến Thiệu" in decision_page


def test_recognising_with_an_unmet_condition_is_refused_unless_overridden(
    client: Client, p: Personas
) -> None:
    case = _at(p, Status.APPRAISED)
    url = reverse("web:recognition", args=[case.pk])
    p.login(client, "province_office")
    page = _text(client.get(url))
    checklist = page[page.index('data-table="checklist"') :]
    assert "chưa rõ" in checklist  # no values: the set's result is not known
    audits = AuditLog.objects.count()

    response = client.post(url, {"action": "recognise", **DECISION_FORM})
    assert response.status_code == 400
    text = _text(response)
    assert "Không ghi gì:" in text and "Xã An Bình" in text
    case.refresh_from_db()
    assert case.status == Status.APPRAISED
    assert AuditLog.objects.count() == audits
    assert not RecognitionDecision.objects.exists()

    reason = "Kết quả thẩm định của Hội đồng tỉnh ngày 20/01/2021"
    response = client.post(url, {"action": "recognise", "override_reason": reason, **DECISION_FORM})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RECOGNISED and case.override_reason == reason
    assert reason in _text(client.get(url))


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ({"satisfaction": "", "debt_outstanding": "no", "security_complex": "no"}, "(%)"),
        ({"satisfaction": "chín mươi", "debt_outstanding": "no", "security_complex": "no"}, ":"),
        ({"satisfaction": "120", "debt_outstanding": "no", "security_complex": "no"}, "100"),
        ({"satisfaction": "95", "security_complex": "no"}, "?"),
    ],
)
def test_a_bad_dossier_is_refused_on_the_page(
    client: Client, p: Personas, data: dict[str, str], shown: str
) -> None:
    case = _at(p, Status.PROPOSED)
    p.login(client, "officer_a")
    response = client.post(
        reverse("web:recognition", args=[case.pk]), {"action": "dossier", **data}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Không ghi gì:" in text and shown in text
    case.refresh_from_db()
    assert case.status == Status.PROPOSED and case.satisfaction is None


def test_a_step_out_of_order_is_refused_on_the_page(client: Client, p: Personas) -> None:
    case = _at(p, Status.PROPOSED)
    p.login(client, "appraiser")
    response = client.post(reverse("web:recognition", args=[case.pk]), {"action": "verify"})
    assert response.status_code == 400
    assert "hồ sơ đang ở trạng thái “Đề nghị”" in _text(response)
    assert RecognitionStep.objects.filter(recognition=case).count() == 1


def test_a_second_proposal_at_the_same_tier_is_refused(client: Client, p: Personas) -> None:
    _at(p, Status.PROPOSED)
    p.login(client, "officer_a")
    response = client.post(
        reverse("web:recognition_unit", args=[p.commune_a.pk]),
        {"action": "propose", "tier": "ntm", "year": "2021"},
    )
    assert response.status_code == 400
    assert Recognition.objects.filter(unit=p.commune_a).count() == 1


# ---------------------------------------------------------------------------- the register


def _register_world(p: Personas) -> None:
    record_recognised(p.commune_a, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    record_recognised(
        p.commune_b,
        Tier.NTM,
        2019,
        DecisionBasis("TEST-3/QĐ-UBND", dt.date(2020, 1, 15), "UBND tỉnh", simulated=True),
        acting_user=p.province_office,
    )
    propose(p.commune_a, Tier.ADVANCED, 2023, acting_user=p.officer_a)


def _register_units(client: Client, p: Personas, query: str) -> list[str]:
    url = reverse("web:recognitions", args=[p.province.pk])
    text = _text(client.get(f"{url}?{query}"))
    if 'data-table="register"' not in text:
        return []
    table = text[text.index('data-table="register"') : text.index("</table>")]
    return [n for n in ("Xã An Bình", "Xã Bình Minh") for _ in range(table.count(n))]


@pytest.mark.parametrize(
    ("query", "units"),
    [
        ("", ["Xã An Bình", "Xã An Bình", "Xã Bình Minh"]),
        ("tier=ntm", ["Xã An Bình", "Xã Bình Minh"]),
        ("tier=advanced", ["Xã An Bình"]),
        ("year=2019", ["Xã Bình Minh"]),
        ("status=proposed", ["Xã An Bình"]),
        ("status=recognised&tier=ntm&year=2020", ["Xã An Bình"]),
        ("unit=an+binh", ["Xã An Bình", "Xã An Bình"]),  # without diacritics
        ("unit=BÌNH+MINH", ["Xã Bình Minh"]),
        ("unit=99002", ["Xã Bình Minh"]),
        ("unit=hop+nhat", []),
        ("tier=nonsense&year=abc", ["Xã An Bình", "Xã An Bình", "Xã Bình Minh"]),  # ignored
    ],
)
def test_the_register_filters(client: Client, p: Personas, query: str, units: list[str]) -> None:
    _register_world(p)
    p.login(client, "central_viewer")
    assert _register_units(client, p, query) == units


def test_the_register_shows_the_decision_and_the_simulated_label(
    client: Client, p: Personas
) -> None:
    _register_world(p)
    p.login(client, "province_office")
    text = _text(client.get(reverse("web:recognitions", args=[p.province.pk])))
    assert "TEST-2165/QĐ-UBND ngày 26/01/2021" in text
    assert "TEST-3/QĐ-UBND ngày 15/01/2020" in text
    assert text.count("data-simulated") == 1 and "(mô phỏng)" in text
    assert reverse("web:recognitions_export", args=[p.province.pk]) in text


def test_the_register_pages(client: Client, p: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    _register_world(p)
    monkeypatch.setattr(views_recognition, "PER_PAGE", 2)
    p.login(client, "province_office")
    url = reverse("web:recognitions", args=[p.province.pk])
    first = _text(client.get(f"{url}?tier=ntm&page=1"))
    assert "?tier=ntm&page=2" not in first  # two rows: one page
    first = _text(client.get(url))
    assert "Trang 1/2" in first
    assert 'href="?page=2"' in first
    second = _register_units(client, p, "page=2")
    assert second == ["Xã Bình Minh"]


def test_the_register_is_linked_from_the_province_and_the_commune(
    client: Client, p: Personas
) -> None:
    _register_world(p)
    p.login(client, "province_office")
    province = _text(client.get(reverse("web:province", args=[p.province.pk])))
    tabs = province[province.index('class="page-tabs"') :]
    tabs = tabs[: tabs.index("</nav>")]
    assert reverse("web:recognitions", args=[p.province.pk]) in tabs
    p.login(client, "officer_a")
    commune = _text(client.get(reverse("web:commune", args=[p.commune_a.pk])))
    section = commune[commune.index('id="h-recognitions"') : commune.index('id="h-criteria"')]
    assert reverse("web:recognition_unit", args=[p.commune_a.pk]) in section
    assert "TEST-2165/QĐ-UBND ngày 26/01/2021" in section
    assert section.count("<tr>") == 3  # header, the NTM recognition, the advanced proposal


def test_the_excel_export_holds_the_filtered_register(client: Client, p: Personas) -> None:
    _register_world(p)
    p.login(client, "appraiser")
    url = reverse("web:recognitions_export", args=[p.province.pk])
    response = client.get(f"{url}?tier=ntm")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-cong-nhan-99.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert "Tỉnh Thử Nghiệm" in str(rows[0][0])
    assert rows[1][0] == "Lọc theo Hạng: Đạt chuẩn nông thôn mới."
    header = rows[3]
    assert header[:6] == ["Mã", "Đơn vị", "Huyện", "Hạng", "Năm đạt chuẩn", "Trạng thái"]
    data = rows[4:]
    assert len(data) == 2
    a, b = data
    assert a[0] == "99001" and a[1] == "Xã An Bình" and a[2] is None and a[4] == 2020
    assert a[6:10] == ["TEST-2165/QĐ-UBND", "26/01/2021", "TEST", "UBND tỉnh Thử Nghiệm"]
    assert a[10] is None
    assert b[1] == "Xã Bình Minh" and b[4] == 2019 and b[10] == "mô phỏng"


# ---------------------------------------------------------------------------- a decision


def test_a_decision_lists_only_the_units_the_viewer_reads(client: Client, p: Personas) -> None:
    a, b = _at(p, Status.APPRAISED), _at(p, Status.APPRAISED, p.commune_b)
    p.login(client, "province_office")
    register = reverse("web:recognitions", args=[p.province.pk])
    client.post(
        register,
        {"action": "recognise", "case": [a.pk, b.pk], "override_reason": "Thử", **DECISION_FORM},
    )
    decision = RecognitionDecision.objects.get()
    assert decision.recognitions.count() == 2
    url = reverse("web:recognition_decision", args=[decision.pk])
    text = _text(client.get(url))
    assert "Xã An Bình" in text and "Xã Bình Minh" in text
    p.login(client, "officer_a")
    text = _text(client.get(url))
    assert "Xã An Bình" in text and "Xã Bình Minh" not in text


def test_the_pages_read_in_english(client: Client, p: Personas) -> None:
    _register_world(p)
    case = Recognition.objects.get(unit=p.commune_a, tier=Tier.ADVANCED)
    p.login(client, "province_office")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    register = _text(client.get(reverse("web:recognitions", args=[p.province.pk])))
    assert "Recognitions of Tỉnh Thử Nghiệm" in register
    assert "TEST-3/QĐ-UBND of 15/01/2020" in register and "(simulated)" in register
    assert "3 cases and recognitions." in register
    page = _text(client.get(reverse("web:recognition", args=[case.pk])))
    assert "Advanced new rural standard, year of the standard 2023" in page
    assert "Complete the dossier" in page and "not known" in page


def test_the_register_reads_in_a_fixed_number_of_queries(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    url = reverse("web:recognitions", args=[p.province.pk])
    _register_world(p)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 9):
        extra = make_unit(f"Xã Thêm {n}", UnitKind.COMMUNE, f"9900{n}", p.province)
        record_recognised(extra, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "9 hồ sơ hoặc quyết định công nhận." in _text(response)
    assert len(many) == len(few)


def test_the_commune_page_proposes_and_offers_the_acknowledgement(
    client: Client, p: Personas
) -> None:
    p.login(client, "officer_a")
    commune = _text(client.get(reverse("web:commune", args=[p.commune_a.pk])))
    section = commune[commune.index('id="h-recognitions"') : commune.index('id="h-criteria"')]
    action = reverse("web:recognition_unit", args=[p.commune_a.pk])
    assert f'<form method="post" action="{action}">' in section
    assert 'value="modern"' in section and 'value="completed"' not in section  # commune tiers
    p.login(client, "appraiser")
    commune = _text(client.get(reverse("web:commune", args=[p.commune_a.pk])))
    assert 'value="propose"' not in commune  # the appraiser reads, and does not propose

    new = _merged(p)
    p.login(client, "province_office")
    commune = _text(client.get(reverse("web:commune", args=[new.pk])))
    offer = commune[commune.index('data-figure="acknowledgeable"') :]
    assert "ngày 01/12/2024" in offer and "Đạt chuẩn nông thôn mới" in offer
