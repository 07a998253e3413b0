"""The install: `make` installs from the lock (constraints.txt), the lock pins every package the
project needs, and the wheel a user installs (`pipx install .`) works on its own, stylesheets
and console script included."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "constraints.txt"


def _lock() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _needed(name: str, extras: frozenset[str] = frozenset(),
            seen: set[str] | None = None) -> set[str]:
    """Every distribution `name[extras]` needs, all the way down (from the installed metadata)."""
    seen = set() if seen is None else seen
    for text in metadata.requires(name) or []:
        req = Requirement(text)
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
            continue
        key = canonicalize_name(req.name)
        if key not in seen:
            seen.add(key)
            _needed(req.name, frozenset(req.extras), seen)
    return seen


def test_make_installs_from_the_lock(tmp_path: Path) -> None:
    """Read from make's own database (-p) with -n: nothing is run or touched."""
    venv = tmp_path / "venv"
    stamp = f"{venv}/.installed-stamp"
    result = subprocess.run(["make", "-np", f"VENV={venv}", stamp], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rule = next(line for line in result.stdout.splitlines() if line.startswith(f"{stamp}:"))
    assert "constraints.txt" in rule.split(":", 1)[1].split(), rule  # a new lock reinstalls
    install = [line for line in result.stdout.splitlines() if "pip install" in line]
    assert any(re.search(r"pip install .*-c constraints\.txt .*-e '\.\[dev\]'", line)
               for line in install), install


def test_the_lock_pins_every_package_and_this_venv_matches_it() -> None:
    pins = _lock()
    needed = _needed("nn-tui", frozenset({"dev"}))
    assert not needed - set(pins), f"not in constraints.txt (run `make lock`): " \
                                   f"{sorted(needed - set(pins))}"
    for name in needed:
        assert metadata.version(name) == pins[name], f"{name}: installed " \
            f"{metadata.version(name)}, locked {pins[name]} (run `make`)"


def build_wheel(out: Path) -> Path:
    """The wheel `pip install .` would build (the venv's setuptools, no network), from a copy
    of the sources: a build in the checkout would leave build/ there, and a stale build/lib
    could slip old files into the wheel."""
    source = out / "source"
    for name in ("engine", "tui"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                             "--no-build-isolation", "--no-index", "--quiet",
                             "--disable-pip-version-check", "-w", str(out)],
                            cwd=out, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("nn_tui-*.whl")
    return built


def holds_every_stylesheet_and_the_console_script(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    sheets = {str(p.relative_to(ROOT)) for p in (ROOT / "tui").rglob("*.tcss")}
    assert sheets >= {"tui/app.tcss", "tui/inside.tcss"}
    assert sheets <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "nn-tui = tui.cli.main:main" in text
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_the_wheel_holds_what_it_needs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    """One test, so the wheel is built once (a module fixture was built again on each xdist
    worker that ran one of two tests: 1.5 s of CPU). A fresh venv gets the wheel alone; the
    dependencies come from this venv through a .pth line after its own site-packages, so the
    `tui` that runs is the wheel's, not the checkout."""
    (tmp_path / "wheel").mkdir()
    wheel = build_wheel(tmp_path / "wheel")
    holds_every_stylesheet_and_the_console_script(wheel)
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True,
                   timeout=60)
    python = fresh / "bin" / "python"
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                             "--no-deps", "--no-index", "--quiet", "--disable-pip-version-check",
                             str(wheel)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True).stdout
    Path(site.strip(), "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run = tmp_path / "run"
    run.mkdir()
    where = subprocess.run([str(python), "-c", "import tui, pathlib; p = pathlib.Path(tui.__file__)"
                            ".parent; print(p, (p / 'app.tcss').is_file(), (p / 'inside.tcss')"
                            ".is_file())"], cwd=run, capture_output=True, text=True, timeout=60)
    assert where.stdout.split()[1:] == ["True", "True"], where.stderr
    assert Path(where.stdout.split()[0]).is_relative_to(fresh)

    script = fresh / "bin" / "nn-tui"
    version = subprocess.run([str(script), "--version"], cwd=run, capture_output=True, text=True,
                             timeout=60)
    assert version.stdout == f"nn-tui {metadata.version('nn-tui')}\n", version.stderr
    # The NumPy step: numba's cache is keyed by the source's path, so the default backend would
    # compile the step afresh for this install (~9 s of CPU); the compiled step has its own
    # tests (tests/engine/test_compiled.py), and this one is about the wheel's script.
    trained = subprocess.run([str(script), "train", "--dataset", "and", "--layers", "1:sigmoid",
                              "--epochs", "1", "--quiet", "--backend", "numpy"], cwd=run,
                             capture_output=True, text=True, timeout=60)
    assert trained.returncode == 0, trained.stderr
    assert re.fullmatch(r"test accuracy \d\.\d{4}  test loss \d\.\d{4}\n", trained.stdout)
