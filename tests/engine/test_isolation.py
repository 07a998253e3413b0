"""engine/ is UI-free: importing every one of its modules must not import textual, rich or plotext,
not even through a third-party package (which import-linter's contract cannot see). The CLI's own
check is in tests/cli. Without numba, the compiled step (the one module that needs it) is left
out."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_engine_loads_no_ui_library():
    code = (
        "import importlib, pkgutil, sys, engine;"
        "names = [m.name for m in pkgutil.walk_packages(engine.__path__, 'engine.')];"
        "from engine.nn.backends import numba_available;"
        "[importlib.import_module(name) for name in names"
        " if numba_available() or not name.startswith('engine.nn.compiled')];"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext',"
        " 'textual_plotext')];"
        "print(len(names), ','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    count, bad = result.stdout.split(" ", 1)
    assert int(count) > 20  # every module was imported, not just the package
    assert bad.strip() == ""
