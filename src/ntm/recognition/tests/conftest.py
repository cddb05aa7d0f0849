"""The persona world, and the real units loaded once for the tests of this package."""

from ntm.accounts.testing import personas
from ntm.units.testing import real_units, units

__all__ = ["personas", "real_units", "units"]
