"""Every route of the project, persona by persona: a table of what each route answers to each
persona, and a walk of Django's URL resolver and of the API's OpenAPI schema that fails when a
route has no row, or a row leaves out a persona — a route added later without saying who may
use it breaks the build.

Pages are keyed by URL name (`namespace:name`), API operations by (method, schema path); never
by view function or module, which move. The statuses follow `ntm.accounts.permissions` and the
views:

- 404: a unit, file or import job outside the persona's scope, exactly as one that does not
  exist (nothing about it leaks);
- 403: inside the scope, without the right to act;
- LOGIN: a page sends the anonymous visitor to the login page; the API answers 401;
- 405: a method the route does not take (asked after the login check); every page row says
  what POST gets, so that a page which starts taking POST needs its row changed.

Every request addresses a real object of the persona world (`ntm.values.testing`): commune A,
the province, A's 2020 income with its evidence, A's submitted 2021 period, officer A's import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any, Literal, cast

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from ntm.accounts.models import RoleAssignment
from ntm.accounts.services import create_user, deactivate_user
from ntm.accounts.testing import PERSONAS, PersonaName, make_unit
from ntm.api.api import api
from ntm.api.tokens import create_token
from ntm.criteria.schema import CellChange
from ntm.decisions.models import Decision
from ntm.decisions.services import Basis, attach_scan, record_decision
from ntm.jobs import JobState
from ntm.recognition.models import Recognition, RecognitionDecision, Tier
from ntm.recognition.services import (
    DecisionBasis,
    complete_dossier,
    propose,
    record_recognised,
)
from ntm.recognition.services import attach_scan as attach_recognition_scan
from ntm.reports.models import ReportJob, ReportKind
from ntm.units.models import UnitKind
from ntm.values.testing import (
    INCOME,
    PNG,
    SET,
    SUBMITTED_SET,
    SUBMITTED_YEAR,
    YEAR,
    World,
    persona_world,
    world,
)

__all__ = ["persona_world", "world"]  # fixtures

LOGIN: Literal["login"] = "login"
Status = int | Literal["login"]


# One expectation per persona, in the order of PERSONAS:
# officer_a, officer_b, appraiser, province_office, central_viewer, administrator, anonymous.
Row = tuple[Status, ...]

PASSWORD = "mật-khẩu-của-xã-an-bình"

# ---------------------------------------------------------------------------- common rows

# Commune A (or what belongs to it): its officer and every persona reading the province.
READ_A: Row = (200, 404, 200, 200, 200, 200, LOGIN)
# The province: not the communes' officers.
READ_PROVINCE: Row = (404, 404, 200, 200, 200, 200, LOGIN)
# A page any signed-in persona reads.
SIGNED_IN: Row = (200, 200, 200, 200, 200, 200, LOGIN)
# A public page: everyone, signed in or not.
PUBLIC: Row = (200,) * len(PERSONAS)
# The user administration pages: the administrator's alone; an act redirects to the user's
# page (ADMIN_ACTS) or answers with it (ADMIN_ANSWERS).
ADMIN_READS: Row = (403, 403, 403, 403, 403, 200, LOGIN)
ADMIN_ACTS: Row = (403, 403, 403, 403, 403, 302, LOGIN)
ADMIN_ANSWERS: Row = ADMIN_READS
# A page that takes one method only, asked with another (after the login check).
REFUSED_METHOD: tuple[Status, ...] = (405, 405, 405, 405, 405, 405, LOGIN)

# Asking the province for something made apart (a report file): redirected to it.
ASK_PROVINCE: Row = (404, 404, 302, 302, 302, 302, LOGIN)
# A report file asked for by the appraiser.
REPORT_JOB: Row = (404, 404, 200, 200, 404, 404, LOGIN)

# ---------------------------------------------------------------------------- pages


def _none(w: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Page:
    """How to address the route in the world, and what GET and POST get."""

    args: Callable[[World], list[Any]]
    get: Row
    post: Row
    data: Callable[[World], dict[str, Any]] = _none  # the POST body
    query: str = ""  # of the GET


def _commune_a(w: World) -> list[Any]:
    return [w.p.commune_a.pk]


def _province(w: World) -> list[Any]:
    return [w.p.province.pk]


def _report_job(w: World) -> list[Any]:
    """A workbook the appraiser asked for, made."""
    job = ReportJob.objects.create(
        kind=ReportKind.WORKBOOK,
        province=w.p.province,
        period=YEAR,
        state=JobState.DONE,
        filename="ntm-99-2020.xlsx",
        created_by=w.p.appraiser,
        created_at=timezone.now(),
    )
    job.file.save(job.filename, ContentFile(b"PK\x03\x04"))
    return [job.pk]


def _district_communes(w: World) -> list[Any]:
    """A district of the province with one commune (made for the request, rolled back)."""
    district = make_unit("Huyện Thử", UnitKind.DISTRICT, None, w.p.province)
    make_unit("Xã Thử", UnitKind.COMMUNE, None, district)
    return [w.p.province.pk, district.pk]


def _grid(w: World) -> list[Any]:
    return [w.p.commune_a.pk, SET, YEAR]


def _value(w: World) -> list[Any]:
    return [w.p.commune_a.pk, YEAR, INCOME]


def _no_args(w: World) -> list[Any]:
    return []


def _boundaries(w: World) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[lon, 21.0], [lon + 0.1, 21.0], [lon + 0.1, 21.1], [lon, 21.0]]],
            },
        }
        for code, lon in (("99001", 106.0), ("99002", 106.2))
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return {"boundaries": SimpleUploadedFile("ranh-gioi.geojson", data)}


def _import_file(w: World) -> dict[str, Any]:
    upload = SimpleUploadedFile("xa.csv", b"unit,income_per_capita\n99001,48\n")
    return {"file": upload, "set_id": SET, "year": YEAR, "stage": "claimed"}


GROUP_BASIS = {
    "valid_from": "15/01/2026",
    "decision_number": "15/QĐ-UBND",
    "decision_date": "05/01/2026",
    "issuer": "UBND tỉnh",
}


def _group_form(w: World) -> dict[str, Any]:
    return {"unit": [w.p.commune_a.pk, w.p.commune_b.pk], "group": "2", **GROUP_BASIS}


def _group_file(w: World) -> dict[str, Any]:
    head = ",".join(["unit", "group", *GROUP_BASIS])
    row = ",".join(["99001", "1", *GROUP_BASIS.values()])
    return {"file": SimpleUploadedFile("nhom.csv", f"{head}\n{row}\n".encode())}


def _count_list(w: World) -> dict[str, Any]:
    upload = SimpleUploadedFile("so-tieu-chi.csv", "Mã xã,Số tiêu chí đạt\n99001,14/19\n".encode())
    return {"file": upload, "set_id": SET, "year": YEAR}


DECISION_BASIS = {"number": "7/QĐ-UBND", "date_signed": "02/03/2020", "issuer": "UBND tỉnh"}
OVERLAY_FILE = """kind: overlay
id: route-99
extends: vn-ntm-xa-2016-2020
province_code: "99"
province_name: Tỉnh Thử Nghiệm
legal_basis: {number: 8/QĐ-UBND, issuer: UBND tỉnh, date_signed: 2020-03-02}
cells:
  - {indicator: "15.1", column: province, value: 92, status: verified}
