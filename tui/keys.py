"""The app's key table: each key, its action, the footer's short label and the help screen's
longer story (the tooltip). Several bindings share `t`; the app's `check_action` enables the one
that fits the trainer's state, so the footer says "train", "pause", "resume" or "train more".
The command palette offers the same actions (`palette_commands`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

LOG_TIP = ("scroll the training log a page back / on (with the log focused, tab to it: "
           "up, down, home and end too)")
TRAIN_TIP = "start / pause / resume training; once finished, train another round"

_BINDINGS: list[Binding] = [
    Binding("t", "train", "train", tooltip=TRAIN_TIP),
    Binding("t", "pause", "pause", tooltip=TRAIN_TIP),
    Binding("t", "resume", "resume", tooltip=TRAIN_TIP),
    Binding("t", "continue_training", "train more", tooltip=TRAIN_TIP),
    Binding("s", "step", "one epoch", tooltip="train exactly one epoch, then pause"),
    Binding("x", "stop", "stop", tooltip="stop training; the weights are kept"),
    Binding("r", "reinitialise", "re-init",
            tooltip="re-initialise the weights (asks first once trained)"),
    Binding("n", "next_sample", "next sample", tooltip="next test sample"),
    Binding("p", "previous_sample", "previous sample", show=False,
            tooltip="previous test sample"),
    Binding("m", "next_misclassified", "misclassified",
            tooltip="next misclassified test sample"),
    Binding("R", "random_sample", "random sample", show=False,
            tooltip="a random test sample"),
    Binding("d", "draw", "draw",
            tooltip="draw mode: edit the image and watch the prediction change"),
    Binding("l", "log_scale", "log loss", tooltip="loss chart on a log scale, or back"),
    Binding("left_square_bracket", "slower", "slower", key_display="[",
            tooltip="slower training pace, down to 1 epoch/s"),
    Binding("right_square_bracket", "faster", "faster", key_display="]",
            tooltip="faster training pace, up to full speed"),
    Binding("i", "inside", "inside",
            tooltip="look inside the network: layer health, weights as pictures, one training "
                    "step traced, weights edited by hand"),
    Binding("v", "switch_view", "other view",
            tooltip="small terminals: switch between the design and watch views"),
    Binding("w", "cycle_view", "next picture",
            tooltip="the sample panel's next picture: decision regions, neurons, the function, "
                    "predicted vs true, the projection, the test sample (those that apply)"),
    Binding("full_stop", "next_layer", "next layer", key_display=".",
            tooltip="neurons: the next layer's units"),
    Binding("comma", "previous_layer", "previous layer", key_display=",",
            tooltip="neurons: the previous layer's units"),
    Binding("o", "test_points", "test points",
            tooltip="decision regions and the function: the test split's points too (filled)"),
    Binding("z", "zoom", "zoom", tooltip="the sample panel over the whole screen, or back "
                                        "(escape too); its maps are drawn at the larger size"),
    Binding("e", "runs", "runs",
            tooltip="every run recorded: sort, filter, overlay on the charts, open, delete"),
    Binding("b", "race", "race",
            tooltip="race variations of the design (optimizers, learning rates...) in worker "
                    "processes, their curves on the same charts; x stops them"),
    Binding("ctrl+s", "save", "save", tooltip="save the model (asks for a name)"),
    Binding("ctrl+o", "open", "open", tooltip="open a saved model"),
    Binding("question_mark,f1", "help", "help", key_display="? f1",
            tooltip="this help"),
    Binding("q", "quit", "quit", tooltip="quit (asks first while training runs); ctrl+c too"),
    Binding("pageup", "log_page_up", "log back", key_display="pgup", show=False,
            tooltip=LOG_TIP),
    Binding("pagedown", "log_page_down", "log on", key_display="pgdn", show=False,
            tooltip=LOG_TIP),
    Binding("tab", "focus_next", "next panel", show=False),
    Binding("shift+tab", "focus_previous", "previous panel", show=False),
    Binding("ctrl+p", "command_palette", "commands", tooltip="the command palette: every action"),
]

# The id a keymap (config.toml's [keys]) names a binding by: its action, but `train` for the four
# actions `t` switches between, which move together.
TRAIN_ACTIONS = {"train", "pause", "resume", "continue_training"}
APP_BINDINGS: list[BindingType] = [
    replace(b, id="train" if b.action in TRAIN_ACTIONS else b.action) for b in _BINDINGS]
KEYMAP_IDS = frozenset(b.id for b in Binding.make_bindings(APP_BINDINGS) if b.id)

OWN_ACTIONS = frozenset(binding.action for binding in Binding.make_bindings(APP_BINDINGS))
NOT_IN_PALETTE = {"focus_next", "focus_previous", "command_palette", "quit"}  # quit: Textual's


def palette_commands(app: App, applies: Callable[[str], bool | None]) -> Iterable[SystemCommand]:
    """A command per app key that `applies` now, each once though it has several keys (? and
    f1), calling the app's `action_...` method."""
    offered: set[str] = set()
    for binding in Binding.make_bindings(APP_BINDINGS):
        if binding.action in NOT_IN_PALETTE | offered or not applies(binding.action):
            continue
        offered.add(binding.action)
        yield SystemCommand(binding.description.capitalize(),
                            binding.tooltip or f"key: {binding.key}",
                            getattr(app, f"action_{binding.action}"))
