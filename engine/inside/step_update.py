"""The update of a traced step, by the rule of the optimizer the run is configured with: plain
gradient descent, momentum, Nesterov, RMSProp or Adam, each written as the papers and tutorials
write it, one parameter array (a layer's W or b) at a time, keeping every intermediate (m, v,
m_hat, v_hat ...) for the views. A step-through that said `W <- W - lr dW` while the run used
Adam taught the wrong update.

The optimizers that train (`engine.nn.optimizers`) fold constants into scalars over one flat
buffer for speed; these are the textbook forms, and a test checks one step of each against the
engine's. The settings (momentum, beta1 ...) are read from the engine's own optimizer object, so
the two never disagree about defaults. The state (velocity, moments) is the trace's own: it
starts at zero and is carried from one traced step to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from engine.inside.forward import Array
from engine.nn.optimizers import make_optimizer

Quantities = dict[str, Array]
# (p, g, lr, settings, state before (empty: zeros), t) -> (p after, every quantity of the step)
StepRule = Callable[[Array, Array, float, Mapping[str, float], Mapping[str, Array], int],
                    tuple[Array, Quantities]]


@dataclass(frozen=True)
class UpdateRule:
    """How one optimizer updates a parameter `p` from its gradient `g`: `formulas` in symbols
    ({p} and {g} name the array, W1 and dW1), `state` the quantities carried to the next step,
    `shown` the quantities of one step in the order they are computed."""

    name: str
    title: str
    formulas: tuple[str, ...]
    state: tuple[str, ...]
    shown: tuple[str, ...]
    step: StepRule
    numbers: Callable[[Mapping[str, float], float, int], tuple[str, ...]]  # formulas with values


def _old(state: Mapping[str, Array], name: str, like: Array) -> Array:
    return state[name] if name in state else np.zeros_like(like)


def _sgd(p: Array, g: Array, lr: float, s: Mapping[str, float], state: Mapping[str, Array],
         t: int) -> tuple[Array, Quantities]:
    return p - lr * g, {}


def _momentum(p: Array, g: Array, lr: float, s: Mapping[str, float],
              state: Mapping[str, Array], t: int) -> tuple[Array, Quantities]:
    v = s["momentum"] * _old(state, "v", p) - lr * g
    return p + v, {"v": v}


def _nesterov(p: Array, g: Array, lr: float, s: Mapping[str, float],
              state: Mapping[str, Array], t: int) -> tuple[Array, Quantities]:
    v = s["momentum"] * _old(state, "v", p) - lr * g
    return p + s["momentum"] * v - lr * g, {"v": v}


def _rmsprop(p: Array, g: Array, lr: float, s: Mapping[str, float],
             state: Mapping[str, Array], t: int) -> tuple[Array, Quantities]:
    sq = s["rho"] * _old(state, "s", p) + (1 - s["rho"]) * g * g
    return p - lr * g / (np.sqrt(sq) + s["eps"]), {"s": sq}


def _adam(p: Array, g: Array, lr: float, s: Mapping[str, float], state: Mapping[str, Array],
          t: int) -> tuple[Array, Quantities]:
    b1, b2 = s["beta1"], s["beta2"]
    m = b1 * _old(state, "m", p) + (1 - b1) * g
    v = b2 * _old(state, "v", p) + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + s["eps"]), {"m": m, "v": v, "m_hat": m_hat,
                                                          "v_hat": v_hat}


def _g(x: float) -> str:
    return f"{x:g}"


UPDATE_RULES: dict[str, UpdateRule] = {rule.name: rule for rule in (
    UpdateRule("sgd", "plain gradient descent (sgd)", ("{p} ← {p} − lr·{g}",), (), (), _sgd,
               lambda s, lr, t: (f"{{p}} ← {{p}} − {_g(lr)}·{{g}}",)),
    UpdateRule("momentum", "gradient descent with momentum",
               ("v ← μ·v − lr·{g}", "{p} ← {p} + v"), ("v",), ("v",), _momentum,
               lambda s, lr, t: (f"v ← {_g(s['momentum'])}·v − {_g(lr)}·{{g}}",
                                 "{p} ← {p} + v")),
    UpdateRule("nesterov", "Nesterov momentum",
               ("v ← μ·v − lr·{g}", "{p} ← {p} + μ·v − lr·{g}"), ("v",), ("v",), _nesterov,
               lambda s, lr, t: (f"v ← {_g(s['momentum'])}·v − {_g(lr)}·{{g}}",
                                 f"{{p}} ← {{p}} + {_g(s['momentum'])}·v − {_g(lr)}·{{g}}")),
    UpdateRule("rmsprop", "RMSProp",
               ("s ← ρ·s + (1 − ρ)·{g}²", "{p} ← {p} − lr·{g} / (√s + ε)"), ("s",), ("s",),
               _rmsprop,
               lambda s, lr, t: (f"s ← {_g(s['rho'])}·s + {_g(1 - s['rho'])}·{{g}}²",
                                 f"{{p}} ← {{p}} − {_g(lr)}·{{g}} / (√s + {_g(s['eps'])})")),
    UpdateRule("adam", "Adam",
               ("m ← β1·m + (1 − β1)·{g}", "v ← β2·v + (1 − β2)·{g}²", "m̂ = m / (1 − β1^t)",
                "v̂ = v / (1 − β2^t)", "{p} ← {p} − lr·m̂ / (√v̂ + ε)"),
               ("m", "v"), ("m", "v", "m_hat", "v_hat"), _adam,
               lambda s, lr, t: (
                   f"m ← {_g(s['beta1'])}·m + {_g(1 - s['beta1'])}·{{g}}",
                   f"v ← {_g(s['beta2'])}·v + {_g(1 - s['beta2'])}·{{g}}²",
                   f"m̂ = m / (1 − {_g(s['beta1'])}^{t}) = m / {1 - s['beta1']**t:.4g}",
                   f"v̂ = v / (1 − {_g(s['beta2'])}^{t}) = v / {1 - s['beta2']**t:.4g}",
                   f"{{p}} ← {{p}} − {_g(lr)}·m̂ / (√v̂ + {_g(s['eps'])})")),
)}
"""Every update rule by name; "nesterov" is the momentum optimizer with nesterov on."""


def update_rule(optimizer: str, momentum: float = 0.9,
                nesterov: bool = False) -> tuple[UpdateRule, dict[str, float]]:
    """The rule and settings of the optimizer a run is configured with (`TrainConfig`'s
    optimizer, momentum and nesterov), the settings as the engine's optimizer holds them."""
    engine_optimizer = make_optimizer(optimizer, momentum, nesterov)  # checks the name
    name = "nesterov" if optimizer == "momentum" and nesterov else optimizer
    settings = {key: float(value) for key, value in vars(engine_optimizer).items()
                if key in ("momentum", "rho", "eps", "beta1", "beta2")}
    return UPDATE_RULES[name], settings
