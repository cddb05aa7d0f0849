"""`ntm units show | lineage | import-events` on the real data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ntm.units.loader import LoadResult


def run(*args: str) -> str:
    out = StringIO()
    call_command("units", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("day", ["30/06/2025", "2025-06-30"])
def test_show_before_the_reform(units: LoadResult, day: str) -> None:
    text = run("show", "Tỉnh Lạng Sơn", "--as-of", day)
    assert text.startswith("Tỉnh Lạng Sơn (20) vào ngày 30/06/2025")
    for line in ("xã: 175", "thị trấn: 14", "phường: 5", "Tổng đơn vị cấp xã: 194"):
        assert line in text
    assert "06625  Xã Kiên Mộc  — Huyện Đình Lập" in text


def test_show_after_the_reform(units: LoadResult) -> None:
    text = run("show", "lang son", "--as-of", "01/07/2025")
    assert "xã: 61" in text and "phường: 4" in text and "huyện" not in text


def test_show_refuses_a_bad_date(units: LoadResult) -> None:
    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        run("show", "20", "--as-of", "31/02/2025")


def test_lineage_by_name(units: LoadResult) -> None:
    text = run("lineage", "Xã Thất Khê")
    assert text.startswith("Lịch sử của Xã Thất Khê (06040, 01/07/2025–), Tỉnh Lạng Sơn")
    assert "01/07/2025 sáp nhập — NQ 1672/NQ-UBTVQH15: Thị trấn Thất Khê" in text
    assert "01/12/2024 chia tách — NQ 1246/NQ-UBTVQH15: Xã Đại Đồng" in text
    assert "tỷ trọng 0,5" in text


def test_lineage_by_code_takes_the_latest_version(units: LoadResult) -> None:
    text = run("lineage", "06625")
    assert text.startswith("Lịch sử của Xã Kiên Mộc (06625, 01/07/2025–)")
    old = run("lineage", "06625", "--as-of", "30/06/2025")
    assert "Xã Châu Sơn (06637, 01/07/2025–), Tỉnh Lạng Sơn, tỷ trọng 0,419" in old


def test_an_ambiguous_name_lists_the_candidates(units: LoadResult) -> None:
    with pytest.raises(CommandError) as err:
        run("lineage", "hoa binh", "--as-of", "2025-06-30")
    message = str(err.value)
    assert "khớp với" in message
    assert "Xã Hòa Bình (06274, …–30/06/2025), Huyện Văn Quan" in message
    assert "Tỉnh Hòa Bình (17, …–30/06/2025)" in message


def test_an_unknown_name(units: LoadResult) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị nào khớp với 'Xã Không Có'"):
        run("lineage", "Xã Không Có")


def test_load_again_changes_nothing(units: LoadResult) -> None:
    assert "Dữ liệu đã có đủ; không thay đổi gì." in run("load")
