"""Real image data in the app (issue 13): a 28x28 IDX set in the viewer (half blocks, 28x14
cells when there is room), draw mode at 28x28 with the brush, class names in the bars, and the
first-layer weight tiles at the image's size. Small generated IDX files, no network."""

from __future__ import annotations

import re

import numpy as np

from tests.app.screen import screen_lines
from tests.idx_files import digit_set
from tests.ui import ready
from tui.render_image import CURSOR_HALVES
from tui.screens.inside import InsideScreen


async def test_draw_mode_at_28x28(make_app, tmp_path):
    images = digit_set(tmp_path / "mnist", n_train=200, n_test=50)
    app = make_app(dataset=str(images))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        viewer = app.viewer
        assert app.controller.experiment.dataset.image_shape == (28, 28)
        before = viewer.current_probabilities.copy()
        await pilot.press("d")
        assert viewer.draw_mode and app.focused is viewer
        # the panel showed the image shrunk at 120x40: drawing zooms it to every pixel
        assert app.screen.maximized is not None
        await pilot.press("c")  # clear the canvas
        await pilot.press(*["down"] * 4, *["right"] * 6)
        await pilot.press(*["L"] * 10)  # a stroke to the right with the 2-pixel brush
        await pilot.press("b", "shift+down", "shift+down")  # a 3-pixel brush, down
        image = viewer.current_pixels.reshape(28, 28)
        assert image[4:6, 6:17].all()  # the stroke, 2 pixels thick
        assert image[3:8, 15:18].all()  # then 3 pixels thick, down from (4, 16) to (6, 16)
        assert image.sum() == 2 * 11 + 3 * 5 - 2 * 2  # nothing else (the two overlap)
        assert not np.allclose(viewer.current_probabilities, before)
        lines = viewer.render().plain.splitlines()
        assert lines[0].startswith("drawing, brush 3 — predicted ")
        picture = [line[:28] for line in lines[1:15]]
        assert sum(ch in CURSOR_HALVES for line in picture for ch in line) == 0  # colour: ▀▄
        assert len(lines) >= 15  # 14 rows of half blocks under the header
        await pilot.press("escape")  # leaves draw mode, and the zoom drawing made
        assert not viewer.draw_mode and app.screen.maximized is None


async def test_fashion_names_in_the_bars_and_tiles_at_28x28(make_app, tmp_path):
    images = digit_set(tmp_path / "fashion", n_train=200, n_test=50)
    app = make_app(dataset=str(images))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert "Ankle boot" in app.viewer.render().plain
        await pilot.press("i", "1")
        screen = app.screen
        assert isinstance(screen, InsideScreen)
        await pilot.pause()
        assert screen.area.border_title.startswith("layer 1 weights as pictures: units 1-")
        lines = screen_lines(app)
        labels = next(i for i, line in enumerate(lines) if re.search(r"a1\[0\].*a1\[1\]", line))
        # a 28x28 tile: 14 rows of cells (two pixels each), then a blank line, then the next
        tile = [line for line in lines[labels + 1:labels + 15]]
        assert all(any(ch in "░▓█·•●" for ch in line) or line.strip("│ ") == ""
                   for line in tile)
        assert not any(ch in "░▓█·•●" for ch in lines[labels + 15].strip("│ ")[:40])
