from __future__ import annotations

import unicodedata

from ntm.vn.text import fold, name_key


def test_fold_drops_case_marks_and_extra_spaces() -> None:
    assert fold("  Xã  Đội Cấn ") == "xa doi can"
    assert fold("Chưa Đạt") == fold("CHUA DAT") == "chua dat"
    # Decomposed input (as some keyboards and files write it) folds the same.
    assert fold(unicodedata.normalize("NFD", "Không áp dụng")) == "khong ap dung"


def test_fold_keeping_marks_tells_words_apart() -> None:
    assert fold(" Phường  Đông ", keep_marks=True) == "phường đông"
    assert fold("Phường Đông", keep_marks=True) != fold("Phương Đông", keep_marks=True)
    assert fold(unicodedata.normalize("NFD", "Mã xã"), keep_marks=True) == "mã xã"


def test_name_key_drops_the_kind_prefix() -> None:
    assert name_key("Xã Đội Cấn") == name_key("xa doi can") == name_key("Đội Cấn") == "doi can"
    assert name_key("Thành phố Lạng Sơn") == "lang son"
    assert name_key("TP. Lạng Sơn") == "lang son"
    assert name_key("Xã") == "xa"  # a bare prefix is a name of its own
