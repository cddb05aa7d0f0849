"""Recognition as a life cycle (design decision 6): a unit's case for a tier, from the commune's
proposal to the decision that recognises it, and on to its revocation or its end in a merger.

A `Recognition` is one case: a unit, a tier and the year of the standard. Its `status` moves
only through `ntm.recognition.services`, which writes a `RecognitionStep` (who, when, what) and an
audit row for every move; the steps are the case's history. The legal acts — recognition,
revocation, acknowledgement after a merger — are `RecognitionDecision` rows: one decision may
cover several units, and a decision is dated apart from the year of the standard it recognises
(NTM "for 2022" decided on 26/01/2023).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ntm.units.models import UnitKind
from ntm.values.models import ScanFile


class Tier(models.TextChoices):
    NTM = "ntm", _("New rural standard")
    ADVANCED = "advanced", _("Advanced new rural standard")
    MODEL = "model", _("Model new rural standard")
    MODERN = "modern", _("Modern new rural standard (pilot)")
    COMPLETED = "completed", _("Completed the new rural development task")


# Which tiers a unit of each kind can be recognised at: communes at the four commune tiers;
# districts of the time (until 30/06/2025) as NTM or advanced districts (QĐ 320/2022), a
# provincial town or city as having completed the task; a province as having completed it
# (QĐ 321/2022, Annex III of QĐ 51/2025). Wards and townships are outside the commune set.
TIERS_BY_KIND: dict[str, tuple[Tier, ...]] = {
    UnitKind.COMMUNE: (Tier.NTM, Tier.ADVANCED, Tier.MODEL, Tier.MODERN),
    UnitKind.DISTRICT: (Tier.NTM, Tier.ADVANCED, Tier.COMPLETED),
    UnitKind.PROVINCE: (Tier.COMPLETED,),
}


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DOSSIER_COMPLETE = "dossier_complete", _("Dossier complete")
    # Verified (thẩm tra) by the appraiser, apart from a value's verified stage in Vietnamese.
    VERIFIED = "verified", pgettext_lazy("recognition", "Verified")
    APPRAISED = "appraised", _("Appraised")
    NOT_APPROVED = "not_approved", _("Not approved by the council")
    RECOGNISED = "recognised", _("Recognised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged after a merger")
    REVOKED = "revoked", _("Revoked")
    ENDED = "ended", _("Ended by a change of units")


# A case still on its way to a decision; at most one per unit and tier.
OPEN = (Status.PROPOSED, Status.DOSSIER_COMPLETE, Status.VERIFIED, Status.APPRAISED)
# A recognition in force (until revoked or ended); at most one per unit and tier.
HELD = (Status.RECOGNISED, Status.ACKNOWLEDGED)


class DecisionKind(models.TextChoices):
    RECOGNITION = "recognition", _("Recognition")
    REVOCATION = "revocation", _("Revocation")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement after a merger")


class RecognitionDecision(models.Model):
    """A legal act recognising, revoking or acknowledging units (a QĐ of the provincial
    chairman, or of the Prime Minister for districts, towns, cities and provinces)."""

    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    number = models.CharField(max_length=200)
    date_signed = models.DateField()
    signer = models.CharField(max_length=300, blank=True, default="")
    issuer = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()
    simulated = models.BooleanField(default=False)

    class Meta:
        ordering = ("province_id", "date_signed", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("province", "number", "date_signed"),
                name="recognition_decision_province_number_date",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DecisionKind.values), name="recognition_decision_kind_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.number} ({self.date_signed:%d/%m/%Y})"


class Recognition(models.Model):
    """One unit's case for one tier and year of the standard (see the module's docstring)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="recognitions")
    tier = models.CharField(max_length=20, choices=Tier.choices)
    year = models.IntegerField()  # the year of the standard
    status = models.CharField(max_length=20, choices=Status.choices)
    # The dossier's conditions (QĐ 18/2022, Art. 4) as the commune declared them; the set's
    # result is read from the engine when the decision is taken (`checklist`).
    satisfaction = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    debt_outstanding = models.BooleanField(null=True, blank=True)
    security_complex = models.BooleanField(null=True, blank=True)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_total = models.PositiveIntegerField(null=True, blank=True)
    decision = models.ForeignKey(
        RecognitionDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recognitions",
    )
    revocation = models.ForeignKey(
        RecognitionDecision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revoked",
    )
    # The conditions as checked when the decision was taken, and the override's reason.
    checklist = models.JSONField(default=dict, blank=True)
    override_reason = models.TextField(blank=True, default="")
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "units.UnitEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An acknowledgement after a merger names the predecessors' recognitions it rests on.
    predecessors = models.ManyToManyField("self", symmetrical=False, blank=True)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("unit_id", "tier", "year", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(tier__in=Tier.values), name="recognition_tier_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="recognition_status_valid"
            ),
            models.UniqueConstraint(
                fields=("unit", "tier"),
                condition=Q(status__in=[s.value for s in OPEN]),
                name="recognition_one_open_case",
            ),
            models.UniqueConstraint(
                fields=("unit", "tier"),
                condition=Q(status__in=[s.value for s in HELD]),
                name="recognition_one_held",
            ),
        )
        indexes = (models.Index(fields=("status", "tier")),)

    def __str__(self) -> str:
        return f"{self.unit_id} {self.tier} {self.year}: {self.status}"


