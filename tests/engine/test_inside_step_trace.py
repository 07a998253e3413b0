"""One traced SGD step: the tutorial's own numbers, and every quantity against the engine's own
(`loss_and_gradients`, `predict_proba`, a copy stepped once by the engine's SGD) on several
architectures; the formulas shown against the numbers; the caller's network never touched."""

import numpy as np
import pytest

from engine import Dense, Network, load_dataset
from engine.errors import SpecError
from engine.inside.step_trace import trace_step
from engine.inside.weight_edits import apply_step, edit_bias, edit_param, edit_weight
from engine.nn.optimizers import make_optimizer

TUTORIAL = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


def _tutorial_net(values: dict[str, float]) -> Network:
    net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", dtype="float64")
    for name in TUTORIAL:
        net = edit_param(net, name, values[name])
    return net


def test_the_tutorial_feedforward_example():
    # Every neuron's weights are [0, 1], every bias 0, sigmoid units; input [2, 3].
    net = _tutorial_net({"w1": 0, "w2": 1, "w3": 0, "w4": 1, "w5": 0, "w6": 1,
                         "b1": 0, "b2": 0, "b3": 0})
    trace = trace_step(net, [2.0, 3.0], 1.0)
    h1, h2 = trace.layers[0].a[0]
    assert round(float(h1), 4) == round(float(h2), 4) == 0.9526
    assert round(float(trace.output[0, 0]), 4) == 0.7216
    assert [trace.names.unit(0, 0), trace.names.unit(0, 1), trace.names.unit(1, 0)] == \
        ["h1", "h2", "o1"]


def test_the_tutorial_partial_derivative_for_alice():
    # All weights 1, biases 0; Alice (-2, -1) is female (1): h1 = h2 = 0.0474, o1 = 0.524 and
    # dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1 = -0.952 * 0.249 * -0.0904 = 0.0214.
    people = load_dataset("people")
    net = _tutorial_net({**dict.fromkeys(TUTORIAL, 1.0), "b1": 0, "b2": 0, "b3": 0})
    trace = trace_step(net, people.X_train[0], people.y_train[0], lr=0.1)
    assert round(float(trace.layers[0].a[0, 0]), 4) == 0.0474
    assert round(float(trace.output[0, 0]), 3) == 0.524
    # The tutorial rounds as it goes (0.524 before doubling): agreement to its last digit.
    assert float(trace.layers[1].dL_da[0, 0]) == pytest.approx(-0.952, abs=1e-3)
    assert trace.gradient("w1") == pytest.approx(0.0214, abs=1e-4)
    assert trace.names.partial("w1") == "dL/dw1"
    assert trace.param("w1", after=True) == pytest.approx(1.0 - 0.1 * trace.gradient("w1"))


def _case(kind: str, rng: np.random.Generator, dtype: str = "float64"):
    """(network, X, y) for each architecture checked against the engine, biases not 0."""
    net, X, y = _architecture(kind, rng, dtype)
    net.params += rng.normal(scale=0.1, size=net.params.size).astype(dtype)
    return net, X, y


def _architecture(kind: str, rng: np.random.Generator, dtype: str):
    if kind == "2-2-1 sigmoid mse":
        people = load_dataset("people")
        net = Network([Dense(2, 2, "sigmoid"), Dense(2, 1, "sigmoid")], loss="mse", seed=1,
                      dtype=dtype)
        return net, people.X_train, people.y_train
    if kind == "64-100-10 relu cross_entropy":
        digits = load_dataset("digits")
        net = Network([Dense(64, 100, "relu"), Dense(100, 10, "softmax")], seed=2, dtype=dtype)
        return net, digits.X_train[:8], digits.y_train[:8]
    if kind == "3-4-1 sigmoid binary_cross_entropy":
        net = Network([Dense(3, 4, "sigmoid"), Dense(4, 1, "sigmoid")],
                      loss="binary_cross_entropy", seed=3, dtype=dtype)
        return net, rng.normal(size=(6, 3)), rng.integers(0, 2, size=6)
    if kind == "4-5-3 tanh softmax mse":  # softmax's Jacobian under an unfused loss
        net = Network([Dense(4, 5, "tanh"), Dense(5, 3, "softmax")], loss="mse", seed=4,
                      dtype=dtype)
        return net, rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    net = Network([Dense(3, 6, "leaky_relu"), Dense(6, 4, "sigmoid"), Dense(4, 2, "linear")],
                  loss="mse", seed=5, dtype=dtype)
    return net, rng.normal(size=(6, 3)), rng.normal(size=(6, 2))


