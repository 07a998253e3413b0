"""What a person types in the inside view, without Textual: which row of the edit list the
value is for and how it is asked (`prompt_for`), and what the typed text does (`take_typed`):
your own input's raw feature values (scaled as in training) or a weight's new value.
"""

from __future__ import annotations

import numpy as np

from tui.inside.own_input import parse_own_input, raw_values, values_text
from tui.inside.params import param_list, with_edits
from tui.inside.sections import Context, edit_rows
from tui.inside.session import InsideSession
from tui.model_inputs import InputError, parse_numbers

OWN_INPUT = "your input"  # the target of the own-input row; a weight's target is its name


def prompt_for(session: InsideSession, context: Context) -> tuple[str, str] | None:
    """(target, prompt) for the selected row of the edit list; None when it has no rows. The
    prompt holds the present value, since the field starts empty."""
    has_input, rows = edit_rows(context)
    if rows == 0:
        return None
    net = context.model
    if has_input and session.selected == 0:
        raw = (session.own.raw if session.own is not None else
               raw_values(context.dataset, context.x) if context.x is not None
               else np.zeros(net.n_inputs))
        return OWN_INPUT, (f"your input: {net.n_inputs} feature values, raw as in the data "
                           f"(now {values_text(raw)})")
    param = param_list(net)[(session.selected - int(has_input)) % (rows - int(has_input))]
    shown = with_edits(net, session.edits)
    return param.name, f"{param.name} (now {param.value(shown):.6g}): a new value"


def take_typed(session: InsideSession, context: Context, target: str, text: str) -> None:
    """Applies `text` typed for `target`; bad text raises an `InputError` (one line) and
    changes nothing."""
    dtype = context.model.dtype
    if target == OWN_INPUT:
        raw, x = parse_own_input(text, context.dataset, context.model.n_inputs)
        _fits(x, dtype, f"{OWN_INPUT} {values_text(raw)}")
        session.set_own_input(raw, x)
        return
    if not text.strip():
        raise InputError(f"{target}: type a number, e.g. 0.5 (escape keeps the old value)")
    value = parse_numbers(text, target, 1, "number")
    _fits(value, dtype, f"{target} = {value[0]:g}")
    session.set_param(target, float(value[0]))


def _fits(values: np.ndarray, dtype: np.dtype, what: str) -> None:
    """Numbers the network can hold: a float32 model turns 1e39 into inf."""
    with np.errstate(all="ignore"):
        held = np.asarray(values).astype(dtype)
    if not np.isfinite(held).all():
        raise InputError(f"{what}: too large for this {dtype.name} model")
