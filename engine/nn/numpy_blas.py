"""Where NumPy's own BLAS keeps its matrix product (`cblas_?gemm`), so that the compiled step
can call it too.

numba's `np.dot` goes through SciPy's BLAS (`scipy.linalg.cython_blas`), and a pip install
carries two OpenBLAS builds: NumPy's (0.3.31 here) and SciPy's (0.3.30). Their kernels for a
transposed operand differ: `a_prev.T @ dz` for digits full batch (1257 x 100 by 1257 x 10) takes
58 µs in NumPy's and 85 µs in SciPy's, X.T @ dz (1257 x 64 by 1257 x 100) 197 against 255 µs
(CPU time, 1 thread, medians of 15). The matmul floor (`bench/matmul_floor.py`) times NumPy's,
so the compiled step calls the same function: `gemm_address(dtype)` finds it, 0 when this
NumPy's BLAS is not one whose 64-bit-integer CBLAS symbol we know (the step then keeps
`np.dot`). Found through threadpoolctl, which lists the libraries the process has loaded.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

import numpy as np

# The 64-bit-integer CBLAS gemm of the BLAS builds NumPy's wheels ship, by dtype: the call the
# compiled step makes is cblas_?gemm(order, transa, transb, m, n, k, alpha, a, lda, b, ldb,
# beta, c, ldc) with int64 sizes.
GEMM_SYMBOLS = {"float32": ("scipy_cblas_sgemm64_", "cblas_sgemm64_"),
                "float64": ("scipy_cblas_dgemm64_", "cblas_dgemm64_")}


def _numpy_blas_paths() -> list[str]:
    """The BLAS libraries loaded from NumPy's own folder of bundled libraries."""
    from threadpoolctl import threadpool_info

    bundled = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    return [info["filepath"] for info in threadpool_info()
            if info.get("user_api") == "blas"
            and os.path.dirname(info.get("filepath", "")) == bundled]


@cache
def gemm_address(dtype: str) -> int:
    """The address of NumPy's BLAS gemm for `dtype` ("float32", "float64"), or 0 if unknown."""
    for path in _numpy_blas_paths():
        lib = ctypes.CDLL(path)  # already loaded: this only looks it up
        for symbol in GEMM_SYMBOLS.get(dtype, ()):
            function = getattr(lib, symbol, None)
            if function is not None:
                return ctypes.cast(function, ctypes.c_void_p).value or 0
    return 0
