"""`as_of` on values saved by the services (no explicit effective time: the audit row's time)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ntm.demo.loader import DemoResult
from ntm.demo.users import _commune, ensure_demo_users
from ntm.results.record import moment, values_frame
from ntm.values.models import Stage
from ntm.values.services import Entry, save_value


def test_a_value_saved_now_is_in_the_record_from_now_on(demo: DemoResult) -> None:
    ensure_demo_users()
    from django.contrib.auth.models import User

    officer = User.objects.get(username="canbo.xa")
    commune = _commune()
    # 2025: the 2021-2025 set. (A save for 2026 fails today: the bundled 2026-2030 set has no
    # indicators and the engine raises a polars ShapeError on a set without any condition.)
    year = 2025
    save_value(
        commune,
        "rural_market",
        year,
        Entry(value=1.0),
        stage=Stage.CLAIMED,
        expected_version=0,
        acting_user=officer,
    )
    later = timezone.now() + dt.timedelta(seconds=1)
    assert values_frame([commune.pk], year, at=later).get_column("value").to_list() == [1.0]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert values_frame([commune.pk], year, at=moment(yesterday)).height == 0
    assert moment(yesterday) < later
