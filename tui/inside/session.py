"""`InsideSession`: what the inside view shows and what a person has changed in it, in plain
Python (no Textual), so the screen stays a thin map from keys to these calls.

It holds the section shown, the page of weight tiles, the traced training step and the stage
reached, the selected row of the edit list, the edits made by hand (names to values, applied to a
copy of the latest weights whenever they are drawn), the person's own input and the latest
gradient check. Nothing here changes the model: adopting edits goes through the controller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from engine import GradientCheck, Network, StepTrace, UpdateState, apply_step, trace_step

SECTIONS = ("weights", "sample", "step", "edit")


class StepOptimizer(NamedTuple):
    """The run's optimizer as `TrainConfig` names it, for the traced step's update."""

    optimizer: str = "sgd"
    momentum: float = 0.9
    nesterov: bool = False


@dataclass(frozen=True)
class OwnInput:
    """Feature values a person typed: `raw` as typed, `x` as the network sees them."""

    raw: np.ndarray
    x: np.ndarray


class InsideSession:
    """The inside view's state (see the module's story)."""

    def __init__(self, section: str = SECTIONS[0]) -> None:
        self.section = section
        self.reset(None)

    def reset(self, owner: object | None) -> None:
        """Forgets everything but the section: `owner` (the experiment) is another network,
        whose weights the edits, the trace and the check do not name."""
        self.owner = owner
        self.page = 0
        self.trace: StepTrace | None = None
        self.stepped: Network | None = None  # the weights the traced step starts from
        self.step_optimizer = StepOptimizer()  # the run's optimizer when the step was traced
        self.step_sample = ""  # which sample it was traced on: "test sample 23 (true 3)"
        self.step_count = 0  # steps traced on this sample since the last fresh trace
        self.traced_epoch = 0
        self.stage = 0
        self.selected = 0  # row of the edit list (the own-input row first, when there is one)
        self.focus_line = 0  # the edit section's line of the selected row, to keep in view
        self.edits: dict[str, float] = {}
        self.own: OwnInput | None = None
        self.checks: GradientCheck | None = None
        self.checks_epoch = 0
        self.checking = False

    # -- sections ---------------------------------------------------------------------------
    def show(self, section: str) -> None:
        if section in SECTIONS:
            self.section = section

    # -- the weight tiles ---------------------------------------------------------------------
    def turn_page(self, step: int) -> None:
        """The tiles wrap round: the renderer takes the page modulo the page count."""
        self.page += step

    # -- one step, stage by stage ---------------------------------------------------------------
    def start_step(self, network: Network, x: npt.ArrayLike, y: npt.ArrayLike, lr: float,
                   epoch: int, optimizer: StepOptimizer | None = None,
                   sample: str = "", state: UpdateState | None = None) -> None:
        """Traces one step of `network` (read only) on one sample (`sample` says which), by the
        rule of `optimizer` (the run's; default plain SGD) from `state` (the run's own, or None:
        a fresh one); stage 0 (the sample). Weights typed by hand may overflow: the numbers read
        inf or nan, without a warning."""
        self.step_optimizer = optimizer or StepOptimizer()
        self.step_sample = sample
        with np.errstate(all="ignore"):
            self.trace = trace_step(network, x, y, lr, *self.step_optimizer, state=state)
        self.stepped, self.step_count, self.traced_epoch, self.stage = network, 1, epoch, 0

    def next_stage(self, stages: int) -> None:
        """The next of `stages` stages; past the update, the next step on the updated copy
        (its forward pass: the sample is the same)."""
        if self.trace is None or self.stepped is None:
            return
        if self.stage < stages - 1:
            self.stage += 1
            return
        with np.errstate(all="ignore"):
            self.stepped = apply_step(self.stepped, self.trace)
            self.trace = trace_step(self.stepped, self.trace.x, self.trace.y, self.trace.lr,
                                    *self.step_optimizer, state=self.trace.state_after)
        self.step_count += 1
        self.stage = 1

    def previous_stage(self) -> None:
        self.stage = max(self.stage - 1, 0)

    def forget_step(self) -> None:
        self.trace, self.stepped, self.stage, self.step_count = None, None, 0, 0

    # -- the edit list ------------------------------------------------------------------------
    def move(self, step: int, rows: int) -> None:
        """Moves the selection among `rows` rows (wrapping)."""
        if rows > 0:
            self.selected = (self.selected + step) % rows

    def set_param(self, name: str, value: float) -> None:
        self.edits[name] = value

    def undo_edits(self) -> None:
        self.edits.clear()

    def set_own_input(self, raw: np.ndarray, x: np.ndarray) -> None:
        self.own = OwnInput(raw, x)

    # -- the gradient check -------------------------------------------------------------------
    def checked(self, result: GradientCheck, epoch: int) -> None:
        self.checks, self.checks_epoch, self.checking = result, epoch, False
