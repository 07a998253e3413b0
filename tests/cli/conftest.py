"""The `nn_tui` fixture (tests.cli.runner), shared by every CLI test module."""

from tests.cli.runner import nn_tui

__all__ = ["nn_tui"]
