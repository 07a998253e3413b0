"""Built-in datasets, splits and scaling, and the CSV/NPZ readers with their one-line errors."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from engine.data.builtins import BUILTIN_DATASETS, PEOPLE_NAMES
from engine.data.dataset_types import Dataset
from engine.data.datasets import dataset_names, load_dataset
from engine.errors import DatasetError

SPLITS = ("train", "val", "test")

# name -> (task, rows in total, features, outputs)
EXPECTED = {
    "digits": ("classification", 1797, 64, 10),
    "iris": ("classification", 150, 4, 3),
    "wine": ("classification", 178, 13, 3),
    "breast_cancer": ("classification", 569, 30, 2),
    "diabetes": ("regression", 442, 10, 1),
    "moons": ("classification", 500, 2, 2),
    "circles": ("classification", 500, 2, 2),
    "xor": ("classification", 400, 2, 2),
    "spiral": ("classification", 300, 2, 3),
    "sine": ("regression", 400, 1, 1),
}
SPLITTABLE = list(EXPECTED)


@pytest.fixture(scope="module")
def loaded() -> dict[str, Dataset]:
    return {name: load_dataset(name) for name in dataset_names()}


def arrays(ds: Dataset, split: str) -> tuple[np.ndarray, np.ndarray]:
    return getattr(ds, f"X_{split}"), getattr(ds, f"y_{split}")


def test_registry_names_every_builtin() -> None:
    assert dataset_names() == list(BUILTIN_DATASETS)
    assert set(dataset_names()) == {*EXPECTED, "people", "and", "or", "xor4"}


@pytest.mark.parametrize("name", SPLITTABLE)
def test_builtin_shapes_dtypes_and_split_sizes(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    task, total, features, outputs = EXPECTED[name]
    assert (ds.name, ds.task, ds.source) == (name, task, "builtin")
    assert (ds.n_features, ds.n_outputs) == (features, outputs)
    assert len(ds.feature_names) == features
    sizes = {}
    for split in SPLITS:
        X, y = arrays(ds, split)
        assert X.dtype == np.float64 and X.ndim == 2 and X.shape[1] == features
        assert len(y) == len(X)
        assert not X.flags.writeable and not y.flags.writeable
        if ds.is_classification:
            assert y.dtype == np.int64 and y.ndim == 1
            assert y.min() >= 0 and y.max() < outputs
        else:
            assert y.dtype == np.float64 and y.shape == (len(X), outputs)
        sizes[split] = len(X)
    assert sum(sizes.values()) == total
    for split, share in (("train", 0.70), ("val", 0.15), ("test", 0.15)):
        assert abs(sizes[split] - share * total) <= 2, (split, sizes)
    if ds.is_classification:
        assert len(ds.class_names) == outputs
    else:
        assert ds.class_names == ()
    json.dumps(ds.describe())  # JSON-able, numbers included


def test_describe_summarises_without_arrays(loaded: dict[str, Dataset]) -> None:
    info = loaded["iris"].describe()
    assert info["sizes"] == {"train": 104, "val": 23, "test": 23}
    assert info["class_names"] == ["setosa", "versicolor", "virginica"]
    assert (info["n_features"], info["n_outputs"], info["task"]) == (4, 3, "classification")
    assert info["scaling"]["kind"] == "standard" and len(info["scaling"]["mean"]) == 4
    assert loaded["digits"].describe()["image_shape"] == [8, 8]


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer", "spiral"])
def test_splits_are_stratified(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    k = ds.n_outputs
    everything = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    overall = np.bincount(everything, minlength=k) / len(everything)
    for split in SPLITS:
        y = arrays(ds, split)[1]
        counts = np.bincount(y, minlength=k)
        # Two stratified cuts (test, then val) leave each class at most two rows off its share;
        # a plain random split of these sizes is several rows off somewhere.
        assert np.all(np.abs(counts - overall * len(y)) <= 2), (split, counts, overall * len(y))


@pytest.mark.parametrize("name", ["iris", "moons", "xor", "spiral", "sine", "diabetes"])
def test_same_seed_same_arrays_other_seed_other_split(name: str) -> None:
    a, b, c = (load_dataset(name, seed=s) for s in (3, 3, 4))
    for split in SPLITS:
        for x, y in zip(arrays(a, split), arrays(b, split), strict=True):
            np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.X_train, c.X_train)


def test_generated_sets_do_not_touch_the_global_rng() -> None:
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    for name in ("xor", "spiral", "sine", "moons", "circles"):
        load_dataset(name, seed=1)
    assert np.random.random() == expected


def test_digits_pixels_and_image_shape(loaded: dict[str, Dataset]) -> None:
    ds = loaded["digits"]
    assert ds.image_shape == (8, 8)
    assert ds.class_names == tuple("0123456789")
    assert ds.scaling == {"kind": "divide", "by": 16.0}
    X = np.concatenate([ds.X_train, ds.X_val, ds.X_test])
    assert X.min() == 0.0 and X.max() == 1.0
    assert all(other.image_shape is None for n, other in loaded.items() if n != "digits")


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes"])
def test_standardised_on_the_training_split_only(loaded: dict[str, Dataset], name: str) -> None:
    ds = loaded[name]
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1.0, atol=1e-9)
    # Fitted on all rows, val would be centred too; fitted on train, it is off by a little.
    assert np.abs(ds.X_val.mean(axis=0)).max() > 1e-3
    assert ds.scaling["kind"] == "standard"


def test_a_scaler_fitted_in_chunks_matches_one_fitted_at_once(
    loaded: dict[str, Dataset], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A big file's scaler is fitted a few rows at a time (bounded memory): same numbers."""
    from engine.data import split

    monkeypatch.setattr(split, "FIT_CHUNK_VALUES", 30)  # 2 rows of wine, 3 of diabetes
    for name in ("wine", "diabetes"):
        whole, chunked = loaded[name], load_dataset(name)
        for key in ("mean", "scale"):
            np.testing.assert_allclose(chunked.scaling[key], whole.scaling[key], rtol=1e-12)
        np.testing.assert_allclose(chunked.X_train, whole.X_train, rtol=1e-9, atol=1e-12)
    reg = load_dataset("diabetes")
    np.testing.assert_allclose(reg.target_scaling["mean"],
                               loaded["diabetes"].target_scaling["mean"], rtol=1e-12)


