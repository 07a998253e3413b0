"""Snapshots of the sample panel's input-space pictures at 120x40 and 80x24: moons' decision
regions, sine's function and iris's projection, each trained to a fixed epoch with fixed seeds, a
fixed clock and fixed timing figures; the picture is taken once the map of the last weights is
drawn (it is computed in its own thread)."""

from __future__ import annotations

import pytest

from tests.looks.test_snapshots import FIXED_CLOCK, train_to
from tests.ui import wait_for
from tui.app import NNTuiApp

CASES = {
    "moons": {"dataset": "moons", "layers": "16:tanh,16:tanh,2:softmax", "lr": 0.01,
              "epochs": 40},
    "sine": {"dataset": "sine", "layers": "16:tanh,1:linear", "lr": 0.01, "epochs": 60},
    "iris": {"dataset": "iris", "layers": "16:relu,3:softmax", "lr": 0.01, "epochs": 30},
}


def maps_app(tmp_path, case: str) -> NNTuiApp:
    return NNTuiApp(seed=0, models_dir=tmp_path, clock=lambda: FIXED_CLOCK, **CASES[case])


async def trained_and_drawn(pilot, epochs: int, watch: bool) -> None:
    await train_to(pilot, epochs)
    app = pilot.app
    if watch:
        app.workbench.view = "watch"
    await pilot.pause()
    space = app.samples.space

    def drawn() -> bool:
        answer = space.results.get(app.samples.view)
        epoch = getattr(answer, "epoch", epochs)  # a projection has no weights of its own
        return answer is not None and epoch == epochs and space.idle()

    await wait_for(pilot, drawn)
    space.refresh()
    await pilot.pause()


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_input_space_trained(snap_compare, tmp_path, case, size):
    async def before(pilot) -> None:
        await trained_and_drawn(pilot, CASES[case]["epochs"], watch=size == (80, 24))

    assert snap_compare(maps_app(tmp_path, case), terminal_size=size, run_before=before)
