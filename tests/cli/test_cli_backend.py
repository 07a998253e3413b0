"""`nn-tui train --backend auto|numpy|numba`: both backends train to the same numbers."""

from __future__ import annotations

import json

from tests.cli.runner import NnTui

try:
    import numba  # noqa: F401
except ImportError:  # not installed, or installed and broken: the NumPy step is all there is
    HAS_NUMBA = False
else:
    HAS_NUMBA = True

TINY = ("--dataset", "iris", "--layers", "16:relu,3:softmax", "--epochs", "4",
        "--dtype", "float64", "--json")
TIMES = {"seconds", "samples_per_sec"}


def _epochs(out: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in out.splitlines()]
    return [{k: v for k, v in o.items() if k not in TIMES} for o in lines
            if o["event"] == "epoch"]


def test_train_on_numpy_and_on_numba_prints_the_same_epochs(nn_tui: NnTui) -> None:
    """Where numba is not installed, asking for it is a one-line usage error (exit 2) and the
    NumPy step still trains."""
    numpy = nn_tui("train", *TINY, "--backend", "numpy")
    numba = nn_tui("train", *TINY, "--backend", "numba")
    if not HAS_NUMBA:
        assert numpy.code == 0 and len(_epochs(numpy.out)) == 4, numpy.err
        assert numba.code == 2 and "numba backend is not available" in numba.out + numba.err
        return
    assert numpy.code == 0 and numba.code == 0, (numpy.err, numba.err)
    assert len(_epochs(numpy.out)) == 4
    for a, b in zip(_epochs(numpy.out), _epochs(numba.out), strict=True):
        assert a.keys() == b.keys()
        for key, value in a.items():
            if isinstance(value, float):
                assert abs(value - float(b[key])) <= 1e-9 * max(1.0, abs(value)), key  # type: ignore[arg-type]
            else:
                assert value == b[key], key


def test_an_unknown_backend_is_a_usage_error(nn_tui: NnTui) -> None:
    result = nn_tui("train", *TINY, "--backend", "cuda")
    assert result.code == 2 and "invalid choice: 'cuda'" in result.out + result.err
