"""Every speed trick in `engine.nn.kernels` equals the plain NumPy form it stands in for, at the
training workloads' shapes and at the edges (one row, one column), in float32 and float64."""

import numpy as np
import pytest

from engine import ACTIVATIONS, LOSSES, Dense, Network
from engine.nn import kernels

# (rows, columns): one row, one column, a batch of 32, digits' full batch, the big layer
SHAPES = [(1, 1), (1, 7), (5, 1), (32, 10), (32, 100), (1257, 10), (128, 256)]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-12}


def _normal(shape: tuple[int, ...], dtype: type, seed: int = 0, scale: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=scale, size=shape).astype(dtype)


def _onehot(n: int, k: int, dtype: type, seed: int = 1) -> np.ndarray:
    return np.eye(k, dtype=dtype)[np.random.default_rng(seed).integers(0, k, size=n)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_row_max_and_row_sum_equal_the_numpy_reductions(shape, dtype):
    z = _normal(shape, dtype)
    kept = z.copy()
    assert np.array_equal(kernels.row_max(z), z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(kernels.row_sum(z), z.sum(axis=1, keepdims=True),
                               rtol=TOL[dtype], atol=TOL[dtype] * shape[1] * 3)
    assert kernels.row_sum(z).dtype == dtype
    np.testing.assert_array_equal(z, kept)  # the input is only read


def test_row_reductions_of_a_transposed_view_read_the_view():
    z = _normal((10, 32), np.float64).T  # (32, 10), not C-contiguous
    assert np.array_equal(kernels.row_max(z), z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(kernels.row_sum(z), z.sum(axis=1, keepdims=True), rtol=1e-12)


def test_constants_are_shared_read_only_and_of_the_asked_dtype():
    ones = kernels.constant(1.0, (3, 4), np.dtype(np.float32))
    assert ones is kernels.constant(1.0, (3, 4), np.dtype(np.float32))
    assert ones.dtype == np.float32 and np.array_equal(ones, np.ones((3, 4)))
    assert not ones.flags.writeable
    zeros = kernels.constant(0.0, (3, 4), np.dtype(np.float64))
    assert zeros.dtype == np.float64 and not zeros.any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_relu_into_a_buffer_equals_np_maximum(shape, dtype):
    z = _normal(shape, dtype)
    out = np.full(shape, np.nan, dtype=dtype)
    result = kernels.relu_into(z, out)
    assert result is out
    assert np.array_equal(out, np.maximum(z, 0))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_into_a_buffer_equals_its_plain_form(name):
    act = ACTIVATIONS[name]
    z = _normal((32, 10), np.float64)
    np.testing.assert_array_equal(kernels.forward_into(act)(z, np.empty_like(z)), act.forward(z))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_column_sum_into_equals_the_reduction(shape, dtype):
    n, k = shape
    dz = _normal(shape, dtype, 3)
    db = kernels.column_sum_into(dz, np.ones(n, dtype=dtype), out=np.empty(k, dtype=dtype))
    np.testing.assert_allclose(db, dz.sum(axis=0), rtol=TOL[dtype], atol=TOL[dtype] * n * 3)


def test_a_workspace_is_reused_for_its_batch_size_only():
    cache: dict = {}
    first = kernels.workspace(cache, 32, 4, 3, np.dtype(np.float32))
    assert kernels.workspace(cache, 32, 4, 3, np.dtype(np.float32)) is first
    other = kernels.workspace(cache, 7, 4, 3, np.dtype(np.float32))
    assert other is not first and other.dx.shape == (7, 4) and other.z.shape == (7, 3)
    assert kernels.workspace(cache, 32, 4, 3, np.dtype(np.float64)) is not first


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 2), (5, 3), (32, 10), (1257, 10), (128, 10)])
def test_fused_softmax_cross_entropy_equals_softmax_then_cross_entropy(shape, dtype):
    n, k = shape
    z, T = _normal(shape, dtype, seed=0), _onehot(n, k, dtype)
    loss, grad, a = kernels.softmax_cross_entropy(z, T)
    plain_a = ACTIVATIONS["softmax"].forward(z)
    plain_loss, plain_grad = LOSSES["cross_entropy"].value_and_grad(z, plain_a, T)
    np.testing.assert_allclose(a, plain_a, rtol=TOL[dtype], atol=TOL[dtype])
    assert loss == pytest.approx(plain_loss, rel=TOL[dtype] * 10)
    np.testing.assert_allclose(grad, plain_grad, rtol=TOL[dtype] * 10, atol=TOL[dtype] / n)
    assert a.dtype == grad.dtype == dtype


def test_fused_softmax_cross_entropy_is_finite_for_confident_wrong_answers():
    z = np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]])
    T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    loss, grad, a = kernels.softmax_cross_entropy(z, T)
    assert loss == pytest.approx((2000.0 + np.log(3.0)) / 2, rel=1e-12)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(a))


def _textbook_adam(params, grads_seq, lr, beta1, beta2, eps):
    p, m, v = params.copy(), np.zeros_like(params), np.zeros_like(params)
    for t, g in enumerate(grads_seq, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


@pytest.mark.parametrize(("lr", "beta1", "beta2", "eps"), [
    (1e-3, 0.9, 0.999, 1e-8),
    (0.1, 0.5, 0.9, 0.3),  # a large eps, so folding it into the scalars wrongly would show
    (0.05, 0.0, 0.0, 1e-2),
])
def test_adam_with_the_bias_corrections_folded_equals_the_textbook_steps(lr, beta1, beta2, eps):
    rng = np.random.default_rng(0)
    start = rng.normal(size=50)
    grads_seq = [rng.normal(scale=s, size=50) for s in (1.0, 0.1, 3.0, 0.01, 1.0)]
    params, m, v = start.copy(), np.zeros(50), np.zeros(50)
    scratch = np.empty(50)
    for t, g in enumerate(grads_seq, start=1):
        kernels.adam_update(params, g, m, v, scratch, t, lr, beta1, beta2, eps)
    np.testing.assert_allclose(params, _textbook_adam(start, grads_seq, lr, beta1, beta2, eps),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_training_pass_through_the_kernels_equals_inference(dtype):
    net = Network([Dense(64, 100, "relu"), Dense(100, 30, "tanh"), Dense(30, 10, "softmax")],
                  seed=0, dtype=dtype)
    rng = np.random.default_rng(2)
    net.params += rng.normal(scale=0.1, size=net.n_params)  # non-zero biases too
    X = rng.random((32, 64)).astype(dtype)
    z, a = net.forward(X)
    z_train, a_train = net.forward(X, train=True)
    tol = TOL[np.dtype(dtype).type]
    np.testing.assert_allclose(z_train, z, rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(a_train, a, rtol=tol * 10, atol=tol)
    assert np.array_equal(net.logits(X), z) and np.array_equal(net.predict_proba(X), a)
