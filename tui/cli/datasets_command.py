"""`nn-tui datasets`: every built-in set with its size, its inputs, what it predicts and what it
teaches, so a newcomer finds `--dataset` names without reading the source. The sets fetched by
name (mnist, fashion_mnist) are listed from what is known of them, never downloaded or loaded,
with whether the cache holds them already."""

from __future__ import annotations

import argparse

from engine.data.builtins import ABOUT
from engine.data.datasets import dataset_names, load_dataset
from engine.data.fetch import CLASSES, FETCHABLE, SAMPLES, SIDE, cached_images
from engine.data.idx import FASHION_CLASSES
from tui.cli.output import emit_json


def dataset_row(name: str) -> dict[str, object]:
    """One built-in set's facts as the JSON object `datasets --json` prints."""
    ds = load_dataset(name)
    whole = ds.X_test is ds.X_train  # people, the gates: every split is the whole table
    rows = len(ds.X_train) if whole else len(ds.X_train) + len(ds.X_val) + len(ds.X_test)
    target: dict[str, object] = (
        {"classes": len(ds.class_names), "class_names": list(ds.class_names)}
        if ds.is_classification else {"targets": ds.n_outputs})
    return {"event": "dataset", "name": name, "task": ds.task, "samples": rows,
            "features": ds.n_features, **target, "about": ABOUT.get(name, "")}


def fetched_row(name: str) -> dict[str, object]:
    """A set fetched by name (mnist, fashion_mnist): its facts as known without downloading or
    loading it, and whether the cache holds it already (`fetched`)."""
    source = FETCHABLE[name]
    class_names = FASHION_CLASSES if source.fashion else tuple(str(c) for c in range(CLASSES))
    return {"event": "dataset", "name": name, "task": "classification", "samples": SAMPLES,
            "features": SIDE * SIDE, "classes": CLASSES, "class_names": list(class_names),
            "about": source.about, "fetched": cached_images(name) is not None,
            "download_mb": source.megabytes}


def _about(row: dict[str, object]) -> str:
    if "fetched" not in row:
        return str(row["about"])
    where = "cached" if row["fetched"] else f"downloads once, ~{row['download_mb']:.0f} MB"
    return f"{row['about']} ({where})"


def _predicts(row: dict[str, object]) -> str:
    if "classes" in row:
        return f"{row['classes']} classes"
    return "regression" if row["targets"] == 1 else f"regression, {row['targets']} targets"


def cmd_datasets(args: argparse.Namespace) -> int:
    rows = [dataset_row(name) for name in dataset_names()]
    rows += [fetched_row(name) for name in FETCHABLE]
    if args.json:
        for row in rows:
            emit_json(row)
        return 0
    table: list[tuple[str, str, str, str, str]] = [
        ("name", "samples", "features", "predicts", "what it teaches")]
    table += [(str(r["name"]), str(r["samples"]), str(r["features"]), _predicts(r),
               _about(r)) for r in rows]
    widths = [max(len(cells[i]) for cells in table) for i in range(4)]
    for cells in table:
        print("  ".join([cells[0].ljust(widths[0]), cells[1].rjust(widths[1]),
                         cells[2].rjust(widths[2]), cells[3].ljust(widths[3]),
                         cells[4]]).rstrip())
    print("\nAlso: a .csv file (features, then the label, in each row) or an .npz file "
          "(arrays X and y).")
    return 0

