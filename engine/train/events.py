"""Immutable events the trainer and its runner publish, so any thread can read them: plain ints,
floats and strings, except `Evaluated`, whose arrays are read-only. `to_dict` gives JSON-able
values for the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np

from engine.inside.layer_stats import NetworkStats


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"
    epoch: int  # epochs completed when the event happened

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, **asdict(self)}

    @property
    def text(self) -> str:
        return f"{self.kind} at epoch {self.epoch}"


@dataclass(frozen=True)
class Started(Event):
    kind: ClassVar[str] = "started"
    target_epoch: int
    n_train: int
    batch_size: int

    @property
    def text(self) -> str:
        start = "started" if self.epoch == 0 else f"continued from epoch {self.epoch}"
        return f"{start}: training to epoch {self.target_epoch} on {self.n_train} samples"


@dataclass(frozen=True)
class EpochEnd(Event):
    """Figures for one epoch. Classification fills the *_acc fields, regression *_r2 and val_mae;
    the others are None. Validation figures are None when there is no validation split."""

    kind: ClassVar[str] = "epoch"
    train_loss: float
    val_loss: float | None
    lr: float
    seconds: float
    samples_per_sec: float
    train_acc: float | None = None
    val_acc: float | None = None
    train_r2: float | None = None
    val_r2: float | None = None
    val_mae: float | None = None

    @property
    def is_regression(self) -> bool:
        return self.train_acc is None

    @property
    def train_score(self) -> float | None:
        return self.train_r2 if self.is_regression else self.train_acc

    @property
    def val_score(self) -> float | None:
        return self.val_r2 if self.is_regression else self.val_acc

    @property
    def text(self) -> str:
        return f"epoch {self.epoch} loss {self.train_loss:.4f}"


@dataclass(frozen=True)
class Paused(Event):
    kind: ClassVar[str] = "paused"


@dataclass(frozen=True)
class Resumed(Event):
    kind: ClassVar[str] = "resumed"


@dataclass(frozen=True)
class Stopped(Event):
    kind: ClassVar[str] = "stopped"

    @property
    def text(self) -> str:
        return f"stopped at epoch {self.epoch}; weights kept"


@dataclass(frozen=True)
class Finished(Event):
    kind: ClassVar[str] = "finished"

    @property
    def text(self) -> str:
        return f"finished at epoch {self.epoch}"


@dataclass(frozen=True)
class EarlyStopped(Event):
    kind: ClassVar[str] = "early_stopped"
    best_epoch: int
    best_val_loss: float

    @property
    def text(self) -> str:
        return (f"early-stopped at epoch {self.epoch}: no better validation loss since epoch "
                f"{self.best_epoch} ({self.best_val_loss:.4f}); its weights restored")


@dataclass(frozen=True)
class Diverged(Event):
    """`epoch` is the epoch that diverged; the weights are those from before it."""

    kind: ClassVar[str] = "diverged"
    loss: str  # the loss that gave it away, as text: "nan", "inf" or e.g. "2.75e+04"

    @property
    def text(self) -> str:
        return (f"diverged at epoch {self.epoch} (loss became {self.loss}); "
                "try a smaller learning rate")


@dataclass(frozen=True)
class Failed(Event):
    """The training thread hit an error it could not handle; the weights are kept."""

    kind: ClassVar[str] = "failed"
    reason: str

    @property
    def text(self) -> str:
        return f"training failed at epoch {self.epoch}: {self.reason}"


@dataclass(frozen=True)
class Reset(Event):
    kind: ClassVar[str] = "reset"

    @property
    def text(self) -> str:
        return "weights re-initialised"


@dataclass(frozen=True)
class Evaluated(Event):
    """The held-out (test) split scored with the weights as they were at the end of `epoch`.
    `TrainingRunner` computes it off the UI thread, so a view shows the confusion matrix and
    every sample's prediction without a forward pass of its own. Classification fills
    `accuracy` and `confusion` ((k, k) counts, true class by row), regression `r2`;
    `probabilities` are the network's outputs, (n, outputs). Both arrays are read-only."""

    kind: ClassVar[str] = "evaluated"
    n: int
    accuracy: float | None
    r2: float | None
    confusion: np.ndarray | None = field(compare=False, repr=False)
    probabilities: np.ndarray = field(compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.kind, "epoch": self.epoch, "n": self.n,
                               "accuracy": self.accuracy, "r2": self.r2}
        if self.confusion is not None:
            out["confusion"] = self.confusion.tolist()
        return out

    @property
    def text(self) -> str:
        score = (f"accuracy {self.accuracy:.3f}" if self.accuracy is not None
                 else f"R² {self.r2:.3f}" if self.r2 is not None else "no score")
        return f"epoch {self.epoch} on {self.n} held-out samples: {score}"


@dataclass(frozen=True)
class InsideStats(Event):
    """Every layer's health at the end of `epoch` (`engine.inside.layer_stats`), measured by the
    training thread on the training network itself, at most every `Trainer.inside_seconds` and
    on the run's last epoch. `stats` is frozen and its arrays read-only. Measured outside a run
    (fresh or edited weights), `stats`' update ratios are None: no step was taken."""

    kind: ClassVar[str] = "inside"
    stats: NetworkStats = field(compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, "epoch": self.epoch,
                "layers": [{"activation": layer.activation, "grad_norm": layer.grad_norm,
                            "update_ratio": layer.update_ratio,
                            "activation_mean": layer.activation_mean,
                            layer.health_kind or "health": layer.health_fraction}
                           for layer in self.stats.layers]}

    @property
    def text(self) -> str:
        return f"layer figures at epoch {self.epoch}"
