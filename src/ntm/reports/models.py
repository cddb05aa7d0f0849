"""What the reports keep of their own: the report files asked for on the web, made as jobs
(`ntm.jobs`) beside the request and downloaded by whoever asked for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WORKBOOK = "workbook", _("Excel workbook")
    PDF = "pdf", "PDF"


class ReportState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportJob(models.Model):
    """One report file asked for, at the province page's choices (the page polls this row).
    `file` is set only when the file was written whole."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.IntegerField(null=True, blank=True)  # None: the page's default year
    as_of = models.DateField(null=True, blank=True)  # None: the live record
    units_of = models.DateField(null=True, blank=True)  # None: as recorded
    language = models.CharField(max_length=10, default="vi")
    state = models.CharField(
        max_length=20, choices=ReportState.choices, default=ReportState.PENDING
    )
    file = models.FileField(upload_to="reports/%Y/%m/", max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True, default="")
    # Why it failed: {"vi": ..., "en": ...}
    problem = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.kind} {self.province_id} ({self.state})"
