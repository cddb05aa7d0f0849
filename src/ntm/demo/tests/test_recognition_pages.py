"""The demo's recognitions on the pages: the register of Lạng Sơn counts the 65 communes
recognised for 2020 or before, shows real decision numbers as they are and labels the made-up
ones, and a real decision's page names its commune."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

from ntm.demo.loader import DemoResult, province
from ntm.demo.users import ensure_demo_users
from ntm.recognition.models import Recognition, RecognitionDecision, Status, Tier


def _office() -> Client:
    office = next(u for u in ensure_demo_users() if u.username == "vanphong.tinh")
    client = Client()
    assert client.login(username=office.username, password=office.password)
    return client


def test_the_register_of_the_demo(demo: DemoResult) -> None:
    client = _office()
    url = reverse("web:recognitions", args=[province().pk])
    page = html.unescape(client.get(f"{url}?tier=ntm&status=ended").content.decode())
    count = re.search(r'<p data-figure="count">([\d.]+) hồ sơ', page)
    assert count is not None
    # The demo's NTM recognitions (65 held at the end of 2020) all ended with the changes of
    # units since — the 01/07/2025 reorganisation merged every commune they were held by.
    ended = Recognition.objects.filter(tier=Tier.NTM, status=Status.ENDED).count()
    assert int(count.group(1).replace(".", "")) == ended >= 65
    assert "(mô phỏng)" in page
    found = html.unescape(client.get(f"{url}?unit=binh+xa").content.decode())
    assert "Xã Bính Xá" in found and "2165/QĐ-UBND ngày" in found

    real = RecognitionDecision.objects.get(number="2165/QĐ-UBND")
    decision = html.unescape(
        client.get(reverse("web:recognition_decision", args=[real.pk])).content.decode()
    )
    assert "Xã Bính Xá" in decision and "data-simulated" not in decision

    export = client.get(reverse("web:recognitions_export", args=[province().pk]))
    assert export.status_code == 200 and len(export.content) > 5000
