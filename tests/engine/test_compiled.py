"""The compiled step (`engine/nn/compiled.py`) equals the NumPy step and the textbook reference:
gradients for every activation and loss, with and without L2, and k steps of every optimizer, in
float64 (tight) and float32 (looser); the trainer runs either backend explicitly; and without
numba, "auto" falls back to NumPy.

numba compiles the kernel once per dtype per process (seconds; later processes load it from the
on-disk cache): the module-scoped `compiled` fixture does it once, before the first check.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from itertools import product
from pathlib import Path

import numpy as np
import pytest

import engine.nn.reference as ref
import engine.nn.reference_backprop as ref_backprop
import engine.nn.reference_optimizers as ref_optimizers
from engine.errors import SpecError
from engine.nn.backends import BACKENDS, NumpyStep, backend
from engine.nn.layers import Dense
from engine.nn.network import NetworkCore
from engine.nn.optimizers import make_optimizer
from engine.nn.spec import BACKEND_NAMES, TrainConfig
from engine.train.train_data import TrainData
from engine.train.trainer import Trainer

HIDDEN = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
# (output activation, loss, kind of target): each pairing the engine accepts.
HEADS = [("softmax", "cross_entropy", "labels"), ("sigmoid", "binary_cross_entropy", "binary"),
         ("softmax", "mse", "onehot"), *[(name, "mse", "real") for name in HIDDEN]]
OPTIMIZERS = {"sgd": ("sgd", False), "momentum": ("momentum", False),
              "nesterov": ("momentum", True), "rmsprop": ("rmsprop", False),
              "adam": ("adam", False)}
TOL = {"float64": (1e-10, 1e-12), "float32": (2e-4, 2e-5)}


@pytest.fixture(scope="module")
def compiled():  # type: ignore[no-untyped-def]
    """The compiled module, its kernel ready for both dtypes (compiled or loaded once here).
    Where numba is not installed there is no compiled backend to compare: those tests skip,
    and `test_without_numba_auto_falls_back_to_numpy_and_trains` checks the fallback."""
    pytest.importorskip("numba", reason="numba is not installed: no compiled backend here")
    from engine.nn import compiled

    compiled.warm_up(("float64", "float32"))
    return compiled


def make_case(hidden: str, head: tuple[str, str, str], seed: int, dtype: str = "float64",
              n: int = 7) -> tuple[NetworkCore, np.ndarray, np.ndarray, np.ndarray | None]:
    """A 3-5-4-k network with random weights and biases, a batch X (n, 3), targets T (n, k) and
    the labels (n,) when the targets are classes."""
    out, loss, kind = head
    rng = np.random.default_rng(seed)
    k = 1 if kind == "binary" and seed % 2 else 3
    net = NetworkCore([Dense(3, 5, hidden), Dense(5, 4, hidden), Dense(4, k, out)], loss=loss,
                      seed=seed, dtype=dtype)
    net.params[...] = rng.normal(0.0, 0.8, size=net.params.size)
    X = rng.normal(size=(n, 3)).astype(dtype)
    labels = None
    if kind in ("labels", "onehot"):
        labels = rng.integers(0, k, size=n)
        T = np.eye(k, dtype=dtype)[labels]
    elif kind == "binary":
        T = rng.integers(0, 2, size=(n, k)).astype(dtype)
        labels = T[:, 0].astype(np.int64) if k == 1 else None
    else:
        T = rng.normal(size=(n, k)).astype(dtype)
    return net, X, T, labels


def reference_layers(net: NetworkCore) -> list[ref.Layer]:
    return [(layer.W.astype(np.float64), layer.b.astype(np.float64), layer.activation)
            for layer in net.layers]


CASES = list(product(HIDDEN, HEADS))


def test_the_codes_cover_every_activation_loss_optimizer_and_backend(compiled) -> None:  # type: ignore[no-untyped-def]
    from engine.nn.activations import ACTIVATIONS
    from engine.nn.losses import LOSSES
    from engine.nn.optimizers import OPTIMIZERS as FAST

    assert set(compiled.ACTIVATION_CODES) == set(ACTIVATIONS)
    assert set(compiled.LOSS_CODES) == set(LOSSES)
    assert {cls.__name__ for cls in compiled.OPTIMIZER_STATE} == {
        cls.__name__ for cls in FAST.values()}
    assert set(BACKEND_NAMES) == {"auto", *BACKENDS}


@pytest.mark.parametrize("l2", [0.0, 0.1], ids=["no_l2", "l2"])
@pytest.mark.parametrize(("hidden", "head"), CASES,
                         ids=[f"{h}-{o}-{loss}" for h, (o, loss, _) in CASES])
def test_gradients_compiled_equal_numpy_equal_reference(compiled, hidden: str,  # type: ignore[no-untyped-def]
                                                        head: tuple[str, str, str],
                                                        l2: float) -> None:
    net, X, T, labels = make_case(hidden, head, seed=len(hidden) * 7 + len(head[0]))
    ref_loss, ref_grads = ref_backprop.loss_and_gradients(reference_layers(net), X, T, head[1], l2)
    numpy_loss = net.train_step_gradients(X, T, l2)
    numpy_grads = net.grads.copy()
    net.grads[...] = np.nan  # the compiled step must write every gradient itself
    loss, correct, stepped = compiled.FusedStep(net, None)(X, T, labels, 0.1, l2)
    assert not stepped
    np.testing.assert_allclose(loss, numpy_loss, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.grads, numpy_grads, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.grads, np.concatenate([g.ravel() for g in
                                                          ref_backprop.flatten(ref_grads)]),
                               rtol=1e-10, atol=1e-12)
    if labels is not None:
        predicted = net.labels_from_outputs(net.predict_proba(X))
        assert correct == int(np.count_nonzero(predicted == labels))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("l2", [0.0, 0.05], ids=["no_l2", "l2"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_k_steps_compiled_equal_numpy_equal_reference(compiled, optimizer: str, l2: float,  # type: ignore[no-untyped-def]
                                                      dtype: str) -> None:
    """4 steps on one batch for a few networks (each hidden activation, each head): the
    compiled step against the NumPy step (`NumpyStep`, as the trainer runs it) and, in float64,
    against the reference optimizer stepping per-layer arrays."""
    name, nesterov = OPTIMIZERS[optimizer]
    rtol, atol = TOL[dtype]
    for i, (hidden, head) in enumerate(CASES[::3]):
        fast, X, T, labels = make_case(hidden, head, seed=100 + i, dtype=dtype)
        plain = fast.copy()
        layers = reference_layers(fast)
        fused = compiled.FusedStep(fast, make_optimizer(name, 0.9, nesterov))
        numpy = NumpyStep(plain, make_optimizer(name, 0.9, nesterov))
        slow = ref_optimizers.make_optimizer(optimizer, 0.9)
        for k in range(4):
            lr = 0.05 * (k + 1)  # the learning rate may change between steps
            context = f"{optimizer} {hidden} {head} l2={l2} {dtype}, step {k + 1}"
            loss, correct, stepped = fused(X, T, labels, lr, l2)
            numpy_loss, numpy_correct, _ = numpy(X, T, labels, lr, l2)
            assert stepped, context
            assert correct == numpy_correct, context
            np.testing.assert_allclose(loss, numpy_loss, rtol=rtol, atol=atol, err_msg=context)
            np.testing.assert_allclose(fast.params, plain.params, rtol=rtol, atol=atol,
                                       err_msg=context)
            if dtype == "float64":
                ref_loss, grads = ref_backprop.loss_and_gradients(layers, X, T, head[1], l2)
                slow.step(ref_backprop.parameters(layers), ref_backprop.flatten(grads), lr)
                np.testing.assert_allclose(loss, ref_loss, rtol=rtol, atol=atol, err_msg=context)
                np.testing.assert_allclose(fast.params, np.concatenate(
                    [a.ravel() for a in ref_backprop.parameters(layers)]), rtol=rtol, atol=atol,
                    err_msg=context)


def test_the_vectorized_exp_equals_numpys_exp(compiled) -> None:  # type: ignore[no-untyped-def]
    """`exp_nonpositive_into`, softmax's exp: in float32 within 2 ulp of the exact value
    (NumPy's own float32 exp is within 4) over all of (-90, 0], 0 where that underflows, nan
    kept; in float64 it is the C library's exp (within 1 ulp of NumPy's)."""
    rng = np.random.default_rng(0)
    x = np.concatenate([-np.linspace(0.0, 90.0, 400_001), -rng.exponential(3.0, 50_000),
                        [-0.0, -1e-30, -87.3, -88.0, np.nan]]).astype(np.float32)
    got = np.full_like(x, 7.0)
    compiled.exp_nonpositive_into(x, got)
    exact = np.exp(x.astype(np.float64))
    normal = exact >= np.finfo(np.float32).tiny
    np.testing.assert_allclose(got[normal], exact[normal], rtol=2 * 2.0**-24, atol=0)
    assert (got[~normal & ~np.isnan(x)] <= 2 * np.finfo(np.float32).tiny).all()
    assert np.isnan(got[-1]) and got[0] == 1.0
    wide = -rng.exponential(5.0, 10_000)
    same = np.empty_like(wide)
    compiled.exp_nonpositive_into(wide, same)
    np.testing.assert_allclose(same, np.exp(wide), rtol=2.0**-52, atol=0)


def test_a_loss_past_the_limit_takes_no_step(compiled) -> None:  # type: ignore[no-untyped-def]
    net, X, T, labels = make_case("relu", HEADS[0], seed=3)
    before = net.params.copy()
    optimizer = make_optimizer("adam")
    loss, _, stepped = compiled.FusedStep(net, optimizer)(X, T, labels, 0.1, 0.0,
                                                          loss_limit=1e-6)
    assert loss > 1e-6 and not stepped
    np.testing.assert_array_equal(net.params, before)
    assert optimizer.t == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("gathered", [False, True], ids=["in_order", "gathered"])
def test_an_epoch_of_batches_compiled_equals_numpy(compiled, gathered: bool) -> None:  # type: ignore[no-untyped-def]
    """`run_batches`, the trainer's epoch loop: batches of 5 of 23 rows (the last one short),
    in order or gathered by a permutation (the big-data path), Adam with L2."""
    net, X, T, labels = make_case("tanh", HEADS[0], seed=5, n=23)
    plain = net.copy()
    order = np.random.default_rng(1).permutation(23) if gathered else None
    fused = compiled.FusedStep(net, make_optimizer("adam"))
    numpy = NumpyStep(plain, make_optimizer("adam"))
    got = fused.run_batches(X, T, labels, order, 5, 0, 23, 0.05, 0.01, math.inf, 100.0)
    want = numpy.run_batches(X, T, labels, order, 5, 0, 23, 0.05, 0.01, math.inf, 100.0)
    np.testing.assert_allclose([got[0], got[3]], [want[0], want[3]], rtol=1e-10)
    assert got[1] == want[1] and got[2] is None and want[2] is None
    np.testing.assert_allclose(net.params, plain.params, rtol=1e-10, atol=1e-12)
    assert fused.optimizer.t == numpy.optimizer.t == 5  # type: ignore[attr-defined]


def test_an_epoch_stops_at_the_first_loss_past_the_limit(compiled) -> None:  # type: ignore[no-untyped-def]
    """The first step sets the limit to factor x max(loss, 1); with a factor of 1e-9 the
    second batch passes it: one step taken, that loss reported, as in the NumPy loop."""
    net, X, T, labels = make_case("relu", HEADS[0], seed=6, n=12)
    plain = net.copy()
    fused = compiled.FusedStep(net, make_optimizer("sgd"))
    numpy = NumpyStep(plain, make_optimizer("sgd"))
    got = fused.run_batches(X, T, labels, None, 4, 0, 12, 0.1, 0.0, math.inf, 1e-9)
    want = numpy.run_batches(X, T, labels, None, 4, 0, 12, 0.1, 0.0, math.inf, 1e-9)
    assert got[2] is not None and want[2] is not None
    np.testing.assert_allclose([got[2], got[3]], [want[2], want[3]], rtol=1e-10)
    np.testing.assert_allclose(net.params, plain.params, rtol=1e-10, atol=1e-12)
    one_step = plain.copy()
    one_step.params[...] = make_case("relu", HEADS[0], seed=6, n=12)[0].params
    NumpyStep(one_step, make_optimizer("sgd"))(X[:4], T[:4], labels[:4], 0.1, 0.0)
    np.testing.assert_allclose(net.params, one_step.params, rtol=1e-10, atol=1e-12)


def train_digits_like(backend_name: str, dtype: str = "float64") -> tuple[NetworkCore, list[float]]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 6))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 1)
    net = NetworkCore([Dense(6, 8, "tanh"), Dense(8, 3, "softmax")], seed=1, dtype=dtype)
    config = TrainConfig(optimizer="adam", lr=0.01, batch_size=16, epochs=5, l2=0.01,
                         dtype=dtype, backend=backend_name)
    trainer = Trainer(net, TrainData.from_arrays(X, y, classification=True), config)
    events = list(trainer.run())
    losses = [e.train_loss for e in events if type(e).__name__ == "EpochEnd"]
    accuracies = [e.train_acc for e in events if type(e).__name__ == "EpochEnd"]
    return net, [*losses, *accuracies]


def test_the_trainer_runs_the_numpy_backend_explicitly_and_both_agree(compiled) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(backend("numpy").make_step(*_tiny()), NumpyStep)
    assert backend("auto") is BACKENDS["numba"]  # numba imports here (the fixture used it)
    numpy_net, numpy_figures = train_digits_like("numpy")
    numba_net, numba_figures = train_digits_like("numba")
    assert len(numpy_figures) == 10 and numpy_figures[0] > numpy_figures[4]  # it learns
    np.testing.assert_allclose(numba_figures, numpy_figures, rtol=1e-10)
    np.testing.assert_allclose(numba_net.params, numpy_net.params, rtol=1e-10, atol=1e-12)


def _tiny() -> tuple[NetworkCore, object]:
    return NetworkCore([Dense(2, 2, "softmax")]), make_optimizer("sgd")


def test_unknown_backends_are_refused() -> None:
    with pytest.raises(SpecError, match="unknown backend"):
        TrainConfig(backend="cuda").checked()
    with pytest.raises(SpecError, match="unknown backend"):
        backend("cuda")


NO_NUMBA = textwrap.dedent("""
    import sys
    sys.modules["numba"] = None  # as if numba were not installed: `import numba` fails
    import numpy as np
    from engine import Network
    from engine.errors import SpecError
    from engine.nn.backends import backend, numba_available
    assert not numba_available()
    assert backend("auto").name == "numpy"
    try:
        backend("numba")
    except SpecError as exc:
        print("refused:", exc)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    net = Network.from_spec(__import__("engine").ModelSpec.from_dict(
        {"layers": [{"units": 6, "activation": "relu"}, {"units": 2, "activation": "softmax"}]}),
        3)
    history = net.fit(X, y, epochs=20, lr=0.05)
    assert history[-1]["train_loss"] < history[0]["train_loss"], history
    assert "numba" not in sys.modules or sys.modules["numba"] is None
    print("trained with", backend("auto").name)
