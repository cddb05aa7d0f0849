"""What the dashboards keep of their own: boundaries a province uploaded, and the mark that a
province's values are simulated (demo data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SimulatedData(models.Model):
    """Provenance: the province's values are simulated, and its pages say "dữ liệu mô phỏng".
    `record_sets` holds the criteria sets (as their JSON) that the record was kept under and
    that are not bundled, so that the pages read those periods without importing the code
    that made them."""

    province = models.OneToOneField(
        "units.Unit", on_delete=models.PROTECT, related_name="simulated_data"
    )
    note = models.CharField(max_length=500, blank=True, default="")
    record_sets = models.JSONField(default=list, blank=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"simulated: {self.province_id}"


class Boundaries(models.Model):
    """GeoJSON boundaries of a province's communes, uploaded by its office. Only the latest
    upload of a province is drawn; earlier ones stay for the record.

    `features` is the checked FeatureCollection reduced to what the map draws: a list of
    {"code": GSO code, "rings": [[[lon, lat], ...], ...]} (outer rings and holes alike).
    """

    province = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=255)
    features = models.JSONField()
    matched = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ("province_id", "-uploaded_at", "-id")
        verbose_name_plural = "boundaries"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.province_id})"
