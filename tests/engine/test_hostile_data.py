"""Damaged and hostile data files (issue 10, points 18-20): each is refused with one
`DatasetError` line naming the file (and the row or column), before anything large is allocated,
and the command line turns it into status 2 and one stderr line, never a traceback.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.lib.format as npy
import pytest

from engine.data import csv_reader, metrics, npz_reader
from engine.data.dataset_types import CLASSIFICATION, REGRESSION, RawData
from engine.data.datasets import load_dataset
from engine.data.split import split_and_scale
from engine.errors import DatasetError
from tui.cli.main import main


def write_csv(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def rows(n: int = 40, label: Callable[[int], str] = lambda i: str(i % 2)) -> list[str]:
    return [f"{i * 0.5},{(i % 5) - 2.0},{label(i)}" for i in range(n)]


def npy_bytes(header: dict[str, object], body: bytes = b"") -> bytes:
    """A .npy member: a real header (which may claim anything) and then `body`."""
    out = io.BytesIO()
    npy.write_array_header_1_0(out, header)
    return out.getvalue() + body


def write_npz(path: Path, members: dict[str, bytes],
              compression: int = zipfile.ZIP_DEFLATED) -> str:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return str(path)


def labels_npy(n: int) -> bytes:
    out = io.BytesIO()
    np.save(out, np.arange(n) % 2)
    return out.getvalue()


def refused(path: str, pattern: str) -> str:
    """The one-line message load_dataset gives for `path`, checked against `pattern`."""
    with pytest.raises(DatasetError, match=pattern) as caught:
        load_dataset(path)
    text = str(caught.value)
    assert "\n" not in text, text
    assert path in text, text
    return text


def cli_refuses(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    """`nn-tui train --dataset path` in-process: status 2 and one stderr line naming the file."""
    capsys.readouterr()
    assert main(["train", "--dataset", path, "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert path in err and err.startswith("nn-tui: error: "), err
    return err


# ---------------------------------------------------------------- 18: values too large, no rows


def huge_label_csv(tmp_path: Path) -> str:
    return write_csv(tmp_path / "huge_label.csv",
                     [*rows(label=lambda i: f"{i * 1.5}"), "1,2,1e308", "2,3,-1e308"])


def huge_class_csv(tmp_path: Path) -> str:
    """0/1 labels and two of ±1e308: integer-valued, but no one's class names."""
    return write_csv(tmp_path / "huge_class.csv", [*rows(), "1,2,1e308", "2,3,-1e308"])


def huge_feature_csv(tmp_path: Path) -> str:
    return write_csv(tmp_path / "huge_feature.csv",
                     ["a,b,label", *rows(), "1,-1e308,1", "1e308,2,0"])


def empty_y_npz(tmp_path: Path) -> str:
    np.savez(tmp_path / "empty_y.npz", X=np.ones((90, 4)), y=np.ones((90, 0)))
    return str(tmp_path / "empty_y.npz")


def no_rows_npz(tmp_path: Path) -> str:
    np.savez(tmp_path / "no_rows.npz", X=np.ones((0, 4)), y=np.ones((0,)))
    return str(tmp_path / "no_rows.npz")


def huge_x_npz(tmp_path: Path) -> str:
    X = np.random.default_rng(0).normal(size=(60, 4))
    X[17, 2] = -1e308
    np.savez(tmp_path / "huge_x.npz", X=X, y=np.arange(60) % 2)
    return str(tmp_path / "huge_x.npz")


def huge_y_npz(tmp_path: Path) -> str:
    y = np.linspace(0.0, 1.0, 60)
    y[33] = 1e200
    np.savez(tmp_path / "huge_y.npz", X=np.ones((60, 2)), y=y)
    return str(tmp_path / "huge_y.npz")