""")


def test_without_numba_auto_falls_back_to_numpy_and_trains() -> None:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", NO_NUMBA], cwd=root, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "trained with numpy" in out.stdout
    assert "refused: the numba backend is not available" in out.stdout


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpys_blas_called_by_address_equals_numbas_dot(compiled, dtype: str) -> None:  # type: ignore[no-untyped-def]
    """The step's products go to NumPy's own BLAS gemm by address (`numpy_blas`), with the
    transpose flags: equal to the same step through numba's `np.dot` (address 0), for each
    product form (x @ W, x.T @ dz, dz @ W.T) in a 3-layer network, and for a 0-row batch."""
    from engine.nn.numpy_blas import _numpy_blas_paths, gemm_address

    if _numpy_blas_paths():  # a NumPy wheel's bundled OpenBLAS: its symbol must be found
        assert gemm_address(dtype) != 0
    rtol, atol = TOL[dtype]
    fast, X, T, labels = make_case("relu", HEADS[0], seed=8, dtype=dtype, n=9)
    plain = fast.copy()
    by_address = compiled.FusedStep(fast, make_optimizer("sgd"))
    by_dot = compiled.FusedStep(plain, make_optimizer("sgd"))
    assert by_address._meta[-1] == gemm_address(dtype)
    by_dot._meta[-1] = 0
    for _ in range(3):
        got, want = by_address(X, T, labels, 0.1, 0.01), by_dot(X, T, labels, 0.1, 0.01)
        np.testing.assert_allclose(got[0], want[0], rtol=rtol, atol=atol)
        assert got[1:] == want[1:]
        np.testing.assert_allclose(fast.grads, plain.grads, rtol=rtol, atol=atol)
        np.testing.assert_allclose(fast.params, plain.params, rtol=rtol, atol=atol)
    empty = by_address(X[:0], T[:0], labels[:0], 0.1, 0.0, loss_limit=-1.0)
    assert empty[1:] == (0, False)


def test_ties_count_as_the_first_class_as_numpys_argmax(compiled) -> None:  # type: ignore[no-untyped-def]
    """An output layer of zeros gives every class the same probability: the correct count is
    that of the rows labelled 0 (np.argmax picks the first largest), in both backends."""
    net, X, T, labels = make_case("relu", HEADS[0], seed=9, n=12)
    assert labels is not None
    last = net.layers[-1]
    last.W[...] = 0.0
    last.b[...] = 0.0
    plain = net.copy()
    _, correct, _ = compiled.FusedStep(net, None)(X, T, labels, 0.1, 0.0)
    _, numpy_correct, _ = NumpyStep(plain, make_optimizer("sgd"))(X, T, labels, 0.0, 0.0)
    assert correct == numpy_correct == int(np.count_nonzero(labels == 0)) > 0