def test_diabetes_target_is_standardised_and_can_be_undone(loaded: dict[str, Dataset]) -> None:
    from sklearn.datasets import load_diabetes

    ds = loaded["diabetes"]
    assert ds.target_scaling["kind"] == "standard"
    np.testing.assert_allclose(ds.y_train.mean(), 0.0, atol=1e-9)
    raw = load_diabetes().target
    back = np.concatenate([ds.unscale_targets(ds.y_train), ds.unscale_targets(ds.y_test)])
    assert np.isin(np.round(back.ravel(), 6), raw).all()


def test_generated_sets_are_not_scaled(loaded: dict[str, Dataset]) -> None:
    for name in ("moons", "circles", "xor", "spiral", "sine", "people"):
        assert loaded[name].scaling == {"kind": "none"}, name
        assert loaded[name].target_scaling == {"kind": "none"}, name


def test_noise_and_n_samples_shape_the_generated_sets() -> None:
    small = load_dataset("moons", n_samples=100)
    assert sum(len(arrays(small, s)[0]) for s in SPLITS) == 100
    clean = load_dataset("sine", noise=0.0)
    np.testing.assert_allclose(clean.y_train, np.sin(clean.X_train))
    np.testing.assert_array_equal(clean.X_train, load_dataset("sine").X_train)
    spiral = load_dataset("spiral", n_samples=31)
    assert sum(len(arrays(spiral, s)[0]) for s in SPLITS) == 31


def test_xor_labels_follow_the_quadrant() -> None:
    ds = load_dataset("xor", noise=0.0)
    np.testing.assert_array_equal(ds.y_train, (ds.X_train[:, 0] * ds.X_train[:, 1] > 0))
    assert np.abs(ds.X_train).max() <= 1.0


def test_people_rows_are_exact_and_every_split_is_the_whole_set(
    loaded: dict[str, Dataset],
) -> None:
    ds = loaded["people"]
    assert PEOPLE_NAMES == ("Alice", "Bob", "Charlie", "Diana")
    assert ds.feature_names == ("weight", "height")
    assert ds.class_names == ("male", "female")
    for split in SPLITS:
        X, y = arrays(ds, split)
        np.testing.assert_array_equal(X, [[-2, -1], [25, 6], [17, 4], [-15, -6]])
        np.testing.assert_array_equal(y, [1, 0, 0, 1])
        assert X.dtype == np.float64 and y.dtype == np.int64


def test_val_size_zero_gives_empty_arrays_of_the_right_shape() -> None:
    ds = load_dataset("iris", val_size=0.0)
    assert ds.X_val.shape == (0, 4) and ds.y_val.shape == (0,)
    assert len(ds.X_train) + len(ds.X_test) == 150
    reg = load_dataset("sine", val_size=0.0, test_size=0.0)
    assert reg.y_val.shape == (0, 1) and reg.y_test.shape == (0, 1) and len(reg.X_train) == 400


