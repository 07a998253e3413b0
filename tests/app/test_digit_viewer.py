"""DigitViewer (and ConfusionMatrix) mounted in a bare app, driven as the app and a person would."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from textual.app import App, ComposeResult

from engine import LayerSpec, ModelSpec, Network, load_dataset
from tui.widgets.confusion import REGRESSION_MESSAGE, ConfusionMatrix
from tui.widgets.digit_viewer import DigitViewer

SIZE = (60, 20)


class _Harness(App):
    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = seed
        self.messages: list[str] = []

    def compose(self) -> ComposeResult:
        yield DigitViewer(rng=np.random.default_rng(self.seed))

    def notify(self, message: str, **kwargs: object) -> None:
        self.messages.append(message)
        super().notify(message, **kwargs)


def show(viewer: DigitViewer, network: Network, dataset) -> np.ndarray:
    """What the app does with the runner's scores: the test split's outputs (read-only,
    computed here as the runner would) and the weights they came from, for drawings."""
    predictions = network.predict_proba(dataset.X_test)
    predictions.flags.writeable = False
    viewer.set_predictions(predictions, network)
    return predictions


class _Spy:
    """A network stand-in that records how many rows each prediction asked for."""

    def __init__(self, network: Network) -> None:
        self._network = network
        self.rows: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._network, name)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        self.rows.append(len(np.atleast_2d(X)))
        return self._network.predict_proba(X)



def wrong_in_test(net: Network, dataset) -> np.ndarray:
    return np.flatnonzero(net.predict(dataset.X_test) != dataset.y_test)


async def test_next_and_previous_wrap(digits, network) -> None:
    app = _Harness()
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        show(viewer, network, digits)
        viewer.previous_sample()
        assert viewer.index == len(digits.X_test) - 1
        viewer.next_sample()
        assert viewer.index == 0
        viewer.next_sample()
        await pilot.pause()
        assert viewer.index == 1
        assert np.array_equal(viewer.current_pixels, digits.X_test[1])
        assert viewer.render().plain.startswith(f"sample 2/{len(digits.X_test)}  true ")


async def test_next_misclassified_lands_on_a_wrong_prediction(digits, network) -> None:
    wrong = wrong_in_test(network, digits)
    assert 0 < len(wrong) < len(digits.X_test) // 2  # the fixture network is imperfect
    app = _Harness()
    async with app.run_test(size=SIZE):
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        show(viewer, network, digits)
        seen = []
        for _ in range(len(wrong) + 1):
            viewer.next_misclassified()
            seen.append(viewer.index)
            assert viewer.predicted_label != digits.y_test[viewer.index]
        assert seen == [*wrong.tolist(), wrong[0]]  # in order, then wrapping round
        assert "✗ wrong" in viewer.render().plain


async def test_no_misclassified_notifies(digits, network) -> None:
    right = np.flatnonzero(network.predict(digits.X_test) == digits.y_test)[:20]
    subset = dataclasses.replace(digits, X_test=digits.X_test[right], y_test=digits.y_test[right])
    app = _Harness()
    async with app.run_test(size=SIZE):
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(subset)
        show(viewer, network, subset)
        viewer.next_sample()
        viewer.next_misclassified()
        assert viewer.index == 1
        assert app.messages == ["no misclassified test samples"]


async def test_browsing_reads_the_predictions_and_only_a_drawing_runs_the_network(digits,
                                                                                 network):
    spy = _Spy(network)
    predictions = network.predict_proba(digits.X_test)
    predictions.flags.writeable = False
    app = _Harness()
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        for _ in range(5):
            viewer.set_predictions(predictions, spy)
        viewer.next_misclassified()
        viewer.next_misclassified()
        viewer.random_sample()
        assert spy.rows == []  # the UI thread ran no forward pass
        np.testing.assert_array_equal(viewer.current_probabilities, predictions[viewer.index])
        viewer.toggle_draw_mode()
        viewer.focus()
        await pilot.press("9")
        assert spy.rows == [1, 1]  # the copied sample, then the drawing: one row each


async def test_random_uses_the_seeded_generator(digits) -> None:
    async def sequence(seed: int) -> list[int]:
        app = _Harness(seed)
        async with app.run_test(size=SIZE):
            viewer = app.query_one(DigitViewer)
            viewer.set_dataset(digits)
            out = []
            for _ in range(8):
                viewer.random_sample()
                out.append(viewer.index)
            return out

    global_state = np.random.get_state()[1].copy()
    first, again, other = await sequence(3), await sequence(3), await sequence(4)
    assert first == again
    assert first != other
    assert len(set(first)) > 1
    assert np.array_equal(np.random.get_state()[1], global_state)


async def test_draw_mode_edits_a_copy_and_repredicts(digits, network) -> None:
    pristine = digits.X_test.copy()
    app = _Harness()
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        show(viewer, network, digits)
        viewer.focus()
        await pilot.press("c")  # not drawing: the widget leaves the key alone
        assert np.array_equal(viewer.current_pixels, digits.X_test[0])

        viewer.toggle_draw_mode()
        assert viewer.draw_mode
        await pilot.press("c")
        assert not viewer.current_pixels.any()
        blank = viewer.current_probabilities
        await pilot.press("9", "9", "down", "5", "right", "right", "space")
        drawn = viewer.current_pixels.reshape(8, 8)
        assert drawn[0, 0] == drawn[0, 1] == 1.0
        assert drawn[1, 2] == pytest.approx(5 / 9)
        assert drawn[1, 5] == 1.0
        assert drawn.sum() == pytest.approx(3 + 5 / 9)
        assert viewer.current_probabilities is not blank
        assert not np.array_equal(viewer.current_probabilities, blank)
        await pilot.press("i")
        assert viewer.current_pixels.reshape(8, 8)[0, 0] == 0.0
        assert viewer.current_pixels.reshape(8, 8)[7, 7] == 1.0
        header = viewer.render().plain.splitlines()[0]
        assert header.startswith(f"drawing, brush 1 — predicted {viewer.predicted_label} (")

        await pilot.press("escape")
        assert not viewer.draw_mode
        assert np.array_equal(viewer.current_pixels, digits.X_test[0])
        viewer.toggle_draw_mode()  # the app's `d` toggles both ways; so does the widget's
        await pilot.press("d")
        assert not viewer.draw_mode
    assert np.array_equal(digits.X_test, pristine)


async def test_new_network_replaces_the_probabilities_array(digits, network) -> None:
    other = Network.from_spec(ModelSpec((LayerSpec(10, "softmax"),)), 64, seed=1).snapshot()
    app = _Harness()
    async with app.run_test(size=SIZE):
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        assert viewer.current_probabilities is None
        assert "no predictions yet" in viewer.render().plain
        show(viewer, network, digits)
        before = viewer.current_probabilities
        kept = before.copy()
        show(viewer, other, digits)
        assert viewer.current_probabilities is not before
        assert np.array_equal(before, kept)
        assert not np.array_equal(viewer.current_probabilities, kept)
        assert viewer.current_probabilities.sum() == pytest.approx(1, abs=1e-5)


async def test_fits_38_by_12(digits, network) -> None:
    app = _Harness()
    async with app.run_test(size=(38, 12)) as pilot:
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        show(viewer, network, digits)
        await pilot.pause()
        lines = viewer.render().plain.splitlines()
        assert len(lines) <= 12
        assert all(len(line) <= viewer.content_size.width for line in lines)
        assert sum("%" in line for line in lines) == 10  # every class still has its bar


async def test_iris_shows_features_and_draw_mode_refuses() -> None:
    iris = load_dataset("iris")
    net = Network.from_spec(ModelSpec((LayerSpec(3, "softmax"),)), 4, seed=0).snapshot()
    app = _Harness()
    async with app.run_test(size=SIZE):
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(iris)
        show(viewer, net, iris)
        text = viewer.render().plain
        assert all(name in text for name in iris.feature_names)
        assert "setosa" in text and "%" in text
        viewer.toggle_draw_mode()
        assert not viewer.draw_mode
        assert app.messages == ["draw mode needs an image dataset"]


async def test_regression_shows_predicted_and_true() -> None:
    sine = load_dataset("sine")
    net = Network.from_spec(ModelSpec((LayerSpec(8, "tanh"), LayerSpec(1, "linear")), "mse"), 1,
                            seed=0).snapshot()
    app = _Harness()
    async with app.run_test(size=SIZE):
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(sine)
        show(viewer, net, sine)
        text = viewer.render().plain
        predicted = sine.unscale_targets(net.predict_proba(sine.X_test[:1]))[0, 0]
        assert f"predicted {predicted:.4g}" in text
        assert f"true      {sine.unscale_targets(sine.y_test[:1])[0, 0]:.4g}" in text
        assert viewer.predicted_label is None
        viewer.next_misclassified()
        assert app.messages == ["misclassified samples need a classification dataset"]


async def test_mismatched_network_is_not_used(digits) -> None:
    iris_net = Network.from_spec(ModelSpec((LayerSpec(3, "softmax"),)), 4, seed=0).snapshot()
    three_classes = np.full((len(digits.X_test), 3), 1 / 3)
    app = _Harness()
    async with app.run_test(size=SIZE):
        viewer = app.query_one(DigitViewer)
        viewer.set_dataset(digits)
        viewer.set_predictions(three_classes, iris_net)
        assert viewer.current_probabilities is None
        assert "the model has 3 outputs; digits has 10 classes" in viewer.render().plain
        viewer.toggle_draw_mode()
        assert viewer.current_probabilities is None
        assert "the model takes 4 inputs" in viewer.render().plain
        viewer.set_predictions(three_classes[:5], iris_net)  # another split's: not shown
        viewer.toggle_draw_mode()
        assert "no predictions yet" in viewer.render().plain


class _MatrixHarness(App):
    def compose(self) -> ComposeResult:
        yield ConfusionMatrix()


async def test_confusion_matrix_renders_and_clears() -> None:
    app = _MatrixHarness()
    async with app.run_test(size=(40, 16)):
        widget = app.query_one(ConfusionMatrix)
        assert "no confusion matrix" in widget.render().plain
        widget.update_matrix(np.diag(np.arange(1, 11)), [str(d) for d in range(10)])
        lines = widget.render().plain.splitlines()
        assert lines[0] == " confusion (test, n=55) acc 1.000"  # a column of margin
        assert len(lines) == 12
        widget.clear(REGRESSION_MESSAGE)
        assert widget.render().plain.strip() == REGRESSION_MESSAGE
