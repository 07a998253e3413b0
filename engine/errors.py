"""User-facing errors: each carries one line that says what is wrong, so the CLI and the app
can show it as is (never a traceback)."""


class EngineError(ValueError):
    """Base class for every error caused by bad input rather than a bug."""


class SpecError(EngineError):
    """An architecture or training setting that cannot work (0 units, lr -1, ...)."""


class DatasetError(EngineError):
    """A dataset that cannot be built or read; the message names the file, line and problem."""


class ModelFileError(EngineError):
    """A model file that cannot be read or written; the message names the file and problem."""


class RunStoreError(EngineError):
    """A run store (runs.sqlite) that cannot be used: damaged, foreign or from a newer nn-tui; the
    message names the file, which is left as it was."""
