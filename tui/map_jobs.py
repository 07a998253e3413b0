"""The work behind the input-space views, kept off the UI thread and off the trainer's: one small
thread (`LatestOnly`) runs the newest request and drops those it has not started, since a map of
older weights is of no use once newer ones are known.

A map is one forward pass of a read-only snapshot over its grid (a few thousand points, about a
millisecond); a projection fits PCA once per dataset (importing scikit-learn the first time takes
about a second). Requests come at most at the views' redraw rate (the runner's `Evaluated`
scores, a resize, a key). No Textual here: the widget posts itself a message from `deliver`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import (
    Dataset,
    EngineError,
    FunctionCurve,
    InputMaps,
    Network,
    Projection,
    data_ranges,
    function_curve,
    input_maps,
)
from tui.render_maps import Plane

Job = Callable[[], Any]
Deliver = Callable[[Any], None]


class LatestOnly:
    """One daemon thread running the newest job handed to it. `submit` never blocks: a job
    still waiting when a newer one comes is dropped. `deliver(result)` is called on the
    thread, with the job's return value or the exception it raised."""

    def __init__(self, name: str = "nn-tui-maps") -> None:
        self._name = name
        self._cond = threading.Condition()
        self._waiting: tuple[Job, Deliver] | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._busy = False
        self.dropped = 0  # jobs replaced before they started (for tests and the bench)

    def submit(self, job: Job, deliver: Deliver) -> None:
        with self._cond:
            if self._closed:
                return
            if self._waiting is not None:
                self.dropped += 1
            self._waiting = (job, deliver)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self, wait: bool = False) -> None:
        """Stops the thread once its current job is done; waiting jobs are dropped."""
        with self._cond:
            self._closed, self._waiting = True, None
            self._cond.notify()
            thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()

    def idle(self) -> bool:
        """Nothing waiting and nothing running (tests wait for it)."""
        with self._cond:
            return self._waiting is None and not self._busy

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._waiting is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job, deliver = self._waiting  # type: ignore[misc]
                self._waiting, self._busy = None, True
            try:
                try:
                    result = job()
                except Exception as error:  # a view's problem: shown, never raised into the app
                    result = error
                with contextlib.suppress(Exception):
                    deliver(result)
            finally:
                with self._cond:
                    self._busy = False


# ---------------------------------------------------------------- the jobs


@dataclass(frozen=True, eq=False)
class PlaneMaps:
    """The network over a plane: the grid's forward pass and what it was asked for."""

    dataset: Dataset
    plane: Plane
    maps: InputMaps
    epoch: int


@dataclass(frozen=True, eq=False)
class Curve:
    dataset: Dataset
    curve: FunctionCurve
    x_range: tuple[float, float]
    epoch: int


@dataclass(frozen=True, eq=False)
class Projected:
    """The dataset's test split (and training split) in its 2 principal components."""

    dataset: Dataset
    projection: Projection
    test: np.ndarray  # (n_test, 2)
    train: np.ndarray  # (n_train, 2)


def base_coordinates(X: np.ndarray) -> np.ndarray:
    """The 2 coordinates the maps are drawn over: the first two columns (Playground's extra
    inputs come after them)."""
    return np.asarray(X)[:, :2]


def plane_ranges(dataset: Dataset) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where the data lies (every split), with a margin: the part of the plane worth drawing."""
    X = np.concatenate([base_coordinates(dataset.X_train), base_coordinates(dataset.X_test)])
    return data_ranges(X, margin=0.08)


def plane_maps(network: Network, dataset: Dataset, plane: Plane, epoch: int) -> PlaneMaps:
    return PlaneMaps(dataset, plane, input_maps(network, plane.grid(), dataset.input_features),
                     epoch)


def curve(network: Network, dataset: Dataset, x_range: tuple[float, float], points: int,
          epoch: int) -> Curve:
    return Curve(dataset, function_curve(network, x_range, max(points, 2)), x_range, epoch)


def projected(dataset: Dataset) -> Projected:
    if len(dataset.X_train) < 2:
        raise EngineError(f"{dataset.name}: too few training rows for a projection")
    projection = Projection.of(dataset)
    return Projected(dataset, projection, projection.transform(dataset.X_test),
                     projection.transform(dataset.X_train))
