"""`ntm units load`: the real units from the installed `vietnamadminunits` package.

What is loaded (the package's data are read in place, never copied into this repository):

- the pre-reform units of `admin_units_legacy` (63 provinces, 696 districts and the
  commune-level units), in force until 30/06/2025; their start is unknown (NULL);
- the units of `admin_units` (34 provinces, 3,321 commune-level units) from 01/07/2025;
  a province that the reform left unchanged keeps one row throughout;
- the 2025 reform as events, from `converter_2025.json`: each connected group of old and
  new units is one event (merge, split, rename, reclassify or transfer); an old unit divided
  between new units gets weights proportional to the new units' areas — the package gives no
  other measure of the parts, and the event note says so; districts end without successor,
  except the five island districts that become special zones;
- regions from `data/regions-legacy-provinces.csv`; a 2025 unit inherits its predecessors'
  region, flagged `region_conflict` when they disagree.

Every loaded row has a stable `source_key`; re-running creates only what is missing and never
touches a row a person has changed (`origin=user`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ntm.audit.services import record
from ntm.units.models import (
    EventKind,
    Origin,
    Unit,
    UnitEvent,
    UnitEventLink,
    UnitKind,
    WeightBasis,
)
from ntm.units.services import inherit_region
from ntm.vn.text import name_key

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

REFORM_DATE = dt.date(2025, 7, 1)
LEGACY_END = dt.date(2025, 6, 30)
BATCH = 500

WARD_KINDS = {
    "Xã": UnitKind.COMMUNE,
    "Phường": UnitKind.WARD,
    "Thị trấn": UnitKind.TOWN,
    "Đặc khu": UnitKind.SPECIAL_ZONE,
}
# Legal bases the bundled references state (../shared/reference/langson_units_2025.csv).
COMMUNE_REFORM_BASIS = {"20": "NQ 1672/NQ-UBTVQH15"}

NOTE_2025 = (
    "Sắp xếp đơn vị hành chính năm 2025 (không còn cấp huyện từ 01/07/2025), theo dữ liệu "
    "vietnamadminunits {version} (converter_2025.json)."
)
NOTE_AREA = (
    " Đơn vị cũ bị chia cho nhiều đơn vị mới: tỷ trọng ước theo diện tích của các đơn vị mới "
    "(newWardAreaKm2), vì dữ liệu không cho diện tích từng phần được chia."
)
NOTE_EQUAL = " Đơn vị mới thiếu diện tích trong dữ liệu: tỷ trọng chia đều, chưa được xác nhận."


def package_data_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


def read_regions() -> dict[str, str]:
    """Pre-2025 province code -> region, from the bundled CSV."""
    text = (
        resources.files("ntm.units")
        .joinpath("data/regions-legacy-provinces.csv")
        .read_text(encoding="utf-8")
    )
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["province_code"]: row["region"] for row in rows}


@dataclass
class LoadResult:
    created_units: int = 0
    created_events: int = 0
    created_links: int = 0
    preserved: int = 0  # loaded rows a person has changed since: left as they are
    seconds: float = 0.0


@dataclass
class _Plan:
    units: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (depth, fields)
    events: list[dict[str, Any]] = field(default_factory=list)  # fields + "links"

    def add(self, depth: int, key: str, **fields: Any) -> None:
        """A unit row, keyed by `key` (its source_key); depth orders parents first."""
        fields["source_key"] = key
        fields["name_key"] = name_key(fields["name"])
        self.units.append((depth, fields))


def _place(row: dict[str, Any], level: str) -> dict[str, Any]:
    """Code, name and coordinates of a package row at `level` (province, district, ward)."""
    return {
        "code": row[f"{level}Code"],
        "name": row[level],
        "latitude": row[f"{level}Lat"],
        "longitude": row[f"{level}Lon"],
    }


def build_plan() -> _Plan:
    """Everything the package says, as rows keyed by source_key (no database access)."""
    from vietnamadminunits.database import query

    pkg_version = version("vietnamadminunits")
    source = f"vietnamadminunits {pkg_version}"
    regions = read_regions()
    converter = json.loads((package_data_dir() / "converter_2025.json").read_text("utf-8"))
    legacy = query("SELECT * FROM admin_units_legacy")
    new = query("SELECT * FROM admin_units")
    plan = _Plan()

    # Provinces: unchanged ones keep one row; merged ones end, and a new row starts.
    legacy_prov = {r["provinceKey"]: r for r in legacy}
    new_prov = {r["provinceKey"]: r for r in new}
    unchanged: dict[str, str] = {}  # province key -> source_key of the row used for both
    prov_key_old: dict[str, str] = {}
    prov_key_new: dict[str, str] = {}
    prov_events: list[tuple[str, list[str]]] = []
    for new_pk, old_pks in converter["DICT_PROVINCE"].items():
        n = new_prov[new_pk]
        if old_pks == [new_pk] and legacy_prov[new_pk]["province"] == n["province"]:
            key = f"vau:province:{n['provinceCode']}"
            plan.add(
                0,
                key,
                **_place(n, "province"),
                kind=UnitKind.PROVINCE,
                region=regions[n["provinceCode"]],
                valid_from=None,
                valid_to=None,
            )
            unchanged[new_pk] = key
            prov_key_old[new_pk] = prov_key_new[new_pk] = key
            continue
        for old_pk in old_pks:
            o = legacy_prov[old_pk]
            key = f"vau:legacy:province:{o['provinceCode']}"
            prov_key_old[old_pk] = key
            plan.add(
                0,
                key,
                **_place(o, "province"),
                kind=UnitKind.PROVINCE,
                region=regions[o["provinceCode"]],
                valid_from=None,
                valid_to=LEGACY_END,
            )
        region, conflict = inherit_region(
            (regions[legacy_prov[p]["provinceCode"]], 1.0) for p in old_pks
        )
        key = f"vau:2025:province:{n['provinceCode']}"
        prov_key_new[new_pk] = key
        plan.add(
            0,
            key,
            **_place(n, "province"),
            kind=UnitKind.PROVINCE,
            region=region,
            region_conflict=conflict,
            valid_from=REFORM_DATE,
            valid_to=None,
        )
        prov_events.append((key, [prov_key_old[p] for p in old_pks]))

    # Districts and pre-reform commune-level units.
    old_key_of: dict[str, str] = {}  # converter key "prov_dist_ward" -> source_key
    old_region: dict[str, str] = {}
    old_kind: dict[str, str] = {}
    old_name: dict[str, str] = {}
    districts: dict[str, str] = {}
    for r in legacy:
        region = regions[r["provinceCode"]]
        dkey = f"vau:legacy:district:{r['districtCode']}"
        if r["districtCode"] not in districts:
            districts[r["districtCode"]] = dkey
            plan.add(
                1,
                dkey,
                **_place(r, "district"),
                kind=UnitKind.DISTRICT,
                parent=prov_key_old[r["provinceKey"]],
                region=region,
                valid_from=None,
                valid_to=LEGACY_END,
            )
        conv = f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"
        if r["wardCode"] is None:  # an island district without communes
            old_key_of[conv] = dkey
            old_kind[dkey], old_name[dkey] = UnitKind.DISTRICT, r["district"]
        else:
            wkey = f"vau:legacy:ward:{r['wardCode']}"
            old_key_of[conv] = wkey
            kind = WARD_KINDS[r["wardType"]]
            old_kind[wkey], old_name[wkey] = kind, r["ward"]
            plan.add(
                2,
                wkey,
                **_place(r, "ward"),
                kind=kind,
                parent=dkey,
                region=region,
                valid_from=None,
                valid_to=LEGACY_END,
            )
        old_region[old_key_of[conv]] = region

    # The 2025 mapping: old unit -> [(new unit, weight, basis)].
    new_key_of = {(r["provinceKey"], r["wardKey"]): f"vau:2025:ward:{r['wardCode']}" for r in new}
    mapping: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for new_pk, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, olds in wards.items():
            for old in olds:
                mapping[old_key_of[old]].append(
                    (new_key_of[(new_pk, new_wk)], 1.0, WeightBasis.WHOLE)
                )
    for new_pk, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            areas = [p["newWardAreaKm2"] or 0.0 for p in parts]
            if all(a > 0 for a in areas):
                total = sum(areas)
                weights, basis = [a / total for a in areas], WeightBasis.AREA
            else:
                weights, basis = [1 / len(parts)] * len(parts), WeightBasis.EQUAL
            for part, weight in zip(parts, weights, strict=True):
                mapping[old_key_of[old]].append(
                    (new_key_of[(new_pk, part["newWardKey"])], weight, basis)
                )

    preds: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for old, targets in mapping.items():
        for new_key, weight, _ in targets:
            preds[new_key].append((old, weight))
    for r in new:
        key = new_key_of[(r["provinceKey"], r["wardKey"])]
        region, conflict = inherit_region((old_region[o], w) for o, w in preds[key])
        plan.add(
            1,
            key,
            **_place(r, "ward"),
            kind=WARD_KINDS[r["wardType"]],
            parent=prov_key_new[r["provinceKey"]],
            region=region,
            region_conflict=conflict,
            valid_from=REFORM_DATE,
            valid_to=None,
        )
    new_meta: dict[str, tuple[str, str, str]] = {
        new_key_of[(r["provinceKey"], r["wardKey"])]: (
            WARD_KINDS[r["wardType"]],
            r["ward"],
            r["provinceCode"],
        )
        for r in new
    }

    note = NOTE_2025.format(version=pkg_version)
    for new_key, old_keys in prov_events:
        plan.events.append(
            {
                "source_key": f"vau:2025:event:{new_key}",
                "kind": EventKind.MERGE,
                "note": note,
                "links": [(o, new_key, 1.0, WeightBasis.WHOLE) for o in old_keys],
            }
        )
    for olds, news in _components(mapping):
        links = [(o, n, w, b) for o in olds for n, w, b in mapping[o]]
        event_kind = _event_kind(olds, news, old_kind, old_name, new_meta)
        event_note = note
        if any(b == WeightBasis.AREA for *_, b in links):
            event_note += NOTE_AREA
        if any(b == WeightBasis.EQUAL for *_, b in links):
            event_note += NOTE_EQUAL
        digest = hashlib.sha1(",".join(sorted(news)).encode()).hexdigest()[:16]
        plan.events.append(
            {
                "source_key": f"vau:2025:event:{digest}",
                "kind": event_kind,
                "note": event_note,
                "legal_basis": COMMUNE_REFORM_BASIS.get(new_meta[news[0]][2], ""),
                "links": links,
            }
        )
    mapped = set(mapping)
    for dkey in districts.values():
        if dkey not in mapped:
            plan.events.append(
                {
                    "source_key": f"vau:2025:event:end:{dkey}",
                    "kind": EventKind.DISSOLVE,
                    "note": note + " Cấp huyện chấm dứt; không có đơn vị kế thừa.",
                    "links": [(dkey, None, 1.0, WeightBasis.WHOLE)],
                }
            )
    for _, fields in plan.units:
        fields.setdefault("source", source)
    for ev in plan.events:
        ev.setdefault("legal_basis", "")
        ev["source"] = source
    return plan


def _components(
    mapping: dict[str, list[tuple[str, float, str]]],
) -> Iterable[tuple[list[str], list[str]]]:
    """Connected groups of the old -> new graph: each is one event."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for old, targets in mapping.items():
        for new_key, _, _ in targets:
            parent[find(old)] = find("N" + new_key)
    groups: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for old, targets in mapping.items():
        groups[find(old)][0].append(old)
        for new_key, _, _ in targets:
            news = groups[find(old)][1]
            if new_key not in news:
                news.append(new_key)
    for olds, news in groups.values():
        yield sorted(olds), sorted(news)