TOO_LARGE = r"too large to scale \(\|x\| > 1e\+150\)"
POINT_18: dict[str, tuple[Callable[[Path], str], str]] = {
    "label": (huge_label_csv, rf"huge_label\.csv line 41, column 3: 1e\+308 is {TOO_LARGE}"),
    "class": (huge_class_csv, rf"huge_class\.csv line 41, column 3: 1e\+308 is {TOO_LARGE}"),
    "feature": (huge_feature_csv,
                rf"huge_feature\.csv line 42, column 2: -1e\+308 is {TOO_LARGE}"),
    "empty y": (empty_y_npz, r"empty_y\.npz: y has no output columns \(shape \(90, 0\)\)"),
    "no rows": (no_rows_npz, r"no_rows\.npz: no rows \(X has shape \(0, 4\)\)"),
    "huge X": (huge_x_npz, rf"huge_x\.npz: X\[17, 2\] = -1e\+308 is {TOO_LARGE}"),
    "huge y": (huge_y_npz, rf"huge_y\.npz: y\[33\] = 1e\+200 is {TOO_LARGE}"),
}


@pytest.mark.parametrize("case", POINT_18)
def test_unscalable_or_empty_data_is_named_not_diverged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str,
) -> None:
    make, pattern = POINT_18[case]
    path = make(tmp_path)
    message = refused(path, pattern)
    assert message in cli_refuses(path, capsys)


def test_largest_scalable_values_still_load(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv",
                     [*rows(label=lambda i: f"{i * 1.5}"), "1e150,-1e150,1e150"])
    ds = load_dataset(path)
    assert ds.task == REGRESSION
    for values in (ds.X_train, ds.y_train, ds.X_test, ds.X_val):
        assert np.isfinite(values).all()


def test_split_and_scale_names_the_column_it_cannot_scale() -> None:
    """The net under the file readers: data from anywhere that would scale to inf/NaN."""
    X = np.ones((40, 3))
    X[::2, 2], X[1::2, 2] = 1e300, -1e300
    raw = RawData(X=X, y=np.arange(40) % 2, task=CLASSIFICATION, feature_names=("a", "b", "c"),
                  class_names=("0", "1"))
    with pytest.raises(DatasetError, match=rf"^mine: values {TOO_LARGE} in column 3$"):
        split_and_scale("mine", raw, "mine", seed=0, val_size=0.15, test_size=0.15)


@pytest.mark.parametrize("score", [metrics.r2, metrics.mae])
def test_scores_of_non_finite_predictions_are_nan_not_a_crash(
    score: Callable[[np.ndarray, np.ndarray], float],
) -> None:
    true = np.linspace(0.0, 1.0, 10)
    for bad in (np.nan, np.inf):
        pred = true.copy()
        pred[3] = bad
        assert np.isnan(score(pred, true))
        assert np.isnan(score(true, pred))


# ---------------------------------------------------------------- 19: NPZ bombs and pickles


def test_a_header_claiming_80_terabytes_is_refused_before_allocating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**13, 1)}
    path = write_npz(tmp_path / "claims.npz", {"X.npy": npy_bytes(header),
                                               "y.npy": labels_npy(10)})
    refused(path, r"claims\.npz: array 'X' would take 72\.8 TiB \(shape \(10000000000000, 1\), "
                  r"float64\); the limit is 2\.0 GiB")
    cli_refuses(path, capsys)


def test_a_header_over_the_default_limit_is_refused_by_size(tmp_path: Path) -> None:
    """2.4 GB claimed by a header with no data behind it: refused by size, not read."""
    header = {"descr": "<f8", "fortran_order": False, "shape": (100_000_000, 3)}
    path = write_npz(tmp_path / "big.npz", {"X.npy": npy_bytes(header),
                                            "y.npy": labels_npy(10)})
    refused(path, r"big\.npz: array 'X' would take 2\.2 GiB .*; the limit is 2\.0 GiB")


