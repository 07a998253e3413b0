"""The words and shapes of a design change. What a change costs (`tui.design.change_kind`) decides
how the controller carries it out:

- live (lr, momentum, L2, batch size, patience): handed to the trainer, used from the next epoch;
- next_run (epochs, schedule, nesterov): used when training starts or continues (a run under
  way keeps its own);
- carry (optimizer): a new experiment that keeps the weights and the epochs;
- rebuild (layers, loss, dtype) and reload (seed; a dataset switch too): fresh weights, so once
  the model is trained the app asks `Change.question` first, and a "no" changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine import Experiment
from tui.design import Design

FIELD_LABELS = {"lr": "learning rate", "l2": "L2", "batch_size": "batch size",
                "schedule": "lr schedule"}
QUESTIONS = {
    "rebuild": "Change the model? The trained weights are re-initialised.",
    "reload": "Reload the data (new seed, noise or inputs)? The trained weights are lost.",
}


@dataclass(frozen=True)
class Outcome:
    """What carrying out a change did: `note` is the log's line about it. `adopted`: a new
    experiment replaced the current one. `build`: the change needs an experiment loaded (a
    dataset may take a second), which the app runs in a worker and then adopts."""

    note: str
    adopted: bool = False
    build: Callable[[], Experiment] | None = None


@dataclass(frozen=True)
class Change:
    """A change the person asked for: ask `question` first when there is one (trained weights
    would be lost), then call `carry_out`, which raises a user's error (EngineError, OSError,
    MemoryError) with the reason and leaves everything as it was."""

    kind: str
    question: str | None
    carry_out: Callable[[], Outcome]


def described(design: Design, fields: frozenset[str]) -> str:
    """`learning rate 0.01, L2 0.001`: the changed settings as the log says them."""
    parts = []
    for name in sorted(fields):
        value = getattr(design.config, name, None)
        if isinstance(value, bool):
            value = "on" if value else "off"
        if value is not None and not isinstance(value, dict):  # schedule_options follow
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            parts.append(f"{FIELD_LABELS.get(name, name)} {shown}")
    return ", ".join(parts) or design.spec.layers_text
