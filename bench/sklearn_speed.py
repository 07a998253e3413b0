"""scikit-learn's MLPClassifier on the same workload, made to run every epoch (no tolerance,
no early stop, no L2) so that it does the same work as our loop."""

from __future__ import annotations

import time
import warnings

from bench.workloads import Workload


def train_seconds(work: Workload, seed: int = 0) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y = work.data()
    full = work.batch_size <= 0
    model = MLPClassifier(
        hidden_layer_sizes=work.hidden,
        activation="relu",
        solver=work.optimizer,
        learning_rate_init=work.lr,
        batch_size=work.batch(len(X)),
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        max_iter=work.epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=not full,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        elapsed = time.perf_counter() - start
    if model.n_iter_ != work.epochs:
        raise RuntimeError(f"scikit-learn ran {model.n_iter_} epochs, not {work.epochs}")
    return elapsed
