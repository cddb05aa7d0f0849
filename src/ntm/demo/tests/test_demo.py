"""The demo record: as-of history, idempotence, the simulated label, `ntm run --no-serve`."""

from __future__ import annotations

from io import StringIO

import polars as pl
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ntm.audit.models import AuditLog
from ntm.demo.loader import DAY_2020, DAY_MID_2020, DemoResult, load_demo, province
from ntm.demo.users import demo_users, ensure_demo_users
from ntm.results.record import declared_frame, moment, values_frame
from ntm.results.scope import communes_on
from ntm.values.models import Declaration, Value


def _ids() -> list[int]:
    return [u.pk for u in communes_on(province(), DAY_2020)]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("unit", "measure", "stage")


def test_the_record_answers_as_of_mid_and_end_of_2020(demo: DemoResult) -> None:
    ids = _ids()
    now = _sorted(values_frame(ids, 2020))
    end = _sorted(values_frame(ids, 2020, at=moment(DAY_2020)))
    mid = _sorted(values_frame(ids, 2020, at=moment(DAY_MID_2020)))
    assert end.equals(now)  # the stored values are the end-of-year state
    assert mid.height == end.height and not mid.equals(end)
    before = values_frame(ids, 2020, at=moment(DAY_MID_2020.replace(day=29)))
    assert before.height == 0  # nothing was recorded for 2020 before 30/06/2020


def test_declarations_as_of_follow_their_versions(demo: DemoResult) -> None:
    ids = [u.pk for u in communes_on(province(), DAY_2020.replace(year=2013))]
    now = declared_frame(ids, 2013, "vn-ntm-xa-2010-2015").sort("unit", "criterion")
    then = declared_frame(ids, 2013, "vn-ntm-xa-2010-2015", at=moment(DAY_2020.replace(year=2013)))
    assert now.height == len(ids) * 19
    assert then.sort("unit", "criterion").equals(now)
    assert (
        declared_frame(
            ids, 2013, "vn-ntm-xa-2010-2015", at=moment(DAY_2020.replace(year=2012))
        ).height
        == 0
    )


def test_a_second_load_changes_nothing(demo: DemoResult) -> None:
    assert demo.loaded and demo.values > 40_000
    counts = (Value.objects.count(), Declaration.objects.count(), AuditLog.objects.count())
    again = load_demo(actor="test:again")
    assert not again.loaded
    assert (Value.objects.count(), Declaration.objects.count(), AuditLog.objects.count()) == counts


def test_run_no_serve_prints_the_logins_and_they_work(demo: DemoResult) -> None:
    out = StringIO()
    call_command("run", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "Tỉnh demo Lạng Sơn (dữ liệu mô phỏng) đã có sẵn." in text
    users = [u for u, _ in demo_users()]
    assert len({u.role for u in users}) == 5
    for user in users:
        assert user.username in text and user.password in text
        assert Client().login(username=user.username, password=user.password)
    again = StringIO()
    call_command("run", "--no-serve", stdout=again)  # nothing created twice
    assert again.getvalue() == text


def test_every_page_knows_the_data_are_simulated(demo: DemoResult) -> None:
    client = Client()
    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    assert client.login(username=office.username, password=office.password)
    home = client.get("/")
    assert home.status_code == 200 and home.context["simulated_data"]
    prov = province()
    commune = communes_on(prov, DAY_2020)[0]
    pages = (
        "/",
        f"/province/{prov.pk}/?period=2020",
        f"/province/{prov.pk}/map/?period=2020",
        f"/commune/{commune.pk}/?period=2020",
        reverse("values:choose", args=[commune.pk]),
    )
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Dữ liệu mô phỏng" in page.content.decode(), url


def test_the_demo_administrator_manages_the_demo_users(demo: DemoResult) -> None:
    """The demo's administrator reaches the users page from the header and finds one account
    per role there; the demo's logins do not have to change their passwords."""
    admin = next(u for u in ensure_demo_users() if u.username == "quantri")
    client = Client()
    assert client.login(username=admin.username, password=admin.password)
    home = client.get("/").content.decode()
    assert f'href="{reverse("web:users")}"' in home
    page = client.get(reverse("web:users")).content.decode()
    for user, _ in demo_users():
        assert f">{user.username}<" in page
        assert user.full_name in page
