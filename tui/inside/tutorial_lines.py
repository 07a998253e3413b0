"""The step in the tutorial's names, for its 2-2-1 network (h1, h2, o1, w1..w6, b1..b3): each
unit's equation written out with its numbers (`tutorial_forward`), and each δ and every partial
derivative dL/dw1 .. dL/db3 with the chain rule that gives it (`tutorial_backward`). The numbers
are the `engine.StepTrace`'s; nothing here computes one, it only spells the products out.
"""

from __future__ import annotations

from rich.text import Text

from engine import StepTrace, TracedLayer
from tui.numbers import step_number

num = step_number


def factor(value: float) -> str:
    """A number inside a product or sum: negative ones in brackets, `(-0.6159)·25.0000`."""
    text = num(value)
    return f"({text})" if text.startswith("-") else text


def tutorial_params(layer: TracedLayer) -> list[tuple[str, int, int]]:
    """The layer's weights (unit by unit, as the tutorial numbers them) then its biases."""
    n_in, n_out = layer.W_before.shape
    return [("W", i, j) for j in range(n_out) for i in range(n_in)] + [
        ("b", 0, j) for j in range(n_out)]


def param_values(layer: TracedLayer, kind: str, i: int, j: int) -> tuple[float, float, float]:
    """(before, gradient, after) of one weight or bias."""
    if kind == "b":
        return float(layer.b_before[j]), float(layer.db[j]), float(layer.b_after[j])
    return float(layer.W_before[i, j]), float(layer.dW[i, j]), float(layer.W_after[i, j])


def _inputs_of(trace: StepTrace, layer: TracedLayer) -> list[str]:
    names = trace.names
    n_in = layer.a_prev.shape[1]
    if layer.index == 0:
        return [names.input(i) for i in range(n_in)]
    return [names.unit(layer.index - 1, i) for i in range(n_in)]


def tutorial_forward(trace: StepTrace, layer: TracedLayer) -> list[Text]:
    """`h1 = sigmoid(w1·x1 + w2·x2 + b1)`, then with the numbers, then its value."""
    names, f = trace.names, layer.activation
    inputs = _inputs_of(trace, layer)
    lines = [Text("in the tutorial's names:", style="italic")]
    for j in range(layer.z.shape[1]):
        unit = names.unit(layer.index, j)
        terms = " + ".join(f"{names.weight(layer.index, i, j)}·{x}" for i, x in enumerate(inputs))
        numbers = " + ".join(f"{factor(layer.W_before[i, j])}·{factor(layer.a_prev[0, i])}"
                             for i in range(len(inputs)))
        pad = " " * (len(unit) + 1)
        lines += [Text(f"{unit} = {f}({terms} + {names.bias(layer.index, j)})", no_wrap=True),
                  Text(f"{pad}= {f}({numbers} + {factor(layer.b_before[j])})", no_wrap=True),
                  Text(f"{pad}= {f}({num(layer.z[0, j])}) = {num(layer.a[0, j])}",
                       no_wrap=True)]
    return lines


def tutorial_backward(trace: StepTrace, layer: TracedLayer) -> list[Text]:
    """δ of each unit by the chain rule, then every partial dL/dw and dL/db of the layer."""
    names, f = trace.names, layer.activation
    L = layer.index
    lines = [Text("in the tutorial's names:", style="italic")]
    later = trace.layers[L + 1] if layer is not trace.layers[-1] else None
    for j in range(layer.z.shape[1]):
        unit = names.unit(L, j)
        delta = num(layer.delta[0, j])
        if later is None and layer.dL_da is not None and layer.f_prime is not None:
            lines.append(Text(f"δ{unit} = dL/d{unit}·{f}'(z) = {factor(layer.dL_da[0, j])}·"
                              f"{factor(layer.f_prime[0, j])} = {delta}", no_wrap=True))
        elif later is None:
            lines.append(Text(f"δ{unit} = dL/dz of {unit} = {delta}", no_wrap=True))
        else:
            terms = " + ".join(f"δ{names.unit(L + 1, k)}·{names.weight(L + 1, j, k)}"
                               for k in range(later.z.shape[1]))
            numbers = " + ".join(f"{factor(later.delta[0, k])}·{factor(later.W_before[j, k])}"
                                 for k in range(later.z.shape[1]))
            slope = "" if layer.f_prime is None else factor(layer.f_prime[0, j])
            lines.append(Text(f"δ{unit} = ({terms})·{f}'(z) = ({numbers})·{slope} = {delta}",
                              no_wrap=True))
    inputs = _inputs_of(trace, layer)
    for kind, i, j in tutorial_params(layer):
        unit = names.unit(L, j)
        _, grad, _ = param_values(layer, kind, i, j)
        if kind == "b":
            name = names.bias(L, j)
            lines.append(Text(f"{names.partial(name)} = δ{unit} = {num(grad)}", no_wrap=True))
        else:
            name = names.weight(L, i, j)
            lines.append(Text(f"{names.partial(name)} = δ{unit}·{inputs[i]} = "
                              f"{factor(layer.delta[0, j])}·{factor(layer.a_prev[0, i])} = "
                              f"{num(grad)}", no_wrap=True))
    return lines
