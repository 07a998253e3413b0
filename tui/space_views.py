"""Which pictures of the network suit a dataset, in the order the sample panel offers them (`w`
cycles): what a person most wants to see first, the test sample's details always last but one
key away. Plain Python, so the choice is tested without an app.

- regions: 2 input coordinates (a 2-D set, with or without Playground's extra inputs): the
  predicted class over the plane (a regression network's output, for 2-D regression);
- neurons: every unit's activation over the same plane, a layer at a time, as Playground draws
  its neurons; for one input, each unit's activation as a small curve over the input's range;
- curve: one input, regression: the data and the network's function over the input's range;
- fit: regression: predicted against true on the test split, with the y = x line;
- projection: more than 2 features, classification: the test split in its 2 principal
  components, a glyph per predicted class;
- sample: the digit viewer (one test sample, its features or image and the prediction).
"""

from __future__ import annotations

from typing import Protocol

TITLES = {
    "regions": "decision regions",
    "neurons": "neurons",
    "curve": "function",
    "fit": "predicted vs true (test)",
    "projection": "projection (PCA, test)",
    "sample": "test sample",
}
SHORT = {"regions": "regions", "neurons": "neurons", "curve": "function", "fit": "pred vs true",
         "projection": "projection", "sample": "sample"}  # the border's "w: ..." hint
SURFACE_TITLE = "output over the plane"  # regions of a regression network
NEEDS_NETWORK = frozenset({"regions", "neurons", "curve"})  # a forward pass over a grid


class DataShape(Protocol):
    """What the choice reads of a `Dataset`."""

    @property
    def n_features(self) -> int: ...

    @property
    def is_classification(self) -> bool: ...

    input_features: tuple[str, ...]
    image_shape: tuple[int, int] | None


def is_planar(dataset: DataShape) -> bool:
    """Whether the inputs are made from 2 coordinates, the plane the maps are drawn over."""
    return dataset.n_features == 2 or len(dataset.input_features) >= 2


def views_for(dataset: DataShape) -> tuple[str, ...]:
    """The views that apply, the one to open with first."""
    if dataset.image_shape is not None:
        return ("sample", "projection")
    if is_planar(dataset):
        return ("regions", "neurons", "sample")
    if dataset.n_features == 1:
        return ("curve", "neurons", "fit", "sample") if not dataset.is_classification else \
            ("neurons", "sample")
    if not dataset.is_classification:
        return ("fit", "sample")
    if dataset.n_features > 2:
        return ("projection", "sample")
    return ("sample",)


def title(view: str, classification: bool = True) -> str:
    if view == "regions" and not classification:
        return SURFACE_TITLE
    return TITLES[view]
