"""The inside view's key table (`InsideScreen`): its own keys, each with the footer's label and
the help screen's story, and the app's keys that still apply over it."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tui.inside.session import SECTIONS

# The app's keys that still apply here: training, pace, samples, saving, help, quit.
APP_ACTIONS = frozenset({
    "train", "pause", "resume", "continue_training", "step", "stop", "reinitialise",
    "next_sample", "previous_sample", "next_misclassified", "random_sample", "slower",
    "faster", "save", "help", "quit", "command_palette"})
SECTIONS_TIP = ("sections: 1 the first layer's weights, 2 the sample through the network, "
                "3 one training step, 4 edit weights by hand and try your own input")
STEP_ONLY = frozenset({"next_stage", "previous_stage", "retrace"})

INSIDE_BINDINGS: list[BindingType] = [
    Binding("escape,i", "close", "back", key_display="esc i",
            tooltip="back to the main screen (escape also cancels typing)"),
    *(Binding(str(k), f"section('{name}')", "sections", show=k == 1, key_display="1-4",
              tooltip=SECTIONS_TIP) for k, name in enumerate(SECTIONS, start=1)),
    Binding("enter,space", "next_stage", "next stage",
            tooltip="step section: trace one step for the sample shown, then the next stage"),
    Binding("backspace", "previous_stage", "stage back", tooltip="step: the stage before"),
    Binding("home", "retrace", "afresh",
            tooltip="step: trace again with the weights as they are now"),
    Binding("enter", "type_value", "type value",
            tooltip="edit section: type the selected weight's value, or your own input"),
    Binding("up,k", "move(-1)", "up", show=False, tooltip="edit: the row above; else scroll"),
    Binding("down,j", "move(1)", "down", show=False,
            tooltip="edit: the row below; else scroll"),
    Binding("pagedown", "page(1)", "next page", key_display="pgdn",
            tooltip="weights: the next page of tiles; else scroll a page"),
    Binding("pageup", "page(-1)", "page back", key_display="pgup", show=False,
            tooltip="weights: the page of tiles before; else scroll back"),
    Binding("a", "adopt", "adopt edits",
            tooltip="make the weights edited by hand the model's (not while training runs)"),
    Binding("u", "undo_edits", "undo edits", tooltip="back to the model's own weights"),
    Binding("g", "gradient_check", "gradient check",
            tooltip="check backprop against finite differences, layer by layer"),
]
