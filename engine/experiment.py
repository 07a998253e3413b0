"""`Experiment`: one dataset, one model spec, one training config, the network built from them and
its trainer. The CLI and the app both work through it, so building, evaluating, saving and
loading a model happen in one place."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.data import metrics
from engine.data.dataset_types import Dataset
from engine.data.datasets import load_dataset
from engine.errors import DatasetError, ModelFileError, SpecError
from engine.io.model_file import save_network
from engine.io.model_folder import model_path
from engine.io.model_reader import load_network
from engine.network import Network
from engine.nn.spec import LayerSpec, ModelSpec, TrainConfig, parse_layers
from engine.train.events import EpochEnd
from engine.train.held_out import HeldOut
from engine.train.runner import TrainingRunner
from engine.train.train_data import TrainData
from engine.train.trainer import Trainer

# The loss that suits each output activation, used when none is named.
DEFAULT_LOSS = {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy"}


def default_loss(layers: Sequence[LayerSpec]) -> str:
    """The loss that suits the last layer: cross-entropy after softmax, binary cross-entropy
    after sigmoid, else mean squared error (and cross-entropy for no layers at all)."""
    return DEFAULT_LOSS.get(layers[-1].activation, "mse") if layers else "cross_entropy"


def default_layers(dataset: Dataset) -> tuple[LayerSpec, ...]:
    """100 relu units, then an output layer of `dataset.n_outputs` units that fits the dataset
    (softmax, or linear for regression): what `nn-tui --dataset wine` builds when no --layers is
    given."""
    out = "softmax" if dataset.is_classification else "linear"
    return (LayerSpec(100, "relu"), LayerSpec(dataset.n_outputs, out))


@dataclass(frozen=True)
class Evaluation:
    """Scores of one split with the current weights, over its `n` samples: accuracy and the
    confusion counts (int, (classes, classes), rows the true class) for a classifier, r2 and mae
    (in the dataset's own units) for a regressor; loss is nan for an empty split."""

    split: str
    n: int
    loss: float
    accuracy: float | None = None
    r2: float | None = None
    mae: float | None = None
    confusion: npt.NDArray[np.integer[Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the scores that are set, the confusion counts as nested lists."""
        out: dict[str, Any] = {"split": self.split, "n": self.n, "loss": self.loss}
        for key in ("accuracy", "r2", "mae"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.confusion is not None:
            out["confusion"] = self.confusion.tolist()
        return out


class Experiment:
    """One dataset, a model spec and a training config, with the `Network` built from them (or
    given), its `Trainer` and the `TrainingRunner` the app trains in. The dataset's X arrays are
    (n, n_features) and the network maps them to (n, n_outputs); a spec or config that cannot
    work raises `SpecError` with the reason.
    """

    def __init__(self, dataset: Dataset, spec: ModelSpec, config: TrainConfig,
                 network: Network | None = None, name: str | None = None,
                 dataset_options: dict[str, Any] | None = None) -> None:
        reasons = spec.validate(dataset.n_features, dataset.n_outputs, dataset.task)
        reasons += config.validate()
        if reasons:
            raise SpecError(reasons[0])
        self.dataset = dataset
        self.spec = spec
        if network is not None and network.n_inputs != dataset.n_features:
            raise SpecError(f"the model takes {network.n_inputs} inputs but {dataset.name} has "
                            f"{dataset.n_features} features")
        self.network = network or Network.from_spec(spec, dataset.n_features, seed=config.seed,
                                                    dtype=config.dtype)
        self.trainer = Trainer(self.network, TrainData.from_dataset(dataset), config)
        # The thread the app trains in; it also scores the weights on the test split.
        self.runner = TrainingRunner(self.trainer, HeldOut.test_split(dataset))
        self.name = name
        # How `dataset` was loaded (name or path, seed, split sizes...), saved with the model so
        # that opening it again gives the same split; None when the caller built the dataset.
        self.dataset_options = dataset_options
        self.created_at = time.strftime("%Y-%m-%dT%H:%M:%S")
        self._saved_last: EpochEnd | None = None  # the last epoch a file holds
        self._saved_edit: object | None = None  # the trainer's edit mark a file holds

    @property
    def unsaved(self) -> bool:
        """True when epochs were trained, or weights set by hand, that no file holds: what
        quitting now would lose."""
        history, edit = self.trainer.history, self.trainer.edit_mark
        return (bool(history) and history[-1] is not self._saved_last) or \
            (edit is not None and edit is not self._saved_edit)

    @property
    def edited(self) -> bool:
        """Whether weights were set by hand (`Trainer.set_params`) since the last reset."""
        return self.trainer.edit_mark is not None

    def _mark_saved(self) -> None:
        self._saved_last = self.trainer.history[-1] if self.trainer.history else None
        self._saved_edit = self.trainer.edit_mark

    @classmethod
    def create(cls, dataset: str | Dataset = "digits",
               layers: str | Sequence[LayerSpec] | None = None,
               loss: str | None = None, config: TrainConfig | None = None,
               val_size: float = 0.15, test_size: float = 0.15, noise: float | None = None,
               n_samples: int | None = None, features: Sequence[str] = ()) -> Experiment:
        """Builds everything from the CLI's kind of options: a dataset name or path (loaded with
        the config's seed and these split sizes, `noise`, `n_samples` and Playground's extra
        input `features`) or a `Dataset`; layers as text ("32:relu,3:softmax") or specs, None
        for `default_layers`. Raises EngineError with a reason."""
        config = (config or TrainConfig()).checked()
        options = None
        if isinstance(dataset, str):
            options = {"name_or_path": dataset, "seed": config.seed, "val_size": val_size,
                       "test_size": test_size, "noise": noise, "n_samples": n_samples}
            if features:
                options["features"] = list(features)
            dataset = _load(options, config.dtype)
        if layers is None:
            layer_specs = default_layers(dataset)
        else:
            layer_specs = parse_layers(layers) if isinstance(layers, str) else tuple(layers)
        spec = ModelSpec(layer_specs, loss or default_loss(layer_specs))
        return cls(dataset, spec, config, dataset_options=options)

    @property
    def config(self) -> TrainConfig:
        """The settings in force: the trainer's, which live changes (lr, L2...) update."""
        return self.trainer.config

    def with_settings(self, config: TrainConfig) -> Experiment:
        """A session with other settings (optimizer, patience...) that keeps the weights, the
        epoch count and the history; the optimizer's state starts afresh."""
        twin = Experiment(self.dataset, self.spec, config, network=self.network, name=self.name,
                       dataset_options=self.dataset_options)
        twin.trainer.epoch = self.trainer.epoch
        twin.trainer.history = list(self.trainer.history)
        twin._saved_last = self._saved_last
        twin.trainer.edit_mark, twin._saved_edit = self.trainer.edit_mark, self._saved_edit
        return twin

    def rebuilt(self, spec: ModelSpec | None = None, dataset: Dataset | None = None,
                config: TrainConfig | None = None) -> Experiment:
        """A new session with fresh weights; this one is left as it was."""
        options = self.dataset_options if dataset is None else None
        return Experiment(dataset or self.dataset, spec or self.spec, config or self.config,
                       dataset_options=options)

    # -- scores -------------------------------------------------------------------------------
    def evaluate(self, split: str = "test", network: Network | None = None, *,
                 confusion: bool = True) -> Evaluation:
        """Scores `network` (default: this one's) on the "train", "val" or "test" split.
        `confusion=False` leaves the counts out: they cost a scikit-learn import (about 1.2 s
        of CPU) to a process that needs nothing else of it, such as `nn-tui train`."""
        net = network or self.network
        X = getattr(self.dataset, f"X_{split}")
        y = getattr(self.dataset, f"y_{split}")
        if len(X) == 0:
            return Evaluation(split, 0, float("nan"))
        out = net.predict_proba(X)
        z = net.logits(X)
        loss = net.loss.value(z, out, net.targets(y))
        if self.dataset.task != "classification":
            scale = np.asarray(self.dataset.target_scaling.get("scale", 1.0))
            return Evaluation(split, len(X), loss, r2=metrics.r2(out, y),
                              mae=metrics.mae(out * scale, y * scale))
        labels = net.labels_from_outputs(out)
        counts = metrics.confusion(labels, y, self.dataset.n_outputs) if confusion else None
        return Evaluation(split, len(X), loss, accuracy=metrics.accuracy(labels, y),
                          confusion=counts)

    # -- files --------------------------------------------------------------------------------
    def metadata(self, *, test: Evaluation | None = None) -> dict[str, Any]:
        """Everything needed to rebuild and describe this model, JSON-able. `test`: the
        current weights' test scores, if the caller has them already (not scored again)."""
        return {
            "format": "nn-tui/1",
            "model": self.spec.to_dict(),
            "n_inputs": self.network.n_inputs,
            "dtype": self.network.dtype.name,
            "train": self.config.to_dict(),
            "optimizer": {"name": self.config.optimizer, **self.trainer.optimizer.settings},
            "dataset": {**self.dataset.describe(), "load": self.dataset_load()},
            "class_names": list(self.dataset.class_names),
            "history": [event.to_dict() for event in self.trainer.history],
            "epochs_trained": self.trainer.epoch,
            "test": (test or self.evaluate("test", confusion=False)).to_dict(),
            "seed": self.config.seed,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }

    def dataset_load(self) -> dict[str, Any]:
        """The `load_dataset` arguments that give this dataset and split again (estimated from
        the split sizes when the caller built the dataset itself)."""
        ds = self.dataset
        options: dict[str, Any]
        if self.dataset_options is not None:
            options = dict(self.dataset_options)
        else:
            total = len(ds.X_train) + len(ds.X_val) + len(ds.X_test)
            val, test = round(len(ds.X_val) / total, 2), round(len(ds.X_test) / total, 2)
            if val + test >= 1:  # "people" shares its four rows among all splits
                val, test = 0.15, 0.15
            options = {"name_or_path": ds.name if ds.source == "builtin" else ds.source,
                       "seed": self.config.seed, "val_size": val, "test_size": test,
                       "noise": ds.noise, "n_samples": None}
            if ds.input_features:
                options["features"] = list(ds.input_features[2:])
        if ds.source != "builtin":  # reopened from another folder, the relative path fails
            options["abs_path"] = str(Path(ds.source).expanduser().resolve())
        return options

    def save(self, path: str, overwrite: bool = False, *, test: Evaluation | None = None) -> str:
        """Saves to `path` (a bare name: saved_models/NAME.safetensors); `test`: see metadata."""
        written = save_network(self.network, model_path(path), metadata=self.metadata(test=test),
                               overwrite=overwrite)
        self.name = written
        self._mark_saved()
        return written

    @classmethod
    def load(cls, path: str, dataset: str | Dataset | None = None) -> Experiment:
        """Opens a saved model with the dataset and split it was trained on, or with `dataset`
        (a name, path or Dataset) if it fits the model's inputs and outputs."""
        file = model_path(path)
        network, meta = load_network(file, Network)
        known = {f.name for f in fields(TrainConfig)}
        try:
            config = TrainConfig(**{k: v for k, v in (meta.get("train") or {}).items()
                                    if k in known})
            options = {"seed": config.seed, "val_size": 0.15, "test_size": 0.15,
                       **((meta.get("dataset") or {}).get("load") or {})}
            trained_on: str = options.get("name_or_path") or meta["dataset"]["name"]
        except (TypeError, KeyError, AttributeError):
            raise ModelFileError(f"{file}: broken training or dataset metadata") from None
        same = dataset is None or dataset == trained_on
        if dataset is None:
            dataset = trained_on
            if not Path(trained_on).exists() and Path(options.get("abs_path") or "").is_file():
                dataset = options["abs_path"]
        if isinstance(dataset, str):
            try:
                dataset = _load({**options, "name_or_path": dataset} if same else
                                {**options, "name_or_path": dataset, "noise": None,
                                 "n_samples": None}, network.dtype.name)
            except DatasetError as exc:
                if not same:
                    raise
                raise DatasetError(f"{file}: cannot reopen the dataset it was trained on "
                                   f"({exc}); choose another dataset") from None
        try:
            session = cls(dataset, network.spec, config, network=network, name=str(file),
                          dataset_options=options if same else None)
        except SpecError as exc:
            raise SpecError(f"{file} does not fit {dataset.name}: {exc}") from None
        session.trainer.epoch = int(meta.get("epochs_trained", 0) or 0)
        session.trainer.history = _history(meta.get("history"))
        session._mark_saved()
        return session


def _load(options: dict[str, Any], dtype: str) -> Dataset:
    """`options` as `dataset_load` records them; X in the network's `dtype` (files only)."""
    return load_dataset(options["name_or_path"], seed=options["seed"],
                        val_size=options["val_size"], test_size=options["test_size"],
                        noise=options.get("noise"), n_samples=options.get("n_samples"),
                        features=options.get("features") or (), dtype=dtype)


def _history(entries: list[dict[str, Any]] | None) -> list[EpochEnd]:
    """The saved epoch figures back as events, for the charts. `entries` is a model file's
    `history` as read, unchecked: anything that does not fit gives []."""
    known = {f.name for f in fields(EpochEnd)}
    try:
        return [EpochEnd(**{k: v for k, v in entry.items() if k in known})
                for entry in entries or () if entry.get("event") == "epoch"]
    except (TypeError, AttributeError):
        return []
