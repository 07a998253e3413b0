"""One step of gradient descent, traced: every quantity of the backprop equations, as the
tutorials write them, for one sample or a small batch.

Layers are counted from 1 in the formulas (a0 = x is the input, layer L the output), from 0 in
Python (`trace.layers[0]` is layer 1). For a batch of n rows (one sample: n = 1):

    forward    z_l = a_{l-1} @ W_l + b_l            (n, units)
               a_l = f_l(z_l)
    loss       L = the mean of the per-sample losses (the engine's losses are means)
    output     delta_L = dL/dz_L: (p - y) / n for softmax + cross-entropy, (a - y) / (n k) for
               sigmoid + binary cross-entropy, dL/da * f'(z) for mse (dL/da = 2 (a - y) / (n k))
    hidden     delta_l = (delta_{l+1} @ W_{l+1}.T) * f_l'(z_l)
    gradients  dW_l = a_{l-1}.T @ delta_l           (in, units)   db_l = sum of delta_l's rows
    update     W_l <- W_l - lr * dW_l,  b_l <- b_l - lr * db_l     (plain SGD; or the rule of
               the optimizer named, `step_update`: momentum, Nesterov, RMSProp, Adam)

Because the loss is a mean, delta carries the 1/n (1/(n k) for the losses averaged over every
output too): dW is the mean of the per-sample gradients, which is what `NetworkCore`'s
`loss_and_gradients` returns. With n = 1 and one output every formula is the tutorial's exactly.

f and f' come from the engine's `ACTIVATIONS` registry and the loss and dL/da (or dL/dz, for the
fused pairs) from `LOSSES`, so the trace computes what the engine computes (the tests check every
number against `loss_and_gradients`, `predict_proba` and one engine SGD step). The caller's
network is only read: the trace works on copies of its weights. The run's own optimizer state, to
trace the step the run would take next, is read in `run_state`; weights changed by hand (and a
traced step applied) in `weight_edits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from engine.inside.forward import Array, as_batch, forward_layers, frozen, seal
from engine.inside.names import ParamNames
from engine.inside.step_update import UPDATE_RULES, UpdateRule, update_rule
from engine.nn.activations import ACTIVATIONS
from engine.nn.losses import LOSSES
from engine.nn.network import NetworkCore

ROW_WISE = frozenset({"softmax"})  # derivative is a Jacobian per row, not one f'(z) per entry


@dataclass(frozen=True)
class LossText:
    """How a loss reads: `loss` its formula; `output` the output layer's first backward line,
    delta_L itself for a loss fused with its activation, else dL/da_L ({L}: the layer number)."""

    loss: str
    output: str


LOSS_TEXTS: dict[str, LossText] = {
    "mse": LossText("L = mean((a − y)²) over all n·k outputs",
                    "dL/da{L} = 2 (a{L} − y) / (n·k)"),
    "cross_entropy": LossText("L = −(1/n) Σ_rows Σ_k y·log p,  p = softmax(z{L})",
                              "δ{L} = (p − y) / n,  p = a{L}   (softmax and cross-entropy)"),
    "binary_cross_entropy": LossText(
        "L = −mean(y·log a + (1 − y)·log(1 − a)) over all n·k outputs",
        "δ{L} = (a{L} − y) / (n·k)   (sigmoid and binary cross-entropy)"),
}


@dataclass(frozen=True, eq=False)
class TracedLayer:
    """Layer `index + 1` of the formulas during the step; n rows, `in`, `out` its sizes.
    Arrays are read-only. `dL_da` is None where the loss gives delta directly (a fused output)
    and `f_prime` where f' is not one number per entry (softmax)."""

    index: int
    activation: str
    a_prev: Array  # (n, in): the layer's input, x for the first layer
    W_before: Array  # (in, out)
    b_before: Array  # (out,)
    z: Array  # (n, out) = a_prev @ W_before + b_before
    a: Array  # (n, out) = f(z)
    dL_da: Array | None  # (n, out)
    f_prime: Array | None  # (n, out) = f'(z)
    delta: Array  # (n, out) = dL/dz
    dW: Array  # (in, out) = a_prev.T @ delta
    db: Array  # (out,) = delta summed over the rows
    W_after: Array  # (in, out) = W_before - lr * dW (or the update rule's step)
    b_after: Array  # (out,) = b_before - lr * db
    formulas: tuple[tuple[str, str], ...]  # (quantity, formula), in the order of the step
    W_update: Mapping[str, Array] = field(default_factory=dict)  # the rule's m, v ... for W
    b_update: Mapping[str, Array] = field(default_factory=dict)  # ... and for b

    def formula(self, quantity: str) -> str:
        """The formula that produced `quantity` ("z", "a", "delta", "dW", ...)."""
        return dict(self.formulas)[quantity]


