"""nn-tui's Textual app: design a small network, train it live and look inside it.

Everything here reads the engine only through the public names of the `engine` package; the
training thread never touches a widget (the app drains its events on the UI thread).
"""

__version__ = "0.1.0"  # `nn-tui --version` when not installed; pyproject.toml's, tested equal
