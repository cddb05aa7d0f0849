"""A whole set of the province (a made-up model set, labelled TEST): uploaded on the decisions
page, checked by the criteria loader, stored with its legal basis, listed in the province's
catalogue and evaluated for its communes like a national set; the national sets unchanged."""

from __future__ import annotations

import html
from importlib import resources
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.decisions.models import Decision, SetDecision
from ntm.decisions.services import DecisionError, NotAllowed, import_province_set
from ntm.results.province import province_overview
from ntm.values.models import Stage
from ntm.values.services import Entry, save_value
from ntm.web.tests.matrix import OFFICE_ACTS
from ntm.web.tests.test_criteria_sets import section

pytestmark = pytest.mark.django_db

NATIONAL = "vn-ntm-xa-2016-2020"
OWN = "tn99-ntm-kieu-mau-2016-2020"
YEAR = 2020


def _set_text(**changes: Any) -> str:
    """The 2016–2020 set made the province's model set, asking 60 of income in 2020."""
    path = resources.files("ntm.criteria") / "sets" / f"{NATIONAL}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.update(
        id=OWN,
        name_vi="Bộ tiêu chí xã nông thôn mới kiểu mẫu tỉnh Thử Nghiệm (TEST)",
        tier="model",
        legal_basis={
            "number": "TEST-20/QĐ-UBND",
            "issuer": "UBND tỉnh Thử Nghiệm (TEST)",
            "date_signed": "2019-01-10",
        },
    )
    for criterion in raw["criteria"]:
        for ind in criterion.get("indicators", []):
            if ind["code"] == "10":
                for cell in ind["conditions"][0]["by_year"][YEAR].values():
                    cell["value"] = 60
    raw.update(changes)
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


def _upload(client: Client, p: Personas, text: str) -> Any:
    url = reverse("web:province_decisions_set", args=[p.province.pk])
    return client.post(url, {"file": SimpleUploadedFile("kieu-mau.yaml", text.encode())})


def _income_met(p: Personas, set_id: str) -> int:
    o = province_overview(p.province, period=YEAR, set_id=set_id)
    assert o.cset.id == set_id
    (counts,) = [c for c in o.statistics.total.figures.criteria if c.criterion == 10]
    return counts.met


def test_the_set_is_recorded_listed_and_evaluated(client: Client, p: Personas) -> None:
    save_value(
        p.commune_a,
        "income_per_capita",
        YEAR,
        Entry(value=48),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=p.officer_a,
    )
    national = load_set(NATIONAL)
    p.login(client, "province_office")
    assert _upload(client, p, _set_text()).status_code == 302
    (row,) = SetDecision.objects.all()
    assert (row.kind, row.set_id, row.decision.number) == ("set", OWN, "TEST-20/QĐ-UBND")
    assert AuditLog.objects.filter(action="decisions.set").count() == 1
    # Offered for the year beside the national sets, and evaluated: 48 is short of its 60.
    offered = [s.id for s in province_overview(p.province, period=YEAR).sets]
    assert offered[0] == NATIONAL and OWN in offered
    assert _income_met(p, NATIONAL) == 1 and _income_met(p, OWN) == 0
    assert load_set(NATIONAL) is national  # the national set untouched
    # The province's catalogue lists it, with the cells still to decide.
    page = html.unescape(client.get(reverse("web:criteria_sets")).content.decode())
    own = section(page, OWN)
    assert "Bộ tiêu chí riêng của Tỉnh Thử Nghiệm" in own and "Tỉnh Thử Nghiệm: sau" in own
    p.login(client, "central_viewer")
    assert f'data-set="{OWN}"' not in client.get(reverse("web:criteria_sets")).content.decode()
    out = StringIO()
    call_command("criteria", "list", "--province", "99", stdout=out)
    # The bundled sets and the province's own.
    listed = f"Có {len(bundled_set_ids()) + 1} bộ tiêu chí"
    assert f"\n{OWN}\n" in out.getvalue() and listed in out.getvalue()


def test_its_communes_are_entered_for_it(client: Client, p: Personas) -> None:
    p.login(client, "province_office")
    assert _upload(client, p, _set_text()).status_code == 302
    p.login(client, "officer_a")
    choose = client.get(reverse("values:choose", args=[p.commune_a.pk])).content.decode()
    assert OWN in choose
    grid = client.get(reverse("values:entry", args=[p.commune_a.pk, OWN, YEAR]))
    assert grid.status_code == 200 and "income_per_capita" in grid.content.decode()
    # A year the set does not cover is not a page.
    assert client.get(reverse("values:entry", args=[p.commune_a.pk, OWN, 2011])).status_code == 404


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: [unclosed", "not valid YAML"),
        (_set_text(tier="golden"), "tier"),
        (_set_text(id=NATIONAL), "là mã của một bộ tiêu chí quốc gia"),
        (_set_text(legal_basis={"number": "TEST-21"}), "cơ quan ban hành"),
    ],
)
def test_a_bad_set_file_is_refused_and_nothing_written(
    client: Client, p: Personas, text: str, message: str
) -> None:
    p.login(client, "province_office")
    response = _upload(client, p, text)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not SetDecision.objects.exists() and not Decision.objects.exists()
    assert not AuditLog.objects.filter(action="decisions.set").exists()
    with pytest.raises(DecisionError):
        import_province_set(p.province, text, "kieu-mau.yaml", acting_user=p.province_office)


@pytest.mark.parametrize(
    ("persona", "status"),
    OFFICE_ACTS,
)
def test_who_records_a_province_set(
    client: Client, p: Personas, persona: PersonaName, status: int
) -> None:
    p.login(client, persona)
    assert _upload(client, p, _set_text()).status_code == status
    assert SetDecision.objects.exists() == (persona == "province_office")
    user = p.user(persona)
    if user is not None and persona != "province_office":
        with pytest.raises(NotAllowed):
            import_province_set(p.province, _set_text(), "k.yaml", acting_user=user)


def test_the_command_records_the_set_all_or_nothing(p: Personas, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(_set_text(id=NATIONAL), encoding="utf-8")
    with pytest.raises(CommandError, match="Không ghi gì") as refused:
        call_command(
            "decisions", "import-set", str(bad), "--province", "99", "--user", "province_office"
        )
    assert "là mã của một bộ tiêu chí quốc gia" in str(refused.value)
    assert not SetDecision.objects.exists() and not Decision.objects.exists()
    good = tmp_path / "kieu-mau.yaml"
    good.write_text(_set_text(), encoding="utf-8")
    out = StringIO()
    args = ("decisions", "import-set", str(good), "--province", "99", "--user", "province_office")
    call_command(*args, stdout=out)
    assert f"Đã ghi bộ tiêu chí {OWN} của Tỉnh Thử Nghiệm theo quyết định TEST-20/QĐ-UBND" in (
        out.getvalue()
    )
    assert SetDecision.objects.get().set_id == OWN
