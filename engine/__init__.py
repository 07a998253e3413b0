"""nn-tui's engine: a small neural-network library in NumPy (forward pass, backprop by the chain
rule, gradient descent), with a threaded trainer that publishes immutable events.

It never imports a UI library; `tui/` and `engine.cli` only format what it publishes.
"""

from engine.activations import ACTIVATIONS
from engine.errors import DatasetError, EngineError, ModelFileError, SpecError
from engine.events import (
    Diverged,
    EarlyStopped,
    EpochEnd,
    Event,
    Finished,
    Paused,
    Reset,
    Resumed,
    Started,
    Stopped,
)
from engine.layers import Dense
from engine.losses import LOSSES
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.schedules import SCHEDULES
from engine.spec import LayerSpec, ModelSpec, TrainConfig, parse_layers
from engine.trainer import LIVE_SETTINGS, TrainData, Trainer

__all__ = [
    "ACTIVATIONS",
    "LIVE_SETTINGS",
    "LOSSES",
    "OPTIMIZERS",
    "SCHEDULES",
    "DatasetError",
    "Dense",
    "Diverged",
    "EarlyStopped",
    "EngineError",
    "EpochEnd",
    "Event",
    "Finished",
    "LayerSpec",
    "ModelFileError",
    "ModelSpec",
    "Network",
    "Paused",
    "Reset",
    "Resumed",
    "SpecError",
    "Started",
    "Stopped",
    "TrainConfig",
    "TrainData",
    "Trainer",
    "parse_layers",
]
