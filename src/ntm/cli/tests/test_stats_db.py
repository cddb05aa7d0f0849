"""`ntm stats` on the real units of Lạng Sơn (loaded once for this module), over the stored
record and over `ntm evaluate --json` files (`--from-json`).

The units, their 2025 mapping and the Lạng Sơn events of 2019 and 2024 are real (the
`vietnamadminunits` package and the bundled reference events). The values are SIMULATED:
written into a template workbook (2024) and a CSV (2019) made from the criteria sets' own
columns, evaluated by `ntm evaluate --json`, and loaded into the record by the values service
from the values the files carry.

2024 (the 2021–2025 set; poverty threshold for TDMNPB ≤ 13 %), on the 175 communes of
31/12/2024. From 01/07/2025 Khánh Long, Đoàn Kết and Cao Minh form Xã Đoàn Kết; Hưng Đạo
and Hoa Thám form Xã Hoa Thám; Hội Hoan and Gia Miễn (no data) form Xã Hội Hoan:

- Khánh Long 10/300 poor households, Đoàn Kết 30/100, Cao Minh 0/100: 40/500 = 8 % merged;
- Hưng Đạo and Hoa Thám: a market (yes/no);
- Hội Hoan 5/100.

2019 (the 2016–2020 set), on the 207 communes of 31/12/2019: Phú Mỹ, Việt Yên and Vân Mộng
(which form Xã Liên Hội in 2020) and Khánh Long (unchanged until 2025) meet every indicator
that has a threshold: 18 criteria, income having none before 2020.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ntm.cli.tests.test_evaluate_cli import good_row
from ntm.criteria.loader import load_set
from ntm.exchange.workbook import template_columns, write_template
from ntm.results.scope import period_day
from ntm.results.testing import SET_2020, SET_2022, History, at
from ntm.units.loader import LoadResult
from ntm.units.models import Unit, UnitKind
from ntm.units.testing import real_units_rolled_back
from ntm.values.services import Entry, PastValue

POOR = "poor_near_poor_household_share"
ROWS_2024: dict[tuple[str, str], dict[str, Any]] = {
    ("05998", "Xã Khánh Long"): {f"{POOR}__numerator": 10, f"{POOR}__denominator": 300},
    ("06001", "Xã Đoàn Kết"): {f"{POOR}__numerator": 30, f"{POOR}__denominator": 100},
    ("06010", "Xã Cao Minh"): {f"{POOR}__numerator": 0, f"{POOR}__denominator": 100},
    ("06067", "Xã Hưng Đạo"): {"rural_market": True},
    ("06073", "Xã Hoa Thám"): {"rural_market": True},
    ("06151", "Xã Hội Hoan"): {f"{POOR}__numerator": 5, f"{POOR}__denominator": 100},
}
COMMUNES_2019 = {
    "06259": "Xã Phú Mỹ",
    "06262": "Xã Việt Yên",
    "06268": "Xã Vân Mộng",
    "05998": "Xã Khánh Long",
}


@pytest.fixture(scope="module")
def real_units(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LoadResult]:
    """Loaded once for this module, seen by no other module."""
    with real_units_rolled_back(django_db_blocker) as result:
        yield result


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """`ntm evaluate --json` of the 2024 workbook and the 2019 CSV (no database needed)."""
    folder = tmp_path_factory.mktemp("ket-qua")
    workbook = folder / "nhap-2024.xlsx"
    rows = [
        {"unit": code, "name": name, "province": "20", "region": "TDMNPB"} | cells
        for (code, name), cells in ROWS_2024.items()
    ]
    write_template(load_set(SET_2022), workbook, rows=rows)
    table = folder / "nhap-2019.csv"
    columns = [c.machine for c in template_columns(load_set(SET_2020))]
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        for code, name in COMMUNES_2019.items():
            row = good_row(code, name)
            writer.writerow({k: ("Có" if v is True else v) for k, v in row.items()})
    found = {}
    for year, source, set_id in ((2024, workbook, SET_2022), (2019, table, SET_2020)):
        out = StringIO()
        call_command(
            "evaluate", str(source), "--set", set_id, "--year", str(year), "--json", stdout=out
        )
        found[year] = folder / f"ket-qua-{year}.json"
        found[year].write_text(out.getvalue(), encoding="utf-8")
    return found


def _load(paths: dict[int, Path]) -> None:
    """The values the files carry, loaded into the record as the commune entered them."""
    h = History()
    for year, path in paths.items():
        doc = json.loads(path.read_text(encoding="utf-8"))
        for commune in doc["communes"]:
            unit = Unit.objects.valid_on(period_day(year)).get(
                code=commune["unit"], kind=UnitKind.COMMUNE
            )
            for v in commune["values"]:
                entry = Entry(v["value"], v["numerator"], v["denominator"], v["not_applicable"])
                h.values.append(PastValue(unit, v["measure"], year, entry, at(f"{year}-12-31")))
    h.load()


@pytest.fixture
def record(real_units: LoadResult, files: dict[int, Path], db: None) -> dict[int, Path]:
    _load(files)
    return files


def _run(*args: str) -> str:
    out = StringIO()
    call_command("stats", "--province", "Lạng Sơn", *args, stdout=out)
    return out.getvalue()


def _json(*args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_run(*args, "--json"))
    return doc


def _criterion(text: str, number: int) -> str:
    (line,) = [s for s in text.splitlines() if s.startswith(f"  Tiêu chí {number}:")]
    return line.strip()


def test_langson_2024_by_district_and_rebased_onto_2025_units(record: dict[int, Path]) -> None:
    text = _run("--period", "2024")
    assert text.startswith("Thống kê nông thôn mới năm 2024 — Tỉnh Lạng Sơn (20)\n")
    # 175 communes on 31/12/2024 (after NQ 1246); towns and wards are outside the set.
    assert "Số xã trong phạm vi: 175\nSố xã đạt chuẩn: 0/175 (0,00 %)\n" in text
    assert "Số xã chưa có kết quả đánh giá: 169" in text
    # Khánh Long (3,3 %), Cao Minh (0 %) and Hội Hoan (5 %) meet the poverty criterion.
    assert _criterion(text, 11) == "Tiêu chí 11: 3 / 0 / 50,00 %"
    assert "\nHuyện Tràng Định (180):\n  Số xã trong phạm vi: 19\n" in text
    assert "\nHuyện Bình Gia (181):\n  Số xã trong phạm vi: 18\n" in text
    doc = _json("--period", "2024")
    assert len(doc["statistics"]["children"]) == 11
    assert sum(c["figures"]["communes"] for c in doc["statistics"]["children"]) == 175

    # On the units of 01/07/2025: 61 communes, no districts.
    rebased = _run("--period", "2024", "--units-of", "01/07/2025")
    assert "Cơ sở: quy đổi sang đơn vị hành chính ngày 01/07/2025 (re-based)\n" in rebased
    assert "Số xã trong phạm vi: 61\nSố xã đạt chuẩn: 0/61 (0,00 %)\n" in rebased
    assert "Huyện" not in rebased
    # Đoàn Kết is evaluated on 40/500 = 8 %: met; Hoa Thám (yes/no) and Hội Hoan (Gia Miễn
    # has no value) are not comparable.
    assert _criterion(rebased, 11) == "Tiêu chí 11: 1 / 0 / 100,00 %"
    f = _json("--period", "2024", "--units-of", "01/07/2025")["statistics"]["total"]["figures"]
    assert (f["communes"], f["evaluated"], f["not_comparable"], f["not_evaluated"]) == (
        61,
        1,
        2,
        58,
    )


def test_2019_on_the_207_communes_before_the_mergers(record: dict[int, Path]) -> None:
    text = _run("--period", "2019")
    assert "Số xã trong phạm vi: 207\nSố xã đạt chuẩn: 0/207 (0,00 %)\n" in text
    assert "  Đạt 15–18 tiêu chí: 4 xã\n" in text
    assert _criterion(text, 10) == "Tiêu chí 10: 0 / 0 / 0,00 %"  # no income threshold
    assert (
        "\nHuyện Văn Quan (184):\n  Số xã trong phạm vi: 23\n  Số xã đạt chuẩn: 0/23 (0,00 %)\n"
        in (text)
    )
    # Against 2019, 2024 counts on 32 communes fewer.
    assert (
        "So với năm gốc 2019: số xã đạt chuẩn 0, tỷ lệ 0 điểm %, bình quân tiêu chí/xã -17,17, "
        "số xã trong phạm vi -32\n"
    ) in _run("--period", "2024", "--baseline", "2019")
    # On the units of 2020, Liên Hội (Phú Mỹ, Việt Yên, Vân Mộng) is not comparable: their
    # yes/no values do not carry across the merger. Khánh Long, unchanged, keeps its values
    # and is evaluated again.
    rebased = _run("--period", "2019", "--units-of", "31/12/2020")
    assert "Số xã trong phạm vi: 181\nSố xã đạt chuẩn: 0/181 (0,00 %)\n" in rebased
    assert "Bình quân số tiêu chí đạt/xã: 18,00 (trên 1 xã có kết quả)\n" in rebased
    assert "một phần thiếu số liệu): 1\n" in rebased
    assert (
        "\nHuyện Văn Quan (184):\n  Số xã trong phạm vi: 16\n"
        "  Số xã đạt chuẩn: — (không so sánh được)\n"
    ) in rebased
    # On the units of 2025, Khánh Long is part of Đoàn Kết with two communes without 2019
    # data, and Phú Mỹ, Việt Yên and Vân Mộng are still merged: nothing of 2019 compares, so
    # there is no change against it.
    doc = _json("--period", "2024", "--baseline", "2019", "--units-of", "01/07/2025")
    assert doc["statistics"]["total"]["change_baseline"] is None
    trend = [
        (t["period"], t["figures"]["evaluated"], t["figures"]["not_comparable"])
        for t in doc["trend"]
    ]
    assert trend == [(2019, 0, 2), (2024, 1, 2)]


def test_from_json_gives_the_figures_of_the_stored_record(record: dict[int, Path]) -> None:
    files = [str(record[2024]), str(record[2019])]
    for args in (
        ["--period", "2024", "--baseline", "2019"],
        ["--period", "2024", "--baseline", "2019", "--units-of", "01/07/2025"],
        ["--period", "2019", "--units-of", "31/12/2020"],
    ):
        assert _json(*args, "--from-json", *files) == _json(*args), args
    assert _run("--period", "2024", "--from-json", *files) == _run("--period", "2024")


def _broken(folder: Path, name: str, doc: dict[str, Any] | str) -> str:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def test_from_json_refuses(
    real_units: LoadResult, files: dict[int, Path], db: None, tmp_path: Path
) -> None:
    good = json.loads(files[2024].read_text(encoding="utf-8"))
    old = json.loads(files[2024].read_text(encoding="utf-8"))
    for commune in old["communes"]:
        del commune["values"]
    # A 2025 file: 06001 names the new Đoàn Kết on 31/12/2025; 05998 ended on 30/06/2025;
    # 00001 was never in Lạng Sơn.
    later = good | {"set": good["set"] | {"year": 2025}}
    codes = ("06001", "05998", "00001")
    later["communes"] = [
        c | {"unit": code} for c, code in zip(good["communes"][:3], codes, strict=True)
    ]
    cases = [
        ([_broken(tmp_path, "hong.json", "{")], "hong.json: không phải tệp JSON."),
        ([str(tmp_path / "khong-co.json")], "khong-co.json: không có tệp này."),
        (
            [_broken(tmp_path, "cu.json", old)],
            "cu.json: không phải kết quả của `ntm evaluate --json` có kèm các giá trị đã đọc",
        ),
        (
            [_broken(tmp_path, "2025.json", later)],
            "2025.json: không có xã nào của Tỉnh Lạng Sơn mang các mã này vào ngày 31/12/2025: "
            "00001, 05998.",
        ),
        (
            [str(files[2024]), _broken(tmp_path, "lai.json", good)],
            "lai.json: tệp thứ hai cho năm 2024.",
        ),
    ]
    for paths, message in cases:
        with pytest.raises(CommandError) as caught:
            _run("--period", "2024", "--from-json", *paths)
        assert message in str(caught.value)
        assert caught.value.returncode == 1
    for flag, message in (
        (["--as-of", "31/12/2024"], "Tệp không có lịch sử: --as-of chỉ dùng với số liệu đã lưu."),
        (
            ["--approved-only"],
            "Tệp không có phê duyệt: --approved-only chỉ dùng với số liệu đã lưu.",
        ),
    ):
        with pytest.raises(CommandError) as caught:
            _run("--period", "2024", *flag, "--from-json", str(files[2024]))
        assert str(caught.value) == message
        assert caught.value.returncode == 1
