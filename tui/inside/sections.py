"""What each section of the inside view draws, from the session and what the app knows now (a
`Context`): pure functions to lines of text, tested without an app.

- weights: the first layer's tiles for an image dataset (paged), else every layer's W.
- sample: the sample shown in the viewer through the network, layer by layer.
- step: one training step on that sample, one stage at a time.
- edit: your own input and, for a small network, every weight and bias by name to edit;
  the input through the edited copy, its prediction and the loss; the `people` table.

The network drawn is the model's latest weights (a read-only snapshot) with the person's edits,
if any, applied to a copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text

from engine import Dataset, Network, ParamNames, forward_layers, update_rule
from tui.inside.forward_rows import forward_lines
from tui.inside.glyphs import Palette, legend, plain
from tui.inside.own_input import is_people, people_lines, prediction, raw_values, values_text
from tui.inside.params import EDITABLE_LIMIT, editable, param_lines, param_list, with_edits
from tui.inside.session import InsideSession, StepOptimizer
from tui.inside.step_view import Stage, step_stages, what_if
from tui.inside.tiles import weight_matrix, weight_tiles
from tui.numbers import step_number

PLAIN_SGD = StepOptimizer()
SMALL_SPLIT = 64  # rows: a training split this small is scored on every key press


@dataclass(frozen=True, eq=False)
class Context:
    """What the sections draw from: the dataset; `model`, a read-only snapshot of the model's
    weights at `epoch`; the current learning rate; and the sample shown in the viewer, `x`
    scaled as the network sees it, `y` its label (or targets), None for a drawing."""

    dataset: Dataset
    model: Network
    epoch: int
    lr: float
    x: np.ndarray | None
    y: np.ndarray | None
    sample: str  # "test sample 23 (true 3)"
    optimizer: StepOptimizer = PLAIN_SGD  # the run's, for the traced step's update

    @classmethod
    def of(cls, dataset: Dataset, model: Network, epoch: int, lr: float,
           shown: np.ndarray | None, index: int, drawing: bool,
           optimizer: StepOptimizer = PLAIN_SGD) -> Context:
        """The context of the viewer's input `shown` (scaled): test sample `index`, or a
        drawing, which has no label to learn from."""
        y, sample = None, "your drawing"
        if not drawing and len(dataset.X_test):
            y = dataset.y_test[index:index + 1]
            truth = (f" (true {dataset.class_names[int(y[0])]})" if dataset.is_classification
                     else "")
            sample = f"test sample {index + 1}{truth}"
        if shown is not None and shown.shape != (model.n_inputs,):
            shown = None  # the viewer follows another dataset for a moment
        return cls(dataset, model, epoch, lr, shown, y, sample, optimizer)


def shown_network(session: InsideSession, context: Context) -> Network:
    return with_edits(context.model, session.edits)


def edits_note(session: InsideSession, palette: Palette = plain) -> list[Text]:
    if not session.edits:
        return []
    count = len(session.edits)
    return [Text(f"showing an edited copy ({count} weight{'s' if count != 1 else ''} changed by "
                 "hand): a makes it the model, u undoes the edits", palette("warn"))]


def section_lines(session: InsideSession, context: Context, width: int, height: int,
                  palette: Palette = plain) -> tuple[str, list[Text]]:
    """The section's title and lines for a body `width` x `height`. Weights typed by hand may
    overflow (1e38): the numbers then read inf or nan, and no warning reaches the terminal."""
    draw = SECTION_DRAWERS[session.section]
    with np.errstate(all="ignore"):
        return draw(session, context, max(width, 20), max(height, 4), palette)


# ---------------------------------------------------------------- weights


def weights_section(session: InsideSession, context: Context, width: int, height: int,
                    palette: Palette) -> tuple[str, list[Text]]:
    network = shown_network(session, context)
    names = ParamNames.of(network)
    note = edits_note(session, palette)
    image_shape = context.dataset.image_shape
    if image_shape is not None and network.n_inputs == image_shape[0] * image_shape[1]:
        first = network.layers[0]
        labels = [names.unit(0, j) for j in range(first.n_out)]
        page = weight_tiles(first.W, image_shape, labels, session.page, width,
                            height - 2 - len(note), palette)
        session.page = page.page
        title = (f"layer 1 weights as pictures: units {page.first + 1}-{page.last} of "
                 f"{first.n_out}, page {page.page + 1}/{page.pages} (pgdn pgup)")
        return title, [*note, *page.lines, Text(), legend(palette, "the layer's 99th "
                                                            "percentile of |w|")]
    lines = [*note]
    features = list(context.dataset.feature_names)
    for index, layer in enumerate(network.layers):
        rows = (features if index == 0 and len(features) == layer.n_in
                else [names.input(i) if index == 0 else names.unit(index - 1, i)
                      for i in range(layer.n_in)])
        plural = "s" if layer.n_out != 1 else ""
        lines.append(Text(f"W{index + 1}: {layer.n_in} inputs down, {layer.n_out} "
                          f"{layer.activation} unit{plural} across", palette("header")))
        lines += weight_matrix(layer.W, rows, [names.unit(index, j) for j in range(layer.n_out)],
                               width, palette)
        lines.append(Text(f"b{index + 1}  " + "  ".join(step_number(b) for b in layer.b),
                          palette("muted"), no_wrap=True))
    lines.append(legend(palette))
    return "weights, layer by layer", lines


# ---------------------------------------------------------------- the sample


def sample_section(session: InsideSession, context: Context, width: int, height: int,
                   palette: Palette) -> tuple[str, list[Text]]:
    title = f"{context.sample} through the network (n p m R pick another)"
    if context.x is None:
        return title, [Text("no sample to show", palette("muted"))]
    network = shown_network(session, context)
    lines = [*edits_note(session, palette), *pass_lines(network, context, context.x, width,
                                                        palette)]
    return title, lines


def pass_lines(network: Network, context: Context, x: np.ndarray, width: int,
               palette: Palette) -> list[Text]:
    """`x` through `network`, then what it predicts."""
    passes = forward_layers(network, x)
    dataset = context.dataset
    outputs = list(dataset.class_names) if dataset.is_classification else None
    lines = forward_lines(x, passes, [layer.activation for layer in network.layers],
                          ParamNames.of(network), width, outputs, palette)
    lines.append(Text("prediction: " + prediction(network, dataset, passes[-1].a[0]),
                      palette("label")))
    return lines


# ---------------------------------------------------------------- one step


def stages_of(session: InsideSession, context: Context, width: int,
              palette: Palette = plain) -> list[Stage]:
    if session.trace is None:
        return []
    dataset = context.dataset
    outputs = list(dataset.class_names) if dataset.is_classification else None
    return step_stages(session.trace, width, outputs, palette, session.step_sample)


def step_section(session: InsideSession, context: Context, width: int, height: int,
                 palette: Palette) -> tuple[str, list[Text]]:
    stages = stages_of(session, context, width, palette)
    if not stages:
        rule, _ = update_rule(*context.optimizer)
        hint = (f"enter traces one training step on {context.sample}, with the weights as they "
                f"are now, updated by {rule.title} with lr = {context.lr:g} (as this run is "
                "configured): the forward pass, the loss, the backward pass and the update, one "
                f"stage per key press. {what_if(context.sample)}")
        return "one training step, stage by stage", [Text(hint, palette("muted"))]
    stage = stages[min(session.stage, len(stages) - 1)]
    trail = Text(no_wrap=True, overflow="ellipsis")
    for k, each in enumerate(stages):
        if k:
            trail.append(" › ", palette("muted"))
        current = k == session.stage
        trail.append(f"[{each.short}]" if current else each.short,
                     palette("selected") if current else palette("muted"))
    title = (f"step {session.step_count} (weights of epoch {session.traced_epoch}), stage "
             f"{session.stage + 1}/{len(stages)}: {stage.title}  "
             "(enter next, backspace back, home afresh)")
    return title, [trail, Text(), *stage.lines]


# ---------------------------------------------------------------- editing by hand


def edit_rows(context: Context) -> tuple[bool, int]:
    """Whether the list starts with the own-input row, and how many rows it has."""
    has_input = context.dataset.image_shape is None
    count = len(param_list(context.model)) if editable(context.model) else 0
    return has_input, int(has_input) + count


def edit_section(session: InsideSession, context: Context, width: int, height: int,
                 palette: Palette) -> tuple[str, list[Text]]:
    model, dataset = context.model, context.dataset
    network = shown_network(session, context)
    has_input, _ = edit_rows(context)
    lines = [*edits_note(session, palette)]
    session.focus_line = len(lines)
    if has_input:
        selected = session.selected == 0
        typed = (f"x = {values_text(session.own.raw)}" if session.own is not None
                 else f"x = (enter: raw values as in the data, e.g. "
                      f"{values_text(_example(dataset))})")
        lines.append(Text(("▸ " if selected else "  ") + "your input  " + typed,
                          palette("selected") if selected else palette("label"),
                          no_wrap=True, overflow="ellipsis"))
    else:
        lines.append(Text("an image: draw your own in the viewer (d on the main screen)",
                          palette("muted")))
    if editable(model):
        params = param_list(model)
        chosen = session.selected - int(has_input)
        lines.append(Text("weights and biases (↑↓ choose, enter types a value):",
                          palette("header")))
        grid = param_lines(params, network, model, session.edits,
                           chosen if chosen >= 0 else None, width, palette)
        if chosen >= 0:
            session.focus_line = len(lines) + chosen % len(grid)
        lines += grid
    else:
        lines.append(Text(f"editing by hand is for networks of up to {EDITABLE_LIMIT} weights "
                          f"and biases (this one has {model.n_params:,})", palette("muted")))
    x, where = _input_row(session, context)
    if x is not None:
        lines.append(Text(f"{where} through the network:", palette("header")))
        lines += pass_lines(network, context, x, width, palette)
    lines += _loss_lines(network, model, context, session, palette)
    if is_people(dataset):
        lines += [Text(), *people_lines(network, dataset, palette)]
    return "edit weights by hand, try your own input", lines


def _example(dataset: Dataset) -> np.ndarray:
    return raw_values(dataset, dataset.X_test[0]) if len(dataset.X_test) else np.zeros(
        dataset.n_features)


def _input_row(session: InsideSession, context: Context) -> tuple[np.ndarray | None, str]:
    if session.own is not None:
        return session.own.x, f"your input {values_text(session.own.raw)}"
    return context.x, context.sample


def _loss_lines(network: Network, model: Network, context: Context, session: InsideSession,
                palette: Palette) -> list[Text]:
    """The loss with the edits beside the model's: over a small training split, else on the
    viewer's sample."""
    dataset = context.dataset
    if len(dataset.X_train) <= SMALL_SPLIT:
        X, y, where = dataset.X_train, dataset.y_train, f"the {len(dataset.X_train)} training rows"
    elif context.x is not None and context.y is not None:
        X, y, where = context.x.reshape(1, -1), context.y, context.sample
    else:
        return []
    shown = network.loss_value(X, y)
    text = f"loss on {where}: {step_number(shown)}"
    if session.edits:
        text += f"  (the model's: {step_number(model.loss_value(X, y))})"
    return [Text(text, palette("label"))]


SECTION_DRAWERS = {"weights": weights_section, "sample": sample_section, "step": step_section,
                   "edit": edit_section}
