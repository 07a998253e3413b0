"""What `nn-tui predict` and `nn-tui inspect` print: a line (or JSON object) per prediction, and
one sample's forward and backward pass written out as the tutorials write it.

Apart from `main` for the same reason as `output`: the look can change without touching how a
command works. The numbers come from `engine.inside.step_trace.StepTrace`; this module only
lays them out. Small layers (up to `FULL` units) are shown in full, bigger ones as their shape
and a few values, so a 64-100-10 network's pass still fits a screen. A 2-2-1 network also gets
the tutorial's names: h1 = sigmoid(w1·x1 + w2·x2 + b1) ... and dL/dw1 ... dL/db3.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from engine.inside.step_trace import StepTrace, TracedLayer
from tui.numbers import step_number

Array = npt.NDArray[Any]
FULL = 12  # a vector of up to this many numbers is shown whole; a matrix up to FULL x FULL
EDGE = 3  # numbers shown at each end of a longer vector
ONE_LINE = 64  # a small matrix fits on one line up to this many characters
BACKWARD = ("dL_da", "delta", "dW", "db")  # the backward quantities, in the order of the step


num = step_number  # 4 decimals (the tutorials' 0.7216): the app's inside view reads the same


def vector(values: Array, limit: int = FULL) -> str:
    """`[0.1234, -0.5678]`, or for more than `limit` numbers the first and last few with the
    count and range: `[0.1, 0.2, 0.3, …, 0.9]  (100 values, min -1.2, max 3.4)`."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    if flat.size <= limit:
        return "[" + ", ".join(num(v) for v in flat) + "]"
    shown = [num(v) for v in flat[:EDGE]] + ["…"] + [num(v) for v in flat[-EDGE:]]
    return (f"[{', '.join(shown)}]  ({flat.size} values, min {num(flat.min())}, "
            f"max {num(flat.max())})")


def matrix(values: Array, name: str, limit: int = FULL) -> list[str]:
    """A (rows, columns) matrix: its rows, on one line when short; or, past `limit` either way,
    its shape, range, mean size and largest entry (`name[i,j]`)."""
    grid = np.asarray(values, dtype=np.float64)
    rows, cols = grid.shape
    if rows > limit or cols > limit:
        i, j = np.unravel_index(int(np.abs(grid).argmax()), grid.shape)
        return [f"({rows}, {cols}): min {num(grid.min())}, max {num(grid.max())}, mean |·| "
                f"{num(np.abs(grid).mean())}, largest {name}[{i},{j}] = {num(grid[i, j])}"]
    lines = [vector(row, limit) for row in grid]
    joined = "[" + ", ".join(lines) + "]"
    return [joined] if len(joined) <= ONE_LINE else lines


# ---------------------------------------------------------------- predict


def prediction_dict(raw: Array, output: Array, predicted: object) -> dict[str, Any]:
    """`predict --json`'s object for one input: the values given, the network's outputs and the
    prediction (class name or index, or the values in the dataset's units)."""
    return {"input": [float(v) for v in raw], "output": [float(v) for v in output],
            "predicted": predicted}


def prediction_line(raw: Array, output: Array, predicted: object) -> str:
    """`input [-7, -3]  output [0.9501]  predicted female`."""
    given = "[" + ", ".join(f"{float(v):g}" for v in raw[:FULL]) + (
        f", … {len(raw)} values]" if len(raw) > FULL else "]")
    if isinstance(predicted, list):
        predicted = vector(np.asarray(predicted))
    return f"input {given}  output {vector(output)}  predicted {predicted}"


# ---------------------------------------------------------------- inspect


def trace_dict(trace: StepTrace) -> dict[str, Any]:
    """`inspect --json`: the one sample's loss, output and every layer's z, a, delta = dL/dz,
    dW (in, out) and db, in layer order; also what the network saw (input, target)."""
    return {
        "loss": trace.loss_before,
        "loss_function": trace.loss_name,
        "input": trace.x[0].tolist(),
        "target": trace.y[0].tolist(),
        "output": trace.output[0].tolist(),
        "layers": [{"activation": layer.activation, "z": layer.z[0].tolist(),
                    "a": layer.a[0].tolist(), "delta": layer.delta[0].tolist(),
                    "dW": layer.dW.tolist(), "db": layer.db.tolist()}
                   for layer in trace.layers],
    }