"""


def _district(w: World) -> list[Any]:
    """A district of the province (the persona world's communes lie directly under it)."""
    return [make_unit("Huyện Thử", UnitKind.DISTRICT, "998", w.p.province).pk]


def _district_statuses(w: World) -> dict[str, Any]:
    return {"year": "2023", "c6": "met", "c9": "not_met"}


def _decision_cell(w: World) -> dict[str, Any]:
    return {
        "set_id": SET,
        "indicator": "15.1",
        "column": "province",
        "value": "90",
        **DECISION_BASIS,
    }


def _overlay_file(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("quyet-dinh.yaml", OVERLAY_FILE.encode())}


def _gaps_file(w: World) -> dict[str, Any]:
    head = "set,indicator,condition,column,value,decision_number,decision_date,issuer"
    row = f"{SET},15.1,0,national,91,9/QĐ-UBND,02/03/2020,UBND tỉnh"
    return {"file": SimpleUploadedFile("o-can-bo-sung.csv", f"{head}\n{row}\n".encode())}


def _recognition_list(w: World) -> dict[str, Any]:
    rows = "Xã,Mức công nhận,Năm đạt chuẩn,Số quyết định,Ngày quyết định\n"
    rows += "An Bình,NTM,2021,12/QĐ-UBND,20/01/2022\n"
    return {"file": SimpleUploadedFile("cong-nhan.csv", rows.encode())}


def _decision(w: World) -> list[Any]:
    """The province and a decision of it (recorded in the test, rolled back with it)."""
    done = record_decision(
        w.p.province,
        SET,
        Basis("10/QĐ-UBND", dt.date(2020, 3, 2), "UBND tỉnh"),
        [CellChange(indicator="15.1", column="province", value=93, status="verified")],
        effective_from=None,
        acting_user=w.p.province_office,
    )
    return [w.p.province.pk, done.decision.pk]


def _scan(w: World) -> list[Any]:
    """The province and the scan of one of its decisions."""
    province, decision = _decision(w)
    upload = SimpleUploadedFile("quyet-dinh.png", PNG)
    scan = attach_scan(Decision.objects.get(pk=decision), upload, acting_user=w.p.province_office)
    return [province, scan.pk]


def _scan_file(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("ban-quet.png", PNG)}


def _transition(w: World) -> dict[str, Any]:
    return {"set_id": SET, "successor_from": "01/01/2023", **DECISION_BASIS}


def _province_set_file(w: World) -> dict[str, Any]:
    text = (resources.files("ntm.criteria") / "sets" / f"{SET}.yaml").read_text("utf-8")
    text = text.replace(f"id: {SET}\n", "id: tn99-kieu-mau-2016-2020\n", 1)
    return {"file": SimpleUploadedFile("kieu-mau.yaml", text.encode())}


def _case_a(w: World) -> Recognition:
    """Commune A's case for NTM 2020 with its dossier complete (for the appraiser to verify)."""
    case = propose(w.p.commune_a, Tier.NTM, YEAR, acting_user=w.p.officer_a)
    return complete_dossier(
        case,
        satisfaction=Decimal(95),
        debt_outstanding=False,
        security_complex=False,
        acting_user=w.p.officer_a,
    )


def _decision_a(w: World) -> list[Any]:
    """A decision recognising commune A."""
    basis = DecisionBasis("10/QĐ-UBND", dt.date(2021, 1, 20), "UBND tỉnh")
    case = record_recognised(
        w.p.commune_a, Tier.ADVANCED, YEAR, basis, acting_user=w.p.province_office
    )
    assert case.decision_id is not None
    return [case.decision_id]


def _recognition_scan(w: World) -> list[Any]:
    """The scan of a decision recognising commune A."""
    (decision,) = _decision_a(w)
    upload = SimpleUploadedFile("quyet-dinh.png", PNG)
    found = RecognitionDecision.objects.get(pk=decision)
    return [attach_recognition_scan(found, upload, acting_user=w.p.province_office).pk]


def _officer_b(w: World) -> list[Any]:
    return [w.p.officer_b.pk]


def _deactivated_user(w: World) -> list[Any]:
    """A deactivated account, for the administrator to reactivate."""
    user = create_user("nghi", password=None, role="central_viewer", actor="test:routes")
    return [deactivate_user(user, actor="test:routes").pk]


PROPOSAL = {"action": "propose", "tier": "ntm", "year": str(YEAR)}


PAGES: dict[str, Page] = {
    # ------------------------------------------------------------------ the shell
    "web:home": Page(
        _no_args,
        get=SIGNED_IN,
        post=REFUSED_METHOD,
    ),
    # Signed-in personas are sent home (302) before any form is read; the anonymous visitor
    # signs in as officer A.
    "web:login": Page(
        _no_args,
        get=(302, 302, 302, 302, 302, 302, 200),
        post=(302, 302, 302, 302, 302, 302, 302),
        data=lambda w: {"username": w.p.officer_a.username, "password": PASSWORD},
    ),
    # Logging out is a POST (a link could log anyone out); it ends on the login page.
    "web:logout": Page(
        _no_args, get=(405, 405, 405, 405, 405, 405, 405), post=(LOGIN,) * len(PERSONAS)
    ),
    # ------------------------------------------------------------------ dashboards
    "web:province": Page(
        _province,
        get=READ_PROVINCE,
        post=REFUSED_METHOD,
    ),
    # The Báo cáo page (its options form): read with the province.
    "web:province_report": Page(_province, get=READ_PROVINCE, post=REFUSED_METHOD),
    # A district's (of the time): read with its province.
    "web:district_report": Page(_district, get=READ_PROVINCE, post=REFUSED_METHOD),
    # The country's: central viewers and administrators.
    "web:country_report": Page(
        _no_args, get=(403, 403, 403, 403, 200, 200, LOGIN), post=REFUSED_METHOD
    ),
    # Checking a published text: read with the province; the text is posted, nothing stored.
    "web:province_report_check": Page(
        _province,
        get=READ_PROVINCE,
        post=READ_PROVINCE,
        data=lambda w: {"text": "Có 1/2 xã đạt chuẩn.", "province": w.p.province.pk},
    ),
    # Uploading boundaries is the province office's act.
    "web:province_map": Page(
        _province,
        get=READ_PROVINCE,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_boundaries,
    ),
    # Asking for a report file: whoever reads the province (the job goes to its page).
    "web:report_workbook": Page(_province, get=REFUSED_METHOD, post=ASK_PROVINCE),
    "web:report_pdf": Page(_province, get=REFUSED_METHOD, post=ASK_PROVINCE),
    # A report file and its page: its creator's (the appraiser's here) and the province
    # office's.
    "web:report_job": Page(_report_job, get=REPORT_JOB, post=REFUSED_METHOD),
    "web:report_file": Page(_report_job, get=REPORT_JOB, post=REFUSED_METHOD),
    # Commune groups: read with the province; assigned by its office only.
    "web:province_groups": Page(
        _province,
        get=READ_PROVINCE,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_group_form,
    ),
    "web:province_groups_template": Page(
        _province,
        get=(404, 404, 403, 200, 403, 403, LOGIN),
        post=REFUSED_METHOD,
    ),
    "web:province_groups_import": Page(
        _province,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_group_file,
    ),
    # Count-only lists (chỉ có số tiêu chí đạt): imported by the province office only.
    "web:province_counts": Page(
        _province,
        get=(404, 404, 403, 200, 403, 403, LOGIN),
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_count_list,
    ),
    # A district's own criteria (the QĐ 18/2022 district rule): recorded by the province
    # office only; the communes' officers do not see the district.
    "web:district_criteria": Page(
        _district,
        get=(404, 404, 403, 200, 403, 403, LOGIN),
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_district_statuses,
    ),
    # Province decisions on the criteria: read with the province; recorded by its office only.
    "web:province_decisions": Page(
        _province,
        get=READ_PROVINCE,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_decision_cell,
    ),
    "web:province_decisions_overlay": Page(
        _province,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_overlay_file,
    ),
    "web:province_decisions_scan": Page(
        _decision,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_scan_file,
    ),
    "web:province_decisions_scan_file": Page(
        _scan,
        get=READ_PROVINCE,
        post=REFUSED_METHOD,
    ),
    "web:province_decisions_transition": Page(
        _province,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_transition,
    ),
    "web:province_decisions_set": Page(
        _province,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_province_set_file,
    ),
    "web:province_decisions_gaps": Page(
        _province,
        get=READ_PROVINCE,
        post=REFUSED_METHOD,
    ),
    "web:province_decisions_gaps_import": Page(
        _province,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_gaps_file,
    ),
    # Recognition: the register reads with the province; the province office proposes a unit
    # (or recognises several) there.
    "web:recognitions": Page(
        _province,
        get=READ_PROVINCE,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=lambda w: {**PROPOSAL, "unit": w.p.commune_a.pk},
    ),
    "web:recognitions_export": Page(_province, get=READ_PROVINCE, post=REFUSED_METHOD),
    # A case reads with its unit; each step is its role's (here the appraiser verifies).
    "web:recognition": Page(
        lambda w: [_case_a(w).pk],
        get=READ_A,
        post=(403, 404, 302, 403, 403, 403, LOGIN),
        data=lambda w: {"action": "verify"},
    ),
    # A decision reads with any unit it names (or its province).
    "web:recognition_decision": Page(_decision_a, get=READ_A, post=REFUSED_METHOD),
    "web:recognition_decision_scan": Page(
        _decision_a,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=_scan_file,
    ),
    "web:recognition_scan_file": Page(_recognition_scan, get=READ_PROVINCE, post=REFUSED_METHOD),
    # A unit's recognitions: its officers and the province office propose it.
    "web:recognition_unit": Page(
        _commune_a,
        get=READ_A,
        post=(302, 404, 403, 302, 403, 403, LOGIN),
        data=lambda w: PROPOSAL,
    ),
    # Importing a recognition list is the province office's act; the page shows the report.
    "web:recognition_import": Page(
        _province,
        get=(404, 404, 403, 200, 403, 403, LOGIN),
        post=(404, 404, 403, 200, 403, 403, LOGIN),
        data=_recognition_list,
    ),
    # The list of disagreements reads the province; deciding is `values:decide`.
    "web:disagreements": Page(
        _province,
        get=READ_PROVINCE,
        post=REFUSED_METHOD,
    ),
    "web:commune": Page(
        _commune_a,
        get=READ_A,
        post=REFUSED_METHOD,
    ),
    # Finding communes: the search shows each persona what it may read; the commune table
    # and a district's share of it read with the province.
    "web:search": Page(_no_args, get=SIGNED_IN, post=REFUSED_METHOD, query="?q=an+binh"),
    "web:province_communes": Page(
        _province, get=READ_PROVINCE, post=REFUSED_METHOD, query=f"?period={YEAR}"
    ),
    "web:district_communes": Page(
        _district_communes, get=READ_PROVINCE, post=REFUSED_METHOD, query=f"?period={YEAR}"
    ),
    # The review queue: the appraiser and the province office, who act on it.
    "web:review_queue": Page(
        _province, get=(404, 404, 200, 200, 403, 403, LOGIN), post=REFUSED_METHOD
    ),
    # Whether approval needs completeness: the province office's rule.
    "web:require_complete": Page(
        _province,
        get=REFUSED_METHOD,
        post=(404, 404, 403, 302, 403, 403, LOGIN),
        data=lambda w: {"require": "yes"},
    ),
    # Each signed-in user's own notifications.
    "web:notifications": Page(_no_args, get=SIGNED_IN, post=REFUSED_METHOD),
    "web:notifications_read": Page(
        _no_args, get=REFUSED_METHOD, post=(302, 302, 302, 302, 302, 302, LOGIN)
    ),
    # The whole country: central viewers and administrators.
    "web:criteria_sets": Page(
        _no_args,
        get=SIGNED_IN,
        post=REFUSED_METHOD,
    ),
    "web:central": Page(
        _no_args,
        get=(403, 403, 403, 403, 200, 200, LOGIN),
        post=REFUSED_METHOD,
    ),
    # ------------------------------------------------------------------ user administration
    # The administrator's alone; the target is officer B (officer A's password serves the
    # login row). Creating a user and setting a password answer with the user's page, which
    # shows the temporary password once.
    "web:users": Page(_no_args, get=ADMIN_READS, post=REFUSED_METHOD),
    "web:user_create": Page(
        _no_args,
        get=ADMIN_READS,
        post=ADMIN_ANSWERS,
        data=lambda w: {"username": "moi", "full_name": "Người Mới", "role": "central_viewer"},
    ),
    "web:user": Page(_officer_b, get=ADMIN_READS, post=REFUSED_METHOD),
    "web:user_edit": Page(
        _officer_b,
        get=ADMIN_READS,
        post=ADMIN_ACTS,
        data=lambda w: {"full_name": "Tên Mới", "email": "moi@example.vn"},
    ),
    "web:user_deactivate": Page(_officer_b, get=REFUSED_METHOD, post=ADMIN_ACTS),
    "web:user_reactivate": Page(_deactivated_user, get=REFUSED_METHOD, post=ADMIN_ACTS),
    "web:user_password": Page(_officer_b, get=REFUSED_METHOD, post=ADMIN_ANSWERS),
    "web:user_role_grant": Page(
        _officer_b,
        get=REFUSED_METHOD,
        post=ADMIN_ACTS,
        data=lambda w: {"role": "appraiser", "unit_code": w.p.province.code},
    ),
    "web:user_role_revoke": Page(
        lambda w: [w.p.officer_b.pk, RoleAssignment.objects.get(user=w.p.officer_b).pk],
        get=REFUSED_METHOD,
        post=ADMIN_ACTS,
        data=lambda w: {"reason": "Chuyển công tác"},
    ),
    "web:user_audit": Page(_officer_b, get=ADMIN_READS, post=REFUSED_METHOD),
    # Everyone's own password: officer A knows theirs (the form says the others' is wrong).
    "web:password_change": Page(
        _no_args,
        get=SIGNED_IN,
        post=(302, 400, 400, 400, 400, 400, LOGIN),
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password": PASSWORD + "-mới",
            "new_password_again": PASSWORD + "-mới",
        },
    ),
    # ------------------------------------------------------------------ public pages
    "public:national": Page(_no_args, get=PUBLIC, post=(405,) * len(PERSONAS)),
    "public:province": Page(_province, get=PUBLIC, post=(405,) * len(PERSONAS)),
    "public:criterion": Page(lambda w: [2], get=PUBLIC, post=(405,) * len(PERSONAS)),
    # ------------------------------------------------------------------ values: the grid
    "values:choose": Page(_commune_a, get=READ_A, post=REFUSED_METHOD),
    "values:entry": Page(_grid, get=READ_A, post=REFUSED_METHOD),
    # The claimed entry is the commune officer's (success: back to the grid).
    "values:save_cell": Page(
        lambda w: [*_grid(w), INCOME, "claimed"],
        get=REFUSED_METHOD,
        post=(302, 404, 403, 403, 403, 403, LOGIN),
        data=lambda w: {"value": "50", "version": str(w.value.claimed_version), "criterion": "10"},
    ),
    # The commune declares while its period is open; the appraiser and the office review.
    "values:declare": Page(
        lambda w: [*_grid(w), 19],
        get=REFUSED_METHOD,
        post=(302, 404, 302, 302, 403, 403, LOGIN),
        data=lambda w: {"status": "met"},
    ),
    # Deciding a criterion over its computed result is the province office's act alone.
    "values:decide": Page(
        lambda w: [*_grid(w), 10],
        get=REFUSED_METHOD,
        post=(403, 404, 403, 302, 403, 403, LOGIN),
        data=lambda w: {"status": "met", "reason": "Biên bản thẩm định bổ sung"},
    ),
    # Approving A's submitted period is the province office's act.
    "values:workflow": Page(
        lambda w: [w.p.commune_a.pk, SUBMITTED_SET, SUBMITTED_YEAR],
        get=REFUSED_METHOD,
        post=(403, 404, 403, 302, 403, 403, LOGIN),
        # Confirmed: A's period has gaps (the completeness step asks first).
        data=lambda w: {"action": "approve", "reason": "", "confirm": "on"},
    ),
    # ------------------------------------------------------------------ values: one value
    "values:value": Page(_value, get=READ_A, post=REFUSED_METHOD),
    # Evidence follows the stage one works on: the commune's officer and the appraiser.
    "values:upload_evidence": Page(
        _value,
        get=REFUSED_METHOD,
        post=(302, 404, 302, 403, 403, 403, LOGIN),
        data=lambda w: {"file": SimpleUploadedFile("anh.png", PNG), "description": ""},
    ),
    # Remarks come from whoever works on the value: commune, appraiser, province office.
    "values:add_comment": Page(
        _value,
        get=REFUSED_METHOD,
        post=(302, 404, 302, 302, 403, 403, LOGIN),
        data=lambda w: {"text": "Đề nghị bổ sung biên bản"},
    ),
    "values:history": Page(_value, get=READ_A, post=REFUSED_METHOD),
    "values:evidence_file": Page(lambda w: [w.evidence.pk], get=READ_A, post=REFUSED_METHOD),
    # ------------------------------------------------------------------ values: import
    # Who imports: the roles that enter, verify or collect values (each row is then checked
    # against the importer's scope); readers of the country do not.
    "values:import": Page(
        _no_args,
        get=(200, 200, 200, 200, 403, 403, LOGIN),
        post=(302, 302, 302, 302, 403, 403, LOGIN),
        data=_import_file,
    ),
    # The criterion-level template lists the communes one imports statuses for: the
    # officers' own, the province office's province (the appraiser imports verified values).
    "values:level_template": Page(
        _no_args,
        get=(200, 200, 403, 200, 403, 403, LOGIN),
        post=REFUSED_METHOD,
        query=f"?set_id={SET}&year={YEAR}",
    ),
    # A job is its owner's only (officer A's here).
    "values:import_job": Page(
        lambda w: [w.job.pk],
        get=(200, 404, 404, 404, 404, 404, LOGIN),
        post=REFUSED_METHOD,
    ),
    # ------------------------------------------------------------------ the API's own pages
    # The schema describes the API and holds no record: public.
    "api:openapi-json": Page(
        _no_args,
        get=(200,) * len(PERSONAS),
        post=(405,) * len(PERSONAS),
    ),
    # No page at the API's root (django-ninja's placeholder; the docs page is switched off).
    "api:api-root": Page(_no_args, get=(404,) * len(PERSONAS), post=(404,) * len(PERSONAS)),
}

