"""A province's own decisions on a national criteria set (design decision 1, overlays).

The bundled national sets are package data and stay read-only (`ntm.criteria`); what a
province office decides on top of them lives here: a `Decision` (the legal act: number, date,
issuer) and the threshold cells it sets, each a `CellVersion` row. A cell is never changed in
place: a new decision on it is a new version row, effective from its own date, so the overlay
in force on any day is read back (`ntm.decisions.queries.overlays_in_force`) and the history
is the rows themselves. Rows are written only by `ntm.decisions.services`, each with its audit
row in the same transaction.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.values.models import ScanFile


class CellStatus(models.TextChoices):
    VERIFIED = "verified", _("Confirmed from the legal text")
    UNVERIFIED = "unverified", _("Not confirmed")
    MISSING = "missing", _("No threshold")


class Decision(models.Model):
    """A province's legal act on a criteria set (a QĐ of the provincial People's Committee)."""

    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=200)
    date_signed = models.DateField()
    issuer = models.CharField(max_length=300)
    title = models.CharField(max_length=500, blank=True, default="")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ("province_id", "date_signed", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("province", "number", "date_signed"),
                name="decisions_decision_province_number_date",
            ),
        )

    def __str__(self) -> str:
        return f"{self.number} ({self.date_signed:%d/%m/%Y})"


class VersionRow(models.Model):
    """What a version row of a province's decision holds besides its content: its number
    (per what it versions), when and by whom it was recorded, and its audit row."""

    version = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class CellVersion(VersionRow):
    """One version of one threshold cell of a province's overlay of a set: what the cell
    holds from `effective_from` until a later version of the same cell takes effect.

    `cell` names the cell once (indicator|condition|column|year, ``*`` for every year) so
    that versions are numbered per cell and "in force on D" is one indexed query."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="cells")
    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    set_id = models.CharField(max_length=100)
    cell = models.CharField(max_length=200)
    indicator = models.CharField(max_length=50)
    condition = models.PositiveSmallIntegerField(default=0)
    column = models.CharField(max_length=50)
    year = models.IntegerField(null=True, blank=True)  # NULL: every year of the set
    value = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=CellStatus.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    effective_from = models.DateField()

    class Meta:
        ordering = ("province_id", "set_id", "cell", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("province", "set_id", "cell", "version"),
                name="decisions_cellversion_cell_version",
            ),
        )
        indexes = (models.Index(fields=("province", "set_id", "effective_from")),)

    def __str__(self) -> str:
        return f"{self.set_id}/{self.cell}@{self.version}"


def cell_key(indicator: str, condition: int, column: str, year: int | None) -> str:
    return f"{indicator}|{condition}|{column}|{'*' if year is None else year}"


def scan_path(instance: DecisionScan, filename: str) -> str:
    """A server-chosen name: the user's file name is kept in `original_name` only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"decisions/{instance.decision.province_id}/{uuid.uuid4().hex}{suffix}"


class DecisionScan(ScanFile):
    """The scanned decision (or any file of it) attached as its evidence."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="scans")
    file = models.FileField(upload_to=scan_path, max_length=300)


class SetDecisionKind(models.TextChoices):
    TRANSITION = "transition", _("Transition between sets")
    WHOLE_SET = "set", _("The province's own set")


class SetDecision(VersionRow):
    """A province's decision on a whole set rather than on its cells, versioned per
    (province, kind, set): the latest version is the one that holds.

    - `transition`: in the province, the successor of the national set `set_id` takes effect
      on `successor_from` (the set judging until the day before), instead of the national date;
    - `set`: a whole criteria set of the province (its advanced or model set), `text` the
      YAML as uploaded, valid for the criteria loader, `set_id` its id."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="set_rules")
    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=SetDecisionKind.choices)
    set_id = models.CharField(max_length=100)
    successor_from = models.DateField(null=True, blank=True)
    text = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("province_id", "kind", "set_id", "version")
        constraints = (
            models.UniqueConstraint(
                fields=("province", "kind", "set_id", "version"),
                name="decisions_setdecision_version",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.set_id}@{self.version}"
