"""The commands on a saved model: `evaluate` (the test split's scores), `info` (a Keras-style
summary), `predict` (the output for typed inputs) and `inspect` (one sample's forward and
backward pass, every number of backprop)."""

from __future__ import annotations

import argparse

import numpy as np

from engine.experiment import Experiment
from engine.inside.step_trace import trace_step
from engine.io.model_folder import model_path
from engine.io.model_reader import load_network
from tui.cli.inside_output import (
    prediction_dict,
    prediction_line,
    trace_dict,
    trace_lines,
    vector,
)
from tui.cli.model_inputs import InputError, SavedModel, dataset_sample
from tui.cli.output import emit_json, info_summary, print_evaluation, print_info


def cmd_evaluate(args: argparse.Namespace) -> int:
    session = Experiment.load(model_path(args.model), dataset=getattr(args, "dataset", None))
    test = session.evaluate("test")
    names = [str(n) for n in session.dataset.class_names]
    if args.json:
        emit_json({"event": "evaluate", "model": session.name, "dataset": session.dataset.name,
                   **test.to_dict(), "class_names": names})
        return 0
    print_evaluation(session.name, session.dataset.name, test, names)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    path = str(model_path(args.model))
    info = info_summary(path, *load_network(path))
    if args.json:
        emit_json({"event": "info", **info})
        return 0
    print_info(info)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    model = SavedModel.open(str(model_path(args.model)))
    rows = [model.sample(text) for text in args.input]  # every input checked before any output
    raw = np.array([r for r, _ in rows])
    with np.errstate(all="ignore"):
        outputs = model.network.predict_proba(np.array([seen for _, seen in rows]))
    if not np.isfinite(outputs).all():
        bad = int(np.flatnonzero(~np.isfinite(outputs).all(axis=1))[0])
        raise InputError(f"--input {args.input[bad]!r}: the network's output overflows (an "
                         "input far outside what it was trained on?)")
    for values, output in zip(raw, outputs, strict=True):
        predicted = model.predicted(output)
        if args.json:
            emit_json(prediction_dict(values, output, predicted))
        else:
            print(prediction_line(values, output, predicted))
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    by_input = args.input is not None or args.target is not None
    by_sample = args.sample is not None or args.dataset is not None
    if by_input == by_sample:
        raise InputError("inspect needs either --input and --target, or --sample N (with "
                         "--dataset, or the model's own)")
    model = SavedModel.open(str(model_path(args.model)))
    if by_input:
        if args.input is None or args.target is None:
            raise InputError(f"{'--target' if args.input is not None else '--input'} is "
                             "missing (inspect --input X1,X2,... --target Y)")
        raw, x = model.sample(args.input)
        y = model.target(args.target)
        scaled = ("no input scaling" if np.array_equal(raw, x) else
                  "scaled with the model's input scaling")
        sample = f"--input {args.input} ({scaled}), target {args.target}"
    else:
        if args.sample is None:
            raise InputError("--dataset needs --sample N (which test sample to inspect)")
        picked = dataset_sample(model, args.dataset, args.sample)
        x, y = picked.x, picked.y
        target = (model.class_name(int(y[0])) if model.is_classifier else
                  vector(model.targets.undo(np.asarray(y[0], dtype=np.float64))))
        sample = (f"{picked.dataset} test sample {picked.index + 1} (as the network sees it: "
                  f"after scaling), target {target}")
    with np.errstate(all="ignore"):
        trace = trace_step(model.network, x, y, lr=0.0)
    arrays = [a for layer in trace.layers for a in (layer.z, layer.a, layer.dW, layer.db)]
    if not (np.isfinite(trace.loss_before) and all(np.isfinite(a).all() for a in arrays)):
        raise InputError("the numbers overflow for this sample (an input far outside what the "
                         "network was trained on?)")
    if args.json:
        emit_json(trace_dict(trace))
        return 0
    net = model.network
    layers = " -> ".join([str(net.n_inputs), *(f"{layer.n_out} {layer.activation}"
                                               for layer in net.layers)])
    print("\n".join(trace_lines(trace, f"{model.path}: {layers}, loss {trace.loss_name}",
                                sample)))
    return 0
