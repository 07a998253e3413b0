"""nn-tui's engine: a small neural-network library in NumPy (forward pass, backprop by the chain
rule, gradient descent), with a threaded trainer that publishes immutable events.

It never imports a UI library; `tui/` and `tui.cli.main` only format what it publishes.
"""

from engine.data.builtins import PEOPLE_NAMES
from engine.data.dataset_types import Dataset
from engine.data.datasets import dataset_names, load_dataset
from engine.data.features import EXTRA_FEATURES
from engine.errors import DatasetError, EngineError, ModelFileError, RunStoreError, SpecError
from engine.experiment import Evaluation, Experiment, default_layers, default_loss
from engine.inside.forward import LayerPass, forward_layers
from engine.inside.gradient_check import GradientCheck, LayerCheck, gradient_check
from engine.inside.input_maps import (
    FunctionCurve,
    Grid,
    InputMaps,
    data_ranges,
    function_curve,
    input_grid,
    input_maps,
)
from engine.inside.layer_stats import (
    HEALTH_CHECKS,
    HEALTHY_UPDATE_BAND,
    HEALTHY_UPDATE_RATIO,
    LayerStats,
    NetworkStats,
)
from engine.inside.names import ParamNames
from engine.inside.projection import Projection
from engine.inside.run_state import run_state
from engine.inside.step_trace import StepTrace, TracedLayer, UpdateState, trace_step
from engine.inside.step_update import UPDATE_RULES, UpdateRule, update_rule
from engine.inside.weight_edits import apply_step, edit_param
from engine.io.model_folder import MODELS_DIR, ModelInfo, list_models, model_path, suggest_name
from engine.network import Network
from engine.nn.activations import ACTIVATIONS
from engine.nn.backends import BACKENDS, warm_up_backend
from engine.nn.layers import Dense
from engine.nn.losses import LOSSES
from engine.nn.optimizers import OPTIMIZERS
from engine.nn.schedules import SCHEDULES
from engine.nn.spec import LayerSpec, ModelSpec, TrainConfig, parse_layers
from engine.numbers import NumberError, finite_number
from engine.runs.race import MAX_RUNS as RACE_MAX_RUNS
from engine.runs.race import MIN_RUNS as RACE_MIN_RUNS
from engine.runs.race import Race, RaceEvent, Variation
from engine.runs.recorder import RunRecorder
from engine.runs.rows import EpochRow, RunRow
from engine.runs.store import RunStore
from engine.train.events import (
    Diverged,
    EarlyStopped,
    EpochEnd,
    Evaluated,
    Event,
    Failed,
    Finished,
    InsideStats,
    Paused,
    Reset,
    Resumed,
    Started,
    Stopped,
)
from engine.train.history import EpochHistory
from engine.train.live_settings import LIVE_SETTINGS
from engine.train.train_data import TrainData
from engine.train.trainer import Trainer
from engine.version import __version__

__all__ = [
    "ACTIVATIONS",
    "BACKENDS",
    "EXTRA_FEATURES",
    "HEALTHY_UPDATE_BAND",
    "HEALTHY_UPDATE_RATIO",
    "HEALTH_CHECKS",
    "LIVE_SETTINGS",
    "LOSSES",
    "MODELS_DIR",
    "OPTIMIZERS",
    "PEOPLE_NAMES",
    "RACE_MAX_RUNS",
    "RACE_MIN_RUNS",
    "SCHEDULES",
    "UPDATE_RULES",
    "Dataset",
    "DatasetError",
    "Dense",
    "Diverged",
    "EarlyStopped",
    "EngineError",
    "EpochEnd",
    "EpochHistory",
    "EpochRow",
    "Evaluated",
    "Evaluation",
    "Event",
    "Experiment",
    "Failed",
    "Finished",
    "FunctionCurve",
    "GradientCheck",
    "Grid",
    "InputMaps",
    "InsideStats",
    "LayerCheck",
    "LayerPass",
    "LayerSpec",
    "LayerStats",
    "ModelFileError",
    "ModelInfo",
    "ModelSpec",
    "Network",
    "NetworkStats",
    "NumberError",
    "ParamNames",
    "Paused",
    "Projection",
    "Race",
    "RaceEvent",
    "Reset",
    "Resumed",
    "RunRecorder",
    "RunRow",
    "RunStore",
    "RunStoreError",
    "SpecError",
    "Started",
    "StepTrace",
    "Stopped",
    "TracedLayer",
    "TrainConfig",
    "TrainData",
    "Trainer",
    "UpdateRule",
    "UpdateState",
    "Variation",
    "__version__",
    "apply_step",
    "data_ranges",
    "dataset_names",
    "default_layers",
    "default_loss",
    "edit_param",
    "finite_number",
    "forward_layers",
    "function_curve",
    "gradient_check",
    "input_grid",
    "input_maps",
    "list_models",
    "load_dataset",
    "model_path",
    "parse_layers",
    "run_state",
    "suggest_name",
    "trace_step",
    "update_rule",
    "warm_up_backend",
]
