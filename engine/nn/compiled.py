"""The compiled training step: forward, loss, backward, L2 and the optimizer update of a dense
network in one numba-compiled call (BLAS still does the matrix products: NumPy's own, called
by address from the compiled code, see `_matmul`).

At the batch sizes this tool trains, a NumPy step spends most of its time in per-call dispatch
(about 43 calls a step, 0.5-2 µs each) rather than in arithmetic. `fused_step` is one step in
one compiled call; `fused_batches`, what the trainer calls, runs an epoch's batches (gathering
them by a permutation for big data, checking each loss against the divergence limit) in one
call, so that little is left but the five matrix products a step. This is the only module that
imports numba, and `engine.nn.backends` imports it only when the "numba" backend is chosen; the
NumPy path (`NetworkCore.train_step_gradients` + `optimizers.py`) stays the fallback and
`reference.py` the oracle (`tests/engine/test_compiled.py`: compiled == NumPy == reference).

The kernel sees flat buffers only: the network's `params`, `grads` and `decay_mask` (P,), the
optimizer's state (P,) (Adam's `m`, `v` in `kernels.adam_update`'s folded form, so either
backend can continue the other's run), the batch X (n, d) and T (n, k), and two small arrays:
`meta` (int64: layer sizes, activation, loss and optimizer codes, the gemm's address) and
`hyper` (float64: lr, L2, the optimizer's settings, Adam's t, the divergence limit). Names
become codes through the registries below, so the compiled code branches on small ints, never
on strings.

Compiled with `cache=True`: the first start on a machine compiles (seconds, once per dtype),
later starts load the machine code from `__pycache__`. `warm_up` does that ahead of time.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.extending import intrinsic, overload

from engine.nn.activations import LEAKY_SLOPE
from engine.nn.network import NetworkCore
from engine.nn.numpy_blas import gemm_address
from engine.nn.optimizers import SGD, Adam, Momentum, Optimizer, RMSProp

Array = np.ndarray

# -- codes: names -> the small ints the kernel branches on --------------------------------------
LINEAR, RELU, LEAKY_RELU, SIGMOID, TANH, SOFTMAX = range(6)
ACTIVATION_CODES = {"linear": LINEAR, "relu": RELU, "leaky_relu": LEAKY_RELU,
                    "sigmoid": SIGMOID, "tanh": TANH, "softmax": SOFTMAX}
MSE, CROSS_ENTROPY, BINARY_CROSS_ENTROPY = range(3)
LOSS_CODES = {"mse": MSE, "cross_entropy": CROSS_ENTROPY,
              "binary_cross_entropy": BINARY_CROSS_ENTROPY}
NO_UPDATE, SGD_CODE, MOMENTUM_CODE, NESTEROV_CODE, RMSPROP_CODE, ADAM_CODE = range(6)

# meta: [n_layers, loss, optimizer, sizes (n_layers + 1)..., activations (n_layers)...,
#        the address of NumPy's BLAS gemm for the dtype (0: numba's np.dot)]
# hyper: the slots below
LR, L2, MOMENTUM, RHO, BETA1, BETA2, EPS, STEP_T, LOSS_LIMIT, FACTOR = range(10)
HYPER_SLOTS = 10
SCALARS = 5  # the optimizer's scalars, in the buffers' dtype, at the end of `work`

JIT = numba.njit(cache=True, error_model="numpy", fastmath=False, nogil=True)


# -- the one speed trick beyond fusing: an exp that vectorizes ------------------------------------
# numba calls libm's expf once an element (about 2.3 ns each here); NumPy's own SIMD exp does 16
# at a time. Softmax needs exp only of z - max(z) <= 0, so a float32 exp valid there (Cephes'
# expf: 2^n times a degree-7 polynomial, all inline) lets LLVM vectorize the pass: 14,370
# exps (digits, full batch) in 5 us instead of 34. Within 1.4 ulp of the exact value (NumPy's
# own float32 exp: 3.5); float64 keeps np.exp. Tested in tests/engine/test_compiled.py.
@intrinsic
def _float32_from_bits(typingctx: Any, bits: Any) -> Any:  # pragma: no cover (compiled)
    """The float32 whose bit pattern is the int32 `bits` (2^n is (n + 127) << 23)."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


def exp_nonpositive(x: float) -> float:
    """exp(x) for x <= 0 (compiled: `_exp_nonpositive`; float32 vectorizes)."""
    return float(np.exp(x))


