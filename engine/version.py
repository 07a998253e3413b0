"""The package's version, recorded with every run (read here, not from the installed metadata,
which costs a scan of sys.path per process); tests/cli/test_discoverable.py keeps it equal to
pyproject.toml's."""

__version__ = "0.1.0"
