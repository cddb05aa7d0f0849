"""The data migration that builds version rows from the audit log keeps the demo's figures:
the record rebuilt from its audit rows answers "as of" exactly as the rows the loader wrote."""

from __future__ import annotations

import importlib

from django.apps import apps

from ntm.demo.figures import mid_2020_overview
from ntm.demo.loader import DemoResult, province
from ntm.results.cache import RECENT
from ntm.results.province import province_overview
from ntm.values.models import DeclarationVersion, EntryVersion, PeriodStamp, SubmissionVersion

migration = importlib.import_module("ntm.values.migrations.0003_versions_from_audit")


def _figures() -> list[tuple[int, int, object]]:
    RECENT.clear()
    out: list[tuple[int, int, object]] = []
    for o in (mid_2020_overview(province()), province_overview(province(), period=2020)):
        f = o.figures
        out.append((f.meeting, f.communes, f.average_met))
    return out


def test_the_migration_rebuilds_the_same_record(demo: DemoResult) -> None:
    written = _figures()
    assert [(m, c) for m, c, _ in written] == [(49, 181), (65, 181)]
    counts = [m.objects.count() for m in (EntryVersion, DeclarationVersion, SubmissionVersion)]
    for model in (EntryVersion, DeclarationVersion, SubmissionVersion, PeriodStamp):
        model.objects.all().delete()
    migration.build(apps)
    assert [m.objects.count() for m in (EntryVersion, DeclarationVersion, SubmissionVersion)] == (
        counts
    )
    assert _figures() == written
