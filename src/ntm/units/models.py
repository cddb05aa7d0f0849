"""Administrative units with their history.

A `Unit` row is one version of a unit: its name, kind, parent and attributes hold from
`valid_from` to `valid_to` (both inclusive; `valid_from` is NULL when the unit existed before
any data we hold, `valid_to` NULL while it is in force). Rows are never deleted. A rename,
reclassification or transfer closes the row and opens a new one; a `UnitEvent` records why,
with its legal basis, and its `UnitEventLink` rows map old versions to new ones with weights.

A GSO code is reused over time (3,316 of the 3,321 codes of 01/07/2025 are codes of older
units), so a unit is identified by (code, valid_from), never by its code alone. Units known
only by name (communes dissolved before the data we hold) have no code.

Rows loaded from the `vietnamadminunits` package carry `origin=loaded` and a stable
`source_key`; any change through a service marks them `origin=user`, and reloading never
touches such rows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ntm.vn.dates import format_date


class UnitKind(models.TextChoices):
    PROVINCE = "province", "tỉnh/thành phố"
    DISTRICT = "district", "huyện/quận/thị xã/thành phố thuộc tỉnh"
    COMMUNE = "commune", "xã"
    WARD = "ward", "phường"
    TOWN = "town", "thị trấn"
    SPECIAL_ZONE = "special_zone", "đặc khu"


COMMUNE_LEVEL = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWN, UnitKind.SPECIAL_ZONE)
LEVEL = {
    UnitKind.PROVINCE: 1,
    UnitKind.DISTRICT: 2,
    UnitKind.COMMUNE: 3,
    UnitKind.WARD: 3,
    UnitKind.TOWN: 3,
    UnitKind.SPECIAL_ZONE: 3,
}


class Region(models.TextChoices):
    TDMNPB = "TDMNPB", "Trung du và miền núi phía Bắc"
    DBSH = "DBSH", "Đồng bằng sông Hồng"
    BTB = "BTB", "Bắc Trung Bộ"
    DHNTB = "DHNTB", "Duyên hải Nam Trung Bộ"
    TN = "TN", "Tây Nguyên"
    DNB = "DNB", "Đông Nam Bộ"
    DBSCL = "DBSCL", "Đồng bằng sông Cửu Long"


class Origin(models.TextChoices):
    LOADED = "loaded", "nạp từ dữ liệu đóng gói"
    USER = "user", "người dùng ghi nhận"


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, day: dt.date) -> UnitQuerySet:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def commune_level(self) -> UnitQuerySet:
        return self.filter(kind__in=COMMUNE_LEVEL)


class Unit(models.Model):
    # NULL, not "": a unit known only by name has no code, and NULLs never collide in the
    # unique constraints below.
    code = models.CharField(max_length=10, null=True, blank=True, db_index=True)  # noqa: DJ001
    name = models.CharField(max_length=200)  # official name with its prefix: "Xã Đội Cấn"
    # Lower case, no diacritics, no kind prefix ("doi can"): for matching names.
    name_key = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # NULL = not known (as for the flags below).
    region = models.CharField(  # noqa: DJ001
        max_length=10, choices=Region.choices, null=True, blank=True
    )
    region_conflict = models.BooleanField(default=False)  # predecessors in different regions
    commune_group = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    # NULL = not known: a missing flag is never read as "no".
    special_difficulty = models.BooleanField(null=True, blank=True)
    safe_zone_poor_district = models.BooleanField(null=True, blank=True)
    border = models.BooleanField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, default="")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.USER)
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ("code", "valid_from", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("code", "valid_from"),
                condition=Q(code__isnull=False, valid_from__isnull=False),
                name="units_unit_code_valid_from_uniq",
            ),
            # NULL valid_from is not equal to itself in SQL: one open-start version per code.
            models.UniqueConstraint(
                fields=("code",),
                condition=Q(code__isnull=False, valid_from__isnull=True),
                name="units_unit_code_open_start_uniq",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="units_unit_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=UnitKind.values), name="units_unit_kind_valid"
            ),
        )
        indexes = (
            models.Index(fields=("parent", "valid_to")),
            models.Index(fields=("kind", "valid_to")),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code or 'không mã'})"

    @property
    def label(self) -> str:
        """ "Xã Đội Cấn (06025, 01/07/2025–)" — what messages and listings show."""
        return f"{self.name} ({self.code or 'không mã'}, {self.period})"

    @property
    def period(self) -> str:
        start = format_date(self.valid_from) if self.valid_from else "…"
        end = format_date(self.valid_to) if self.valid_to else ""
        return f"{start}–{end}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class EventKind(models.TextChoices):
    MERGE = "merge", "sáp nhập"
    SPLIT = "split", "chia tách"
    RENAME = "rename", "đổi tên"
    RECLASSIFY = "reclassify", "chuyển loại"
    TRANSFER = "transfer", "điều chuyển"
    CREATE = "create", "thành lập"
    DISSOLVE = "dissolve", "giải thể"


class UnitEvent(models.Model):
    """A change of units in force from `date` (the first day of the new units)."""

    kind = models.CharField(max_length=20, choices=EventKind.choices)
    date = models.DateField(db_index=True)
    legal_basis = models.CharField(max_length=300, blank=True, default="")
    note = models.TextField(blank=True, default="")
    source = models.CharField(max_length=500, blank=True, default="")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.USER)
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ("date", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="units_event_kind_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_date(self.date)} {self.legal_basis}".strip()


class WeightBasis(models.TextChoices):
    WHOLE = "whole", "toàn bộ"
    STATED = "stated", "theo văn bản/người dùng"
    AREA = "area", "ước theo diện tích"
    EQUAL = "equal", "chia đều (chưa biết)"
    VILLAGES = "villages", "ước theo số thôn"


class UnitEventLink(models.Model):
    """Old version -> new version. No old unit: created; no new unit: dissolved. The weights of
    one old unit's links in one event sum to 1."""

    event = models.ForeignKey(UnitEvent, on_delete=models.PROTECT, related_name="links")
    old_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="successor_links"
    )
    new_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="predecessor_links"
    )
    weight = models.FloatField(default=1.0)
    weight_basis = models.CharField(
        max_length=10, choices=WeightBasis.choices, default=WeightBasis.WHOLE
    )

    class Meta:
        ordering = ("event_id", "id")
        constraints = (
            models.CheckConstraint(
                condition=Q(old_unit__isnull=False) | Q(new_unit__isnull=False),
                name="units_link_has_a_side",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=1), name="units_link_weight_0_1"
            ),
            models.UniqueConstraint(
                fields=("event", "old_unit", "new_unit"), name="units_link_uniq"
            ),
        )

    def __str__(self) -> str:
        return f"{self.old_unit_id} -> {self.new_unit_id} ({self.weight})"


