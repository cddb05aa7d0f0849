"""Provenance rows move from `web` (pages) to `values` (the record they describe)."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Old = apps.get_model("web", "SimulatedData")
    New = apps.get_model("values", "SimulatedData")
    New.objects.bulk_create(
        New(
            province_id=row.province_id,
            note=row.note,
            record_sets=row.record_sets,
            marked_at=row.marked_at,
        )
        for row in Old.objects.all()
    )


def back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Old = apps.get_model("web", "SimulatedData")
    New = apps.get_model("values", "SimulatedData")
    Old.objects.bulk_create(
        Old(
            province_id=row.province_id,
            note=row.note,
            record_sets=row.record_sets,
            marked_at=row.marked_at,
        )
        for row in New.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("values", "0004_simulated_data"),
        ("web", "0002_simulated_record_sets"),
    ]

    operations = [migrations.RunPython(copy, back)]
