"""`SampleBrowser`: which test sample is shown, what the network predicts for it, and the drawing.

Predicting one sample is one tiny forward pass, so every new network snapshot (up to ~10 a second
while training) re-predicts only the shown sample; the misclassified set, a pass over the whole
test split, is computed only when asked for and cached per network object. No Textual here: the
`DigitViewer` widget draws this state and turns keys into calls on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tui.canvas import DrawCanvas

if TYPE_CHECKING:
    from engine import Dataset, Network

NO_PREDICTIONS = "no predictions yet"

# Inverse of the engine's input scaling, by `Dataset.scaling["kind"]`: features are shown in the
# units a person knows (cm, not standard deviations).
UNSCALERS = {
    "standard": lambda x, s: x * np.asarray(s["scale"]) + np.asarray(s["mean"]),
    "divide": lambda x, s: x * s["by"],
}


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """(n, k) probabilities; one sigmoid unit (probability of class 1) becomes two columns."""
    if outputs.shape[1] == 1:
        return np.hstack([1.0 - outputs, outputs])
    return outputs


class SampleBrowser:
    """The shown test sample (or drawing) and its prediction; call `predict` after changes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self.dataset: Dataset | None = None
        self.network: Network | None = None
        self.index = 0
        self.canvas: DrawCanvas | None = None  # a copy being drawn on, None when browsing
        self.outputs: np.ndarray | None = None  # class probabilities, or regression outputs
        self.predicted: int | None = None
        self._wrong: tuple[Network, Dataset, np.ndarray] | None = None

    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.index = 0
        self._wrong = None
        self.canvas = None

    @property
    def count(self) -> int:
        return 0 if self.dataset is None else len(self.dataset.X_test)

    @property
    def has_image(self) -> bool:
        return self.dataset is not None and self.dataset.image_shape is not None \
            and self.count > 0

    # -- moving ----------------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Shows sample `index`, wrapping round; does nothing without samples."""
        if self.count:
            self.index = index % self.count

    def random_index(self) -> int:
        """From the browser's own seeded generator, never NumPy's global one."""
        return int(self._rng.integers(self.count))

    def misclassified_problem(self) -> str | None:
        if not self.count:
            return "no test samples"
        if not self.dataset.is_classification:
            return "misclassified samples need a classification dataset"
        return self.fit_problem()

    def next_misclassified(self) -> int | None:
        """The next wrongly predicted index after the shown one (wrapping), None if none are.
        Check `misclassified_problem()` first."""
        wrong = self._wrong_indices()
        if not len(wrong):
            return None
        after = wrong[wrong > self.index]
        return int(after[0] if len(after) else wrong[0])

    def _wrong_indices(self) -> np.ndarray:
        net, ds = self.network, self.dataset
        if self._wrong is None or self._wrong[0] is not net or self._wrong[1] is not ds:
            probs = class_probabilities(net.predict_proba(ds.X_test))
            self._wrong = (net, ds, np.flatnonzero(probs.argmax(axis=1) != ds.y_test))
        return self._wrong[2]

    # -- drawing ---------------------------------------------------------------------------------
    def start_drawing(self) -> None:
        """Copies the shown sample onto a fresh canvas, cursor at the top left."""
        if self.dataset is not None:
            self.canvas = DrawCanvas(self.dataset.X_test[self.index], self.dataset.image_shape)
        else:
            self.canvas = None

    def stop_drawing(self) -> None:
        self.canvas = None

    # -- what is shown ---------------------------------------------------------------------------
    def shown_input(self) -> np.ndarray | None:
        """The drawing or the sample, flat; a view, so copy before handing it out."""
        if self.canvas is not None:
            return self.canvas.pixels
        if not self.count:
            return None
        return self.dataset.X_test[self.index]

    def true_label(self) -> int | None:
        """The shown sample's class; None while drawing or for regression."""
        if self.canvas is not None or not self.count or not self.dataset.is_classification:
            return None
        return int(self.dataset.y_test[self.index])

    def original_units(self) -> np.ndarray:
        """The shown sample's features with the engine's scaling undone."""
        ds = self.dataset
        unscale = UNSCALERS.get(ds.scaling.get("kind"))
        x = ds.X_test[self.index]
        return unscale(x, ds.scaling) if unscale else x

    # -- predicting ------------------------------------------------------------------------------
    def fit_problem(self) -> str | None:
        """Why the network cannot predict this dataset (e.g. between the app's two set calls)."""
        ds, net = self.dataset, self.network
        if net is None or ds is None:
            return NO_PREDICTIONS
        if net.n_inputs != ds.n_features:
            return f"the model takes {net.n_inputs} inputs; {ds.name} has {ds.n_features}"
        if ds.is_classification:
            k = len(ds.class_names)
            if net.n_outputs != k and not (k == 2 and net.n_outputs == 1):
                return f"the model has {net.n_outputs} outputs; {ds.name} has {k} classes"
        elif net.n_outputs != ds.n_outputs:
            return f"the model has {net.n_outputs} outputs; {ds.name} has {ds.n_outputs}"
        return None

    def predict(self) -> None:
        """Re-predicts the shown input into new read-only arrays, never changed in place (the
        viewer's readers may still hold the old ones)."""
        shown = self.shown_input()
        outputs, predicted = None, None
        if shown is not None and self.fit_problem() is None:
            outputs = self.network.predict_proba(shown.reshape(1, -1))
            if self.dataset.is_classification:
                outputs = class_probabilities(outputs)
                predicted = int(np.argmax(outputs[0]))
            outputs = outputs[0]
            outputs.flags.writeable = False
        self.outputs, self.predicted = outputs, predicted
