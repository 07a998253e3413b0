"""`run_state`: a run's own optimizer state (velocity, moments, Adam's t) read from the flat
buffers of the engine's optimizer into the per-layer, textbook form a traced step
(`step_trace.trace_step`) starts from, so the walk's next step is the run's next step.
"""

from __future__ import annotations

from engine.inside.forward import Array, frozen, layer_views
from engine.inside.step_trace import UpdateState
from engine.nn.network import NetworkCore
from engine.nn.optimizers import Adam, Momentum, Optimizer, RMSProp


def _adam_state(opt: Optimizer) -> tuple[int, dict[str, Array]] | None:
    """Adam's moments in the textbook's units: the engine keeps m / (1 - beta1) and
    v / (1 - beta2) (`kernels.adam_update`)."""
    assert isinstance(opt, Adam)
    if opt.m is None or opt.v is None:
        return None
    return opt.t, {"m": opt.m * (1 - opt.beta1), "v": opt.v * (1 - opt.beta2)}


def _momentum_state(opt: Optimizer) -> tuple[int, dict[str, Array]] | None:
    assert isinstance(opt, Momentum)
    return None if opt.velocity is None else (0, {"v": opt.velocity.copy()})


def _rmsprop_state(opt: Optimizer) -> tuple[int, dict[str, Array]] | None:
    assert isinstance(opt, RMSProp)
    return None if opt.square is None else (0, {"s": opt.square.copy()})


STATE_READERS = {Adam: _adam_state, Momentum: _momentum_state, RMSProp: _rmsprop_state}


def run_state(network: NetworkCore, optimizer: Optimizer) -> UpdateState | None:
    """The run's own optimizer state (velocity, moments; Adam's step count t), per layer as a
    traced step takes it: the next step of the walk then does what the run's next step would
    on that sample. `optimizer` steps the flat buffer of a network laid out like `network`.
    None when it has no state (sgd, or no step yet). Read it only while no epoch runs: the
    buffers are the training thread's."""
    reader = STATE_READERS.get(type(optimizer))
    read = reader(optimizer) if reader is not None else None
    if read is None:
        return None
    t, buffers = read
    split = {name: layer_views(network, flat) for name, flat in buffers.items()}
    return UpdateState(t, tuple(
        ({name: frozen(pairs[k][0]) for name, pairs in split.items()},
         {name: frozen(pairs[k][1]) for name, pairs in split.items()})
        for k in range(len(network.layers))), from_run=True)
