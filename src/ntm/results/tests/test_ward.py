"""A commune that becomes a ward keeps its history and leaves the commune statistics (and its
recognition ends with the change)."""

from __future__ import annotations

import datetime as dt

from ntm.accounts.testing import Personas
from ntm.recognition.models import Recognition, Status, Tier
from ntm.recognition.services import DecisionBasis, end_by_merger, record_recognised
from ntm.results.commune import commune_view
from ntm.results.province import province_overview
from ntm.results.testing import SET_2022, History, seed
from ntm.units.models import UnitKind
from ntm.units.services import reclassify_unit

BASIS = DecisionBasis("TEST-3/QĐ-UBND", dt.date(2022, 12, 20), "UBND tỉnh Thử Nghiệm")


def test_a_commune_become_ward_keeps_its_history_and_leaves_the_figures(p: Personas) -> None:
    h = History()
    for commune in (p.commune_a, p.commune_b):
        h.declare(commune, 2022, SET_2022, set())
    h.declare(p.commune_a, 2023, SET_2022, set())
    seed(p, h)
    record_recognised(p.commune_b, Tier.NTM, 2022, BASIS, acting_user=p.province_office)
    event = reclassify_unit(
        p.commune_b, UnitKind.WARD, date=dt.date(2023, 1, 1), name="Phường Bình Minh", actor="test"
    )
    assert end_by_merger(event, actor="test") == 0  # recording the change ended it
    assert Recognition.objects.get(unit=p.commune_b).status == Status.ENDED
    before = province_overview(p.province, period=2022, set_id=SET_2022)
    assert (before.in_scope, before.figures.meeting) == (2, 2)
    assert before.recognition is not None and before.recognition.recognised == 1
    after = province_overview(p.province, period=2023, set_id=SET_2022)
    assert (after.in_scope, after.figures.meeting) == (1, 1)  # the ward is not counted
    assert after.recognition is not None and after.recognition.recognised == 0
    # Its record as a commune stays where it was.
    old = commune_view(p.commune_b, period=2022, set_id=SET_2022)
    assert (old.has_data, old.met, old.meets_set) == (True, 19, True)