def test_a_highly_compressed_array_is_refused_under_a_lowered_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    np.savez_compressed(tmp_path / "zeros.npz", X=np.zeros((20_000, 10)),
                        y=np.arange(20_000) % 2)
    assert (tmp_path / "zeros.npz").stat().st_size < 50_000  # 1.6 MB of zeros, squeezed
    monkeypatch.setattr(npz_reader, "MAX_NPZ_BYTES", 1 << 20)
    # Refused by the size the zip records for the member, before even its header is read.
    refused(str(tmp_path / "zeros.npz"),
            r"zeros\.npz: array 'X' decompresses to 1\.5 MiB; the limit is 1\.0 MiB")


def test_the_limit_counts_x_and_y_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    np.savez_compressed(tmp_path / "pair.npz", X=np.zeros((1000, 10)), y=np.zeros((1000, 10)))
    monkeypatch.setattr(npz_reader, "MAX_NPZ_BYTES", 100_000)
    refused(str(tmp_path / "pair.npz"), r"pair\.npz: arrays X and y would take 156\.2 KiB "
                                        r"together; the limit is 97\.7 KiB")


def test_a_member_declaring_more_bytes_than_the_limit_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The zip's own size for the member is checked too: its header is never reached."""
    monkeypatch.setattr(npz_reader, "MAX_NPZ_BYTES", 10_000)
    path = write_npz(tmp_path / "padded.npz", {"X.npy": b"\0" * 200_000,
                                               "y.npy": labels_npy(10)})
    refused(path, r"padded\.npz: array 'X' decompresses to 195\.3 KiB; the limit is 9\.8 KiB")


def test_a_header_length_claiming_gigabytes_is_refused_unread(tmp_path: Path) -> None:
    """A 2.0 header says how long it is in 4 bytes: 4 GiB of 'header' is never read."""
    member = b"\x93NUMPY\x02\x00" + (2**32 - 1).to_bytes(4, "little") + b" " * 300_000
    path = write_npz(tmp_path / "long_header.npz", {"X.npy": member, "y.npy": labels_npy(10)})
    refused(path, r"long_header\.npz: cannot read array 'X' \(its \.npy header claims "
                  r"4294967295 bytes; at most 10000 are allowed\)")


def test_a_header_claiming_more_than_the_member_holds_is_truncated(tmp_path: Path) -> None:
    header = {"descr": "<f8", "fortran_order": False, "shape": (1000, 4)}
    path = write_npz(tmp_path / "short.npz", {"X.npy": npy_bytes(header, b"\0" * 80),
                                              "y.npy": labels_npy(1000)})
    refused(path, r"short\.npz: array 'X' is truncated \(its header needs 32000 bytes, "
                  r"the archive holds 80\)")