@dataclass(frozen=True, eq=False)
class UpdateState:
    """What an optimizer carries from step to step (velocity, moments), per layer for W and for
    b, after `t` steps: the traced walk's own, starting from zeros."""

    t: int
    layers: tuple[tuple[Mapping[str, Array], Mapping[str, Array]], ...]
    from_run: bool = False  # the run's own (`run_state`), not a traced walk's


@dataclass(frozen=True, eq=False)
class StepTrace:
    """One step with learning rate `lr` on `x` (n, inputs) with targets `y` (n, outputs), by
    `rule` (plain SGD unless another optimizer is named) with `settings`, its `t`-th step."""

    x: Array
    y: Array
    layers: tuple[TracedLayer, ...]
    loss_name: str
    loss_formula: str
    loss_before: float
    loss_after: float  # the same batch through W_after, b_after
    lr: float
    names: ParamNames
    rule: UpdateRule = UPDATE_RULES["sgd"]
    settings: Mapping[str, float] = field(default_factory=dict)
    t: int = 1

    from_run: bool = False  # the state before the step was the run's own (`run_state`)

    @property
    def state_after(self) -> UpdateState:
        """The optimizer's state after this step, for tracing the next one."""
        return UpdateState(self.t, from_run=self.from_run, layers=tuple(
            ({k: layer.W_update[k] for k in self.rule.state},
             {k: layer.b_update[k] for k in self.rule.state}) for layer in self.layers))

    @property
    def n(self) -> int:
        return int(self.x.shape[0])

    @property
    def output(self) -> Array:
        """The network's output before the step, (n, outputs)."""
        return self.layers[-1].a

    def gradient(self, name: str) -> float:
        """dL/d`name` for a weight or bias by its name ("w1", "b3", "W2[0,4]")."""
        kind, layer, i, j = self.names.find(name)
        traced = self.layers[layer]
        return float(traced.db[j] if kind == "b" else traced.dW[i, j])

    def param(self, name: str, after: bool = False) -> float:
        """The weight or bias called `name`, before the step (or after it)."""
        kind, layer, i, j = self.names.find(name)
        traced = self.layers[layer]
        if kind == "b":
            return float((traced.b_after if after else traced.b_before)[j])
        return float((traced.W_after if after else traced.W_before)[i, j])


