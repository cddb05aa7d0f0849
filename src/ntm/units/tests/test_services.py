"""Services: each event, its audit row, and every refusal (with nothing written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from ntm.audit.models import AuditLog
from ntm.units import services
from ntm.units.models import EventKind, Origin, Unit, UnitEvent, UnitEventLink, UnitKind
from ntm.units.services import NewUnit, UnitServiceError

D0 = dt.date(2030, 1, 1)
D1 = dt.date(2031, 1, 1)
DAY_BEFORE = dt.date(2030, 12, 31)

pytestmark = pytest.mark.django_db


def _make(code: str, name: str, kind: str, parent: Unit | None, region: str | None) -> Unit:
    services.create_unit(
        NewUnit(name=name, kind=kind, code=code, parent=parent, region=region),
        date=D0,
        actor="test",
    )
    return Unit.objects.get(code=code, valid_from=D0)


@pytest.fixture
def tree() -> dict[str, Unit]:
    """A test province (codes "T…", far in the future so real data never collide)."""
    prov = _make("T1", "Tỉnh Thử", UnitKind.PROVINCE, None, "TDMNPB")
    dist = _make("T10", "Huyện Một", UnitKind.DISTRICT, prov, None)
    dist2 = _make("T11", "Huyện Hai", UnitKind.DISTRICT, prov, None)
    a = _make("T100", "Xã An", UnitKind.COMMUNE, dist, None)
    b = _make("T101", "Xã Bình", UnitKind.COMMUNE, dist, "DBSH")
    c = _make("T102", "Xã Chu", UnitKind.COMMUNE, dist, None)
    return {"prov": prov, "dist": dist, "dist2": dist2, "a": a, "b": b, "c": c}


def counts() -> tuple[int, int, int, int]:
    return (
        Unit.objects.count(),
        UnitEvent.objects.count(),
        UnitEventLink.objects.count(),
        AuditLog.objects.count(),
    )


def refused(fn: Callable[[], Any], message: str) -> None:
    """The call is refused with `message` and writes nothing at all."""
    before = counts()
    with pytest.raises(UnitServiceError, match=message):
        fn()
    assert counts() == before


def test_create_inherits_region_from_parent_and_is_audited(tree: dict[str, Unit]) -> None:
    assert tree["a"].region == "TDMNPB"  # from the province
    log = AuditLog.objects.filter(action="units.create").last()
    assert log is not None and log.actor == "test" and log.after is not None
    assert log.after["units"][0]["code"] == "T102"


def test_merge_into_a_new_unit(tree: dict[str, Unit]) -> None:
    user = get_user_model().objects.create_user("officer")
    event = services.merge_units(
        [tree["a"], tree["b"]],
        into=NewUnit(name="Xã An Bình", kind=UnitKind.COMMUNE, code="T103"),
        date=D1,
        legal_basis="NQ 1/2030",
        acting_user=user,
    )
    new = Unit.objects.get(code="T103")
    assert new.parent == tree["dist"] and new.valid_from == D1
    # Predecessors in two regions with equal weight: flagged; the tie goes alphabetically.
    assert (new.region, new.region_conflict) == ("DBSH", True)
    for old in (tree["a"], tree["b"]):
        old.refresh_from_db()
        assert old.valid_to == DAY_BEFORE and old.origin == Origin.USER
    assert sorted(event.links.values_list("old_unit__code", "new_unit__code", "weight")) == [
        ("T100", "T103", 1.0),
        ("T101", "T103", 1.0),
    ]
    log = AuditLog.objects.get(object_type="units.UnitEvent", object_id=str(event.pk))
    assert log.acting_user == user and log.legal_basis == "NQ 1/2030"
    assert log.before is not None and log.after is not None
    assert {u["code"] for u in log.before["units"]} == {"T100", "T101"}
    assert {u["valid_to"] for u in log.before["units"]} == {None}
    assert {u["code"] for u in log.after["units"]} == {"T100", "T101", "T103"}


def test_split_with_weights(tree: dict[str, Unit]) -> None:
    event = services.split_unit(
        tree["c"],
        [
            (NewUnit(name="Xã Chu Bắc", kind=UnitKind.COMMUNE, code="T104"), 0.25),
            (tree["a"], 0.75),  # the rest goes to An, which continues
        ],
        date=D1,
        actor="test",
    )
    assert event.kind == EventKind.SPLIT
    assert sorted(event.links.values_list("new_unit__code", "weight")) == [
        ("T100", 0.75),
        ("T104", 0.25),
    ]
    tree["a"].refresh_from_db()
    assert tree["a"].valid_to is None


def test_split_weights_must_sum_to_one(tree: dict[str, Unit]) -> None:
    parts: list[tuple[Unit | NewUnit, float]] = [
        (NewUnit(name="Xã Mới", kind="commune", code="T105"), 0.5),
        (tree["a"], 0.4),
    ]
    refused(
        lambda: services.split_unit(tree["c"], parts, date=D1, actor="t"),
        r"Tổng tỷ trọng chia tách của Xã Chu phải bằng 1 \(hiện là 0,9\)",
    )


def test_unit_not_in_force_on_the_date(tree: dict[str, Unit]) -> None:
    refused(
        lambda: services.rename_unit(tree["a"], "Xã Ân", date=dt.date(2029, 6, 1), actor="t"),
        r"Xã An \(T100\) không tồn tại vào ngày 31/05/2029",
    )
    services.dissolve_unit(tree["b"], date=D1, actor="t")
    refused(
        lambda: services.merge_units(
            [tree["b"]], into=tree["a"], date=dt.date(2032, 1, 1), actor="t"
        ),
        "không tồn tại vào ngày 31/12/2031",
    )


def test_overlapping_validity_of_a_code(tree: dict[str, Unit]) -> None:
    refused(
        lambda: services.create_unit(
            NewUnit(name="Xã Trùng", kind="commune", code="T100", parent=tree["dist"]),
            date=D1,
            actor="t",
        ),
        r"Mã T100: hiệu lực 01/01/2031– của Xã Trùng chồng lấn với Xã An \(hiệu lực 01/01/2030–\)",
    )
    # Once An has ended, its code may be reused.
    services.dissolve_unit(tree["a"], date=D1, actor="t")
    services.create_unit(
        NewUnit(name="Xã Trùng", kind="commune", code="T100", parent=tree["dist"]),
        date=dt.date(2032, 1, 1),
        actor="t",
    )
    assert Unit.objects.filter(code="T100").count() == 2


def test_transfer_refuses_a_cycle_and_a_wrong_level(tree: dict[str, Unit]) -> None:
    refused(
        lambda: services.transfer_unit(tree["dist"], tree["a"], date=D1, actor="t"),
        "tạo thành vòng lặp",
    )
    refused(
        lambda: services.transfer_unit(tree["a"], tree["b"], date=D1, actor="t"),
        r"Xã An \(xã\) không thể trực thuộc Xã Bình",
    )


def test_transfer_and_rename_version_the_unit_and_carry_children(tree: dict[str, Unit]) -> None:
    services.transfer_unit(tree["a"], tree["dist2"], date=D1, actor="t")
    assert Unit.objects.valid_on(D1).get(code="T100").parent == tree["dist2"]
    assert Unit.objects.valid_on(DAY_BEFORE).get(code="T100").parent == tree["dist"]
    event = services.rename_unit(tree["dist"], "Huyện Một Mới", date=dt.date(2032, 1, 1), actor="t")
    renamed = Unit.objects.valid_on(dt.date(2032, 1, 1)).get(code="T10")
    assert renamed.name == "Huyện Một Mới"
    children = Unit.objects.valid_on(dt.date(2032, 1, 1)).filter(parent=renamed)
    assert sorted(str(c) for c in children.values_list("code", flat=True)) == ["T101", "T102"]
    assert event.links.count() == 3  # the district and its two communes


def test_reclassify_commune_to_ward(tree: dict[str, Unit]) -> None:
    services.reclassify_unit(tree["b"], UnitKind.WARD, name="Phường Bình", date=D1, actor="t")
    now = Unit.objects.valid_on(D1).get(code="T101")
    assert (now.kind, now.name, now.name_key) == ("ward", "Phường Bình", "binh")
    refused(
        lambda: services.reclassify_unit(
            now, UnitKind.DISTRICT, date=dt.date(2032, 1, 1), actor="t"
        ),
        "làm thay đổi cấp hành chính",
    )


def test_split_and_dissolve_refuse_units_with_children(tree: dict[str, Unit]) -> None:
    refused(
        lambda: services.dissolve_unit(tree["dist"], date=D1, actor="t"),
        "còn 3 đơn vị cấp dưới",
    )


def test_an_actor_is_required(tree: dict[str, Unit]) -> None:
    refused(
        lambda: services.rename_unit(tree["a"], "Xã Ân", date=D1),
        "Thiếu người thực hiện",
    )


def test_merge_of_districts_carries_their_communes(tree: dict[str, Unit]) -> None:
    services.merge_units(
        [tree["dist"], tree["dist2"]],
        into=NewUnit(name="Huyện Gộp", kind="district", code="T12"),
        date=D1,
        actor="t",
    )
    merged = Unit.objects.get(code="T12")
    assert Unit.objects.valid_on(D1).filter(parent=merged).count() == 3
    assert Unit.objects.valid_on(D1).filter(parent__code__in=["T10", "T11"]).count() == 0


def test_an_unknown_keyword_is_refused(tree: dict[str, Unit]) -> None:
    with pytest.raises(TypeError, match="legal_bases"):
        services.rename_unit(tree["a"], "Xã Mới", date=D1, actor="test", legal_bases="NQ 1")  # type: ignore[call-arg]


def test_a_loaded_unit_starts_and_takes_parts_the_same_day(tree: dict[str, Unit]) -> None:
    """A town that took a commune's code: the loaded unit (start unknown) starts on the date,
    the old town of the same name ends the day before, and a dissolved commune's part may go
    to the town that started that day."""
    town = Unit.objects.create(
        code="T102", name="Thị trấn Chu", name_key="chu", kind=UnitKind.TOWN, parent=tree["dist"]
    )
    services.dissolve_unit(tree["c"], date=D1, actor="t")  # its code T102 passes to the town
    old_town = NewUnit(name="Thị trấn Chu", kind=UnitKind.TOWN, code="T109", parent=tree["dist"])
    services.merge_units([old_town], into=town, into_starts=True, date=D1, actor="t")
    town.refresh_from_db()
    assert town.valid_from == D1
    assert Unit.objects.get(code="T109").valid_to == DAY_BEFORE
    event = services.split_unit(tree["b"], [(town, 0.5), (tree["a"], 0.5)], date=D1, actor="t")
    assert sorted(event.links.values_list("new_unit__name", "weight")) == [
        ("Thị trấn Chu", 0.5),
        ("Xã An", 0.5),
    ]
    # A unit that starts after the date still cannot take a part.
    later = NewUnit(name="Xã Mới", kind=UnitKind.COMMUNE, code="T110", parent=tree["dist"])
    services.create_unit(later, date=dt.date(2032, 1, 1), actor="t")
    refused(
        lambda: services.split_unit(
            tree["a"], [(Unit.objects.get(code="T110"), 0.5), (town, 0.5)], date=D1, actor="t"
        ),
        r"Xã Mới \(T110\) không tồn tại vào ngày 31/12/2030",
    )
