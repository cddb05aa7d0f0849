"""ntm — the record and the statistics of Vietnam's New Rural Development programme."""

__version__ = "0.1.0"