class CommuneGroup(models.TextChoices):
    """The commune groups of the 2026–2030 set (QĐ 51/2025/QĐ-TTg); the codes are the set's
    threshold columns."""

    GROUP_1 = "group_1", "nhóm 1"
    GROUP_2 = "group_2", "nhóm 2"
    GROUP_3 = "group_3", "nhóm 3"


# Groups are assigned to the communes of the 2025 reform (in force from 01/07/2025).
GROUPS_FROM = dt.date(2025, 7, 1)


class GroupAssignment(models.Model):
    """A commune's group from `valid_from`, by a province decision, until a later assignment:
    the one in force on a day is the latest starting on or before it (a later row with the
    same start corrects an earlier one). Rows are never changed or deleted; each is written
    by `ntm.units.groups` with its audit row."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="group_assignments")
    group = models.CharField(max_length=10, choices=CommuneGroup.choices)
    valid_from = models.DateField()
    decision_number = models.CharField(max_length=100)
    decision_date = models.DateField()
    issuer = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()
    audit = models.ForeignKey("audit.AuditLog", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("unit_id", "valid_from", "id")
        indexes = (models.Index(fields=("unit", "valid_from")),)
        constraints = (
            models.CheckConstraint(
                condition=Q(group__in=CommuneGroup.values), name="units_group_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__gte=GROUPS_FROM), name="units_group_from_2025"
            ),
        )

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.group} từ {format_date(self.valid_from)}"


class Boundaries(models.Model):
    """GeoJSON boundaries of a province's communes, uploaded by its office. Only the latest
    upload of a province is drawn; earlier ones stay for the record.

    `features` is the checked FeatureCollection reduced to what the map draws: a list of
    {"code": GSO code, "rings": [[[lon, lat], ...], ...]} (outer rings and holes alike).
    """

    province = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
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
