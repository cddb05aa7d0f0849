"""Persona rows shared by the province pages' route tests: (persona, expected status)."""

from __future__ import annotations

from ntm.accounts.testing import PersonaName

# A province office's action on its province (a POST redirecting when done): the communes'
# officers do not see the province (404), the other roles see it but may not act (403).
OFFICE_ACTS: list[tuple[PersonaName, int]] = [
    ("officer_a", 404),
    ("officer_b", 404),
    ("appraiser", 403),
    ("province_office", 302),
    ("central_viewer", 403),
    ("administrator", 403),
    ("anonymous", 302),
]

# Reading something of the province: whoever reads the province.
PROVINCE_READS: list[tuple[PersonaName, int]] = [
    ("officer_a", 404),
    ("officer_b", 404),
    ("appraiser", 200),
    ("province_office", 200),
    ("central_viewer", 200),
    ("administrator", 200),
    ("anonymous", 302),
]