# ---------------------------------------------------------------------------- API


@dataclass(frozen=True)
class Operation:
    """How to address the operation in the world, and what each persona gets."""

    params: Callable[[World], dict[str, Any]]  # the schema path's parameters
    expect: Row
    query: str = ""
    body: Callable[[World], dict[str, Any]] | None = None


def _unit_a(w: World) -> dict[str, Any]:
    return {"unit_id": w.p.commune_a.pk}


def _no_params(w: World) -> dict[str, Any]:
    return {}


# Signed-in callers read commune A within their scope; anonymous callers get 401 everywhere.
API_READ_A: Row = (200, 404, 200, 200, 200, 200, 401)
API_SIGNED_IN: Row = (200, 200, 200, 200, 200, 200, 401)

API: dict[tuple[str, str], Operation] = {
    ("GET", "/api/units"): Operation(_no_params, API_SIGNED_IN),
    ("GET", "/api/units/{unit_id}"): Operation(_unit_a, API_READ_A),
    ("GET", "/api/units/{unit_id}/lineage"): Operation(_unit_a, API_READ_A),
    ("GET", "/api/units/{unit_id}/values"): Operation(_unit_a, API_READ_A, f"?period={YEAR}"),
    # The claimed entry is the commune officer's.
    ("PUT", "/api/units/{unit_id}/values/{measure}"): Operation(
        lambda w: {"unit_id": w.p.commune_a.pk, "measure": INCOME},
        (200, 404, 403, 403, 403, 403, 401),
        body=lambda w: {
            "period": YEAR,
            "stage": "claimed",
            "value": 50,
            "expected_version": w.value.claimed_version,
        },
    ),
    ("GET", "/api/units/{unit_id}/evaluation"): Operation(
        _unit_a, API_READ_A, f"?period={YEAR}&set={SET}"
    ),
    # A province's figures: not the communes' officers.
    ("GET", "/api/units/{unit_id}/statistics"): Operation(
        lambda w: {"unit_id": w.p.province.pk},
        (404, 404, 200, 200, 200, 200, 401),
        f"?period={YEAR}&set={SET}",
    ),
    # A province's narrative: read with its figures. The world's values were entered today,
    # so at the end of their year there was none yet: its readers are told so (422).
    ("GET", "/api/units/{unit_id}/narrative"): Operation(
        lambda w: {"unit_id": w.p.province.pk},
        (404, 404, 422, 422, 422, 422, 401),
        f"?date=31/12/{YEAR}",
    ),
    # The country's: central offices only; no province had data at the end of the year.
    ("GET", "/api/country/narrative"): Operation(
        _no_params, (403, 403, 403, 403, 422, 422, 401), f"?date=31/12/{YEAR}"
    ),
    # A province's report files, as `ntm report workbook|pdf`: no data at the end of the
    # world's year either (422); the API's own tests download them.
    **{
        ("GET", f"/api/units/{{unit_id}}/report/{kind}"): Operation(
            lambda w: {"unit_id": w.p.province.pk},
            (404, 404, 422, 422, 422, 422, 401),
            f"?date=31/12/{YEAR}",
        )
        for kind in ("workbook", "pdf")
    },
    # Checking a published text against a province's record: read with its figures.
    ("POST", "/api/units/{unit_id}/check"): Operation(
        lambda w: {"unit_id": w.p.province.pk},
        (404, 404, 200, 200, 200, 200, 401),
        body=lambda w: {"text": "Có 1/2 xã đạt chuẩn nông thôn mới."},
    ),
    ("GET", "/api/criteria/sets"): Operation(_no_params, API_SIGNED_IN),
    ("GET", "/api/criteria/sets/{set_id}"): Operation(lambda w: {"set_id": SET}, API_SIGNED_IN),
}

