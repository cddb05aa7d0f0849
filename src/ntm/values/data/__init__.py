"""Bundled data of ntm.values: the sample input workbook (simulated values).

`sample-langson-2020.xlsx` is the input template of vn-ntm-xa-2016-2020 filled for the real
communes of Lạng Sơn (names and GSO codes from `vietnamadminunits`) with SIMULATED values;
`generate_sample.py` made it (deterministic seed).
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_WORKBOOK = Path(__file__).with_name("sample-langson-2020.xlsx")
SAMPLE_SET = "vn-ntm-xa-2016-2020"
SAMPLE_YEAR = 2020
SAMPLE_NOTE = (
    "DỮ LIỆU MÔ PHỎNG (simulated): các xã và mã xã là thật (Lạng Sơn), mọi giá trị chỉ tiêu "
    "đều là mô phỏng, không phải số liệu thật."
)
