"""`ntm criteria list` and `show` (the `template` subcommand is tested with the workbook code)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

TEST_OVERLAY = (
    Path(__file__).resolve().parents[2]
    / "criteria"
    / "tests"
    / "fixtures"
    / "test-overlay-2016-2020.yaml"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("criteria", *args, stdout=out)
    return out.getvalue()


def row(text: str, starts: str) -> list[str]:
    """The cells of the first table row whose measure column starts with `starts`."""
    line = next(line for line in text.splitlines() if line.strip().startswith(starts))
    return line.split()


def test_list_names_every_set_with_counts() -> None:
    text = run("list")
    assert "Có 6 bộ tiêu chí (6 criteria sets):" in text
    for set_id in [
        "vn-ntm-huyen-2021-2025",
        "vn-ntm-xa-2010-2015",
        "vn-ntm-xa-2016-2020",
        "vn-ntm-xa-2021-2025",
        "vn-ntm-xa-nang-cao-2021-2025",
        "vn-ntm-xa-2026-2030",
    ]:
        assert f"\n{set_id}\n" in text
    assert "Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn 2016-2020" in text
    assert "Giai đoạn 2016–2020 · NTM · cấp xã · căn cứ 1980/QĐ-TTg (17/10/2016)" in text
    assert "Sửa đổi: 211/QĐ-TTg từ 01/03/2024" in text
    assert "NTM nâng cao" in text
    assert "Giai đoạn 2021–2025 · NTM · cấp huyện · căn cứ 320/QĐ-TTg (08/03/2022)" in text


def _block(text: str, set_id: str) -> str:
    return text.split(f"\n{set_id}\n", 1)[1].split("\n\n", 1)[0]


@pytest.mark.parametrize(
    ("set_id", "encoded", "cells"),
    [
        ("vn-ntm-xa-2010-2015", "19/19 tiêu chí, 4/39 chỉ tiêu", (27, 0, 5)),
        ("vn-ntm-xa-2016-2020", "19/19 tiêu chí, 49/49 chỉ tiêu", (60, 132, 32)),
        ("vn-ntm-xa-2021-2025", "19/19 tiêu chí, 55/57 chỉ tiêu", (16, 65, 159)),
        ("vn-ntm-xa-nang-cao-2021-2025", "19/19 tiêu chí, 6/75 chỉ tiêu", (0, 8, 16)),
        ("vn-ntm-xa-2026-2030", "10/10 tiêu chí, 0/47 chỉ tiêu", (0, 0, 0)),
    ],
)
def test_list_states_what_is_encoded_against_the_law(
    set_id: str, encoded: str, cells: tuple[int, int, int]
) -> None:
    block = _block(run("list"), set_id)
    assert f"Đã mã hóa {encoded} theo văn bản (encoded: " in block
    verified, unverified, missing = cells
    assert (
        f"Ô ngưỡng: {verified} đã xác minh, {unverified} chưa xác minh, {missing} thiếu "
        f"(threshold cells: {verified} verified, {unverified} unverified, {missing} missing)"
    ) in block
    assert ("Tên 19 tiêu chí chưa xác minh" in block) == (set_id == "vn-ntm-xa-2010-2015")


def test_list_says_until_when_a_set_judges() -> None:
    block = _block(run("list"), "vn-ntm-xa-2016-2020")
    assert (
        "Hiệu lực từ 01/12/2016 đến 07/03/2022, đến khi 318/QĐ-TTg có hiệu lực (08/03/2022); "
        "áp dụng cho đánh giá các năm 2016–2022 (in force; judges the years 2016–2022)"
    ) in block
    assert "Hiệu lực từ 15/02/2026 (in force" in _block(run("list"), "vn-ntm-xa-2026-2030")


def test_show_marks_unverified_and_missing_cells() -> None:
    text = run("show", "vn-ntm-xa-2016-2020")
    assert "Căn cứ: 1980/QĐ-TTg, ký ngày 17/10/2016 (Thủ tướng Chính phủ)" in text
    header = row(text, "Thước đo")
    assert header[-8:] == ["Chung", "TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"]
    # Verified cells plain, unverified marked, decimal comma.
    assert row(text, "under5_stunting_share")[-9:] == [
        "≤",
        "21,8",
        "26,7",
        "13,9",
        "24,2",
        "24,2",
        "31,4",
        "14,3",
        "20,5",
    ]
    assert row(text, "households_regular_safe_electricity_share")[-8:] == [
        "98",
        "95",
        "99*",
        "98*",
        "98*",
        "98*",
        "99*",
        "98",
    ]
    # Income: one row per year, 2016-2019 missing.
    assert row(text, "income_per_capita (triệu đồng/người/năm), năm 2019")[-8:] == ["—"] * 8
    assert row(text, "income_per_capita (triệu đồng/người/năm), năm 2020")[-8:] == [
        "45",
        "36",
        "50",
        "36",
        "41",
        "41",
        "59",
        "50",
    ]
    assert row(text, "transport_commune_roads")[-2:] == ["Đạt*", "Đạt*"]
    assert row(text, "temporary_dilapidated_houses")[-1] == "Không"
    assert "* chưa xác minh (unverified)" in text
    assert "— thiếu giá trị (missing)" in text
    assert "Ghi chú:" in text


def test_show_for_a_year_uses_the_version_in_force() -> None:
    text = run("show", "vn-ntm-xa-2021-2025", "--year", "2024", "--column", "TDMNPB")
    assert "Năm 2024: phiên bản 211/QĐ-TTg (từ 01/03/2024)" in text
    assert "Xã đặc biệt khó khăn hoặc xã an toàn khu thuộc huyện nghèo dùng cột TDMNPB" in text
    assert row(text, "Thước đo")[-1] == "TDMNPB"
    assert row(text, "farmland_active_irrigation_share")[-1] == "80*"
    assert row(text, "income_per_capita")[-1] == "—"
    text = run("show", "vn-ntm-xa-2021-2025", "--year", "2022", "--column", "TDMNPB")
    assert row(text, "farmland_active_irrigation_share")[-1] == "80"
    assert row(text, "income_per_capita (triệu đồng/người/năm), năm 2022")[-1] == "39*"


def test_show_with_a_province_overlay() -> None:
    text = run("show", "vn-ntm-xa-2016-2020", "--year", "2019", "--overlay", str(TEST_OVERLAY))
    assert "Bộ tiêu chí của tỉnh: Lạng Sơn (dữ liệu thử nghiệm) — TEST-0000/QĐ-UBND" in text
    assert row(text, "Thước đo")[-9] == "Tỉnh"
    assert row(text, "health_insurance_share")[-9:-7] == ["90", "85"]
    assert row(text, "income_per_capita")[-9:] == ["32*"] + ["—"] * 8


def test_show_criteria_without_indicators() -> None:
    text = run("show", "vn-ntm-xa-2026-2030")
    assert row(text, "Thước đo")[-7:] == ["Chung", "Nhóm", "1", "Nhóm", "2", "Nhóm", "3"]
    assert "10. Tiếp cận pháp luật và an ninh, quốc phòng" in text
    assert text.count("(chưa có chỉ tiêu: tiêu chí chỉ có thể được khai báo)") == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "vn-ntm-xa-1990"], "không có bộ tiêu chí này"),
        (["show", "vn-ntm-xa-2016-2020", "--column", "XYZ"], "không có cột 'XYZ'"),
        (["show", "vn-ntm-xa-2016-2020", "--year", "2023"], "năm 2023 nằm ngoài các năm áp dụng"),
        (
            ["show", "vn-ntm-xa-2021-2025", "--year", "2022", "--overlay", str(TEST_OVERLAY)],
            "bổ sung cho bộ vn-ntm-xa-2016-2020, không phải vn-ntm-xa-2021-2025",
        ),
        (["show", "vn-ntm-xa-2016-2020", "--overlay", str(TEST_OVERLAY)], "Cần --year"),
        (["template", "vn-ntm-xa-1990", "--out", "x.xlsx"], "không có bộ tiêu chí này"),
        (
            ["template", "vn-ntm-xa-2016-2020", "--out", "/no/such/dir/x.xlsx"],
            "Không có thư mục /no/such/dir",
        ),
    ],
)
def test_bad_input_gets_a_vietnamese_message(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