def trace_step(network: NetworkCore, x: npt.ArrayLike, y: npt.ArrayLike,
               lr: float = 0.1, optimizer: str = "sgd", momentum: float = 0.9,
               nesterov: bool = False, state: UpdateState | None = None) -> StepTrace:
    """Traces one step on `x` (one sample (inputs,) or a batch (n, inputs)) and `y` (labels,
    or targets (n, outputs); one sample's targets may be (outputs,)), updating by the rule of
    `optimizer` (with `momentum` and `nesterov`, as `TrainConfig` names them) from `state`
    (None: the optimizer's first step, from zeros). `network` is only read."""
    rule, settings = update_rule(optimizer, momentum, nesterov)
    t = 1 if state is None else state.t + 1
    X = frozen(as_batch(network, x))  # a copy: later changes to the caller's x do not reach it
    T = seal(network.targets(_as_targets(network, X, y)))
    loss = LOSSES[network.spec.loss]
    text = LOSS_TEXTS.get(loss.name, LossText(f"L = {loss.name}", "dL/da{L} from the loss"))
    before = [(frozen(layer.W), frozen(layer.b)) for layer in network.layers]
    passes = forward_layers(network, X, before)
    loss_before, grad = loss.value_and_grad(passes[-1].z, passes[-1].a, T)
    grad = seal(grad)

    traced: list[TracedLayer] = []
    delta_next, W_next = grad, None
    for index in range(len(passes) - 1, -1, -1):
        name = network.layers[index].activation
        act = ACTIVATIONS[name]
        step = passes[index]
        a_prev = passes[index - 1].a if index > 0 else X
        W, b = before[index]
        L, f = index + 1, name
        formulas = [("z", f"z{L} = a{L - 1} @ W{L} + b{L}"), ("a", f"a{L} = {f}(z{L})")]
        if W_next is None and loss.fused_with:  # the loss hands us delta_L itself
            dL_da, delta = None, grad
            formulas.append(("delta", text.output.format(L=L)))
        else:
            if W_next is None:
                dL_da = grad
                formulas.append(("dL_da", text.output.format(L=L)))
            else:
                dL_da = seal(delta_next @ W_next.T)
                formulas.append(("dL_da", f"dL/da{L} = δ{L + 1} @ W{L + 1}.T"))
            delta = seal(act.backward(step.z, step.a, dL_da))
            formulas.append(("delta", f"δ{L} = dL/da{L} * {f}'(z{L})" if name not in ROW_WISE
                             else f"δ{L} = {f}'(z{L}) · dL/da{L}   (Jacobian, row by row)"))
        f_prime = None
        if name not in ROW_WISE:
            f_prime = seal(act.backward(step.z, step.a, np.ones_like(step.z)))
        dW = seal(a_prev.T @ delta)
        db = seal(delta.sum(axis=0))
        formulas += [("dW", f"dW{L} = a{L - 1}.T @ δ{L}"), ("db", f"db{L} = Σ_rows δ{L}"),
                     ("W_after", rule.formulas[-1].format(p=f"W{L}", g=f"dW{L}")),
                     ("b_after", rule.formulas[-1].format(p=f"b{L}", g=f"db{L}"))]
        W_state, b_state = state.layers[index] if state is not None else ({}, {})
        W_after, W_update = rule.step(W, dW, lr, settings, W_state, t)
        b_after, b_update = rule.step(b, db, lr, settings, b_state, t)
        traced.append(TracedLayer(
            index=index, activation=name, a_prev=a_prev, W_before=W, b_before=b, z=step.z,
            a=step.a, dL_da=dL_da, f_prime=f_prime, delta=delta, dW=dW, db=db,
            W_after=seal(W_after.astype(W.dtype, copy=False)),
            b_after=seal(b_after.astype(b.dtype, copy=False)), formulas=tuple(formulas),
            W_update={k: seal(v) for k, v in W_update.items()},
            b_update={k: seal(v) for k, v in b_update.items()}))
        delta_next, W_next = delta, W
    traced.reverse()

    after = forward_layers(network, X, [(t.W_after, t.b_after) for t in traced])
    loss_after = loss.value(after[-1].z, after[-1].a, T)
    return StepTrace(x=X, y=T, layers=tuple(traced),
                     loss_name=loss.name, loss_formula=text.loss.format(L=len(traced)),
                     loss_before=float(loss_before), loss_after=float(loss_after),
                     lr=float(lr), names=ParamNames.of(network), rule=rule, settings=settings,
                     t=t, from_run=state is not None and state.from_run)


def _as_targets(network: NetworkCore, X: Array, y: npt.ArrayLike) -> Array:
    """One sample's label (a number) or targets (outputs,) as a batch of one row."""
    targets = np.asarray(y)
    if targets.ndim == 0:
        return targets.reshape(1)
    if len(X) == 1 and targets.ndim == 1 and targets.size == network.n_outputs > 1:
        return targets.reshape(1, -1)
    return targets