def test_a_class_too_small_to_stratify_falls_back_to_a_plain_split(tmp_path) -> None:
    rows = [f"{i},{i % 7},{'a' if i else 'rare'}" for i in range(40)]
    ds = load_dataset(write(tmp_path / "rare.csv", rows))
    assert ds.class_names == ("a", "rare")
    assert sum(len(arrays(ds, s)[0]) for s in SPLITS) == 40


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"val_size": 1.0}, "val_size"),
        ({"test_size": -0.1}, "test_size"),
        ({"val_size": 0.5, "test_size": 0.5}, "below 1"),
        ({"noise": -1.0}, "noise"),
        ({"n_samples": 0}, "n_samples"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_options_are_refused(options: dict, word: str) -> None:
    with pytest.raises(DatasetError, match=word):
        load_dataset("moons", **options)


def test_too_few_rows_to_split() -> None:
    with pytest.raises(DatasetError, match="moons: 2 rows are too few"):
        load_dataset("moons", n_samples=2)


def test_unknown_names_and_extensions() -> None:
    with pytest.raises(DatasetError, match=r"unknown dataset 'emnist'.*digits.*people.*mnist"):
        load_dataset("emnist")
    with pytest.raises(DatasetError, match=r"data\.txt: unsupported file type '\.txt'"):
        load_dataset("data.txt")


# ---------------------------------------------------------------- user files


def write(path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def blobs_csv(n: int = 40, header: bool = True, label=lambda i: str(i % 2)) -> list[str]:
    rows = [f"{i * 0.5},{(i % 5) - 2.0},{i % 3},{label(i)}" for i in range(n)]
    return (["a,b,c,label"] if header else []) + rows


def test_csv_with_header_and_integer_labels(tmp_path) -> None:
    path = write(tmp_path / "blobs.csv", blobs_csv())
    ds = load_dataset(path)
    assert (ds.name, ds.source, ds.task) == ("blobs", path, "classification")
    assert ds.feature_names == ("a", "b", "c") and ds.class_names == ("0", "1")
    assert sum(len(arrays(ds, s)[0]) for s in SPLITS) == 40
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-9)
    assert np.bincount(ds.y_train).tolist() == [14, 14]


def test_csv_without_header_blank_lines_and_sorted_numeric_classes(tmp_path) -> None:
    lines = blobs_csv(header=False, label=lambda i: ("10", "-1", "2")[i % 3])
    lines.insert(5, "")
    lines.insert(9, "   ")
    ds = load_dataset(write(tmp_path / "plain.csv", lines))
    assert ds.feature_names == ("x0", "x1", "x2")
    assert ds.class_names == ("-1", "2", "10")  # numeric order, not text order
    assert sum(len(arrays(ds, s)[0]) for s in SPLITS) == 40


def test_csv_text_labels(tmp_path) -> None:
    names = ("setosa", "virginica", "versicolor")
    ds = load_dataset(write(tmp_path / "flowers.csv", blobs_csv(label=lambda i: names[i % 3])))
    assert ds.class_names == ("setosa", "versicolor", "virginica")
    assert ds.n_outputs == 3
    everything = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert np.bincount(everything).tolist() == [14, 13, 13]


def test_csv_regression_labels(tmp_path) -> None:
    ds = load_dataset(write(tmp_path / "prices.csv", blobs_csv(label=lambda i: f"{i * 1.5}")))
    assert ds.task == "regression" and ds.class_names == () and ds.n_outputs == 1
    assert ds.y_train.shape == (len(ds.X_train), 1)
    assert ds.target_scaling["kind"] == "standard"
    back = np.concatenate([ds.unscale_targets(y) for y in (ds.y_train, ds.y_val, ds.y_test)])
    np.testing.assert_allclose(np.sort(back.ravel()), np.arange(40) * 1.5, atol=1e-9)


def test_csv_many_integer_values_are_regression(tmp_path) -> None:
    ds = load_dataset(write(tmp_path / "counts.csv", blobs_csv(n=60, label=str)))
    assert ds.task == "regression"


def test_npz_round_trip_classification_and_regression(tmp_path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    labels = np.array([3, 5, 7] * 20)
    np.savez(tmp_path / "cls.npz", X=X, y=labels)
    ds = load_dataset(str(tmp_path / "cls.npz"))
    assert (ds.name, ds.task, ds.class_names) == ("cls", "classification", ("3", "5", "7"))
    assert ds.feature_names == ("x0", "x1", "x2")
    together = np.concatenate([ds.X_train, ds.X_val, ds.X_test])
    unscaled = together * ds.scaling["scale"] + ds.scaling["mean"]
    # Every original row comes back once, with its label.
    order = np.lexsort(unscaled.T)
    np.testing.assert_allclose(unscaled[order], X[np.lexsort(X.T)], atol=1e-12)
    y_all = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    np.testing.assert_array_equal(np.array([3, 5, 7])[y_all[order]], labels[np.lexsort(X.T)])

    np.savez(tmp_path / "reg.npz", X=X, y=rng.normal(size=(60, 2)))
    reg = load_dataset(str(tmp_path / "reg.npz"))
    assert reg.task == "regression" and reg.n_outputs == 2 and reg.y_test.shape[1] == 2


def bad_file_cases(tmp_path) -> list[tuple[str, str]]:
    """(path, expected message part) for each damaged file."""
    cases = [
        (write(tmp_path / "rows.csv", [*blobs_csv(6), "1,2,3", *blobs_csv(4, False)]),
         r"rows\.csv line 8: expected 4 fields, got 3"),
        (write(tmp_path / "word.csv", ["1,2,0", "3,abc,1", "4,5,0"]),
         r"word\.csv line 2, column 2: 'abc' is not a number"),
        (write(tmp_path / "gap.csv", ["a,b,y", "1,2,0", "1,,1"]),
         r"gap\.csv line 3, column 2: empty field"),
        (write(tmp_path / "inf.csv", ["1,2,0", "1,inf,1"]),
         r"inf\.csv line 2, column 2: 'inf' is not a finite number"),
        (write(tmp_path / "nolabel.csv", ["1,2,0", "1,2,"]),
         r"nolabel\.csv line 2, column 3: empty label"),
        (write(tmp_path / "one.csv", ["1", "2", "3"]), r"one\.csv line 1: need at least 2"),
        (write(tmp_path / "same.csv", [f"{i},{i},x" for i in range(20)]),
         r"same\.csv: only one class \('x'\)"),
        (write(tmp_path / "tiny.csv", ["1,0", "2,1"]), r"tiny\.csv: 2 rows are too few"),
        (write(tmp_path / "head.csv", ["a,b,label"]), r"head\.csv: no data rows"),
        (write(tmp_path / "empty.csv", []), r"empty\.csv: empty file"),
        (str(tmp_path / "missing.csv"), r"missing\.csv: no such file"),
        (str(tmp_path / "missing.npz"), r"missing\.npz: no such file"),
    ]
    (tmp_path / "latin.csv").write_bytes(b"caf\xe9,1,0\n1,2,1\n")
    cases.append((str(tmp_path / "latin.csv"), r"latin\.csv: not UTF-8"))
    (tmp_path / "text.npz").write_text("not a zip")
    cases.append((str(tmp_path / "text.npz"), r"text\.npz: not a valid \.npz archive"))
    with zipfile.ZipFile(tmp_path / "junk.npz", "w") as archive:
        archive.writestr("X.npy", b"garbage")
        archive.writestr("y.npy", b"garbage")
    cases.append((str(tmp_path / "junk.npz"), r"junk\.npz: cannot read array 'X'"))
    X, y = np.ones((10, 2)), np.arange(10) % 2
    arrays_by_case = {
        "noy": ({"X": X}, r"missing array 'y' \(found: X\)"),
        "flat": ({"X": np.ones(10), "y": y}, r"X must be \(samples, features\) or"),
        "cube": ({"X": X, "y": np.ones((10, 1, 1))}, "y must be"),
        "short": ({"X": X, "y": y[:7]}, "X has 10 rows but y has 7"),
        "strings": ({"X": X, "y": np.array(["a"] * 10)}, "array 'y' is not numeric"),
        "nan": ({"X": np.full((10, 2), np.nan), "y": y}, "array 'X' has NaN or infinite"),
        "objects": ({"X": X, "y": np.array([None] * 10, dtype=object)},
                    "cannot read array 'y'"),
    }
    for stem, (content, message) in arrays_by_case.items():
        np.savez(tmp_path / f"{stem}.npz", **content)
        cases.append((str(tmp_path / f"{stem}.npz"), rf"{stem}\.npz: {message}"))
    return cases


def test_bad_files_give_one_line_errors_naming_file_and_line(tmp_path) -> None:
    for path, message in bad_file_cases(tmp_path):
        with pytest.raises(DatasetError, match=message) as caught:
            load_dataset(path)
        text = str(caught.value)
        assert "\n" not in text, text
        assert path in text, text

