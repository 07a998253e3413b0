"""A user's own data from a file, by suffix (`FILE_READERS`): each reader is mostly checks, since
reading a file is where most things go wrong. A file is untrusted input: nothing large is
allocated before the size it will take is known, and every problem is one `DatasetError` line
that names the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from engine.data.csv_reader import read_csv
from engine.data.dataset_types import Dataset, RawData
from engine.data.npz_reader import read_npz
from engine.data.split import split_and_scale
from engine.errors import DatasetError

FILE_READERS: dict[str, Callable[[Path, str], RawData]] = {".csv": read_csv, ".npz": read_npz}

def load_file(text: str, seed: int, val_size: float, test_size: float,
              dtype: str = "float64") -> Dataset:
    """The file at `text` (its suffix one of `FILE_READERS`), split and scaled into X arrays of
    `dtype` (the network's: a float32 file then stays float32 from disk to the trainer)."""
    path = Path(text).expanduser()
    reader = FILE_READERS[path.suffix.lower()]
    if not path.is_file():
        raise DatasetError(f"{text}: no such file")
    return split_and_scale(path.stem, reader(path, text), text, seed=seed, val_size=val_size,
                           test_size=test_size, dtype=dtype)