class _Trap:
    """Unpickling this would leave a file behind."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str, str]]:
        return (open, (self.target, "w"))


def test_an_object_array_is_refused_and_its_pickle_never_runs(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    body = pickle.dumps(np.array([_Trap(str(target))] * 10, dtype=object))
    header = {"descr": "|O", "fortran_order": False, "shape": (10,)}
    X = npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (10, 1)}, b"\0" * 80)
    path = write_npz(tmp_path / "trap.npz", {"X.npy": X, "y.npy": npy_bytes(header, body)})
    refused(path, r"(?i)trap\.npz: cannot read array 'y' \(object arrays")
    assert not target.exists()


def test_damaged_members_are_one_line_errors(tmp_path: Path) -> None:
    X = io.BytesIO()
    np.save(X, np.ones((10, 2)))
    good = X.getvalue()
    cases = {
        "bad_header": ({"X.npy": good[:10] + b"{'descr': nonsense}\n", "y.npy": labels_npy(10)},
                       r"cannot read array 'X'"),
        "stored": ({"X.npy": good, "y.npy": labels_npy(10)}, None),
        "version9": ({"X.npy": b"\x93NUMPY\x09\x00" + good[8:], "y.npy": labels_npy(10)},
                     r"cannot read array 'X'"),
        "named_plain": ({"X": good, "y": labels_npy(10)}, None),
    }
    for stem, (members, pattern) in cases.items():
        compression = zipfile.ZIP_STORED if stem == "stored" else zipfile.ZIP_DEFLATED
        path = write_npz(tmp_path / f"{stem}.npz", members, compression)
        if pattern is None:
            assert load_dataset(path).n_features == 2
        else:
            refused(path, rf"{stem}\.npz: {pattern}")
    # A deflate stream broken after the header: the data cannot be decompressed.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("X.npy", good)
        archive.writestr("y.npy", labels_npy(10))
    data = bytearray(raw.getvalue())
    start = data.index(b"X.npy") + len("X.npy")
    data[start + 40:start + 60] = b"\xff" * 20
    (tmp_path / "broken.npz").write_bytes(bytes(data))
    refused(str(tmp_path / "broken.npz"), r"broken\.npz: cannot read array 'X'")


def test_fortran_order_and_big_endian_members_read_as_saved(tmp_path: Path) -> None:
    X = np.asfortranarray(np.arange(120, dtype=">f8").reshape(40, 3) % 7)
    np.savez(tmp_path / "fortran.npz", X=X, y=(np.arange(40) % 2).astype(">i4"))
    ds = load_dataset(str(tmp_path / "fortran.npz"))
    together = np.concatenate([ds.X_train, ds.X_val, ds.X_test])
    unscaled = together * ds.scaling["scale"] + ds.scaling["mean"]
    np.testing.assert_allclose(np.sort(unscaled, axis=0), np.sort(np.asarray(X), axis=0),
                               atol=1e-12)
    assert ds.class_names == ("0", "1")


# ---------------------------------------------------------------- 20: the streaming CSV reader


@pytest.fixture(params=[1, 3, 1000], ids=lambda n: f"chunk{n}")
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every CSV test below runs with chunks of 1, 3 and 1000 rows, gathered in blocks of a
    few rows: boundaries everywhere."""
    monkeypatch.setattr(csv_reader, "CSV_CHUNK_ROWS", request.param)
    monkeypatch.setattr(csv_reader, "BLOCK_BYTES", 40)
    return int(request.param)


def test_csv_chunks_keep_rows_in_order(tmp_path: Path, chunk: int) -> None:
    lines = ["a,b,label", *rows(50, label=lambda i: f"{i * 0.25}")]
    ds = load_dataset(write_csv(tmp_path / "order.csv", lines))
    assert ds.task == REGRESSION
    X = np.concatenate([ds.X_train, ds.X_val, ds.X_test])
    X = X * ds.scaling["scale"] + ds.scaling["mean"]
    y = ds.unscale_targets(np.concatenate([ds.y_train, ds.y_val, ds.y_test])).ravel()
    order = np.argsort(y)
    expected = np.array([[i * 0.5, (i % 5) - 2.0] for i in range(50)])
    np.testing.assert_allclose(X[order], expected, atol=1e-9)
    np.testing.assert_allclose(y[order], np.arange(50) * 0.25, atol=1e-9)


def test_csv_text_label_after_many_numeric_ones(tmp_path: Path, chunk: int) -> None:
    """Numbers as labels until row 30, then a word: every label is a class name, as text."""
    lines = [*rows(30, label=lambda i: ("1", "1.0", "2")[i % 3]), "4,1,two", "5,1,inf"]
    ds = load_dataset(write_csv(tmp_path / "mixed.csv", lines))
    assert ds.class_names == ("1", "1.0", "2", "inf", "two")
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert np.bincount(y).tolist() == [10, 10, 10, 1, 1]


def test_csv_quoted_fields_spaces_and_odd_blank_rows(tmp_path: Path, chunk: int) -> None:
    lines = ["a,b,label", *rows(20, label=lambda i: f'" {("cat", "dog")[i % 2]} "'),
             ",,", " , , ", "", '"1",2,"multi', 'line"', *rows(20)[:5], '3," 4 ",dog']
    ds = load_dataset(write_csv(tmp_path / "odd.csv", lines))
    assert ds.class_names == ("0", "1", "cat", "dog", "multi\nline")
    assert sum(len(x) for x in (ds.X_train, ds.X_val, ds.X_test)) == 27


