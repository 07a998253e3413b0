"""What the `nn_tui` metadata of a model file may hold, checked field by field.

The metadata is one JSON object (see `Experiment.metadata` for everything a saved model has):

    {"format": "nn-tui/1", "n_inputs": 4, "dtype": "float32", "seed": 0,
     "model": {"layers": [{"units": 8, "activation": "relu"}, ...], "loss": "cross_entropy"},
     "train": {TrainConfig's fields}, "optimizer": {"name": "adam", ...},
     "dataset": {"name": "iris", "sizes": {"train": 104, ...}, "load": {load_dataset's
                 arguments}, ...},
     "history": [{"event": "epoch", "epoch": 1, "train_loss": 0.9, ...}, ...],
     "epochs_trained": 3, "test": {"loss": 0.4, "accuracy": 0.9, ...}, "created_at": "..."}

Only `model` and `n_inputs` are required; any other key may be missing, and unknown keys are
kept as they are. A known key of the wrong type (`"optimizer": "adam"`, `"units": 1e400`, which
JSON reads as the float inf) is refused here, in one line naming the field, so nothing that reads
a model (the CLI's `info`, `Experiment.load`, the app) meets a value it cannot use. Files are
refused, too, when nested deeper than any model's metadata is (`MAX_DEPTH`).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Union, get_args, get_origin, get_type_hints

from engine.io.header import is_int
from engine.nn.spec import TrainConfig

MAX_DEPTH = 32  # levels of JSON nesting; a model's own metadata needs 4
MAX_PATH = 4000  # bytes of a dataset path: below PATH_MAX, so looking it up cannot fail
MAX_PATH_PART = 255  # bytes of one path component (NAME_MAX)


class Rule:
    """A check of one JSON value; `problem` says what is wrong with it (None if nothing)."""

    def problem(self, value: Any, where: str) -> str | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Value(Rule):
    """A leaf: `test(value)` must hold; `expect` says what it must be, for the message."""

    expect: str
    test: Callable[[Any], bool]

    def problem(self, value: Any, where: str) -> str | None:
        return None if self.test(value) else f"{where} must be {self.expect} (got {_shown(value)})"


@dataclass(frozen=True)
class Object(Rule):
    """A JSON object: the `known` keys (those in `required` must be there) follow their rules;
    with `others`, so does every other key's value."""

    known: Mapping[str, Rule] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    others: Rule | None = None

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} must be a JSON object (got {_shown(value)})"
        prefix = f"{where}." if where else ""
        missing = sorted(self.required - value.keys())
        if missing:
            return f"{prefix}{missing[0]} is missing"
        for key, item in value.items():
            rule = self.known.get(key, self.others)
            found = rule.problem(item, f"{prefix}{key}") if rule is not None else None
            if found:
                return found
        return None


@dataclass(frozen=True)
class ListOf(Rule):
    """A JSON list whose every item follows `item`."""

    item: Rule

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return f"{where} must be a list (got {_shown(value)})"
        for i, item in enumerate(value):
            found = self.item.problem(item, f"{where}[{i}]")
            if found:
                return found
        return None


@dataclass(frozen=True)
class AnyOf(Rule):
    """Any one of `rules` will do (`float | None`)."""

    rules: tuple[Rule, ...]
    expect: str

    def problem(self, value: Any, where: str) -> str | None:
        if any(rule.problem(value, where) is None for rule in self.rules):
            return None
        return f"{where} must be {self.expect} (got {_shown(value)})"


