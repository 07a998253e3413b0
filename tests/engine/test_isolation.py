"""engine/ is UI-free: importing it must not import textual, rich or plotext."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_engine_loads_no_ui_library():
    code = (
        "import sys, engine, tui.cli.main, engine.experiment, engine.io.model_file;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'plotext',"
        " 'textual_plotext')];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""
