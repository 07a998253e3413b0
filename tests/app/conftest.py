"""The app fixture, shared with the other UI tier."""

from tests.ui import make_app

__all__ = ["make_app"]
