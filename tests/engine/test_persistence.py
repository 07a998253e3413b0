"""Saving and opening models: exact round trips, PyTorch-style tensor names, atomic writes that
never clobber, and one clear ModelFileError (naming the file) for every kind of damaged file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy
from safetensors import safe_open

from engine.errors import EngineError, ModelFileError
from engine.experiment import Experiment
from engine.io.model_file import save_network
from engine.io.model_folder import list_models, model_path, suggest_name
from engine.io.model_reader import load_network, read_metadata
from engine.network import Network
from engine.nn import spec as spec_module
from engine.nn.spec import LayerSpec, ModelSpec, TrainConfig

SPEC = ModelSpec((LayerSpec(5, "relu"), LayerSpec(3, "softmax")), "cross_entropy")


def make_net(dtype: str = "float32", seed: int = 1) -> Network:
    net = Network.from_spec(SPEC, n_inputs=4, seed=seed, dtype=dtype)
    net.params[...] = np.random.default_rng(seed).normal(size=net.params.size)
    return net


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return Path(save_network(make_net(), tmp_path / "good.safetensors", {"note": "hi"}))


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_exact(tmp_path: Path, dtype: str) -> None:
    net = make_net(dtype)
    meta = {"note": "a model", "test": {"accuracy": 0.5}, "history": [{"epoch": 1}]}
    path = save_network(net, tmp_path / "m.safetensors", metadata=meta)
    loaded, back = load_network(path)
    X = np.random.default_rng(0).normal(size=(7, 4))
    assert loaded.dtype == np.dtype(dtype)
    assert np.array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert np.array_equal(loaded.params, net.params)
    assert loaded.spec == net.spec
    assert {k: back[k] for k in meta} == meta
    assert back["n_inputs"] == 4 and back["dtype"] == dtype


def test_tensors_are_named_and_shaped_like_torch_linear(saved: Path) -> None:
    net, _ = load_network(saved)
    tensors = safetensors.numpy.load_file(str(saved))
    assert sorted(tensors) == ["layers.0.bias", "layers.0.weight", "layers.1.bias",
                               "layers.1.weight"]
    assert tensors["layers.0.weight"].shape == (5, 4)  # (out, in)
    assert tensors["layers.1.weight"].shape == (3, 5)
    assert tensors["layers.1.bias"].shape == (3,)
    assert np.array_equal(tensors["layers.0.weight"], net.layers[0].W.T)
    with safe_open(str(saved), framework="numpy") as handle:
        assert set(handle.metadata()) == {"nn_tui"}


def test_architecture_is_stored_without_metadata(tmp_path: Path) -> None:
    path = save_network(make_net("float64"), tmp_path / "bare.safetensors")
    meta = read_metadata(path)
    assert meta["model"] == SPEC.to_dict()
    assert (meta["n_inputs"], meta["dtype"], meta["format"]) == (4, "float64", "nn-tui/1")
    assert meta["created_at"]


def test_network_save_and_load_methods(tmp_path: Path) -> None:
    net = make_net()
    path = net.save(tmp_path / "sub" / "dir" / "n.safetensors")  # parent folders created
    assert np.array_equal(Network.load(path).params, net.params)


# ---------------------------------------------------------------- writing safely


def test_never_overwrites_silently(saved: Path) -> None:
    before = saved.read_bytes()
    with pytest.raises(ModelFileError, match=r"good\.safetensors: already exists"):
        save_network(make_net(seed=2), saved)
    assert saved.read_bytes() == before
    save_network(make_net(seed=2), saved, overwrite=True)
    assert saved.read_bytes() != before
    assert os.listdir(saved.parent) == ["good.safetensors"]


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ModelFileError, match=r"m\.safetensors: cannot write"):
        save_network(make_net(), tmp_path / "m.safetensors")
    assert os.listdir(tmp_path) == []


def test_save_refuses_what_load_would_refuse(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Metadata of the wrong shape, or a network over the parameter ceiling, is never written:
    the file could not be opened again."""
    deep: list[object] = []
    for _ in range(40):
        deep = [deep]
    for metadata, problem in (({"optimizer": "adam"}, "optimizer must be a JSON object"),
                              ({"history": [{"epoch": "one"}]}, r"history\[0\]\.epoch"),
                              ({"test": {"accuracy": "high"}}, "test.accuracy"),
                              ({"note": deep}, "nested")):
        with pytest.raises(ModelFileError, match=rf"m\.safetensors: nothing saved: .*{problem}"):
            save_network(make_net(), tmp_path / "m.safetensors", metadata)
    net = make_net()
    monkeypatch.setattr(spec_module, "MAX_PARAMS", net.n_params - 1)
    with pytest.raises(ModelFileError, match=r"m\.safetensors: nothing saved: .*parameters"):
        save_network(net, tmp_path / "m.safetensors")
    assert os.listdir(tmp_path) == []


