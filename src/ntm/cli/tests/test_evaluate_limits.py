"""`ntm evaluate` on a hopeless file prints a bounded report, not a line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ntm.criteria.loader import load_set
from ntm.exchange.workbook import MAX_PROBLEMS_SHOWN, template_columns

pytestmark = pytest.mark.pure

SET = "vn-ntm-xa-2016-2020"


def test_a_hopeless_file_gives_a_bounded_report(tmp_path: Path) -> None:
    machine = [c.machine for c in template_columns(load_set(SET))]
    path = tmp_path / "so-lieu.csv"
    lines = [",".join(machine)]
    lines += [f"{10_000 + i},Xã {i},20,Tây Bắc" for i in range(5_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("evaluate", str(path), "--set", SET, "--year", "2020")
    report = str(info.value).splitlines()
    assert report[0] == "Tệp so-lieu.csv không dùng được — 1.001 lỗi, không ghi kết quả nào:"
    assert report[1] == (
        "  - trang “so-lieu.csv”, dòng 1001: đã dừng kiểm tra ở dòng này vì tệp có quá nhiều lỗi "
        "(1.000); sửa các lỗi đã nêu rồi kiểm tra lại"
    )
    assert report[2].startswith("  - trang “so-lieu.csv”, dòng 2, cột D “Vùng”, giá trị “Tây Bắc”")
    assert report[-1] == "  - chỉ hiện 200 lỗi đầu trong 1.001 lỗi"
    assert len(report) == 1 + MAX_PROBLEMS_SHOWN + 1
    assert not (tmp_path / "so-lieu-ket-qua.xlsx").exists()
