"""The app's state and intentions without Textual: `Controller` (see `controller.py`, the
intentions, built on `app_state.py`, what the app knows), the event-fed `TrainState`
(`state.py`) and the shapes of a design change (`changes.py`)."""

from tui.controller.changes import Change, Outcome
from tui.controller.controller import Controller
from tui.controller.state import TrainState

__all__ = ["Change", "Controller", "Outcome", "TrainState"]
