"""The real units, loaded once for the tests of this package (see `ntm.units.testing`)."""

from ntm.units.testing import real_units, units

__all__ = ["real_units", "units"]