# ---------------------------------------------------------------------------- the walk

# Django's own URL confs, left out: `django.conf.urls.i18n` is set_language, which answers
# every persona alike and reads nothing of the record.
DJANGO_INTERNALS = frozenset({"django.conf.urls.i18n"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


def url_routes(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str | None]]:
    """(route, `namespace:name` or None when unnamed) of every URL pattern below `resolver`."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if getattr(entry.urlconf_name, "__name__", None) in DJANGO_INTERNALS:
                continue
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from url_routes(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name


def schema_path(route: str) -> str:
    """A Django route in the OpenAPI form: `api/units/<int:unit_id>` -> `/api/units/{unit_id}`."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {(m.upper(), path) for path, item in paths.items() for m in item if m in HTTP_METHODS}


def test_every_url_pattern_has_a_row() -> None:
    api_paths = {path for _, path in api_operations()}
    names: set[str] = set()
    unnamed: list[str] = []
    for route, name in url_routes(get_resolver()):
        if schema_path(route) in api_paths:
            continue  # an API operation: a row of API, by method and path
        if name is None:
            unnamed.append(route)
        else:
            names.add(name)
    assert unnamed == [], "routes without a name cannot have a row: name them"
    assert sorted(names - set(PAGES)) == [], "routes without a row in PAGES"
    assert sorted(set(PAGES) - names) == [], "rows in PAGES for routes that do not exist"


def test_every_api_operation_has_a_row() -> None:
    operations = api_operations()
    assert sorted(operations - set(API)) == [], "API operations without a row in API"
    assert sorted(set(API) - operations) == [], "rows in API for operations that do not exist"


def _rows() -> Iterator[tuple[str, Row]]:
    for name, page in PAGES.items():
        yield f"{name} GET", page.get
        yield f"{name} POST", page.post
    for (method, path), op in API.items():
        yield f"{method} {path}", op.expect


def test_every_row_has_one_expectation_per_persona() -> None:
    wrong = [key for key, row in _rows() if len(row) != len(PERSONAS)]
    assert wrong == [], f"rows without exactly one expectation for each of {PERSONAS}"


# ---------------------------------------------------------------------------- the requests


def _cases(rows: Iterator[tuple[tuple[str, str], Row]]) -> Iterator[Any]:
    """One case per (row, persona); a persona missing from a row fails as `None`."""
    for key, row in rows:
        for i, persona in enumerate(PERSONAS):
            expect = row[i] if i < len(row) else None
            case_id = f"{' '.join(key)} {persona}"
            yield pytest.param(key, persona, expect, id=case_id)


PAGE_CASES = list(
    _cases(
        ((name, method), row)
        for name, page in PAGES.items()
        for method, row in (("GET", page.get), ("POST", page.post))
    )
)
API_CASES = list(_cases((key, op.expect) for key, op in API.items()))


@dataclass(frozen=True)
class Callers:
    """How each signed-in persona calls: a session cookie (pages) and a bearer token (API)."""

    sessions: dict[PersonaName, str]
    tokens: dict[PersonaName, str]

    def sign_in(self, client: Client, persona: PersonaName) -> None:
        if persona in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]

    def headers(self, persona: PersonaName) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[persona]}"} if persona in self.tokens else {}


