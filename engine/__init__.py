"""nn-tui's engine: a small neural-network library in NumPy (forward pass, backprop by the chain
rule, gradient descent), with a threaded trainer that publishes immutable events.

It never imports a UI library; `tui/` and `engine.cli` only format what it publishes.
"""

from engine.activations import ACTIVATIONS
from engine.datasets import Dataset, dataset_names, load_dataset
from engine.errors import DatasetError, EngineError, ModelFileError, SpecError
from engine.events import (
    Diverged,
    EarlyStopped,
    EpochEnd,
    Event,
    Failed,
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
from engine.persistence import MODELS_DIR, ModelInfo, list_models, model_path, suggest_name
from engine.schedules import SCHEDULES
from engine.session import Evaluation, Session, default_layers, default_loss
from engine.spec import LayerSpec, ModelSpec, TrainConfig, parse_layers
from engine.trainer import LIVE_SETTINGS, TrainData, Trainer

__all__ = [
    "ACTIVATIONS",
    "LIVE_SETTINGS",
    "LOSSES",
    "MODELS_DIR",
    "OPTIMIZERS",
    "SCHEDULES",
    "Dataset",
    "DatasetError",
    "Dense",
    "Diverged",
    "EarlyStopped",
    "EngineError",
    "EpochEnd",
    "Evaluation",
    "Event",
    "Failed",
    "Finished",
    "LayerSpec",
    "ModelFileError",
    "ModelInfo",
    "ModelSpec",
    "Network",
    "Paused",
    "Reset",
    "Resumed",
    "Session",
    "SpecError",
    "Started",
    "Stopped",
    "TrainConfig",
    "TrainData",
    "Trainer",
    "dataset_names",
    "default_layers",
    "default_loss",
    "list_models",
    "load_dataset",
    "model_path",
    "parse_layers",
    "suggest_name",
]
