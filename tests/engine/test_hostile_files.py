"""Crafted and hostile model files: every one is refused with one `ModelFileError` line naming the
file, through every way in (`Network.load`, `Experiment.load`, `nn-tui info|evaluate`, the
saved_models/ listing), before anything large is built, and without ever blocking on a FIFO.
Stale temporary files of killed saves are cleaned, and nothing that is not ours is touched."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.errors import ModelFileError
from engine.experiment import Experiment
from engine.io import model_file
from engine.io.model_file import save_network
from engine.io.model_folder import list_models
from engine.io.model_reader import load_network, read_metadata
from engine.network import Network
from engine.nn.layers import Dense
from engine.nn.network import NetworkCore
from engine.nn.spec import MAX_PARAMS, LayerSpec, ModelSpec, TrainConfig
from tui.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
DEEP = "[" * 100_000 + "]" * 100_000
RAW = "\x00raw\x00"  # stands for a piece of raw JSON text in a value, see `_meta_text`
HANG_GUARD = 30  # seconds before a call that should return at once counts as blocked


# ---------------------------------------------------------------- crafting files


def _split(path: Path) -> tuple[dict[str, Any], bytes]:
    """(the safetensors header as a dict, the tensor bytes) of a file."""
    data = path.read_bytes()
    n = int.from_bytes(data[:8], "little")
    return json.loads(data[8:8 + n]), data[8 + n:]


def _write(path: Path, header_text: str, body: bytes) -> Path:
    raw = header_text.encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + body)
    return path


def _json_with_raw(value: Any, raw: str) -> str:
    """`value` as JSON, with the string RAW replaced by `raw` (JSON that json.dumps never writes:
    1e400, 100,000 nested lists)."""
    return json.dumps(value).replace(json.dumps(RAW), raw)


def _set(tree: dict[str, Any], keys: tuple[str | int, ...], value: Any) -> None:
    for key in keys[:-1]:
        tree = tree[key]  # type: ignore[index]
    tree[keys[-1]] = value  # type: ignore[index]


def _with_meta(good: Path, dst: Path, keys: tuple[str | int, ...], raw: str) -> Path:
    """A copy of `good` whose nn_tui metadata has `raw` JSON text at `keys`."""
    header, body = _split(good)
    meta = json.loads(header["__metadata__"]["nn_tui"])
    _set(meta, keys, RAW)
    header["__metadata__"]["nn_tui"] = _json_with_raw(meta, raw)
    return _write(dst, json.dumps(header), body)


def _with_header(good: Path, dst: Path, keys: tuple[str | int, ...], raw: str) -> Path:
    """A copy of `good` whose safetensors header has `raw` JSON text at `keys`."""
    header, body = _split(good)
    _set(header, keys, RAW)
    return _write(dst, _json_with_raw(header, raw), body)


def _epoch(**changes: Any) -> dict[str, Any]:
    entry = {"event": "epoch", "epoch": 1, "train_loss": 0.5, "val_loss": 0.6, "lr": 0.01,
             "seconds": 0.1, "samples_per_sec": 1000.0, "train_acc": 0.8, "val_acc": 0.7}
    return {**entry, **changes}


# name -> (in the header or the metadata, where, raw JSON text, a word the message must hold)
HOSTILE: dict[str, tuple[str, tuple[str | int, ...], str, str]] = {
    "header nested 100,000 deep": ("header", ("deep",), DEEP, "nested"),
    "metadata nested 100,000 deep": ("meta", ("note",), DEEP, "nested"),
    "data_offsets 1e400": ("header", ("layers.0.weight", "data_offsets", 1), "1e400",
                           "layers.0.weight"),
    "shape 1e400": ("header", ("layers.0.weight", "shape", 0), "1e400", "layers.0.weight"),
    "units 1e400": ("meta", ("model", "layers", 0, "units"), "1e400", "units"),
    "n_inputs 1e400": ("meta", ("n_inputs",), "1e400", "n_inputs"),
    "seed 1e400": ("meta", ("seed",), "1e400", "seed"),
    "optimizer a string": ("meta", ("optimizer",), '"adam"', "optimizer"),
    "train a string": ("meta", ("train",), '"lr=1"', "train"),
    "train.lr a list": ("meta", ("train", "lr"), "[1]", "lr"),
    "train.seed 1e400": ("meta", ("train", "seed"), "1e400", "seed"),
    "test a string": ("meta", ("test",), '"accuracy"', "test"),
    "test.accuracy a string": ("meta", ("test", "accuracy"), '"high"', "accuracy"),
    "dataset.sizes a string": ("meta", ("dataset", "sizes"), '"many"', "sizes"),
    "dataset.load a list": ("meta", ("dataset", "load"), "[1, 2]", "load"),
    "dataset.load.name_or_path a dict": ("meta", ("dataset", "load", "name_or_path"),
                                         '{"a": 1}', "name_or_path"),
    "epochs_trained a string": ("meta", ("epochs_trained",), '"abc"', "epochs_trained"),
    "epochs_trained 1e400": ("meta", ("epochs_trained",), "1e400", "epochs_trained"),
    "history a number": ("meta", ("history",), "5", "history"),
    "history of strings": ("meta", ("history",), '["epoch 1"]', "history"),
    "history with a text loss": ("meta", ("history",),
                                 json.dumps([_epoch(train_loss="low")]), "history"),
    "n_inputs a billion": ("meta", ("n_inputs",), "1000000000", "parameters"),
    "dataset.load.name_or_path 5000 bytes": ("meta", ("dataset", "load", "name_or_path"),
                                             json.dumps("x" * 5000 + ".csv"), "name_or_path"),
    "dataset.load.abs_path with a NUL": ("meta", ("dataset", "load", "abs_path"),
                                         json.dumps("/tmp/a\0b.csv"), "abs_path"),
    "optimizer nested 990 deep": ("meta", ("optimizer", "x"), "[" * 990 + "]" * 990, "nested"),
    "a tensor name with a newline": ("header", ("evil\nname",),
                                     '{"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}',
                                     "unexpected"),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model trained one epoch on iris and saved by `Experiment.save`."""
    session = Experiment.create("iris", "8:relu,3:softmax", config=TrainConfig(epochs=1, seed=2))
    list(session.trainer.run())
    folder = tmp_path_factory.mktemp("good")
    return Path(session.save(str(folder / "good.safetensors")))