class RecognitionStep(models.Model):
    """One move of a case: the status it reached, who moved it and when."""

    recognition = models.ForeignKey(Recognition, on_delete=models.PROTECT, related_name="steps")
    status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField(max_length=200, blank=True, default="")
    note = models.TextField(blank=True, default="")
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("recognition_id", "at", "id")

    def __str__(self) -> str:
        return f"{self.recognition_id} -> {self.status}"


class TargetKind(models.TextChoices):
    NEW_RECOGNITIONS = "new_recognitions", _("Communes newly recognised in the year")
    RECOGNISED = "recognised", _("Communes recognised by the end of the year")
    MIN_CRITERIA = "min_criteria", _("No commune below a number of criteria")
    GROUP_AVERAGE = "group_average", _("Average criteria met by a group of communes")


class TargetGroup(models.TextChoices):
    ALL = "all", _("All communes")
    BORDER = "border", _("Border communes")
    SPECIAL_DIFFICULTY = "special_difficulty", _("Communes in special difficulty")


class Target(models.Model):
    """A province's target for a year, from its plan (legal basis): a number or share of
    communes recognised at a tier (new in the year, or in all), no commune below a number of
    criteria, or an average of criteria met over a group of communes (a range when the plan
    gives one: "11,5–12")."""

    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.IntegerField()
    kind = models.CharField(max_length=20, choices=TargetKind.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.NTM)
    group = models.CharField(max_length=20, choices=TargetGroup.choices, default=TargetGroup.ALL)
    value = models.DecimalField(max_digits=8, decimal_places=2)
    value_max = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    as_share = models.BooleanField(default=False)  # `value` is a percentage of the communes
    basis_number = models.CharField(max_length=200)
    basis_date = models.DateField()
    basis_issuer = models.CharField(max_length=300)
    note = models.CharField(max_length=500, blank=True, default="")
    recorded_at = models.DateTimeField()
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("province_id", "year", "kind", "tier", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values), name="recognition_target_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(value_max__isnull=True) | Q(value_max__gte=models.F("value")),
                name="recognition_target_range",
            ),
        )

    def __str__(self) -> str:
        return f"{self.province_id} {self.year} {self.kind} {self.value}"


def scan_path(instance: RecognitionScan, filename: str) -> str:
    """A server-chosen name: the user's file name is kept in `original_name` only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"recognition/{instance.decision.province_id}/{uuid.uuid4().hex}{suffix}"


class RecognitionScan(ScanFile):
    """The scanned recognition, revocation or acknowledgement decision, as its evidence."""

    decision = models.ForeignKey(
        RecognitionDecision, on_delete=models.PROTECT, related_name="scans"
    )
    file = models.FileField(upload_to=scan_path, max_length=300)
