"""The demo loads the reference recognition list through the recognition import: its real
decisions are on the records, its other rows are not."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pytest

from ntm.audit.models import AuditLog
from ntm.demo.loader import DemoResult
from ntm.demo.recognitions import LIST
from ntm.recognition.models import Recognition, Tier

REFERENCE = Path(__file__).resolve().parents[5] / "shared" / "reference"


def test_the_bundled_list_is_the_reference() -> None:
    source = REFERENCE / "langson_recognitions.csv"
    if not source.is_file():
        pytest.skip(f"the shared reference folder is not beside the repo ({REFERENCE})")
    bundled = resources.files("ntm.demo").joinpath(LIST).read_bytes()
    assert bundled == source.read_bytes()


def test_the_real_decisions_are_recorded(demo: DemoResult) -> None:
    real = {
        (c.unit.name, c.unit.parent.name, c.tier, c.year, c.decision.number, c.decision.date_signed)  # type: ignore[union-attr]
        for c in Recognition.objects.filter(decision__simulated=False).select_related(
            "unit__parent", "decision"
        )
    }
    assert real == {
        ("Xã Bính Xá", "Huyện Đình Lập", Tier.NTM, 2018, "2165/QĐ-UBND", dt.date(2018, 10, 31)),
        ("Xã Văn An", "Huyện Văn Quan", Tier.NTM, 2018, "2166/QĐ-UBND", dt.date(2018, 10, 31)),
        (
            "Xã Chi Lăng",
            "Huyện Tràng Định",
            Tier.ADVANCED,
            2022,
            "99/QĐ-UBND",
            dt.date(2023, 1, 26),
        ),
        ("Xã Sơn Hà", "Huyện Hữu Lũng", Tier.ADVANCED, 2022, "103/QĐ-UBND", dt.date(2023, 1, 26)),
        ("Xã Bắc Lãng", "Huyện Đình Lập", Tier.ADVANCED, 2022, "105/QĐ-UBND", dt.date(2023, 1, 26)),
    }
    # Recorded, then ended by the 2024–2025 changes of their communes.
    assert Recognition.objects.filter(tier=Tier.ADVANCED, decision__isnull=False).count() == 3
    imported = AuditLog.objects.get(action="recognition.import")
    assert imported.actor == "test:demo" and len((imported.after or {})["written"]) == 3
