"""Is backprop right? Central finite differences against the engine's gradients, layer by layer.

For a parameter w the slope of the loss is estimated from two extra forward passes,

    dL/dw ≈ (L(w + eps) - L(w - eps)) / (2 eps)        (error O(eps²))

and compared with backprop's dL/dw by the relative error |a - n| / (|a| + |n|) over the checked
parameters of a layer (CS231n's measure: below 1e-7 is right, above 1e-2 is a bug). The check
runs on a float64 copy of the network (float32 rounding alone would swamp a 1e-6 comparison)
and, to stay fast for digits 64-100-10 (7,510 parameters), on a seeded random subset of each
layer's weights and biases: `COORDINATES_PER_LAYER` of them, so 2 x 24 x layers forward passes
of a small batch (a few milliseconds).

A relu's kink is where finite differences lie: if w ± eps moves some pre-activation of a
relu-family layer across 0, the slope measured mixes two slopes. Such parameters are left out of
the comparison and counted (`skipped`); a layer whose every checked parameter crossed a kink is
marked "kink" (inconclusive) rather than "ok" or "wrong".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.inside.forward import Array, as_batch, forward_layers, seal
from engine.inside.names import ParamNames
from engine.nn.losses import LOSSES
from engine.nn.network import NetworkCore

CHECK_TOLERANCE = 1e-6  # relative error below this: backprop agrees
ABS_TOLERANCE = 1e-9  # or every difference below this: too small to compare relatively
COORDINATES_PER_LAYER = 24
CHECK_ROWS = 16  # rows of the batch used
EPS = 1e-5
KINKED = frozenset({"relu", "leaky_relu"})


@dataclass(frozen=True, eq=False)
class LayerCheck:
    """One layer's checked parameters (m of them) and how backprop fared; arrays read-only."""

    index: int
    names: tuple[str, ...]  # (m,) which weights and biases, e.g. "W2[3,7]", "b2[7]", "w5"
    analytic: Array  # (m,) dL/dw by backprop
    numeric: Array  # (m,) dL/dw by central differences
    relative_error: float  # over the parameters not skipped
    max_abs_error: float
    skipped: int  # parameters left out: w ± eps moved a relu across its kink
    verdict: str  # "ok", "wrong", or "kink" when every parameter was skipped

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@dataclass(frozen=True)
class GradientCheck:
    layers: tuple[LayerCheck, ...]
    eps: float
    tolerance: float
    n_rows: int
    abs_tolerance: float = ABS_TOLERANCE  # every |a - n| below this passes whatever the ratio

    def too_small(self, layer: LayerCheck) -> bool:
        """Whether `layer` passed only because every difference is below `abs_tolerance`:
        its gradients are so small that their relative error (up to 1) says nothing."""
        return (layer.verdict == "ok" and not layer.relative_error < self.tolerance
                and layer.max_abs_error < self.abs_tolerance)

    @property
    def passed(self) -> bool:
        return all(layer.ok for layer in self.layers)


def gradient_check(network: NetworkCore, X: npt.ArrayLike, y: npt.ArrayLike, *,
                   per_layer: int = COORDINATES_PER_LAYER, rows: int = CHECK_ROWS,
                   eps: float = EPS, tolerance: float = CHECK_TOLERANCE,
                   seed: int = 0) -> GradientCheck:
    """Checks backprop on the first `rows` rows of X (n, inputs) and y (labels or targets) at
    `per_layer` parameters per layer chosen by a Generator seeded with `seed`. `network` is
    only read: the check runs on a float64 copy."""
    net = NetworkCore.from_spec(network.spec, network.n_inputs, dtype="float64")
    net.params[...] = network.params
    X = as_batch(net, X)[:rows]
    T = net.targets(np.asarray(y)[:rows])
    _, grads = net.loss_and_gradients(X, T)
    _, sides = _loss_and_sides(net, X, T)
    names = ParamNames.of(net)
    rng = np.random.default_rng(seed)
    checks = []
    for index, (layer, (dW, db)) in enumerate(zip(net.layers, grads)):
        # The layer's weights then biases, numbered 0 .. W.size + b.size - 1.
        picked = np.sort(rng.choice(dW.size + db.size, min(per_layer, dW.size + db.size),
                                    replace=False))
        analytic, numeric, labels, skipped = [], [], [], 0
        for k in picked.tolist():
            values: Array
            where: tuple[int, ...]
            if k < dW.size:
                i, j = divmod(k, layer.n_out)
                values, where, label, slope = layer.W, (i, j), names.weight(index, i, j), dW[i, j]
            else:
                j = k - dW.size
                values, where, label, slope = layer.b, (j,), names.bias(index, j), db[j]
            estimate = _slope(net, values, where, X, T, eps, sides)
            if estimate is None:
                skipped += 1
                continue
            analytic.append(float(slope))
            numeric.append(estimate)
            labels.append(label)
        a, n = np.array(analytic), np.array(numeric)
        size = float(np.linalg.norm(a) + np.linalg.norm(n))
        relative = float(np.linalg.norm(a - n)) / size if size > 0 else 0.0
        worst = float(np.max(np.abs(a - n), initial=0.0))
        verdict = ("kink" if not labels
                   else "ok" if relative < tolerance or worst < ABS_TOLERANCE else "wrong")
        checks.append(LayerCheck(index, tuple(labels), seal(a), seal(n), relative, worst,
                                 skipped, verdict))
    return GradientCheck(tuple(checks), eps, tolerance, len(X))


def _loss_and_sides(net: NetworkCore, X: Array, T: Array) -> tuple[float, list[Array]]:
    """The loss, and which side of its kink (z > 0) every relu-family unit is on for each row."""
    passes = forward_layers(net, X)
    loss = LOSSES[net.spec.loss].value(passes[-1].z, passes[-1].a, T)
    return loss, [step.z > 0 for layer, step in zip(net.layers, passes)
                  if layer.activation in KINKED]


def _slope(net: NetworkCore, values: Array, where: tuple[int, ...], X: Array, T: Array,
           eps: float, sides: list[Array]) -> float | None:
    """(L(w + eps) - L(w - eps)) / (2 eps) for the entry `where` of `values` (a layer's W or b
    in the float64 copy), which is put back afterwards; None if w ± eps crossed a kink."""
    old = float(values[where])
    values[where] = old + eps
    plus, plus_sides = _loss_and_sides(net, X, T)
    values[where] = old - eps
    minus, minus_sides = _loss_and_sides(net, X, T)
    values[where] = old
    for side, up, down in zip(sides, plus_sides, minus_sides):
        if not (np.array_equal(side, up) and np.array_equal(side, down)):
            return None
    return (plus - minus) / (2 * eps)