def test_refuses_non_finite_weights(tmp_path: Path) -> None:
    net = make_net()
    net.params[0] = np.nan
    with pytest.raises(ModelFileError, match="not finite"):
        save_network(net, tmp_path / "nan.safetensors")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------- damaged files


def _foreign(path: Path, good: Path) -> None:
    safetensors.numpy.save_file({"weight": np.zeros((2, 2), np.float32)}, str(path),
                                metadata={"format": "pt"})


def _with(path: Path, tensors: dict, meta: object) -> None:
    safetensors.numpy.save_file(tensors, str(path), metadata={"nn_tui": meta})


def _good_tensors(good: Path) -> tuple[dict, dict]:
    return safetensors.numpy.load_file(str(good)), read_metadata(good)


def _wrong_shapes(path: Path, good: Path) -> None:
    tensors, meta = _good_tensors(good)
    tensors["layers.0.weight"] = np.zeros((4, 5), np.float32)  # (in, out): not transposed
    _with(path, tensors, json.dumps(meta))


def _missing_tensor(path: Path, good: Path) -> None:
    tensors, meta = _good_tensors(good)
    del tensors["layers.1.bias"]
    _with(path, tensors, json.dumps(meta))


def _extra_tensor(path: Path, good: Path) -> None:
    tensors, meta = _good_tensors(good)
    tensors["layers.2.weight"] = np.zeros((1, 3), np.float32)
    _with(path, tensors, json.dumps(meta))


def _non_finite(path: Path, good: Path) -> None:
    tensors, meta = _good_tensors(good)
    tensors["layers.1.weight"][0, 0] = np.inf
    _with(path, tensors, json.dumps(meta))


def _broken_json(path: Path, good: Path) -> None:
    _with(path, _good_tensors(good)[0], '{"model": [')


def _bad_architecture(path: Path, good: Path) -> None:
    tensors, meta = _good_tensors(good)
    meta["model"]["layers"][0]["activation"] = "nope"
    _with(path, tensors, json.dumps(meta))


def _cut(keep: int | float):
    def write(path: Path, good: Path) -> None:
        data = good.read_bytes()
        path.write_bytes(data[:keep] if isinstance(keep, int) else data[:int(len(data) * keep)])
    return write


