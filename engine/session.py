"""`Session`: one dataset, one model spec, one training config, the network built from them and
its trainer. The CLI and the app both work through it, so building, evaluating, saving and
loading a model happen in one place."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from engine import metrics
from engine.datasets import Dataset, load_dataset
from engine.errors import SpecError
from engine.network import Network
from engine.spec import LayerSpec, ModelSpec, TrainConfig, parse_layers
from engine.trainer import Trainer, TrainData

# The loss that suits each output activation, used when none is named.
DEFAULT_LOSS = {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy"}


def default_loss(layers: tuple[LayerSpec, ...]) -> str:
    return DEFAULT_LOSS.get(layers[-1].activation, "mse") if layers else "cross_entropy"


def default_layers(dataset: Dataset) -> tuple[LayerSpec, ...]:
    """100 relu units, then an output layer that fits the dataset (softmax, or linear for
    regression): what `nn-tui --dataset wine` builds when no --layers is given."""
    out = "softmax" if dataset.is_classification else "linear"
    return (LayerSpec(100, "relu"), LayerSpec(dataset.n_outputs, out))


@dataclass(frozen=True)
class Evaluation:
    """Scores of one split with the current weights."""

    split: str
    n: int
    loss: float
    accuracy: float | None = None
    r2: float | None = None
    mae: float | None = None
    confusion: np.ndarray | None = None

    def to_dict(self) -> dict:
        out = {"split": self.split, "n": self.n, "loss": self.loss}
        for key in ("accuracy", "r2", "mae"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.confusion is not None:
            out["confusion"] = self.confusion.tolist()
        return out


class Session:
    def __init__(self, dataset: Dataset, spec: ModelSpec, config: TrainConfig,
                 network: Network | None = None, name: str | None = None) -> None:
        reasons = spec.validate(dataset.n_features, dataset.n_outputs, dataset.task)
        reasons += config.validate()
        if reasons:
            raise SpecError(reasons[0])
        self.dataset = dataset
        self.spec = spec
        self.config = config
        if network is not None and network.n_inputs != dataset.n_features:
            raise SpecError(f"the model takes {network.n_inputs} inputs but {dataset.name} has "
                            f"{dataset.n_features} features")
        self.network = network or Network.from_spec(spec, dataset.n_features, seed=config.seed,
                                                    dtype=config.dtype)
        self.trainer = Trainer(self.network, TrainData.from_dataset(dataset), config)
        self.name = name
        self.created_at = time.strftime("%Y-%m-%dT%H:%M:%S")

    @classmethod
    def create(cls, dataset: str | Dataset = "digits", layers: str | tuple | None = None,
               loss: str | None = None, config: TrainConfig | None = None,
               val_size: float = 0.15, test_size: float = 0.15) -> Session:
        """Builds everything from the CLI's kind of options; raises EngineError with a reason."""
        config = (config or TrainConfig()).checked()
        if isinstance(dataset, str):
            dataset = load_dataset(dataset, seed=config.seed, val_size=val_size,
                                   test_size=test_size)
        if layers is None:
            layer_specs = default_layers(dataset)
        else:
            layer_specs = parse_layers(layers) if isinstance(layers, str) else tuple(layers)
        spec = ModelSpec(layer_specs, loss or default_loss(layer_specs))
        return cls(dataset, spec, config)

    def rebuilt(self, spec: ModelSpec | None = None, dataset: Dataset | None = None,
                config: TrainConfig | None = None) -> Session:
        """A new session with fresh weights; this one is left as it was."""
        return Session(dataset or self.dataset, spec or self.spec, config or self.config)

    def with_config(self, **changes: object) -> Session:
        return self.rebuilt(config=replace(self.config, **changes))

    # -- scores -------------------------------------------------------------------------------
    def evaluate(self, split: str = "test", network: Network | None = None) -> Evaluation:
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
        return Evaluation(split, len(X), loss, accuracy=metrics.accuracy(labels, y),
                          confusion=metrics.confusion(labels, y, self.dataset.n_outputs))

    # -- files --------------------------------------------------------------------------------
    def metadata(self) -> dict:
        """Everything needed to rebuild and describe this model, JSON-able."""
        test = self.evaluate("test")
        return {
            "format": "nn-tui/1",
            "model": self.spec.to_dict(),
            "n_inputs": self.network.n_inputs,
            "dtype": self.network.dtype.name,
            "train": self.config.to_dict(),
            "optimizer": {"name": self.config.optimizer, **self.trainer.optimizer.settings},
            "dataset": self.dataset.describe(),
            "class_names": list(self.dataset.class_names),
            "history": [event.to_dict() for event in self.trainer.history],
            "epochs_trained": self.trainer.epoch,
            "test": {k: v for k, v in test.to_dict().items() if k != "confusion"},
            "seed": self.config.seed,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }

    def save(self, path: str, overwrite: bool = False) -> str:
        from engine.persistence import save_network

        written = save_network(self.network, path, metadata=self.metadata(), overwrite=overwrite)
        self.name = written
        return written

    @classmethod
    def load(cls, path: str, dataset: str | Dataset | None = None) -> Session:
        """Opens a saved model with the dataset it was trained on (or another that fits)."""
        from engine.persistence import load_network

        network, meta = load_network(path)
        config = TrainConfig(**{**TrainConfig().to_dict(), **meta.get("train", {})})
        if dataset is None:
            dataset = meta.get("dataset", {}).get("source_name") or \
                meta.get("dataset", {}).get("name", "digits")
        if isinstance(dataset, str):
            ds_meta = meta.get("dataset", {})
            dataset = load_dataset(dataset, seed=config.seed,
                                   val_size=ds_meta.get("val_size", 0.15),
                                   test_size=ds_meta.get("test_size", 0.15))
        if network.n_inputs != dataset.n_features:
            raise SpecError(f"{path}: the model takes {network.n_inputs} inputs but "
                            f"{dataset.name} has {dataset.n_features} features")
        session = cls(dataset, network.spec, config, network=network, name=str(path))
        session.trainer.epoch = int(meta.get("epochs_trained", 0))
        return session