@overload(exp_nonpositive, jit_options={"error_model": "numpy"})
def _exp_nonpositive(x: Any) -> Any:  # pragma: no cover (compiled)
    f = np.float32
    if x != types.float32:
        def exp(x: Any) -> Any:
            return np.exp(x)
        return exp

    def exp32(x: Any) -> Any:
        x = max(x, f(-87.33654))  # exp underflows below: 2^-126 here (nan stays nan)
        n = np.floor(x * f(1.44269504088896341) + f(0.5))  # x = n ln 2 + r, |r| <= ln 2 / 2
        r = x - n * f(0.693359375) - n * f(-2.12194440e-4)
        y = ((((f(1.9875691500e-4) * r + f(1.3981999507e-3)) * r + f(8.3334519073e-3)) * r
              + f(4.1665795894e-2)) * r + f(1.6666665459e-1)) * r + f(5.0000001201e-1)
        y = y * (r * r) + r + f(1.0)  # exp(r)
        return y * _float32_from_bits(  # type: ignore[call-arg]
            (np.int32(n) + np.int32(127)) << np.int32(23))
    return exp32


@JIT
def exp_nonpositive_into(x: Array, out: Array) -> None:  # pragma: no cover (compiled)
    """out = exp(x) for x <= 0, both flat (m,) and apart: LLVM guards the vector loop with an
    overlap check, which an in-place call (x is out) would fail (66 us instead of 5)."""
    for i in range(x.shape[0]):
        out[i] = exp_nonpositive(x[i])


# -- the matrix products: NumPy's own BLAS, called by address (`engine.nn.numpy_blas`) -----------
CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS = 101, 111, 112


@intrinsic
def _cblas_gemm(typingctx: Any, address: Any, trans_a: Any, trans_b: Any, m: Any, n: Any,
                k: Any, a: Any, lda: Any, b: Any, ldb: Any, c: Any,
                ldc: Any) -> Any:  # pragma: no cover (compiled)
    """cblas_?gemm at `address` (row major, alpha 1, beta 0; int64 sizes; data by address):
    a runtime argument, not a global, so the kernel stays cacheable on disk. The float type
    comes from `c`: float32 or float64 pointers, by the array's dtype."""
    dtype = c.dtype

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        address, trans_a, trans_b, m, n, k, _, lda, _, ldb, _, ldc = args
        real = ir.FloatType() if dtype == types.float32 else ir.DoubleType()
        i32, i64, ptr = ir.IntType(32), ir.IntType(64), ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, real, ptr, i64,
                                               ptr, i64, real, ptr, i64])
        gemm = builder.inttoptr(address, fnty.as_pointer())
        data = [builder.bitcast(context.make_array(signature.args[i])(context, builder,
                                                                       args[i]).data, ptr)
                for i in (6, 8, 10)]
        builder.call(gemm, [ir.Constant(i32, CBLAS_ROW_MAJOR), builder.trunc(trans_a, i32),
                            builder.trunc(trans_b, i32), m, n, k, ir.Constant(real, 1.0),
                            data[0], lda, data[1], ldb, ir.Constant(real, 0.0), data[2], ldc])
        return context.get_dummy_value()

    return types.void(types.int64, types.int64, types.int64, types.int64, types.int64,
                      types.int64, a, types.int64, b, types.int64, c, types.int64), codegen


@JIT
def _rows_contiguous(x: Array) -> bool:  # pragma: no cover (compiled)
    """Rows one after another in memory, each contiguous (BLAS's row-major form)."""
    return x.strides[1] == x.itemsize and x.strides[0] >= x.shape[1] * x.itemsize