def _hostile(case: str, good: Path, folder: Path) -> Path:
    where, keys, raw, _ = HOSTILE[case]
    dst = folder / f"{case.replace(' ', '_').replace(',', '')}.safetensors"
    return (_with_header if where == "header" else _with_meta)(good, dst, keys, raw)


def _assert_one_line_naming(message: str, path: Path, word: str = "") -> None:
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    assert word in message, message


def test_the_untouched_file_opens_every_way(good: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    """The hostile files below differ from this one in one field only."""
    assert Network.load(good).n_inputs == 4
    assert Experiment.load(str(good)).trainer.epoch == 1
    assert cli_main(["info", str(good)]) == 0
    assert cli_main(["evaluate", str(good)]) == 0
    assert capsys.readouterr().err == ""
    copy = _with_meta(good, good.parent / "copy.safetensors", ("note",), '"hi"')
    assert read_metadata(copy)["note"] == "hi"


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_through_network_load(tmp_path: Path, good: Path, case: str) -> None:
    path = _hostile(case, good, tmp_path)
    with pytest.raises(ModelFileError) as info:
        Network.load(path)
    _assert_one_line_naming(str(info.value), path, HOSTILE[case][3])


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_through_experiment_load(tmp_path: Path, good: Path, case: str) -> None:
    path = _hostile(case, good, tmp_path)
    with pytest.raises(ModelFileError) as info:
        Experiment.load(str(path))
    _assert_one_line_naming(str(info.value), path, HOSTILE[case][3])


@pytest.mark.parametrize("command", ["info", "evaluate"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_through_the_cli(tmp_path: Path, good: Path, case: str, command: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = _hostile(case, good, tmp_path)
    assert cli_main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert str(path) in err and HOSTILE[case][3] in err


def test_listing_shows_hostile_files_as_broken(tmp_path: Path, good: Path) -> None:
    paths = {str(_hostile(case, good, tmp_path)) for case in HOSTILE}
    save_network(Network.load(good), tmp_path / "fine.safetensors")
    infos = {info.path: info for info in list_models(tmp_path)}
    assert set(infos) == {*paths, str(tmp_path / "fine.safetensors")}
    assert infos.pop(str(tmp_path / "fine.safetensors")).error is None
    for path, info in infos.items():
        assert info.error is not None, path
        _assert_one_line_naming(info.error, Path(path))


# ---------------------------------------------------------------- sizes checked before building


@pytest.fixture
def no_building(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any layer or network built from now on fails the test (and is never allocated)."""
    built: list[str] = []

    def refuse(name: str) -> Callable[..., None]:
        def init(self: object, *args: object, **kwargs: object) -> None:
            built.append(name)
            raise AssertionError(f"{name} built before the file was checked")
        return init

    monkeypatch.setattr(Dense, "__init__", refuse("Dense"))
    monkeypatch.setattr(NetworkCore, "__init__", refuse("NetworkCore"))
    return built


def _claiming(good: Path, dst: Path, n_inputs: int, units: int) -> Path:
    """`good`'s small tensors under metadata that claims one n_inputs -> units softmax layer."""
    layers = json.dumps([{"units": units, "activation": "softmax"}])
    path = _with_meta(good, dst, ("model", "layers"), layers)
    return _with_meta(path, dst, ("n_inputs",), str(n_inputs))


def _offsets(good: Path, dst: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    header, body = _split(good)
    edit(header)
    return _write(dst, json.dumps(header), body)


def _shift_first_weight(header: dict[str, Any]) -> None:
    """layers.0.weight 8 bytes short, layers.0.bias 8 bytes long: the end is still the file's."""
    weight, bias = header["layers.0.weight"], header["layers.0.bias"]
    weight["data_offsets"][1] -= 8
    bias["data_offsets"][0] -= 8


def _overlap(header: dict[str, Any]) -> None:
    """layers.1.bias (3 floats) moved inside layers.0.weight: the right size, the wrong place."""
    header["layers.1.bias"]["data_offsets"] = [0, 12]


def _as_ints(header: dict[str, Any]) -> None:
    header["layers.0.weight"]["dtype"] = "I32"


def test_a_huge_claim_is_refused_before_anything_is_built(tmp_path: Path, good: Path,
                                                          no_building: list[str]) -> None:
    path = _claiming(good, tmp_path / "huge.safetensors", 2500, 100_000)
    assert path.stat().st_size < 10_000
    for load in (load_network, Network.load, lambda p: Experiment.load(str(p))):
        with pytest.raises(ModelFileError) as info:
            load(path)
        _assert_one_line_naming(str(info.value), path, f"{MAX_PARAMS:,}")
    assert no_building == []


def test_metadata_that_disagrees_with_the_tensors_is_refused_before_building(
        tmp_path: Path, good: Path, no_building: list[str]) -> None:
    """Under the parameter ceiling, but 10 million parameters the file does not hold."""
    path = _claiming(good, tmp_path / "big.safetensors", 1000, 10_000)
    with pytest.raises(ModelFileError) as info:
        Network.load(path)
    _assert_one_line_naming(str(info.value), path, "(10000, 1000)")
    assert no_building == []


@pytest.mark.parametrize(("edit", "word"), [(_shift_first_weight, "data_offsets"),
                                            (_overlap, "data_offsets"),
                                            (_as_ints, "I32")])
def test_tensor_entries_are_checked_before_building(tmp_path: Path, good: Path,
                                                    no_building: list[str],
                                                    edit: Callable[[dict[str, Any]], None],
                                                    word: str) -> None:
    path = _offsets(good, tmp_path / "offsets.safetensors", edit)
    with pytest.raises(ModelFileError) as info:
        Network.load(path)
    _assert_one_line_naming(str(info.value), path, word)
    assert no_building == []


def _sparse_model(path: Path, n_inputs: int, units: int) -> Path:
    """A float32 n_inputs -> units linear model whose header is right in every way; the tensor
    bytes are a hole (zeros), so a file of any claimed size costs nothing."""
    meta = {"format": "nn-tui/1", "n_inputs": n_inputs, "dtype": "float32",
            "model": {"layers": [{"units": units, "activation": "linear"}], "loss": "mse"}}
    weight = 4 * units * n_inputs
    header = {"__metadata__": {"nn_tui": json.dumps(meta)},
              "layers.0.weight": {"dtype": "F32", "shape": [units, n_inputs],
                                  "data_offsets": [0, weight]},
              "layers.0.bias": {"dtype": "F32", "shape": [units],
                                "data_offsets": [weight, weight + 4 * units]}}
    _write(path, json.dumps(header), b"")
    os.truncate(path, path.stat().st_size + weight + 4 * units)
    return path


def test_the_ceiling_is_the_specs(tmp_path: Path) -> None:
    """Metadata at the parameter ceiling passes the header checks; one parameter over fails."""
    at = _sparse_model(tmp_path / "at.safetensors", MAX_PARAMS - 1, 1)
    assert ModelSpec((LayerSpec(1, "linear"),), "mse").n_params(MAX_PARAMS - 1) == MAX_PARAMS
    assert read_metadata(at)["n_inputs"] == MAX_PARAMS - 1
    over = _sparse_model(tmp_path / "over.safetensors", MAX_PARAMS, 1)
    with pytest.raises(ModelFileError, match=r"over\.safetensors: .*parameters"):
        read_metadata(over)


# ---------------------------------------------------------------- FIFOs and other non-files


def _returns_soon(call: Callable[[], Any], unblock: Path | None = None) -> Any:
    """`call()` in a thread; fails the test if it is still blocked after HANG_GUARD seconds
    (then opens `unblock`, a FIFO, for writing so the stuck thread can end)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    if thread.is_alive():
        if unblock is not None:
            os.close(os.open(unblock, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"blocked for {HANG_GUARD} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.safetensors"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("load", [read_metadata, load_network, Network.load,
                                  lambda p: Experiment.load(str(p))],
                         ids=["read_metadata", "load_network", "Network.load", "Experiment.load"])
def test_a_fifo_is_refused_without_blocking(fifo: Path, load: Callable[[Path], Any]) -> None:
    with pytest.raises(ModelFileError) as info:
        _returns_soon(lambda: load(fifo), unblock=fifo)
    _assert_one_line_naming(str(info.value), fifo, "not a regular file")


@pytest.mark.parametrize("command", ["info", "evaluate"])
def test_the_cli_refuses_a_fifo_without_blocking(fifo: Path, command: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert _returns_soon(lambda: cli_main([command, str(fifo)]), unblock=fifo) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(fifo) in err


def test_devices_and_folders_are_refused(tmp_path: Path) -> None:
    device = tmp_path / "zero.safetensors"
    device.symlink_to("/dev/zero")
    folder = tmp_path / "folder.safetensors"
    folder.mkdir()
    for path in (device, folder):
        for load in (read_metadata, load_network):
            with pytest.raises(ModelFileError) as info:
                _returns_soon(lambda load=load, path=path: load(path))
            _assert_one_line_naming(str(info.value), path)
    with pytest.raises(ModelFileError, match="is a folder"):
        read_metadata(folder)
    with pytest.raises(ModelFileError, match="not a regular file"):
        read_metadata(device)


def test_listing_skips_fifos_and_other_non_files(fifo: Path, good: Path) -> None:
    folder = fifo.parent
    save_network(Network.load(good), folder / "fine.safetensors")
    (folder / "folder.safetensors").mkdir()
    (folder / "zero.safetensors").symlink_to("/dev/zero")
    (folder / "dangling.safetensors").symlink_to(folder / "gone")
    infos = _returns_soon(lambda: list_models(folder), unblock=fifo)
    assert [info.name for info in infos] == ["fine"]


# ---------------------------------------------------------------- temp files of killed saves

KILLED_SAVE = """
import os, signal, sys
import numpy as np
from engine.io.model_file import save_network
from engine.nn.network import NetworkCore
from engine.nn.layers import Dense
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed mid-write
save_network(NetworkCore([Dense(4, 3, "softmax")]), sys.argv[1])
"""


def _killed_save(path: Path) -> Path:
    """Runs a save that is killed (SIGKILL) mid-write; returns the temp file it leaves."""
    before = set(path.parent.iterdir())
    result = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                            timeout=120)
    assert result.returncode == -9, result.stderr
    left = set(path.parent.iterdir()) - before
    assert len(left) == 1 and not path.exists()
    return left.pop()


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_a_killed_save_leaves_a_temp_file_that_a_later_listing_removes(tmp_path: Path,
                                                                       good: Path) -> None:
    temp = _killed_save(tmp_path / "m.safetensors")
    assert temp.name.startswith(".m.safetensors.") and temp.name.endswith(".tmp")
    list_models(tmp_path)
    assert temp.exists()  # fresh: perhaps a save still running
    _age(temp, model_file.STALE_TEMP_SECONDS + 60)
    assert list_models(tmp_path) == []
    assert not temp.exists()


def test_a_later_save_of_the_same_name_removes_it(tmp_path: Path) -> None:
    temp = _killed_save(tmp_path / "m.safetensors")
    _age(temp, model_file.STALE_TEMP_SECONDS + 60)
    save_network(NetworkCore([Dense(4, 3, "softmax")]), tmp_path / "m.safetensors")
    assert _entries(tmp_path) == {"m.safetensors"}


def test_cleaning_never_touches_what_is_not_ours(tmp_path: Path) -> None:
    old = model_file.STALE_TEMP_SECONDS + 60
    stale = _killed_save(tmp_path / "m.safetensors")
    pattern = stale.name  # .m.safetensors.<our marker>.tmp
    marker = pattern[len(".m.safetensors."):-len(".tmp")]
    alive = re.sub(r"-[0-9]+-", f"-{os.getpid()}-", pattern, count=1)
    look_alikes = {
        ".m.safetensors.abcd1234.tmp": "file",  # tempfile's names: not provably ours
        ".m.safetensors.tmp": "file",
        "m.safetensors." + marker + ".tmp": "file",  # not hidden
        "." + pattern[1:].replace(".tmp", ".temp"): "file",
        ".notes.txt." + marker + ".tmp": "file",  # not a model's temp file
        alive: "file",  # our pattern, but its writer (this process) is alive
        "." + pattern[1:].replace("m.safetensors", "d.safetensors"): "dir",  # ours, a folder
        "." + pattern[1:].replace("m.safetensors", "f.safetensors"): "fifo",
        "." + pattern[1:].replace("m.safetensors", "l.safetensors"): "link",
    }
    for name, kind in look_alikes.items():
        path = tmp_path / name
        if kind == "file":
            path.write_bytes(b"x")
        elif kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            (tmp_path / "target").write_bytes(b"keep me")
            path.symlink_to(tmp_path / "target")
        _age(path, old)
    fresh = _killed_save(tmp_path / "n.safetensors")  # ours, dead writer, but recent
    _age(stale, old)
    _returns_soon(lambda: list_models(tmp_path))
    save_network(NetworkCore([Dense(4, 3, "softmax")]), tmp_path / "m.safetensors")
    assert _entries(tmp_path) == {*look_alikes, fresh.name, "target", "m.safetensors"}
    fifo = next(name for name, kind in look_alikes.items() if kind == "fifo")
    assert stat.S_ISFIFO(os.lstat(tmp_path / fifo).st_mode)
    assert (tmp_path / "target").read_bytes() == b"keep me"


def test_the_temp_name_holds_the_writer(tmp_path: Path) -> None:
    """While a save runs, its temp file names this process: no other writer can claim it."""
    seen: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        seen.extend(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        real_fsync(fd)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", spy)
        save_network(NetworkCore([Dense(4, 3, "softmax")]), tmp_path / "m.safetensors")
    assert len(seen) == 1 and f"-{os.getpid()}-" in seen[0]
    assert load_network(tmp_path / "m.safetensors")[0].layers[0].W.shape == (4, 3)
