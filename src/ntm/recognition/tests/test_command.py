"""`ntm recognition import`: the import service from the command line, all or nothing, every
problem and note listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.recognition.models import Recognition

HEAD = "Xã,Mức công nhận,Năm đạt chuẩn,Số quyết định,Ngày quyết định"


def _file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "cong-nhan.csv"
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _run(path: str, user: str, *extra: str) -> None:
    call_command("recognition", "import", path, "--province", "99", "--user", user, *extra)


def test_import_records_the_list(
    personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(
        tmp_path,
        "an binh,NTM,2021,12/QĐ-UBND,20/01/2022",
        "Bình Minh,NTM,2021,12/QĐ-UBND,20/01/2022",
    )
    _run(path, "province_office")
    out = capsys.readouterr().out
    assert "Đã ghi 2 quyết định công nhận từ cong-nhan.csv." in out
    assert "tên “an binh” được hiểu là Xã An Bình" in out
    assert "có trên 2 dòng (2, 3): hợp lệ" in out
    assert Recognition.objects.count() == 2


def test_a_bad_list_writes_nothing(personas: Personas, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "An Bình,NTM,2021,12/QĐ-UBND,8/12/20114",
        "Xã Hạnh Phúc,NTM,2021,12/QĐ-UBND,20/01/2022",
    )
    audit = AuditLog.objects.count()
    with pytest.raises(CommandError) as caught:
        _run(path, "province_office")
    message = str(caught.value)
    assert "2 lỗi, không ghi kết quả nào" in message
    assert "dòng 2, cột E “Ngày quyết định”, giá trị “8/12/20114”" in message
    assert "dòng 3, cột A “Xã”, giá trị “Xã Hạnh Phúc”: không có xã nào tên này" in message
    assert not Recognition.objects.exists() and AuditLog.objects.count() == audit


def test_clean_only(personas: Personas, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(
        tmp_path,
        "An Bình,NTM,2021,12/QĐ-UBND,8/12/20114",
        "Bình Minh,NTM,2021,12/QĐ-UBND,20/01/2022",
    )
    _run(path, "province_office", "--clean-only")
    out = capsys.readouterr().out
    assert "Đã ghi 1 quyết định công nhận" in out
    assert "Bỏ qua (chỉ nhập các dòng không có lỗi):" in out and "dòng 2" in out
    assert AuditLog.objects.get(action="recognition.import").after["clean_only"] is True  # type: ignore[index]


@pytest.mark.parametrize("user", ["appraiser", "officer_a", "central_viewer", "nobody"])
def test_only_the_province_office(personas: Personas, tmp_path: Path, user: str) -> None:
    path = _file(tmp_path, "An Bình,NTM,2021,12/QĐ-UBND,20/01/2022")
    with pytest.raises(CommandError):
        _run(path, user)
    assert not Recognition.objects.exists()
