"""`SampleBrowser`: which test sample is shown, what the network predicts for it, and the drawing.

The network's outputs for the whole test split come from the training runner's `Evaluated`
scores (computed off the UI thread), so browsing and the misclassified list read rows of them
and never run the network. Only a drawing is predicted here: one row, with a read-only snapshot
of the same weights. No Textual here: the `DigitViewer` widget draws this state and turns keys
into calls on it.
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
        self.predictions: np.ndarray | None = None  # (n_test, outputs), read-only
        self.network: Network | None = None  # a read-only snapshot, for drawings
        self.index = 0
        self.canvas: DrawCanvas | None = None  # a copy being drawn on, None when browsing
        self.outputs: np.ndarray | None = None  # class probabilities, or regression outputs
        self.predicted: int | None = None
        self._wrong: tuple[np.ndarray, np.ndarray] | None = None  # (predictions, indices)

    def set_dataset(self, dataset: Dataset) -> None:
        """A new test split: the predictions of the old one no longer apply."""
        self.dataset = dataset
        self.predictions = None
        self.index = 0
        self._wrong = None
        self.canvas = None

    def set_predictions(self, predictions: np.ndarray | None,
                        network: Network | None = None) -> None:
        """The network's outputs for every test sample, (n_test, outputs), computed off the UI
        thread; `network`, the weights they came from, predicts drawings."""
        self.predictions, self.network = predictions, network

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
        return self._browsing_problem()

    def next_misclassified(self) -> int | None:
        """The next wrongly predicted index after the shown one (wrapping), None if none are.
        Check `misclassified_problem()` first."""
        wrong = self._wrong_indices()
        if not len(wrong):
            return None
        after = wrong[wrong > self.index]
        return int(after[0] if len(after) else wrong[0])

    def _wrong_indices(self) -> np.ndarray:
        """Read from the predictions (no forward pass), once per predictions array."""
        predictions = self.predictions
        if self._wrong is None or self._wrong[0] is not predictions:
            labels = class_probabilities(predictions).argmax(axis=1)
            self._wrong = (predictions, np.flatnonzero(labels != self.dataset.y_test))
        return self._wrong[1]

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
        """Why the shown input has no prediction (e.g. none yet, or a model that does not fit
        this dataset between the app's two set calls)."""
        return self._drawing_problem() if self.canvas is not None else self._browsing_problem()

    def _browsing_problem(self) -> str | None:
        predictions = self.predictions
        if self.dataset is None or predictions is None or len(predictions) != self.count:
            return NO_PREDICTIONS
        return self._outputs_problem(predictions.shape[1])

    def _drawing_problem(self) -> str | None:
        ds, net = self.dataset, self.network
        if net is None or ds is None:
            return NO_PREDICTIONS
        if net.n_inputs != ds.n_features:
            return f"the model takes {net.n_inputs} inputs; {ds.name} has {ds.n_features}"
        return self._outputs_problem(net.n_outputs)

    def _outputs_problem(self, n_outputs: int) -> str | None:
        ds = self.dataset
        if ds.is_classification:
            k = len(ds.class_names)
            if n_outputs != k and not (k == 2 and n_outputs == 1):
                return f"the model has {n_outputs} outputs; {ds.name} has {k} classes"
        elif n_outputs != ds.n_outputs:
            return f"the model has {n_outputs} outputs; {ds.name} has {ds.n_outputs}"
        return None

    def predict(self) -> None:
        """The shown input's outputs: its row of the predictions, or for a drawing one forward
        pass of one row. Always new or read-only arrays, never changed in place (the viewer's
        readers may still hold the old ones)."""
        outputs, predicted = None, None
        if self.shown_input() is not None and self.fit_problem() is None:
            if self.canvas is not None:
                outputs = self.network.predict_proba(self.canvas.pixels.reshape(1, -1))
            else:
                outputs = self.predictions[self.index:self.index + 1]
            if self.dataset.is_classification:
                outputs = class_probabilities(outputs)
                predicted = int(np.argmax(outputs[0]))
            outputs = outputs[0]
            outputs.flags.writeable = False
        self.outputs, self.predicted = outputs, predicted