def _shown(value: Any) -> str:
    """The value as a message shows it: numbers themselves, anything else by its kind."""
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 20 else f"a {len(text)}-digit number"
    kinds: dict[type, str] = {str: "a string", list: "a list", dict: "a JSON object"}
    return kinds.get(type(value), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_path(value: Any) -> bool:
    """A string that names a path the file system can look up without an error."""
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        raw = value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape
        return False
    return len(raw) <= MAX_PATH and all(len(part) <= MAX_PATH_PART for part in raw.split(b"/"))


ANYTHING = Value("anything", lambda value: True)
TEXT = Value("a string", lambda value: isinstance(value, str))
PATH = Value(f"a path (a string of at most {MAX_PATH} bytes)", _is_path)
FLAG = Value("true or false", lambda value: isinstance(value, bool))
NUMBER = Value("a number", _is_number)
WHOLE = Value("a whole number", is_int)
COUNT = Value("a whole number >= 0", lambda value: is_int(value) and value >= 0)
POSITIVE = Value("a whole number >= 1", lambda value: is_int(value) and value >= 1)
NULL = Value("null", lambda value: value is None)
LIST = ListOf(ANYTHING)
OBJECT = Object()
NUMBER_OR_NULL = AnyOf((NUMBER, NULL), "a number or null")


_SIMPLE: dict[Any, Rule] = {bool: FLAG, int: WHOLE, float: NUMBER, str: TEXT, dict: OBJECT,
                            Mapping: OBJECT, list: LIST, tuple: LIST, type(None): NULL}


def _rule_for(annotation: Any) -> Rule:
    """The rule for a value of a dataclass field annotated `annotation` (`float`, `int | None`,
    `dict[str, float]`...); anything unforeseen is let through."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = get_args(annotation)
        return AnyOf(tuple(_rule_for(member) for member in members),
                     " or ".join(getattr(m, "__name__", str(m)) for m in members))
    return _SIMPLE.get(origin or annotation, ANYTHING)


def _train_rule() -> Object:
    """TrainConfig's fields, each of its annotated type (the ranges are TrainConfig's to check).
    Should the annotations not resolve, the types of the defaults stand in for them."""
    try:
        hints = get_type_hints(TrainConfig)
    except Exception:  # e.g. a name imported only for type checkers
        defaults = TrainConfig()
        hints = {f.name: type(getattr(defaults, f.name)) for f in fields(TrainConfig)}
    known = {f.name: _rule_for(hints.get(f.name)) for f in fields(TrainConfig)}
    known["seed"] = COUNT
    return Object(known)


LAYER = Object({"units": POSITIVE, "activation": TEXT}, required=frozenset({"units",
                                                                             "activation"}))
DATASET_LOAD = Object({  # load_dataset's arguments (engine.data.datasets)
    "name_or_path": PATH, "abs_path": PATH, "seed": COUNT, "val_size": NUMBER,
    "test_size": NUMBER, "noise": NUMBER_OR_NULL, "n_samples": AnyOf((WHOLE, NULL),
                                                                    "a whole number or null"),
})
# An epoch's figures (engine.train.events.EpochEnd): numbers, null where a figure does not apply.
EPOCH = Object({"event": TEXT, "epoch": COUNT}, others=NUMBER_OR_NULL)

METADATA = Object(
    {
        "format": TEXT,
        "model": Object({"layers": ListOf(LAYER), "loss": TEXT}, required=frozenset({"layers"})),
        "n_inputs": POSITIVE,
        "dtype": Value("float32 or float64", lambda value: value in ("float32", "float64")),
        "seed": COUNT,
        "created_at": TEXT,
        "train": _train_rule(),
        "optimizer": Object({"name": TEXT}),
        "dataset": Object({
            "name": TEXT, "task": TEXT, "source": TEXT, "sizes": Object(others=COUNT),
            "n_features": COUNT, "n_outputs": COUNT, "feature_names": LIST, "class_names": LIST,
            "image_shape": AnyOf((ListOf(COUNT), NULL), "a list of whole numbers or null"),
            "scaling": OBJECT, "target_scaling": OBJECT, "load": DATASET_LOAD,
        }),
        "class_names": LIST,
        "history": ListOf(EPOCH),
        "epochs_trained": COUNT,
        "test": Object({"split": TEXT, "n": COUNT}, others=NUMBER_OR_NULL),
    },
    required=frozenset({"model", "n_inputs"}),
)


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Levels of nesting of a JSON value (a number is 0, `[[1]]` is 2), counted without
    recursion and only up to `limit + 1`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            level += 1
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level) for child in children
                         if isinstance(child, (list, dict)))
    return deepest


def metadata_problem(meta: Any) -> str | None:
    """What is wrong with a model's metadata (parsed JSON), as a phrase naming the field
    ("optimizer must be a JSON object (got a string)"); None if it can be used."""
    if depth(meta) > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    return METADATA.problem(meta, "")
