"""The package's version, in one place: pyproject reads it, and every recorded run carries it."""

__version__ = "0.1.0"
