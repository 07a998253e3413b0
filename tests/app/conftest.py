"""The app fixture and the UI tiers' collector setting, shared with the other UI tier."""

from tests.ui import _fewer_collections, make_app

__all__ = ["_fewer_collections", "make_app"]
