"""The input plane as the network sees it: a grid of points over two input coordinates, the class
it predicts at each (and how sure it is), and what every hidden unit does there; for a network
with one input, its function drawn over the input range.

Grids are laid out as a screen draws them: row 0 is the top (the largest y), column 0 the left
(the smallest x), so a (height, width) map prints row by row without flipping.

Playground's extra inputs: a network may see more than the two base coordinates, e.g.
("x1", "x2", "x1^2", "x1*x2", "sin x1"). `expand_features` (from `engine.data.features`, where
datasets get the same columns) builds those columns from (x1, x2) (x1 is column 0 of a 2-D
dataset, x2 column 1); the maps are still drawn over (x1, x2) while the
network gets the expanded inputs. All of it costs one forward pass over the grid (64 x 64 points
through a 2-16-16-2 tanh network: about 0.45 ms, of which predict_proba alone is 0.25-0.3 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.data.features import FEATURES, Feature, expand_features
from engine.errors import SpecError
from engine.inside.forward import Array, forward_layers, seal
from engine.nn.network import NetworkCore

Range = tuple[float, float]
__all__ = ["FEATURES", "Feature", "FunctionCurve", "Grid", "InputMaps", "data_ranges",
           "expand_features", "function_curve", "input_grid", "input_maps"]


@dataclass(frozen=True, eq=False)
class Grid:
    """`width` x `height` points: xs (width,) left to right, ys (height,) top (largest) to
    bottom; `points` (height * width, 2) row by row, point r * width + c = (xs[c], ys[r])."""

    xs: Array
    ys: Array
    points: Array

    @property
    def width(self) -> int:
        return len(self.xs)

    @property
    def height(self) -> int:
        return len(self.ys)


def input_grid(x_range: Range, y_range: Range, width: int, height: int) -> Grid:
    """An evenly spaced grid over [x_min, x_max] x [y_min, y_max], edges included."""
    if width < 1 or height < 1:
        raise SpecError(f"a grid needs at least 1 x 1 points (got {width} x {height})")
    for low, high in (x_range, y_range):
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise SpecError(f"a range must run from a smaller to a larger number "
                            f"(got {low} .. {high})")
    xs = np.linspace(x_range[0], x_range[1], width)
    ys = np.linspace(y_range[1], y_range[0], height)
    gx, gy = np.meshgrid(xs, ys)  # (height, width) each
    return Grid(seal(xs), seal(ys), seal(np.column_stack([gx.ravel(), gy.ravel()])))


def data_ranges(X2: npt.ArrayLike, margin: float = 0.1) -> tuple[Range, Range]:
    """The x and y ranges of data X2 (n, 2), widened by `margin` of their span on each side."""
    base = np.asarray(X2, dtype=np.float64)
    low, high = base.min(axis=0), base.max(axis=0)
    pad = np.maximum(high - low, 1e-9) * margin
    lo, hi = low - pad, high + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


@dataclass(frozen=True, eq=False)
class InputMaps:
    """The network over a grid; arrays read-only. `predicted` and `confidence` are None for a
    regression network (its `outputs` is then the map to draw)."""

    grid: Grid
    features: tuple[str, ...]
    outputs: Array  # (height, width, outputs): predict_proba at each grid point
    predicted: Array | None  # (height, width) int64: predict at each grid point
    confidence: Array | None  # (height, width): the output for the predicted class
    hidden: tuple[Array, ...]  # per hidden layer (height, width, units): each unit's activation


def input_maps(network: NetworkCore, grid: Grid, features: Sequence[str] = ()) -> InputMaps:
    """One forward pass of `network` (read only) over the grid's points, expanded to `features`
    when the network sees more than the two coordinates."""
    points = expand_features(grid.points, features)
    if points.shape[1] != network.n_inputs:
        raise SpecError(f"the network has {network.n_inputs} inputs but the map gives it "
                        f"{points.shape[1]} ({', '.join(features) or 'x1, x2'})")
    passes = forward_layers(network, points)
    shape = (grid.height, grid.width)
    out = passes[-1].a
    predicted = confidence = None
    if network.is_classifier:
        labels = network.labels_from_outputs(out)
        # The output for the predicted class; one sigmoid unit gives p(class 1) only.
        best = (np.where(labels == 1, out[:, 0], 1 - out[:, 0]) if out.shape[1] == 1
                else out.max(axis=1))
        predicted, confidence = seal(labels.reshape(shape)), seal(best.reshape(shape))
    return InputMaps(
        grid=grid, features=tuple(features), outputs=out.reshape(*shape, -1),
        predicted=predicted, confidence=confidence,
        hidden=tuple(step.a.reshape(*shape, -1) for step in passes[:-1]),
    )


@dataclass(frozen=True, eq=False)
class FunctionCurve:
    """A one-input network's function: y = network(x) at `points` values of x; read-only."""

    x: Array  # (points,)
    y: Array  # (points, outputs)
    hidden: tuple[Array, ...]  # per hidden layer (points, units)


def function_curve(network: NetworkCore, x_range: Range, points: int = 200) -> FunctionCurve:
    """The output of a network with one input over [x_min, x_max] (edges included)."""
    if network.n_inputs != 1:
        raise SpecError(f"a function curve needs a network with 1 input "
                        f"(this one has {network.n_inputs})")
    grid = input_grid(x_range, (0.0, 1.0), points, 1)
    passes = forward_layers(network, grid.xs.reshape(-1, 1))
    return FunctionCurve(grid.xs, passes[-1].a, tuple(step.a for step in passes[:-1]))
