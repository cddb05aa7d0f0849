"""Files that cannot take the server down: the reader runs on hostile files in a subprocess
under a memory limit, and reports them in bounded time, memory and text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ntm.exchange.tests import rawxlsx
from ntm.exchange.tests.test_workbook import GOOD, HEADERS
from ntm.exchange.workbook import MAX_DATA_ROWS, MAX_PROBLEMS, MAX_PROBLEMS_SHOWN

pytestmark = pytest.mark.pure

# The address space the reader may use. Importing polars and numpy alone maps about 0,9 GB
# (mostly reserved, not used); reading a normal file of 20.000 communes of the largest
# template (85 columns) peaks at about 1,3 GB of address space, 0,3 GB resident. The reader
# of before ran out of it within seconds on the first file below (it reached 5 GB unbounded).
ADDRESS_SPACE = 1536 * 2**20

RUNNER = textwrap.dedent(
    """
    import json, resource, sys, time
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from ntm.exchange.tests.factory import criteria_set, measures
    from ntm.exchange.workbook import InputError, read_file
    cset, catalogue = criteria_set(), measures()
    for path in sys.argv[2:]:
        start = time.monotonic()
        try:
            found = read_file(path, cset, year=2020, measures=catalogue)
            out = {"ok": True, "units": len(found.units), "rows": dict(found.rows)}
        except InputError as exc:
            out = {"ok": False, "total": exc.total, "message": exc.message(),
                   "problems": [str(p) for p in exc.problems]}
        except MemoryError:
            out = {"ok": False, "memory": True}
        out["seconds"] = time.monotonic() - start
        print(json.dumps({"path": path, **out}), flush=True)
    """
)


def good(code: int) -> list[Any]:
    return [f"{code:05d}", *GOOD[1:]]


def note_and_header() -> list[list[Any]]:
    return [["Bộ tiêu chí: test-set"], HEADERS]


def files(folder: Path) -> dict[str, Path]:
    made = {
        # 2 KB: one commune, a dimension of the whole sheet (17 billion cells) and its last
        # cell, empty.
        "dimension": rawxlsx.write(
            folder / "dimension.xlsx",
            [
                *(rawxlsx.row_xml(i, r) for i, r in enumerate(note_and_header(), start=1)),
                rawxlsx.row_xml(3, good(6010)),
                '<row r="1048576"><c r="XFD1048576"/></row>',
            ],
            dimension="A1:XFD1048576",
        ),
        # 200.000 communes, all good: more than the reader takes.
        "rows": rawxlsx.write(folder / "rows.xlsx", _many(200_000, "TDMNPB")),
        # 200.000 communes, each in a region the set does not have: hopeless.
        "hopeless": rawxlsx.write(folder / "hopeless.xlsx", _many(200_000, "XYZ")),
        # A cell far beyond the template's columns.
        "wide": rawxlsx.write(
            folder / "wide.xlsx",
            [*note_and_header(), good(6010), f'<row r="4">{rawxlsx.cell("XFD4", "ghi chú")}</row>'],
        ),
    }
    field = folder / "field.csv"
    with field.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(f'"{h}"' for h in HEADERS) + "\n")
        row = [str(v) if v is not None else "" for v in good(6010)]
        row[1] = "X" * 1_000_000  # the name, over the csv module's field limit
        f.write(",".join(row) + "\n")
        f.write(",".join(str(v) if v is not None else "" for v in good(6011)) + "\n")
    made["field"] = field
    return made


def _many(count: int, region: str) -> Iterator[str]:
    """The note, the header and `count` communes (code and region), written fast."""
    for i, row in enumerate(note_and_header(), start=1):
        yield rawxlsx.row_xml(i, row)
    template = (
        '<row r="%d"><c t="inlineStr"><is><t>%d</t></is></c>'
        f'<c r="D%d" t="inlineStr"><is><t>{region}</t></is></c></row>'
    )
    for n in range(3, count + 3):
        yield template % (n, 10_000 + n, n)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    made = files(tmp_path_factory.mktemp("hostile"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, str(ADDRESS_SPACE), *map(str, made.values())],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    by_path = {}
    for line in run.stdout.splitlines():
        found = json.loads(line)
        by_path[found["path"]] = found
    out = {
        name: by_path.get(str(path), {"crashed": run.stderr[-3000:]}) for name, path in made.items()
    }
    return out


def test_a_false_dimension_costs_nothing(results: dict[str, dict[str, Any]]) -> None:
    got = results["dimension"]
    assert got.get("ok"), got
    assert got["units"] == 1 and got["rows"] == {"06010": 3}
    assert got["seconds"] < 5


def test_too_many_rows_are_refused_early(results: dict[str, dict[str, Any]]) -> None:
    got = results["rows"]
    assert got.get("ok") is False and "problems" in got, got
    assert got["problems"] == [
        f"trang “Nhập liệu”, dòng {MAX_DATA_ROWS + 3}: tệp có hơn 20.000 dòng số liệu; "
        "chia thành nhiều tệp, mỗi tệp tối đa 20.000 xã"
    ]
    assert got["seconds"] < 30


def test_a_hopeless_file_stops_early_with_a_bounded_report(
    results: dict[str, dict[str, Any]],
) -> None:
    got = results["hopeless"]
    assert got.get("ok") is False and "problems" in got, got
    problems = got["problems"]
    # The stop first, then the first 200 problems, then what was left out.
    assert problems[0] == (
        f"trang “Nhập liệu”, dòng {MAX_PROBLEMS + 2}: đã dừng kiểm tra ở dòng này vì tệp có "
        "quá nhiều lỗi (1.000); sửa các lỗi đã nêu rồi kiểm tra lại"
    )
    assert problems[1] == (
        "trang “Nhập liệu”, dòng 3, cột D “Vùng”, giá trị “XYZ”: vùng không có trong bộ tiêu "
        "chí; dùng một trong: TDMNPB, DBSH"
    )
    assert len(problems) == MAX_PROBLEMS_SHOWN + 1
    assert problems[-1] == "chỉ hiện 200 lỗi đầu trong 1.001 lỗi"
    assert got["total"] == MAX_PROBLEMS + 1
    lines = got["message"].splitlines()
    assert lines[0] == "Tệp hopeless.xlsx không dùng được — 1.001 lỗi, không ghi kết quả nào:"
    assert len(lines) == MAX_PROBLEMS_SHOWN + 2
    assert got["seconds"] < 10


def test_data_beyond_the_column_cap(results: dict[str, dict[str, Any]]) -> None:
    got = results["wide"]
    assert got.get("ok") is False and "problems" in got, got
    assert got["problems"] == [
        "trang “Nhập liệu”, dòng 4: có dữ liệu ngoài 1.000 cột đầu (ô XFD4); "
        "hệ thống chỉ đọc 1.000 cột — xóa các cột thừa"
    ]


def test_a_field_over_the_csv_limit_is_a_problem_with_its_place(
    results: dict[str, dict[str, Any]],
) -> None:
    got = results["field"]
    assert got.get("ok") is False and "problems" in got, got
    assert got["problems"] == [
        "trang “field.csv”, dòng 2, cột B “Tên xã”, giá trị “"
        + "X" * 60
        + "… (hơn 10.000 ký tự)”: ô dài hơn 10.000 ký tự"
    ]
