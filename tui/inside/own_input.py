"""Your own input: feature values typed raw, as they are in the dataset (a weight offset in
pounds, iris lengths in cm), scaled as in training (`tui.model_inputs`, the same code as
`nn-tui predict --input`) before the network sees them; and what the network makes of them.

For the `people` tutorial also the table of its four named people with the network's verdict on
each: its train, validation and test splits are the same four rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from rich.text import Text

from engine import PEOPLE_NAMES, Dataset, Network
from tui.inside.glyphs import Palette, plain
from tui.model_inputs import parse_numbers, scaling_of
from tui.numbers import step_number

SAME_ROWS = ("train, validation and test are the same four rows here: four people are too few "
             "to split, so the scores say how well the net learnt them, not how it generalises.")


def parse_own_input(text: str, dataset: Dataset, n_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """`"-7, -3"` as the raw values and the scaled row the network sees, (n_inputs,) each.
    Bad text is an `InputError` with a one-line reason."""
    raw = parse_numbers(text, "input", n_inputs, "feature value")
    affine = scaling_of(dataset.scaling or None, n_inputs, dataset.name, "input")
    return raw, affine.apply(raw)


def raw_values(dataset: Dataset, x: npt.ArrayLike) -> np.ndarray:
    """A scaled row back in the dataset's own units (to offer a test sample as a start)."""
    affine = scaling_of(dataset.scaling or None, dataset.n_features, dataset.name, "input")
    return affine.undo(np.asarray(x, dtype=np.float64))


def values_text(values: npt.ArrayLike) -> str:
    """`-7, -3`: short, and parsed back to the same numbers (to 6 significant digits)."""
    return ", ".join(f"{float(v):.6g}" for v in np.asarray(values).ravel())


def classify(network: Network, outputs: npt.ArrayLike) -> tuple[int, float]:
    """The class the network picks for one row of outputs, and its probability (one sigmoid
    unit: the probability of class 1, so class 0 gets 1 - it)."""
    out = np.asarray(outputs, dtype=np.float64).reshape(1, -1)
    label = int(network.labels_from_outputs(out)[0])
    if out.shape[1] == 1:
        return label, float(out[0, 0]) if label == 1 else 1.0 - float(out[0, 0])
    return label, float(out[0, label])


def prediction(network: Network, dataset: Dataset, outputs: npt.ArrayLike) -> str:
    """`female (0.9501)`: the class and how sure the network is; a regressor's values in the
    dataset's units."""
    if not dataset.is_classification:
        values = dataset.unscale_targets(np.asarray(outputs, dtype=np.float64).reshape(1, -1))
        return "predicts " + ", ".join(f"{v:.4g}" for v in values[0])
    label, sure = classify(network, outputs)
    name = dataset.class_names[label] if label < len(dataset.class_names) else str(label)
    return f"{name} ({step_number(sure)})"


def is_people(dataset: Dataset) -> bool:
    return dataset.name == "people" and len(dataset.X_train) == len(PEOPLE_NAMES)


def people_lines(network: Network, dataset: Dataset, palette: Palette = plain) -> list[Text]:
    """The four people: their features, the truth and the network's prediction (four rows
    through the network, no more than a key press's work)."""
    outputs = network.predict_proba(dataset.X_train)
    features = dataset.feature_names
    header = f"{'':8}" + "".join(f"{name:>8}" for name in features) + "  truth    predicted"
    lines = [Text(header, palette("header"), no_wrap=True)]
    for name, x, y, out in zip(PEOPLE_NAMES, dataset.X_train, dataset.y_train, outputs):
        mark = "✓" if classify(network, out)[0] == int(y) else "✗"
        lines.append(Text(f"{name:8}" + "".join(f"{v:>8g}" for v in x) + f"  "
                          f"{dataset.class_names[int(y)]:8} {prediction(network, dataset, out)} "
                          f"{mark}", no_wrap=True))
    lines.append(Text(SAME_ROWS, palette("muted")))
    return lines