@JIT
def _matmul(gemm: int, a: Array, trans_a: bool, b: Array, trans_b: bool,
            out: Array) -> None:  # pragma: no cover (compiled)
    """out = op(a) @ op(b), op transposing where asked (a or b, never both): NumPy's BLAS at
    `gemm` (not 0) with the transpose flags, so no operand is copied; else numba's `np.dot`
    (SciPy's BLAS)."""
    m, n = out.shape
    k = a.shape[0] if trans_a else a.shape[1]
    if (gemm == 0 or not (_rows_contiguous(a) and _rows_contiguous(b)
                          and _rows_contiguous(out)) or m == 0 or n == 0 or k == 0):
        if trans_a:
            np.dot(a.T, b, out)  # the three forms the step uses (a branch each: a.T and a
        elif trans_b:            # are arrays of different layouts to numba)
            np.dot(a, b.T, out)
        else:
            np.dot(a, b, out)
        return
    size = a.itemsize
    _cblas_gemm(gemm, CBLAS_TRANS if trans_a else CBLAS_NO_TRANS,  # type: ignore[call-arg]
                CBLAS_TRANS if trans_b else CBLAS_NO_TRANS, m, n, k, a, a.strides[0] // size,
                b, b.strides[0] // size, out, out.strides[0] // size)


# -- the kernels ----------------------------------------------------------------------------------
@JIT
def _activate(code: int, z: Array, a: Array) -> None:  # pragma: no cover (compiled)
    """a = f(z), both (n, m); softmax row by row."""
    n, m = z.shape
    if code == RELU:
        for r in range(n):
            for c in range(m):
                v = z[r, c]
                a[r, c] = v if v > 0 else 0.0
    elif code == LEAKY_RELU:
        for r in range(n):
            for c in range(m):
                v = z[r, c]
                a[r, c] = v if v > 0 else LEAKY_SLOPE * v
    elif code == SIGMOID:
        for r in range(n):
            for c in range(m):
                v = z[r, c]
                e = np.exp(-abs(v))
                a[r, c] = 1.0 / (1.0 + e) if v >= 0 else e / (1.0 + e)
    elif code == TANH:
        for r in range(n):
            for c in range(m):
                a[r, c] = np.tanh(z[r, c])
    elif code == SOFTMAX:
        for r in range(n):
            top = z[r, 0]
            for c in range(1, m):
                top = max(top, z[r, c])
            total = 0.0
            for c in range(m):
                e = np.exp(z[r, c] - top)
                a[r, c] = e
                total += e
            for c in range(m):
                a[r, c] /= total
    else:  # linear
        for r in range(n):
            for c in range(m):
                a[r, c] = z[r, c]


@JIT
def _add_bias_activate(code: int, z: Array, b: Array,
                       a: Array) -> None:  # pragma: no cover (compiled)
    """z += b (b (m,) on every row), then a = f(z): for relu and leaky relu in one sweep over z
    (the same arithmetic as the two passes; (a)'s (1437, 100) hidden layer is read once)."""
    n, m = z.shape
    if code == RELU:
        for r in range(n):
            for c in range(m):
                v = z[r, c] + b[c]
                z[r, c] = v
                a[r, c] = v if v > 0 else 0.0
    elif code == LEAKY_RELU:
        for r in range(n):
            for c in range(m):
                v = z[r, c] + b[c]
                z[r, c] = v
                a[r, c] = v if v > 0 else LEAKY_SLOPE * v
    else:
        _add_bias(z, b)
        _activate(code, z, a)


@JIT
def _keeps_a_only(code: int) -> bool:  # pragma: no cover (compiled)
    """Whether a hidden layer of this activation keeps a = f(z) alone (`_step`): f'(z) depends
    only on whether z > 0, and a > 0 exactly when z > 0 (nan: neither)."""
    return code in (RELU, LEAKY_RELU)


@JIT
def _add_bias_activate_in_place(code: int, a: Array,
                                b: Array) -> None:  # pragma: no cover (compiled)
    """a = f(a + b) for relu or leaky relu, in place, a (n, m) and b (m,); row by row through
    views, which LLVM vectorizes without the overlap checks of two 2-D arrays."""
    n, m = a.shape
    zero = a.dtype.type(0.0)
    if code == RELU:
        for r in range(n):
            row = a[r]
            for c in range(m):
                v = row[c] + b[c]
                row[c] = v if v > 0 else zero
    else:
        for r in range(n):
            row = a[r]
            for c in range(m):
                v = row[c] + b[c]
                row[c] = v if v > 0 else LEAKY_SLOPE * v


@JIT
def _add_bias(z: Array, b: Array) -> None:  # pragma: no cover (compiled)
    n, m = z.shape
    for r in range(n):
        row = z[r]
        for c in range(m):
            row[c] += b[c]


@JIT
def _to_dz_and_sum(code: int, z: Array, a: Array, g: Array,
                   db: Array) -> None:  # pragma: no cover (compiled)
    """`_to_dz` (g becomes dL/dz in place), and db = dL/dz summed over the rows, in the same
    sweep for relu (the same sums in the same order as two passes)."""
    n, m = z.shape
    if code == RELU:  # row views and a sum of its own: vectorized, 17 us instead of 42 for
        total = np.zeros(m, g.dtype)  # (a)'s (1257, 100)
        zero = g.dtype.type(0.0)
        for r in range(n):
            z_row, g_row = z[r], g[r]
            for c in range(m):
                v = g_row[c] if z_row[c] > 0 else zero
                g_row[c] = v
                total[c] += v
        db[:] = total
    else:
        _to_dz(code, z, a, g)
        _column_sum(g, db)


@JIT
def _column_sum(g: Array, db: Array) -> None:  # pragma: no cover (compiled)
    """db (m,) = g (n, m) summed over its rows, row after row."""
    n, m = g.shape
    total = np.zeros(m, g.dtype)  # a sum of its own: no overlap with g to check
    for r in range(n):
        row = g[r]
        for c in range(m):
            total[c] += row[c]
    db[:] = total


@JIT
def _to_dz(code: int, z: Array, a: Array, g: Array) -> None:  # pragma: no cover (compiled)
    """g = dL/da (n, m) becomes dL/dz = f'(z) * g, in place (softmax: a * (g - <g, a>))."""
    n, m = z.shape
    if code == RELU:
        for r in range(n):
            for c in range(m):
                if not z[r, c] > 0:
                    g[r, c] = 0.0
    elif code == LEAKY_RELU:
        for r in range(n):
            for c in range(m):
                if not z[r, c] > 0:
                    g[r, c] *= LEAKY_SLOPE
    elif code == SIGMOID:
        for r in range(n):
            for c in range(m):
                g[r, c] *= a[r, c] * (1 - a[r, c])
    elif code == TANH:
        for r in range(n):
            for c in range(m):
                g[r, c] *= 1 - a[r, c] * a[r, c]
    elif code == SOFTMAX:
        for r in range(n):
            dot = 0.0
            for c in range(m):
                dot += g[r, c] * a[r, c]
            for c in range(m):
                g[r, c] = a[r, c] * (g[r, c] - dot)


@JIT
def _loss_and_dz(code: int, act: int, z: Array, b: Array, a: Array, T: Array,
                 dz: Array) -> float:  # pragma: no cover (compiled)
    """The output layer: z += b (b (k,)), a = f(z), the mean loss, and dL/dz into dz, all
    (n, k). z is left as scratch."""
    n, k = z.shape
    total = 0.0
    if code == CROSS_ENTROPY:  # with softmax: L = -(1/n) sum T log softmax(z); dz = (a - T) / n
        # softmax's exponentials serve the log-sum-exp too: one exp an element, not two, and
        # all n k of them in one flat pass that vectorizes. Short loops of one job each (row
        # views; z, used up, keeps each row's norm, then its log): 41 us for (1257, 10), where
        # one loop doing it all took 66; the bias comes in the first
        for r in range(n):
            z_row, shifted = z[r], dz[r]  # dz holds z - max(z) until the last pass
            for c in range(k):
                z_row[c] += b[c]
            top = z_row[0]
            for c in range(1, k):
                top = max(top, z_row[c])
            for c in range(k):
                shifted[c] = z_row[c] - top
        exp_nonpositive_into(dz.reshape(n * k), a.reshape(n * k))
        for r in range(n):
            a_row = a[r]
            norm = 0.0
            for c in range(k):
                norm += a_row[c]
            for c in range(k):
                a_row[c] /= norm
            z[r, 0] = norm
        for r in range(n):
            z[r, 0] = np.log(z[r, 0])
        for r in range(n):
            shifted, t_row, log_norm = dz[r], T[r], z[r, 0]
            row = 0.0  # the row's sum first: rows overlap, not one long chain of adds
            for c in range(k):
                row += t_row[c] * (shifted[c] - log_norm)
            total -= row
        a_flat, t_flat, dz_flat = a.reshape(n * k), T.reshape(n * k), dz.reshape(n * k)
        for j in range(n * k):
            dz_flat[j] = (a_flat[j] - t_flat[j]) * (1.0 / n)
        return float(total / n)
    _add_bias(z, b)
    _activate(act, z, a)
    if code == BINARY_CROSS_ENTROPY:  # with sigmoid, from the logits; dz = (a - T) / (n k)
        for r in range(n):
            for c in range(k):
                v = z[r, c]
                total += max(v, 0.0) - v * T[r, c] + np.log1p(np.exp(-abs(v)))
                dz[r, c] = (a[r, c] - T[r, c]) * (1.0 / (n * k))
        return float(total / (n * k))
    for r in range(n):  # mse: L = mean((a - T)^2), dL/da = 2 (a - T) / (n k), then through f
        for c in range(k):
            diff = a[r, c] - T[r, c]
            total += diff * diff
            dz[r, c] = diff * (2.0 / (n * k))
    _to_dz(act, z, a, dz)
    return float(total / (n * k))


@JIT
def _update(code: int, params: Array, grads: Array, decay: Array, s1: Array, s2: Array,
            hyper: Array, one: Array) -> None:  # pragma: no cover (compiled)
    """L2 into `grads` (weights only), then one optimizer step over the flat buffers; the same
    formulas as `optimizers.py` (Adam's folded form: `kernels.adam_update`)."""
    # `one` (SCALARS,): the scalars in the buffers' dtype, as NumPy would use them
    l2 = hyper[L2]
    one[0] = l2
    if l2 != 0:
        for i in range(params.size):
            grads[i] += one[0] * params[i] * decay[i]
    one[0] = hyper[LR]
    lr = one[0]
    if code == SGD_CODE:
        for i in range(params.size):
            params[i] -= lr * grads[i]
    elif code in (MOMENTUM_CODE, NESTEROV_CODE):
        one[1] = hyper[MOMENTUM]
        mu = one[1]
        for i in range(params.size):
            step = lr * grads[i]
            v = s1[i] * mu - step
            s1[i] = v
            params[i] += (mu * v - step) if code == NESTEROV_CODE else v
    elif code == RMSPROP_CODE:
        one[1], one[2], one[3] = hyper[RHO], 1 - hyper[RHO], hyper[EPS]
        rho, rest, eps = one[1], one[2], one[3]
        for i in range(params.size):
            g = grads[i]
            s = s1[i] * rho + rest * g * g
            s1[i] = s
            params[i] -= lr * g / (np.sqrt(s) + eps)
    elif code == ADAM_CODE:
        b1, b2, t = hyper[BETA1], hyper[BETA2], hyper[STEP_T]
        v_scale = math.sqrt((1 - b2**t) / (1 - b2))
        one[1], one[2] = b1, b2
        one[3] = hyper[EPS] * v_scale
        one[4] = hyper[LR] * (1 - b1) / (1 - b1**t) * v_scale
        beta1, beta2, eps, scale = one[1], one[2], one[3], one[4]
        for i in range(params.size):
            g = grads[i]
            m = s1[i] * beta1 + g
            v = s2[i] * beta2 + g * g
            s1[i] = m
            s2[i] = v
            params[i] -= m / (np.sqrt(v) + eps) * scale


@JIT
def _layout(meta: Array, rows: int) -> tuple[Array, Array, int]:  # pragma: no cover (compiled)
    """Where each layer's W starts in params, and its z (then a) in `work`, for batches of at
    most `rows` rows; then the two gradient buffers (`widest` columns each) and the optimizer's
    scalars (`SCALARS`). Worked out once a call, not once a step."""
    n_layers = meta[0]
    sizes = meta[3:4 + n_layers]
    p_at = np.empty(n_layers + 1, np.int64)
    w_at = np.empty(n_layers + 1, np.int64)
    p_at[0] = w_at[0] = 0
    widest = 0
    for i in range(n_layers):
        p_at[i + 1] = p_at[i] + sizes[i] * sizes[i + 1] + sizes[i + 1]
        w_at[i + 1] = w_at[i] + 2 * rows * sizes[i + 1]
        widest = max(widest, sizes[i + 1], sizes[i])
    return p_at, w_at, widest


@JIT
def _step(params: Array, grads: Array, decay: Array, s1: Array, s2: Array, X: Array, T: Array,
          labels: Array, work: Array, meta: Array, hyper: Array, p_at: Array, w_at: Array,
          widest: int, rows: int) -> tuple[float, int, bool]:  # pragma: no cover (compiled)
    """`fused_step` on a batch of n <= rows rows, in `work` laid out by `_layout(meta, rows)`."""
    n_layers, loss_code, opt_code = meta[0], meta[1], meta[2]
    sizes = meta[3:4 + n_layers]
    acts = meta[4 + n_layers:4 + 2 * n_layers]
    gemm = meta[4 + 2 * n_layers]
    n = X.shape[0]
    top = w_at[n_layers]
    buffers = (work[top:top + n * widest], work[top + rows * widest:top + rows * widest
                                                + n * widest])
    scalars = work[top + 2 * rows * widest:top + 2 * rows * widest + SCALARS]

    # forward: z = x @ W + b, a = f(z); the output layer's a, loss and dz come together. A
    # relu (or leaky relu) layer keeps a alone, made in place of z: its f'(z) needs only the
    # sign of z, which a has (`_keeps_a_only`); a step then touches one (n, m) buffer, not two
    for i in range(n_layers):
        k, m = sizes[i], sizes[i + 1]
        W = params[p_at[i]:p_at[i] + k * m].reshape(k, m)
        b = params[p_at[i] + k * m:p_at[i + 1]]
        a = work[w_at[i] + rows * m:w_at[i] + rows * m + n * m].reshape(n, m)
        in_place = i < n_layers - 1 and _keeps_a_only(acts[i])
        z = a if in_place else work[w_at[i]:w_at[i] + n * m].reshape(n, m)
        if i == 0:
            _matmul(gemm, X, False, W, False, z)
        else:
            a_prev = work[w_at[i - 1] + rows * k:w_at[i - 1] + rows * k + n * k]
            _matmul(gemm, a_prev.reshape(n, k), False, W, False, z)
        if in_place:
            _add_bias_activate_in_place(acts[i], a, b)
        elif i < n_layers - 1:
            _add_bias_activate(acts[i], z, b, a)  # the output layer's: in `_loss_and_dz`

    last = n_layers - 1
    k_out = sizes[n_layers]
    z_out = work[w_at[last]:w_at[last] + n * k_out].reshape(n, k_out)
    a_out = work[w_at[last] + rows * k_out:w_at[last] + rows * k_out + n * k_out].reshape(
        n, k_out)
    dz = buffers[0][:n * k_out].reshape(n, k_out)
    loss = _loss_and_dz(loss_code, acts[last], z_out,
                        params[p_at[last] + sizes[last] * k_out:p_at[n_layers]], a_out, T, dz)
    _column_sum(dz, grads[p_at[last] + sizes[last] * k_out:p_at[n_layers]])

    # backward: dW = x.T @ dz, dx = dz @ W.T, then through f' (and summed over the rows: the
    # layer below's db) in one sweep
    turn = 0  # dz is in buffers[turn]; dx goes into the other one
    for i in range(last, -1, -1):
        k, m = sizes[i], sizes[i + 1]
        W = params[p_at[i]:p_at[i] + k * m].reshape(k, m)
        dW = grads[p_at[i]:p_at[i] + k * m].reshape(k, m)
        if i == 0:
            _matmul(gemm, X, True, dz, False, dW)
        else:
            a_prev = work[w_at[i - 1] + rows * k:w_at[i - 1] + rows * k + n * k].reshape(n, k)
            _matmul(gemm, a_prev, True, dz, False, dW)
            turn = 1 - turn
            dx = buffers[turn][:n * k].reshape(n, k)
            _matmul(gemm, dz, False, W, True, dx)
            z_prev = (a_prev if _keeps_a_only(acts[i - 1])
                      else work[w_at[i - 1]:w_at[i - 1] + n * k].reshape(n, k))
            _to_dz_and_sum(acts[i - 1], z_prev, a_prev, dx,
                           grads[p_at[i - 1] + sizes[i - 1] * k:p_at[i]])
            dz = dx

    correct = 0
    if labels.shape[0] == n:
        for r in range(n):
            row = a_out[r]  # the first largest, as np.argmax (nan: never larger)
            if k_out == 1:
                guess = 1 if row[0] > 0.5 else 0
            else:
                guess, best = 0, row[0]
                for c in range(1, k_out):
                    if row[c] > best:
                        guess, best = c, row[c]
            if guess == labels[r]:
                correct += 1
    stepped = False
    if opt_code != NO_UPDATE and loss <= hyper[LOSS_LIMIT]:
        _update(opt_code, params, grads, decay, s1, s2, hyper, scalars)
        stepped = True
    elif opt_code == NO_UPDATE and hyper[L2] != 0:
        for j in range(params.size):
            grads[j] += hyper[L2] * params[j] * decay[j]
    return loss, correct, stepped


@JIT
def fused_step(params: Array, grads: Array, decay: Array, s1: Array, s2: Array, X: Array,
               T: Array, labels: Array, work: Array, meta: Array,
               hyper: Array) -> tuple[float, int, bool]:  # pragma: no cover (compiled)
    """One training step on the batch X (n, d), T (n, k): fills `grads`, then (if the loss is
    at most hyper[LOSS_LIMIT], and an optimizer is given) updates `params` and the state.
    Returns (mean data loss, correct predictions against `labels` (n,), or 0 if it is empty,
    whether it stepped). `work` holds z, a per layer, two gradient buffers, n rows each, and
    the optimizer's `SCALARS`."""
    n = X.shape[0]
    p_at, w_at, widest = _layout(meta, n)
    return _step(params, grads, decay, s1, s2, X, T, labels, work, meta, hyper, p_at, w_at,
                 widest, n)


@JIT
def fused_batches(params: Array, grads: Array, decay: Array, s1: Array, s2: Array, X: Array,
                  T: Array, labels: Array, order: Array, size: int, start: int, stop: int,
                  work: Array, meta: Array,
                  hyper: Array) -> tuple[float, int, bool]:  # pragma: no cover (compiled)
    """`fused_step` on the batches of rows start, start + size, ... < stop of X (n, d), T (n, k)
    (rows `order[lo:hi]` when `order` is not empty, gathered a batch at a time into buffers
    made once a call: a shuffled epoch costs no copy of X),
    as the trainer's epoch loop: after the first step the loss limit becomes hyper[FACTOR] times
    max(loss, 1); hyper[STEP_T] counts the steps taken. Returns (loss summed over the rows,
    correct count, False) or, at the first loss past the limit, (that loss, 0, True)."""
    total = 0.0
    correct = 0
    has_labels = labels.shape[0] > 0
    p_at, w_at, widest = _layout(meta, size)
    gathered = order.shape[0] > 0
    rows = size if gathered else 0
    x_rows = np.empty((rows, X.shape[1]), X.dtype)
    t_rows = np.empty((rows, T.shape[1]), T.dtype)
    l_rows = np.empty(rows if has_labels else 0, labels.dtype)
    for lo in range(start, stop, size):
        hi = min(lo + size, stop)
        if gathered:
            xb, tb, lb = x_rows[:hi - lo], t_rows[:hi - lo], l_rows[:hi - lo]
            for j in range(hi - lo):  # element loops: `xb[j, :] = X[row]` took twice as long
                row = order[lo + j]
                for c in range(X.shape[1]):
                    xb[j, c] = X[row, c]
                for c in range(T.shape[1]):
                    tb[j, c] = T[row, c]
                if has_labels:
                    lb[j] = labels[row]
        else:
            xb, tb = X[lo:hi], T[lo:hi]
            lb = labels[lo:hi] if has_labels else labels
        loss, right, stepped = _step(params, grads, decay, s1, s2, xb, tb, lb, work, meta,
                                     hyper, p_at, w_at, widest, size)
        if not stepped:
            return loss, 0, True
        hyper[STEP_T] += 1
        if hyper[LOSS_LIMIT] == np.inf:
            hyper[LOSS_LIMIT] = hyper[FACTOR] * max(loss, 1.0)
        total += loss * (hi - lo)
        correct += right
    return total, correct, False


# -- the Python side ------------------------------------------------------------------------------
class _ReadAlias:
    """X's memory described again with the read-only flag left off (`__array_interface__`),
    holding X so the memory outlives the alias. See `kernel_view`."""

    __slots__ = ("__array_interface__", "base")

    def __init__(self, X: Array) -> None:
        self.base = X
        face = dict(X.__array_interface__)
        face["data"] = (face["data"][0], False)
        self.__array_interface__ = face


def kernel_view(X: Array) -> Array:
    """X as the kernels take it: numba types read-only arrays apart (a second compiled
    signature per dtype), so a read-only X (a `Dataset`'s) goes in as a writeable view of the
    same memory rather than a copy. The kernels only read X and T (`_step`, `fused_batches`):
    nothing is written through the view. About 8 µs: once an epoch for a big X. (A read-only
    X that is not C-contiguous is copied, as before: the kernels are compiled for C arrays.)"""
    if X.flags.writeable:
        return X
    return np.asarray(_ReadAlias(X)) if X.flags.c_contiguous else X.copy()


def _no_state(opt: Any, params: Array, hyper: Array, empty: Array) -> tuple[int, Array, Array]:
    return SGD_CODE, empty, empty


def _momentum_state(opt: Any, params: Array, hyper: Array,
                    empty: Array) -> tuple[int, Array, Array]:
    if opt.velocity is None:
        opt.velocity = np.zeros_like(params)
    hyper[MOMENTUM] = opt.momentum  # read at every step: it may change while training
    return (NESTEROV_CODE if opt.nesterov else MOMENTUM_CODE), opt.velocity, empty


def _rmsprop_state(opt: Any, params: Array, hyper: Array,
                   empty: Array) -> tuple[int, Array, Array]:
    if opt.square is None:
        opt.square = np.zeros_like(params)
    hyper[RHO], hyper[EPS] = opt.rho, opt.eps
    return RMSPROP_CODE, opt.square, empty


def _adam_state(opt: Any, params: Array, hyper: Array, empty: Array) -> tuple[int, Array, Array]:
    if opt.m is None or opt.v is None:
        opt.m, opt.v = np.zeros_like(params), np.zeros_like(params)
    hyper[BETA1], hyper[BETA2], hyper[EPS] = opt.beta1, opt.beta2, opt.eps
    hyper[STEP_T] = opt.t + 1  # counted on the optimizer once the step is taken
    return ADAM_CODE, opt.m, opt.v


# Optimizer class -> (optimizer, params, hyper, empty) -> (code, state, state): its settings go
# into `hyper`, its state buffers (made on first use, kept on the optimizer) to the kernel.
OPTIMIZER_STATE = {SGD: _no_state, Momentum: _momentum_state, RMSProp: _rmsprop_state,
                   Adam: _adam_state}


class FusedStep:
    """The compiled training step for one network and its optimizer (None: gradients only).

    `step(X, T, labels, lr, l2, loss_limit)` takes a batch X (n, n_inputs) and targets T
    (n, n_outputs), both C-contiguous in the network's dtype, and labels (n,) int64 or None;
    it fills `network.grads` and, if the loss is at most `loss_limit`, steps `network.params`
    and the optimizer's state. Returns (mean loss, correct predictions, whether it stepped)."""

    wants_writeable = True
    gathers_batches = True  # `fused_batches` gathers into buffers made once an epoch

    def __init__(self, network: NetworkCore, optimizer: Optimizer | None) -> None:
        self.network, self.optimizer = network, optimizer
        layers = network.layers
        sizes = [network.n_inputs, *(layer.n_out for layer in layers)]
        self._meta = np.array([len(layers), LOSS_CODES[network.loss.name], NO_UPDATE, *sizes,
                               *(ACTIVATION_CODES[layer.activation] for layer in layers),
                               gemm_address(network.dtype.name)], dtype=np.int64)
        self._hyper = np.zeros(HYPER_SLOTS)
        self._per_row = 2 * sum(sizes[1:]) + 2 * max(sizes)  # z, a per layer; 2 gradients
        self._work = np.empty(0, dtype=network.dtype)
        self._empty = np.empty(0, dtype=network.dtype)
        self._no_labels = np.empty(0, dtype=np.int64)
        self._state = (OPTIMIZER_STATE[type(optimizer)] if optimizer is not None else None)

    def prepare(self) -> float:
        """Compiles (or loads from the on-disk cache) the kernel for this dtype; seconds spent."""
        return warm_up((self.network.dtype.name,))

    def __call__(self, X: Array, T: Array, labels: Array | None, lr: float, l2: float,
                 loss_limit: float = math.inf) -> tuple[float, int, bool]:
        net, hyper = self.network, self._hyper
        n = X.shape[0]
        if self._work.size < n * self._per_row + SCALARS:
            self._work = np.empty(n * self._per_row + SCALARS, dtype=net.dtype)
        s1 = s2 = self._empty
        if self._state is not None:
            code, s1, s2 = self._state(self.optimizer, net.params, hyper, self._empty)
            self._meta[2] = code
        hyper[LR], hyper[L2], hyper[LOSS_LIMIT] = lr, l2, loss_limit
        X = kernel_view(X)
        loss, correct, stepped = fused_step(
            net.params, net.grads, net.decay_mask, s1, s2, X, T,
            self._no_labels if labels is None else labels, self._work, self._meta, hyper)
        if stepped and isinstance(self.optimizer, Adam):
            self.optimizer.t += 1
        return float(loss), int(correct), bool(stepped)

    def run_batches(self, X: Array, T: Array, labels: Array | None, order: Array | None,
                    size: int, start: int, stop: int, lr: float, l2: float, loss_limit: float,
                    factor: float) -> tuple[float, int, float | None, float]:
        """The steps on the batches of rows start, start + size... < stop (`order[lo:hi]` if
        given), in one compiled call: (loss summed over the rows, correct count, the first loss
        past the limit or None, the loss limit now: `factor` x max(first loss, 1) once set)."""
        net, hyper = self.network, self._hyper
        if self._work.size < size * self._per_row + SCALARS:
            self._work = np.empty(size * self._per_row + SCALARS, dtype=net.dtype)
        assert self._state is not None, "run_batches needs an optimizer"
        code, s1, s2 = self._state(self.optimizer, net.params, hyper, self._empty)
        self._meta[2] = code
        hyper[LR], hyper[L2], hyper[LOSS_LIMIT], hyper[FACTOR] = lr, l2, loss_limit, factor
        t0 = hyper[STEP_T]
        X = kernel_view(X)  # a dataset's read-only X: not copied (70k x 784 is 150 MB)
        total, correct, diverged = fused_batches(
            net.params, net.grads, net.decay_mask, s1, s2, X, T,
            self._no_labels if labels is None else labels,
            self._no_labels if order is None else order, size, start, stop, self._work,
            self._meta, hyper)
        if isinstance(self.optimizer, Adam):
            self.optimizer.t += int(hyper[STEP_T] - t0)
        return (float(total), int(correct), float(total) if diverged else None,
                float(hyper[LOSS_LIMIT]))


_READY: set[str] = set()


def warm_up(dtypes: tuple[str, ...] = ("float32", "float64")) -> float:
    """Compiles the kernel for each dtype (or loads it from the on-disk cache) by stepping a tiny
    network once; later calls cost nothing. Seconds spent. Call it off the UI thread."""
    from time import perf_counter

    from engine.nn.layers import Dense

    start = perf_counter()
    for dtype in dtypes:
        if dtype in _READY:
            continue
        net = NetworkCore([Dense(2, 3, "relu"), Dense(3, 2, "softmax")], dtype=dtype)
        X = np.zeros((4, 2), dtype=dtype)
        T = np.eye(2, dtype=dtype)[[0, 1, 0, 1]]
        step = FusedStep(net, Adam())
        step(X, T, np.array([0, 1, 0, 1]), 1e-3, 0.0)
        for order in (None, np.arange(4)):  # small data in order, big data gathered
            step.run_batches(X, T, np.array([0, 1, 0, 1]), order, 2, 0, 4, 1e-3, 0.0, np.inf,
                             100.0)
        _READY.add(dtype)
    return perf_counter() - start
