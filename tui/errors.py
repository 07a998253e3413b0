"""The errors a person can cause (bad input, a model too big for memory, a disk that refuses a
file): the app shows them in one line and carries on. Anything else is a bug and is raised."""

from __future__ import annotations

from engine import EngineError

USER_ERRORS: tuple[type[BaseException], ...] = (EngineError, MemoryError, OSError)


def one_line(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return "not enough memory for that model; try fewer units or layers"
    if isinstance(error, OSError) and not isinstance(error, EngineError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    return str(error)