def _values(layer: TracedLayer, quantity: str) -> list[str]:
    """How one quantity of the step reads: a vector for the one sample, matrices for dW."""
    if quantity == "dW":
        return matrix(layer.dW, f"dW{layer.index + 1}")
    value = {"z": layer.z, "a": layer.a, "dL_da": layer.dL_da, "delta": layer.delta,
             "db": layer.db}[quantity]
    return [vector(value)] if value is not None else []


def _block(rows: list[tuple[str, list[str]]], indent: str = "    ") -> list[str]:
    """Formulas in one column, their numbers aligned in the next; a matrix's extra rows go
    under its first."""
    width = max(len(formula) for formula, _ in rows)
    lines = []
    for formula, values in rows:
        first, *rest = values or [""]
        lines.append(f"{indent}{formula.ljust(width)}   {first}".rstrip())
        lines += [f"{indent}{' ' * width}   {more}" for more in rest]
    return lines


def _units(layer: TracedLayer) -> str:
    n = layer.z.shape[1]
    return f"{n} {layer.activation} unit{'s' if n != 1 else ''}"


def trace_lines(trace: StepTrace, title: str, sample: str) -> list[str]:
    """`inspect`'s human output: the sample, the forward pass, the loss, the backward pass from
    the output back (each line a formula and its numbers), then the tutorial's names if the
    network is the tutorial's 2-2-1."""
    lines = [title, f"sample  {sample}",
             *_block([("x = a0", [vector(trace.x[0])]), ("y", [vector(trace.y[0])])], ""),
             "", "forward"]
    for layer in trace.layers:
        lines.append(f"  layer {layer.index + 1}: {_units(layer)}")
        lines += _block([(layer.formula(q), _values(layer, q)) for q in ("z", "a")])
    lines += ["loss", *_block([(trace.loss_formula, [num(trace.loss_before)])]), "",
              "backward, from the output (δ = dL/dz)"]
    for layer in reversed(trace.layers):
        lines.append(f"  layer {layer.index + 1}: {_units(layer)}")
        formulas = dict(layer.formulas)
        lines += _block([(formulas[q], _values(layer, q)) for q in BACKWARD if q in formulas])
    if trace.names.is_tutorial:
        lines += ["", *tutorial_lines(trace)]
    return lines


def tutorial_lines(trace: StepTrace) -> list[str]:
    """The 2-2-1 pass in the tutorial's words: each unit's equation with its numbers, then every
    weight and bias with dL/d of it."""
    names = trace.names
    lines = ["in the tutorial's names"]
    equations = []
    for layer in trace.layers:
        L = layer.index
        inputs = ([names.input(i) for i in range(layer.a_prev.shape[1])] if L == 0 else
                  [names.unit(L - 1, i) for i in range(layer.a_prev.shape[1])])
        for j in range(layer.z.shape[1]):
            terms = " + ".join(f"{names.weight(L, i, j)}·{x}" for i, x in enumerate(inputs))
            equations.append((f"{names.unit(L, j)} = {layer.activation}({terms} + "
                              f"{names.bias(L, j)})",
                              [f"= {layer.activation}({num(layer.z[0, j])}) = "
                               f"{num(layer.a[0, j])}"]))
    lines += _block(equations, "  ")
    params = [(names.weight(layer.index, i, j), layer.W_before[i, j], layer.dW[i, j])
              for layer in trace.layers for j in range(layer.z.shape[1])
              for i in range(layer.a_prev.shape[1])]
    params += [(names.bias(layer.index, j), layer.b_before[j], layer.db[j])
               for layer in trace.layers for j in range(layer.z.shape[1])]
    lines += _block([(f"{name} = {num(value)}", [f"{names.partial(name)} = {num(grad)}"])
                     for name, value, grad in params], "  ")
    return lines