def test_csv_errors_name_the_right_line_across_chunks(tmp_path: Path, chunk: int) -> None:
    cases = {
        "late_word": ([*rows(25), "1,oops,0", *rows(5)], r"line 26, column 2: 'oops' is not"),
        "late_width": ([*rows(25), "1,2", "1,x,0"], r"line 26: expected 3 fields, got 2"),
        # A quoted newline: the line is where the record ends, and the message stays one line.
        "after_quote": ([*rows(4), '1,"a\nb",0', "2,,1"],
                        r"line 6, column 2: 'a\\nb' is not a number"),
        "past_newlines": ([*rows(4), '1,2,"x\ny"', "2,,1"], r"line 7, column 2: empty field"),
        "late_label": ([*rows(25, label=lambda i: "ab"[i % 2]), "1,2,"],
                       r"line 26, column 3: empty label"),
        "blank_label": ([*rows(25), "1,2, "], r"line 26, column 3: empty label"),
        "nan_label": ([*rows(25), "1,2,nan", "1,2,x"], None),
        "inf_label": ([*rows(25), "1,2, inf", *rows(5)],
                      r"line 26, column 3: label 'inf' is not a finite number"),
        "inf_feature": ([*rows(25), "1,-inf,1"], r"line 26, column 2: '-inf' is not a finite"),
        "word_before_label": ([*rows(25), "1,2,inf", "x,2,1"], r"line 27, column 1: 'x' is"),
    }
    for stem, (lines, pattern) in cases.items():
        path = write_csv(tmp_path / f"{stem}.csv", lines)
        if pattern is None:  # a word among the labels: "nan" is a class name like any other
            assert load_dataset(path).class_names == ("0", "1", "nan", "x")
        else:
            refused(path, rf"{stem}\.csv {pattern}")


def test_csv_header_only_detection_is_unchanged_by_chunks(tmp_path: Path, chunk: int) -> None:
    numbers_first = load_dataset(write_csv(tmp_path / "plain.csv", rows(30)))
    assert numbers_first.feature_names == ("x0", "x1")
    assert sum(len(x) for x in (numbers_first.X_train, numbers_first.X_val,
                                numbers_first.X_test)) == 30
    named = load_dataset(write_csv(tmp_path / "named.csv", ["", " w , h ,kind", *rows(30)]))
    assert named.feature_names == ("w", "h")


# ---------------------------------------------------------------- any damage: one line, no crash


def _good_npz() -> bytes:
    out = io.BytesIO()
    rng = np.random.default_rng(0)
    np.savez_compressed(out, X=rng.normal(size=(30, 3)), y=np.arange(30) % 3)
    return out.getvalue()


GOOD_NPZ = _good_npz()
GOOD_CSV = "\n".join(["a,b,label", *rows(30, label=lambda i: "xyz"[i % 3])]).encode()


def _loads_or_says_why(path: str) -> None:
    try:
        load_dataset(path)
    except DatasetError as exc:
        assert "\n" not in str(exc) and path in str(exc), str(exc)


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_any_damaged_byte_or_truncation_is_a_one_line_error(tmp_path: Path, suffix: str) -> None:
    """Every truncation point and a sample of byte changes (a seeded sweep, not random per run):
    the file loads or gives one DatasetError line, never another exception."""
    good = GOOD_NPZ if suffix == ".npz" else GOOD_CSV
    rng = np.random.default_rng(1)
    variants = [good[:cut] for cut in range(0, len(good), max(1, len(good) // 150))]
    for _ in range(300):
        data = bytearray(good)
        for at in rng.integers(0, len(data), size=int(rng.integers(1, 4))):
            data[at] = int(rng.integers(0, 256))
        variants.append(bytes(data))
    path = tmp_path / f"damaged{suffix}"
    for data in variants:
        path.write_bytes(data)
        _loads_or_says_why(str(path))
