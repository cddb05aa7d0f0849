"""Importing events from files: all or nothing, every rejected row reported in Vietnamese."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ntm.audit.models import AuditLog
from ntm.units.event_import import EventImportError, import_events
from ntm.units.loader import LoadResult
from ntm.units.models import Unit, UnitEvent, UnitEventLink, WeightBasis
from ntm.units.queries import find_units


def counts() -> tuple[int, int, int, int]:
    return (
        Unit.objects.count(),
        UnitEvent.objects.count(),
        UnitEventLink.objects.count(),
        AuditLog.objects.count(),
    )


BAD = """\
province: Lạng Sơn
events:
  - date: 2022-01-01
    kind: merge
    legal_basis: NQ thử
    district: Tràng Định
    old: [{name: Xã Cũ, historical: true}]
    into: {name: Đoàn Kết}
  - date: 8/12/20114
    kind: dissolve
    old: {name: Kim Đồng}
  - date: 2022-01-01
    kind: dissolve
    old: {name: Hòa Bình}
  - date: 2022-01-01
    kind: split
    district: Tràng Định
    old: {name: Xã Không Có, historical: true}
    parts: [{name: Đội Cấn, weight: 0.6}, {name: Cao Minh, weight: 0.6}]
  - date: 2022-01-01
    kind: swap
    old: {name: Kim Đồng}
  - date: 2022-01-01
    kind: create
    district: Tràng Định
    new: {name: Xã Không Tồn Tại}