GARBAGE = np.random.default_rng(0).bytes(300).replace(b"{", b"x")
DAMAGED = {
    "empty": (lambda p, g: p.write_bytes(b""), "empty file"),
    "cut to 5 bytes": (_cut(5), "truncated"),
    "cut inside the header": (_cut(40), "truncated"),
    "cut inside the tensors": (_cut(0.97), "truncated"),
    "cut by one byte": (_cut(-1), "truncated"),
    "garbage bytes": (lambda p, g: p.write_bytes(GARBAGE), "not a safetensors file"),
    "a JSON file": (lambda p, g: p.write_text(json.dumps({"layers": [1, 2, 3]})),
                    "not a safetensors file"),
    "a CSV file": (lambda p, g: p.write_text("a,b,label\n1,2,0\n3,4,1\n"),
                   "not a safetensors file"),
    "stray bytes at the end": (lambda p, g: p.write_bytes(g.read_bytes() + b"\0\0"),
                               "stray bytes"),
    "foreign safetensors": (_foreign, "not an nn-tui model"),
    "broken metadata JSON": (_broken_json, "broken nn_tui metadata"),
    "unknown activation": (_bad_architecture, "no valid network"),
    "wrong shapes": (_wrong_shapes, "has shape (4, 5) but the architecture needs (5, 4)"),
    "missing tensor": (_missing_tensor, "'layers.1.bias' is missing"),
    "extra tensor": (_extra_tensor, "unexpected tensor 'layers.2.weight'"),
    "non-finite weights": (_non_finite, "NaN or infinite"),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_gives_one_clear_error(tmp_path: Path, saved: Path, case: str) -> None:
    write, problem = DAMAGED[case]
    path = tmp_path / "damaged.safetensors"
    write(path, saved)
    with pytest.raises(ModelFileError) as info:
        load_network(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message
    assert info.value.__suppress_context__ or info.value.__cause__ is None


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"nothere\.safetensors: no such file"):
        load_network(tmp_path / "nothere.safetensors")
    with pytest.raises(ModelFileError, match=r"nothere\.safetensors: no such file"):
        read_metadata(tmp_path / "nothere.safetensors")
    with pytest.raises(ModelFileError, match="is a folder"):
        read_metadata(tmp_path)


def test_read_metadata_checks_the_header_too(tmp_path: Path, saved: Path) -> None:
    assert read_metadata(saved)["note"] == "hi"
    for case in ("cut inside the tensors", "a CSV file", "foreign safetensors"):
        DAMAGED[case][0](tmp_path / "x.safetensors", saved)
        with pytest.raises(ModelFileError, match=r"x\.safetensors: "):
            read_metadata(tmp_path / "x.safetensors")


# ---------------------------------------------------------------- names and listing


def test_model_path_rules(tmp_path: Path) -> None:
    assert model_path("digits-1") == Path("saved_models/digits-1.safetensors")
    assert model_path("a.b_c", folder=tmp_path) == tmp_path / "a.b_c.safetensors"
    assert model_path("some/where/x") == Path("some/where/x.safetensors")
    assert model_path("some/where/x.safetensors") == Path("some/where/x.safetensors")
    assert model_path("x.safetensors") == Path("x.safetensors")
    for bad, reason in (("", "empty"), ("  ", "empty"), ("a b", "letters, digits"),
                        ("ü*", "letters, digits"), (".hidden", "start with '.'"),
                        ("x" * 300, "too long"), ("d/" + "x" * 300, "too long")):
        with pytest.raises(ModelFileError, match=reason):
            model_path(bad)
    with pytest.raises(ModelFileError, match="may not hold '/'"):
        model_path("../x", allow_paths=False)


def test_suggested_names_stay_short_enough_for_a_file(tmp_path: Path) -> None:
    name = suggest_name("digits", ",".join(["100:relu"] * 40), folder=tmp_path)
    assert model_path(name, tmp_path).name.startswith("digits-100relu")


def test_suggest_name_never_returns_an_existing_name(tmp_path: Path) -> None:
    first = suggest_name("digits", "100:relu,10:softmax", folder=tmp_path)
    assert first == "digits-100relu-10softmax"
    for expected in ("digits-100relu-10softmax-2", "digits-100relu-10softmax-3"):
        model_path(first, tmp_path).write_bytes(b"")
        first = suggest_name("digits", "100:relu,10:softmax", folder=tmp_path)
        assert first == expected
        assert not model_path(first, tmp_path).exists()
    assert suggest_name("my data!", "4:tanh", folder=tmp_path) == "my_data_-4tanh"


def test_list_models_newest_first_with_corrupt_files(tmp_path: Path) -> None:
    meta = {"dataset": {"name": "iris"}, "test": {"accuracy": 0.75}}
    older = save_network(make_net(), tmp_path / "older.safetensors", meta)
    newer = save_network(make_net(), tmp_path / "newer.safetensors", meta)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x10\0\0\0\0\0\0\0{not json at all}")
    (tmp_path / "notes.txt").write_text("not a model")
    for age, path in ((300, older), (200, newer), (100, broken)):
        os.utime(path, (1e9 - age, 1e9 - age))
    infos = list_models(tmp_path)
    assert [i.name for i in infos] == ["broken", "newer", "older"]
    assert infos[0].error and "broken.safetensors" in infos[0].error
    good = infos[1]
    assert good.error is None
    assert (good.layers, good.dataset, good.accuracy) == ("4-5relu-3softmax", "iris", 0.75)
    assert good.path == str(newer) and good.created_at
    assert list_models(tmp_path / "none") == []


# ---------------------------------------------------------------- through Experiment


def _trained(dataset: str = "iris", **options: object) -> Experiment:
    session = Experiment.create(dataset, "8:relu,3:softmax", config=TrainConfig(epochs=3, seed=2),
                             **options)
    list(session.trainer.run())
    return session


def test_session_reopens_with_same_split_and_scores(tmp_path: Path) -> None:
    session = _trained(val_size=0.2, test_size=0.3)
    path = session.save(str(tmp_path / "s.safetensors"))
    again = Experiment.load(path)
    assert again.dataset.name == "iris"
    assert len(again.dataset.X_test) == len(session.dataset.X_test) == 45
    assert np.array_equal(again.dataset.X_test, session.dataset.X_test)
    first, second = session.evaluate("test"), again.evaluate("test")
    assert second.accuracy == first.accuracy and second.loss == first.loss
    assert again.trainer.epoch == 3 and len(again.trainer.history) == 3
    assert again.config == session.config
    assert read_metadata(path)["test"]["accuracy"] == first.accuracy


def test_session_reopens_a_csv_dataset_from_another_folder(tmp_path: Path, monkeypatch) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 2))
    rows = [f"{a:.4f},{b:.4f},{'abc'[int(a > 0) + int(b > 0)]}" for a, b in X]
    (tmp_path / "points.csv").write_text("a,b,kind\n" + "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    session = _trained("points.csv", test_size=0.2)
    path = Path(session.save("csv-model")).resolve()
    assert path == tmp_path / "saved_models" / "csv-model.safetensors"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    again = Experiment.load(str(path))
    assert again.dataset.source.endswith("points.csv")
    assert again.evaluate().accuracy == session.evaluate().accuracy


def test_session_load_refuses_a_dataset_that_does_not_fit(tmp_path: Path) -> None:
    path = _trained().save(str(tmp_path / "iris.safetensors"))
    with pytest.raises(EngineError, match=r"iris.safetensors does not fit wine: .*4 inputs"):
        Experiment.load(path, dataset="wine")  # 13 features, 3 classes
    with pytest.raises(EngineError, match=r"iris.safetensors does not fit digits: "):
        Experiment.load(path, dataset="digits")
