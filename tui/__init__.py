"""nn-tui's Textual app: design a small network, train it live and look inside it.

Everything here reads the engine only through the public names of the `engine` package; the
training thread never touches a widget (the app drains its events on the UI thread).
"""

from engine.version import __version__  # one home: pyproject.toml reads it too

__all__ = ["__version__"]