"""


def test_a_bad_file_reports_every_row_and_writes_nothing(units: LoadResult, tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(BAD, encoding="utf-8")
    before = counts()
    with pytest.raises(EventImportError) as err:
        import_events(path, actor="test")
    assert counts() == before
    rows = {(e.row, e.column): e for e in err.value.errors}
    # The first event is valid on its own, but the file is rejected as a whole.
    assert (3, "kind") not in rows
    assert rows[(9, "date")].value == "8/12/20114"
    assert "Ngày không hợp lệ" in rows[(9, "date")].reason
    ambiguous = rows[(12, "old.name")]
    assert ambiguous.value == "Hòa Bình" and "Tên mơ hồ" in ambiguous.reason
    assert "Huyện Chi Lăng" in ambiguous.reason and "Huyện Văn Quan" in ambiguous.reason
    assert "Tổng tỷ trọng chia tách của Xã Không Có phải bằng 1" in rows[(15, "kind")].reason
    assert "Loại sự kiện không hợp lệ" in rows[(20, "kind")].reason
    assert "Không tìm thấy đơn vị này vào ngày 01/01/2022" in rows[(23, "new.name")].reason
    assert len(err.value.errors) == 5
    message = str(err.value)
    assert message.startswith("Tệp events.yaml: 5 lỗi, không ghi sự kiện nào.")
    assert "dòng 9, cột date, giá trị '8/12/20114'" in message


def test_reimporting_the_langson_events_is_refused(units: LoadResult) -> None:
    from importlib import resources

    res = resources.files("ntm.units").joinpath("data/langson-events.yaml")
    before = counts()
    with pytest.raises(EventImportError) as err:
        import_events(Path(res.name), actor="test", text=res.read_text("utf-8"))
    assert counts() == before
    events = yaml.safe_load(res.read_text("utf-8"))["events"]
    assert len(err.value.errors) == len(events) == 42  # every event was recorded already
    assert any("sự kiện thành lập đã được ghi" in e.reason for e in err.value.errors)


CSV = """\
event,date,kind,legal_basis,province,district,note,role,name,code,unit_kind,historical,starts,weight,weight_basis,new_name,to_kind
1,01/01/2026,split,NQ thử,20,,,old,Xã Kiên Mộc,06625,,,,,equal,,
1,,,,,,,part,Xã Châu Sơn,,,,,0.5,,,
1,,,,,,,part,Xã Đình Lập,,,,,0.5,,,
2,2026-01-01,rename,NQ thử,20,,,unit,Xã Tân Tiến,,,,,,,Xã Tân Tiến Mới,
"""


def test_csv_events(units: LoadResult, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    events = import_events(path, actor="test")
    assert [e.kind for e in events] == ["split", "rename"]
    split = events[0]
    assert sorted(split.links.values_list("new_unit__name", "weight", "weight_basis")) == [
        ("Xã Châu Sơn", 0.5, WeightBasis.EQUAL),
        ("Xã Đình Lập", 0.5, WeightBasis.EQUAL),
    ]
    assert Unit.objects.valid_on(dt.date(2026, 1, 1)).get(code="06019").name == "Xã Tân Tiến Mới"


def test_csv_with_a_bad_row(units: LoadResult, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV.replace("part,Xã Đình Lập", "portion,Xã Đình Lập"), encoding="utf-8")
    before = counts()
    with pytest.raises(EventImportError) as err:
        import_events(path, actor="test")
    assert counts() == before
    found = [(e.row, e.column, e.value) for e in err.value.errors]
    assert (4, "role", "portion") in found
    assert (2, "kind", "split") in found  # left with one part, the split is refused too


def test_langson_historical_communes_are_named_like_the_others(units: LoadResult) -> None:
    # Every historical commune of the bundled events is "Xã <name>" with its GSO code: the
    # kind prefix is added by the importer, never part of the code or doubled.
    ended = [dt.date(2019, 12, 31), dt.date(2024, 11, 30)]
    historical = Unit.objects.filter(kind="commune", parent__parent__code="20", valid_to__in=ended)
    names = sorted(historical.values_list("name", flat=True))
    assert len(names) == 37 + 6  # 37 ended with NQ 818, 6 with NQ 1246
    assert all(n.startswith("Xã ") and not n.startswith("Xã Xã") for n in names), names
    assert not historical.filter(code__isnull=True).exists()
    tinh_bac = Unit.objects.get(name="Xã Tĩnh Bắc")
    assert tinh_bac.name_key == "tinh bac" and tinh_bac.parent is not None
    assert tinh_bac.parent.name == "Huyện Lộc Bình" and tinh_bac.valid_to == dt.date(2024, 11, 30)
    assert str(tinh_bac) == "Xã Tĩnh Bắc (06574)"
    # Found by its name with or without prefix and diacritics (also matching Quảng Ngãi's
    # Xã Tịnh Bắc, which folds to the same letters).
    for text in ("Tĩnh Bắc", "xa tinh bac", "Xã Tĩnh Bắc"):
        assert tinh_bac in find_units(text, kinds=["commune"]), text


# Names that begin with a word which is also a kind prefix ("Tỉnh", "Quan", "Phương").
PREFIX_WORDS = """\
province: "20"
events:
  - date: 2025-03-01
    kind: merge
    legal_basis: NQ thử
    district: Chi Lăng
    old: [{name: Tĩnh Thử, historical: true}, {name: Phương Cũ, historical: true},
          {name: Xã Quan Cũ, historical: true}, {name: Thị trấn Cũ, kind: town, historical: true}]
    into: {name: Quan Sơn}
"""


def test_names_beginning_with_a_prefix_word(units: LoadResult, tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(PREFIX_WORDS, encoding="utf-8")
    (event,) = import_events(path, actor="test")
    olds = event.links.exclude(old_unit=None).values_list("old_unit__name", "old_unit__kind")
    assert sorted(olds) == [
        ("Thị trấn Cũ", "town"),
        ("Xã Phương Cũ", "commune"),
        ("Xã Quan Cũ", "commune"),
        ("Xã Tĩnh Thử", "commune"),
    ]
    # "Quan Sơn" is the commune of that name, found without its prefix.
    (into,) = set(event.links.values_list("new_unit__code", flat=True))
    assert into == "06517"


def test_a_prefix_that_contradicts_the_kind_is_refused(units: LoadResult, tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(PREFIX_WORDS.replace(", kind: town", ""), encoding="utf-8")
    before = counts()
    with pytest.raises(EventImportError) as err:
        import_events(path, actor="test")
    assert counts() == before
    (e,) = err.value.errors
    assert (e.column, e.value) == ("old[3].name", "Thị trấn Cũ")
    assert "Tên bắt đầu bằng 'Thị trấn' nhưng loại đơn vị là commune" in e.reason
