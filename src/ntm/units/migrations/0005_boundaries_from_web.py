"""Uploaded boundaries move from `web` (pages) to `units` (the units they draw), so that the
reports draw the same map as the pages."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FIELDS = ("province_id", "original_name", "features", "matched", "uploaded_by_id", "uploaded_at")


def _copy(apps: StateApps, source: str, target: str) -> None:
    Old = apps.get_model(source, "Boundaries")
    New = apps.get_model(target, "Boundaries")
    New.objects.bulk_create(
        New(**{f: getattr(row, f) for f in FIELDS}) for row in Old.objects.order_by("pk")
    )


def copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _copy(apps, "web", "units")


def back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _copy(apps, "units", "web")


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0004_boundaries"),
        ("web", "0003_simulated_data_moved"),
    ]

    operations = [migrations.RunPython(copy, back)]