def _event_kind(
    olds: list[str],
    news: list[str],
    old_kind: dict[str, str],
    old_name: dict[str, str],
    new_meta: dict[str, tuple[str, str, str]],
) -> str:
    if len(olds) == 1 and len(news) == 1:
        new_kind, new_name, _ = new_meta[news[0]]
        if old_kind[olds[0]] != new_kind:
            return EventKind.RECLASSIFY
        if name_key(old_name[olds[0]]) != name_key(new_name):
            return EventKind.RENAME
        return EventKind.TRANSFER  # same unit, now directly under the province
    if len(olds) == 1:
        return EventKind.SPLIT
    return EventKind.MERGE


def _loaded_keys() -> list[tuple[str, int, str]]:
    rows = Unit.objects.filter(source_key__startswith="vau:").values_list(
        "source_key", "pk", "origin"
    )
    return [(key, pk, origin) for key, pk, origin in rows if key]


def load_units(
    *, acting_user: AbstractBaseUser | None = None, actor: str = "system:units-load"
) -> LoadResult:
    """Load (or complete) the package's units and the 2025 events in one transaction."""
    started = time.perf_counter()
    plan = build_plan()
    result = LoadResult()
    with transaction.atomic():
        keys: dict[str, int] = {}
        for key, pk, origin in _loaded_keys():
            keys[key] = pk
            result.preserved += origin == Origin.USER
        for depth in (0, 1, 2):
            rows = []
            for d, fields in plan.units:
                if d != depth or fields["source_key"] in keys:
                    continue
                values = dict(fields)
                parent_key = values.pop("parent", None)
                rows.append(
                    Unit(
                        **values,
                        parent_id=keys[parent_key] if parent_key else None,
                        origin=Origin.LOADED,
                    )
                )
            Unit.objects.bulk_create(rows, batch_size=BATCH)
            result.created_units += len(rows)
            keys.update((key, pk) for key, pk, _ in _loaded_keys())
        have_events = set(
            UnitEvent.objects.filter(source_key__startswith="vau:").values_list(
                "source_key", flat=True
            )
        )
        todo = [e for e in plan.events if e["source_key"] not in have_events]
        events = [
            UnitEvent(
                kind=e["kind"],
                date=REFORM_DATE,
                legal_basis=e["legal_basis"],
                note=e["note"],
                source=e["source"],
                origin=Origin.LOADED,
                source_key=e["source_key"],
            )
            for e in todo
        ]
        UnitEvent.objects.bulk_create(events, batch_size=BATCH)
        event_pk = dict(
            UnitEvent.objects.filter(source_key__startswith="vau:").values_list("source_key", "pk")
        )
        links = [
            UnitEventLink(
                event_id=event_pk[e["source_key"]],
                old_unit_id=keys[old],
                new_unit_id=keys[new] if new else None,
                weight=weight,
                weight_basis=basis,
            )
            for e in todo
            for old, new, weight, basis in e["links"]
        ]
        UnitEventLink.objects.bulk_create(links, batch_size=BATCH)
        result.created_events, result.created_links = len(events), len(links)
        if not (result.created_units or result.created_events or result.created_links):
            result.seconds = time.perf_counter() - started
            return result  # nothing missing: a re-run changes nothing, not even the log
        record(
            action="units.load",
            object_type="units.Unit",
            after={
                "source": f"vietnamadminunits {version('vietnamadminunits')}",
                "created_units": result.created_units,
                "created_events": result.created_events,
                "created_links": result.created_links,
                "preserved_user_rows": result.preserved,
            },
            acting_user=acting_user,
            actor=actor,
            reason="Nạp đơn vị hành chính từ dữ liệu đóng gói",
        )
    result.seconds = time.perf_counter() - started
    return result