@pytest.fixture(scope="module")
def callers(persona_world: World, django_db_blocker: Any) -> Callers:
    """Sessions and tokens made once for the module (a login per test cost more than most
    requests), and officer A's password for the login form (Argon2 is slow on purpose; set
    before the sessions, which hold a hash of it). All go with the world at the module's end."""
    p = persona_world.p
    sessions: dict[PersonaName, str] = {}
    tokens: dict[PersonaName, str] = {}
    with django_db_blocker.unblock():
        p.officer_a.set_password(PASSWORD)
        p.officer_a.save(update_fields=["password"])
        for persona in PERSONAS:
            user = p.user(persona)
            if user is not None:
                client = Client()
                client.force_login(user)
                sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
                tokens[persona] = create_token(user, actor="test:routes")[1]
    return Callers(sessions, tokens)


@pytest.fixture(scope="module", autouse=True)
def _no_job_thread() -> Iterator[None]:
    """The import page and the report files run their jobs in a thread, which would not see
    the test's uncommitted rows; here a job stays pending (who may start one is what is
    tested, not the job).
    Found through the URL name, wherever the view lives."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("values:import", "web:report_workbook"):
            view = resolve(reverse(name, args=[1] if name.startswith("web") else [])).func
            patch.setattr(sys.modules[view.__module__], "launch", lambda job_id: None)
        yield


def check(response: HttpResponseBase, expect: Status | None, world: World) -> None:
    """The response is what `expect` says; a 404 names none of the units addressed, and a
    success carries no error message."""
    assert expect is not None, "no expectation for this persona"
    login = reverse(settings.LOGIN_URL)
    location = response.get("Location", "")
    if expect == LOGIN:
        assert (response.status_code, location.startswith(login)) == (302, True), location
        return
    if isinstance(response, StreamingHttpResponse):
        # Read to its end, as a server would: that closes the file (the test client's
        # own close; calling `close()` here would close the database connection too).
        body = b"".join(cast(Iterator[bytes], response.streaming_content))
    else:
        body = cast(HttpResponse, response).content
    assert response.status_code == expect, body[:300]
    if expect == 404:
        for unit in (world.p.commune_a, world.p.province):
            assert unit.name.encode() not in body, "a 404 must not tell what is there"
    if expect == 302:
        assert not location.startswith(login), "a success, not the login page"
    if response.status_code < 400:
        # A refusal that redirects would look like a success: it leaves an error message.
        request = response.wsgi_request  # type: ignore[attr-defined]  # the test client's
        refused = [str(m) for m in get_messages(request) if m.level == messages.ERROR]
        assert refused == []


@pytest.mark.parametrize(("key", "persona", "expect"), PAGE_CASES)
def test_page(
    client: Client,
    world: World,
    callers: Callers,
    key: tuple[str, str],
    persona: PersonaName,
    expect: Status | None,
) -> None:
    name, method = key
    page = PAGES[name]
    callers.sign_in(client, persona)
    url = reverse(name, args=page.args(world))
    response = (
        client.get(url + page.query) if method == "GET" else client.post(url, page.data(world))
    )
    check(response, expect, world)


@pytest.mark.parametrize(("key", "persona", "expect"), API_CASES)
def test_api(
    client: Client,
    world: World,
    callers: Callers,
    key: tuple[str, str],
    persona: PersonaName,
    expect: Status | None,
) -> None:
    method, path = key
    op = API[key]
    body = json.dumps(op.body(world)) if op.body else ""
    response = client.generic(
        method,
        path.format(**op.params(world)) + op.query,
        body,
        content_type="application/json",
        headers=callers.headers(persona),
    )
    check(response, expect, world)
