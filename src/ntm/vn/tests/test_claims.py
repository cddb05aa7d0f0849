"""Figures found in a Vietnamese report's text."""

from __future__ import annotations

from decimal import Decimal

from ntm.vn.claims import About, Kind, find_claims

PRESS = (
    "Tính đến ngày 30/6/2020, toàn tỉnh có 49/181 xã (27,1 %) đạt chuẩn nông thôn mới; theo "
    "đơn vị hành chính cũ, toàn tỉnh có 61/207 xã đạt chuẩn. Hết năm 2020 có 65/181 xã "
    "(35,91 %) được công nhận đạt chuẩn; bình quân đạt 12,5 tiêu chí/xã, tăng 9,93 tiêu chí/xã "
    "so với năm 2011. Có 165/181 xã đạt tiêu chí An ninh, trật tự xã hội và 93/181 xã đạt "
    "tiêu chí Môi trường."
)


def test_the_press_paragraph() -> None:
    found = find_claims(PRESS)
    rows = [
        (c.kind, c.numerator, c.denominator, c.percent, c.about, c.criterion, c.old_units)
        for c in found
        if c.kind == Kind.COMMUNES
    ]
    assert rows == [
        (Kind.COMMUNES, 49, 181, Decimal("27.1"), About.STANDARD, "", False),
        (Kind.COMMUNES, 61, 207, None, About.STANDARD, "", True),
        (Kind.COMMUNES, 65, 181, Decimal("35.91"), About.RECOGNISED, "", False),
        (Kind.COMMUNES, 165, 181, None, About.CRITERION, "An ninh, trật tự xã hội", False),
        (Kind.COMMUNES, 93, 181, None, About.CRITERION, "Môi trường", False),
    ]
    assert [c.percent_decimals for c in found if c.kind == Kind.COMMUNES][:3] == [1, 0, 2]
    average = [c for c in found if c.kind == Kind.AVERAGE]
    assert [(c.value, c.decimals) for c in average] == [(Decimal("12.5"), 1)]
    [change] = [c for c in found if c.kind == Kind.CHANGE]
    assert (change.value, change.decimals, change.since) == (Decimal("9.93"), 2, 2011)


def test_criterion_names_and_signs() -> None:
    found = find_claims(
        "165/181 xã đạt tiêu chí An ninh, trật tự xã hội. Bình quân giảm 0,5 tiêu chí/xã so với "
        "năm 2019; +9,93 so với năm 2011. Tổng 3.324/3.321 xã."
    )
    communes = [c for c in found if c.kind == Kind.COMMUNES]
    assert communes[0].criterion == "An ninh, trật tự xã hội"
    assert (communes[1].numerator, communes[1].denominator) == (3324, 3321)
    changes = [(c.value, c.since) for c in found if c.kind == Kind.CHANGE]
    assert changes == [(Decimal("-0.5"), 2019), (Decimal("9.93"), 2011)]
    assert not [c for c in found if c.kind == Kind.AVERAGE]
