"""A number a person wrote (a CSV field, a typed input), read one way everywhere: float() and
finite, with the reason in words when it is not, for the caller to put in its own message."""

from __future__ import annotations

import math


class NumberError(ValueError):
    """Why a text is not a finite number; the message is the phrase after the text itself
    ("is not a number", "is not a finite number")."""


def finite_number(text: str) -> float:
    """`text` as a finite float, else NumberError (inf and nan are written numbers, but not
    values a network can take)."""
    try:
        value = float(text)
    except ValueError:
        raise NumberError("is not a number") from None
    if not math.isfinite(value):
        raise NumberError("is not a finite number")
    return value