CASES = ["2-2-1 sigmoid mse", "64-100-10 relu cross_entropy",
         "3-4-1 sigmoid binary_cross_entropy", "4-5-3 tanh softmax mse",
         "3-6-4-2 leaky_relu sigmoid linear mse"]


@pytest.mark.parametrize("kind", CASES)
@pytest.mark.parametrize("rows", [1, 4])
def test_every_number_equals_the_engines(kind, rows):
    net, X, y = _case(kind, np.random.default_rng(0))
    X, y = X[:rows], y[:rows]
    lr = 0.5
    trace = trace_step(net, X, y, lr=lr)
    loss, grads = net.loss_and_gradients(X, y)
    assert trace.loss_before == pytest.approx(loss, rel=1e-12)
    for traced, (dW, db) in zip(trace.layers, grads):
        np.testing.assert_allclose(traced.dW, dW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(traced.db, db, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(trace.output, net.predict_proba(X))
    stepped = net.copy()  # the engine's own step: gradients, then SGD on the flat buffer
    stepped.train_step_gradients(np.asarray(X, dtype=np.float64), stepped.targets(y))
    make_optimizer("sgd").step(stepped.params, stepped.grads, lr)
    for traced, layer in zip(trace.layers, stepped.layers):
        np.testing.assert_allclose(traced.W_after, layer.W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(traced.b_after, layer.b, rtol=1e-12, atol=1e-14)
    assert trace.loss_after == pytest.approx(stepped.loss_value(X, y), rel=1e-10)
    np.testing.assert_allclose(apply_step(net, trace).params, stepped.params, rtol=1e-12)


def test_a_float32_network_is_traced_in_float32():
    net, X, y = _case("64-100-10 relu cross_entropy", np.random.default_rng(0), "float32")
    trace = trace_step(net, X[:3], y[:3])
    loss, grads = net.loss_and_gradients(X[:3], y[:3])
    assert trace.layers[0].dW.dtype == np.float32
    assert trace.loss_before == pytest.approx(loss, rel=1e-5)
    for traced, (dW, _) in zip(trace.layers, grads):
        np.testing.assert_allclose(traced.dW, dW, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kind", CASES)
def test_the_formulas_shown_are_the_numbers(kind):
    net, X, y = _case(kind, np.random.default_rng(1))
    trace = trace_step(net, X[:3], y[:3], lr=0.1)
    n, k = trace.n, trace.y.shape[1]
    out = trace.layers[-1]
    a, T = out.a, trace.y
    if trace.loss_name == "cross_entropy":
        assert out.formula("delta").startswith("δ2 = (p − y) / n")
        np.testing.assert_allclose(out.delta, (a - T) / n, rtol=1e-12)
    elif trace.loss_name == "binary_cross_entropy":
        np.testing.assert_allclose(out.delta, (a - T) / (n * k), rtol=1e-12)
    else:
        assert out.formula("dL_da").endswith("/ (n·k)")
        np.testing.assert_allclose(out.dL_da, 2 * (a - T) / (n * k), rtol=1e-12)
    for traced, after in zip(trace.layers, [*trace.layers[1:], None]):
        x = traced.a_prev
        np.testing.assert_allclose(traced.z, x @ traced.W_before + traced.b_before, rtol=1e-12)
        if after is not None:  # a hidden layer: the error sent back through the next weights
            np.testing.assert_allclose(traced.dL_da, after.delta @ after.W_before.T, rtol=1e-12)
        if traced.f_prime is not None and traced.dL_da is not None:
            np.testing.assert_allclose(traced.delta, traced.dL_da * traced.f_prime, rtol=1e-12)
        np.testing.assert_allclose(traced.dW, x.T @ traced.delta, rtol=1e-12)
        np.testing.assert_allclose(traced.db, traced.delta.sum(axis=0), rtol=1e-12)
        np.testing.assert_allclose(traced.W_after, traced.W_before - 0.1 * traced.dW)
    assert trace.layers[0].formula("z") == "z1 = a0 @ W1 + b1"


def test_sigmoid_derivative_is_a_times_one_minus_a():
    net, X, y = _case("2-2-1 sigmoid mse", np.random.default_rng(0))
    hidden = trace_step(net, X, y).layers[0]
    np.testing.assert_allclose(hidden.f_prime, hidden.a * (1 - hidden.a), rtol=1e-12)
    assert hidden.formula("delta") == "δ1 = dL/da1 * sigmoid'(z1)"


def test_a_batch_gradient_is_the_mean_of_the_one_sample_gradients():
    net, X, y = _case("64-100-10 relu cross_entropy", np.random.default_rng(0))
    batch = trace_step(net, X[:5], y[:5])
    singles = [trace_step(net, X[i], y[i]) for i in range(5)]
    for index, traced in enumerate(batch.layers):
        mean_dW = np.mean([one.layers[index].dW for one in singles], axis=0)
        np.testing.assert_allclose(traced.dW, mean_dW, rtol=1e-10, atol=1e-14)
    assert batch.loss_before == pytest.approx(np.mean([one.loss_before for one in singles]))


def test_the_callers_network_is_only_read():
    net, X, y = _case("3-6-4-2 leaky_relu sigmoid linear mse", np.random.default_rng(0))
    net.loss_and_gradients(X, y)
    params, grads = net.params.copy(), net.grads.copy()
    x = np.array(X[:2])
    trace = trace_step(net, x, y[:2], lr=1.0)
    np.testing.assert_array_equal(net.params, params)
    np.testing.assert_array_equal(net.grads, grads)
    x[...] = 0.0  # the trace kept its own copy of the inputs
    assert np.any(trace.x != 0.0)
    snapshot_trace = trace_step(net.snapshot(), X[:2], y[:2], lr=1.0)  # read-only: fine
    np.testing.assert_array_equal(snapshot_trace.layers[0].dW, trace.layers[0].dW)
    for traced in trace.layers:
        for array in (traced.z, traced.a, traced.delta, traced.dW, traced.db, traced.W_before,
                      traced.W_after, traced.b_after, traced.a_prev):
            assert not array.flags.writeable


def test_stepping_lowers_the_loss_and_can_be_repeated():
    net, X, y = _case("2-2-1 sigmoid mse", np.random.default_rng(0))
    first = trace_step(net, X, y, lr=0.5)
    second = trace_step(apply_step(net, first), X, y, lr=0.5)
    assert second.loss_before == pytest.approx(first.loss_after, rel=1e-12)
    assert second.loss_after < first.loss_after < first.loss_before


def test_edit_a_weight_by_hand_on_a_copy():
    net = _tutorial_net(dict.fromkeys(TUTORIAL, 0.0))
    edited = edit_weight(net, 0, 1, 0, 2.5)  # w2: from x2 to h1
    assert edited.layers[0].W[1, 0] == 2.5 and net.layers[0].W[1, 0] == 0.0
    assert trace_step(edited, [0.0, 1.0], 0).param("w2") == 2.5
    h1 = edited.predict_proba([[0.0, 1.0]])  # the network itself answers with the new weight
    assert h1[0, 0] == pytest.approx(0.5)  # o1 = sigmoid(0): its weights are still 0
    assert edit_bias(net, 1, 0, -1.0).layers[1].b[0] == -1.0
    assert edit_param(net.snapshot(), "b2", 3.0).layers[0].b[1] == 3.0
    with pytest.raises(SpecError, match="layer 0 has weights"):
        edit_weight(net, 0, 2, 0, 1.0)
    with pytest.raises(SpecError, match="layer 2 does not exist"):
        edit_weight(net, 2, 0, 0, 1.0)
    with pytest.raises(SpecError, match="no weight or bias"):
        edit_param(net, "w7", 1.0)
