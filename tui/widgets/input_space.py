"""`InputSpace`: what the network computes over its input space, drawn live in the sample panel
(`SampleViews` picks the view): decision regions, the neurons of a layer (maps over the plane,
or curves along a one-input network's input), a one-input network's function, predicted against
true, or a PCA projection of the test split.

The widget asks for the work and draws the answers; the work (a forward pass of a read-only
snapshot over the map's grid, a PCA fit) runs in `tui.map_jobs` threads, requested at most when
new scores arrive (the views' redraw rate), on a resize or a key, and a request not yet started is
dropped for a newer one. The lines are `tui.render_space`'s; the colours come from app.tcss
(`space_palette`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.color import Color
from textual.message import Message
from textual.widget import Widget

from engine import Dataset, Evaluated, Network
from tui import map_jobs
from tui.render_maps import Plane, tile_layout
from tui.render_plots import curve_view, fit_view, neuron_curves_view, projection_view
from tui.render_space import (
    MONO,
    Marks,
    Palette,
    neuron_pages,
    neurons_view,
    regions_plane,
    regions_view,
)
from tui.space_views import NEEDS_NETWORK, is_planar
from tui.widgets.space_palette import CLASS_COLOURS, css_palette

FALLBACK_SIZE = (44, 12)
USES_SCORES = frozenset({"curve", "fit", "projection"})  # views that print the runner's scores


class InputSpace(Widget, can_focus=True):
    """Draws one input-space view of the latest weights; see the module's story."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"input-space--class-{k}" for k in range(CLASS_COLOURS)),
        "input-space--negative", "input-space--positive", "input-space--axis",
        "input-space--header", "input-space--muted", "input-space--line",
        "input-space--wrong", "input-space--selected",
    }

    @dataclass
    class Computed(Message):
        """A job's answer, posted from the jobs thread."""

        view: str
        dataset: Dataset  # the dataset the job was asked for
        result: object

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.dataset: Dataset | None = None
        self.view = "regions"
        self.network: Network | None = None  # the latest read-only snapshot
        self.scores: Evaluated | None = None
        self.page = 0  # the neurons view's layer
        self.first = 0  # and the first of its units shown (a layer too big for one screen)
        self.show_test = False
        self.selected: int | None = None
        self.results: dict[str, object] = {}  # the latest answer (or error) for each view
        self._maps = map_jobs.LatestOnly("nn-tui-maps")
        self._fits = map_jobs.LatestOnly("nn-tui-projection")
        self._palette: tuple[object, Palette] | None = None
        self._drawn: tuple[tuple[object, ...], Text, object] | None = None  # the last drawing

    # -- what the panel sets ------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset, self.scores, self.network = dataset, None, None
        self.results, self.page, self.first, self.selected = {}, 0, 0, None
        self._ask_projection()
        self.refresh()

    def set_view(self, view: str) -> None:
        self.view = view
        self._ask_projection()
        self.request()

    def show_scores(self, scores: Evaluated, network: Network | None) -> None:
        """New weights and their test-split outputs (from the runner): the maps follow. A
        view drawn from a forward pass is drawn again when its answer comes, not now (once a
        redraw, not twice)."""
        self.scores, self.network = scores, network
        self.request()
        if self.view not in NEEDS_NETWORK:
            self.refresh()

    def select(self, index: int | None) -> None:
        self.selected = index
        self.refresh()

    def step_page(self, step: int) -> None:
        """The neurons view's next (or previous) screen of units: the rest of a layer too big
        for one, then the next layer (the output layer last, then round again)."""
        counts = self.units
        if not counts:
            return
        self.page = min(self.page, len(counts) - 1)
        fits = self._capacity(counts[self.page])
        if step > 0 and self.first + fits < counts[self.page]:
            self.first += fits
        elif step < 0 and self.first > 0:
            self.first = max(self.first - fits, 0)
        else:
            self.page = (self.page + step) % len(counts)
            fits = self._capacity(counts[self.page])
            self.first = 0 if step > 0 else (counts[self.page] - 1) // fits * fits
        self.request()
        self.refresh()

    @property
    def units(self) -> list[int]:
        """Each layer's units, the output layer last."""
        layers = self.network.spec.layers if self.network is not None else ()
        return [layer.units for layer in layers]

    def _capacity(self, units: int) -> int:
        """How many of a layer's units one screen of the neurons view shows."""
        width, height = self._area()
        tiles = tile_layout(width, height - 1, units)
        return max(tiles.across * max(height // (tiles.rows + 1), 1), 1)

    def toggle_test(self) -> None:
        self.show_test = not self.show_test
        self.refresh()

    @property
    def activations(self) -> list[str]:
        """Each layer's activation, the output last (a page of the neurons view each)."""
        layers = self.network.spec.layers if self.network is not None else ()
        return [layer.activation for layer in layers]

    def on_unmount(self) -> None:
        self._maps.close()
        self._fits.close()

    def idle(self) -> bool:
        """No job waiting or running (tests wait for it)."""
        return self._maps.idle() and self._fits.idle()

    # -- asking for the work ------------------------------------------------------------------
    @property
    def per_cell(self) -> int:
        """Pixels a cell: two stacked half blocks in colour, one glyph without."""
        return 1 if self.app.no_color else 2

    def _area(self) -> tuple[int, int]:
        width, height = self.content_size
        return (width, height) if width > 0 and height > 0 else FALLBACK_SIZE

    def request(self) -> None:
        """Asks the jobs thread for the current view's forward pass, if it needs one."""
        ds, net = self.dataset, self.network
        if ds is None or net is None or not self.is_mounted:
            return
        width, height = self._area()
        epoch = self.scores.epoch if self.scores is not None else 0
        if self.view == "curve" or (self.view == "neurons" and not is_planar(ds)):
            x_range = (float(ds.X_train[:, 0].min()), float(ds.X_train[:, 0].max()))
            points = 2 * width
            job = partial(map_jobs.curve, net, ds, x_range, points, epoch)
        elif self.view in ("regions", "neurons"):
            plane = self._plane(ds, width, height)
            if plane is None:
                return
            job = partial(map_jobs.plane_maps, net, ds, plane, epoch)
        else:
            return
        self._maps.submit(job, partial(self._deliver, self.view, ds))

    def _plane(self, ds: Dataset, width: int, height: int) -> Plane | None:
        ranges = map_jobs.plane_ranges(ds)
        if self.view == "regions":
            return regions_plane(ranges, width, height, self.per_cell, ds.feature_names[1])
        counts = self.units or [1]
        tiles = tile_layout(width, height - 1, counts[min(self.page, len(counts) - 1)])
        return Plane.fit(*ranges, tiles.cols, tiles.rows, self.per_cell)

    def _ask_projection(self) -> None:
        ds = self.dataset
        if ds is not None and self.view == "projection" and "projection" not in self.results:
            self._fits.submit(partial(map_jobs.projected, ds),
                              partial(self._deliver, "projection", ds))

    def _deliver(self, view: str, dataset: Dataset, result: object) -> None:
        self.post_message(self.Computed(view, dataset, result))

    def on_input_space_computed(self, message: Computed) -> None:
        result = message.result
        if message.dataset is self.dataset:  # an answer about older data is of no use
            self.results[message.view] = result  # a problem is shown in place of the view
        self.refresh()

    def on_resize(self) -> None:
        self.request()

    # -- drawing ---------------------------------------------------------------------------------
    def palette(self) -> Palette:
        """The styles from app.tcss, blended over the background (kept until the theme or the
        background changes)."""
        if self.app.no_color:
            return MONO
        background = self.background_colors[1]
        key = (self.app.theme, background)
        if self._palette is not None and self._palette[0] == key:
            return self._palette[1]
        text = Color.from_rich_color(self.rich_style.color) if self.rich_style.color else \
            background.get_contrast_text()
        palette = css_palette(self.get_component_rich_style, background, text)
        self._palette = (key, palette)
        return palette

    def render(self) -> RenderableType:
        """The current view, drawn again only when what it shows has changed (Textual asks for
        it on every repaint of the panel, a focus change included)."""
        width, height = self._area()
        palette = self.palette()
        result = self.results.get(self.view)
        scores = self.scores if self.view in USES_SCORES else None
        key = (self.view, id(result), id(scores), id(self.dataset), id(palette),
               self.show_test, self.selected, self.page, self.first, width, height)
        if self._drawn is None or self._drawn[0] != key:
            lines = self.lines(palette, width, height)
            text = Text("\n", no_wrap=True, end="").join(lines[:height])
            # Holding the objects keeps their ids from being reused while the key is kept.
            self._drawn = (key, text, (result, scores, self.dataset, palette))
        return self._drawn[1]

    def lines(self, palette: Palette, width: int, height: int) -> list[Text]:
        ds = self.dataset
        if ds is None:
            return [Text("no dataset", palette.muted)]
        marks = Marks(self.show_test, self.selected)
        outputs = self.scores.probabilities if self.scores is not None else None
        r2 = self.scores.r2 if self.scores is not None else None
        if self.view == "fit":
            return fit_view(ds, outputs, r2, palette, marks, width, height)
        result = self.results.get(self.view)
        if isinstance(result, Exception):
            return [Text(f"cannot draw this view: {result}", palette.muted)]
        if result is None:
            waiting = "fitting the projection…" if self.view == "projection" else \
                "waiting for the weights…"
            return [Text(waiting, palette.muted)]
        if self.view == "projection":
            return projection_view(result, outputs, palette, marks, width, height)
        if self.view == "curve":
            return curve_view(result, palette, marks, r2, width, height)
        if self.view == "neurons":
            self.page = min(self.page, len(neuron_pages(result)) - 1)
            draw = neuron_curves_view if isinstance(result, map_jobs.Curve) else neurons_view
            return draw(result, self.page, self.first, self.activations, palette, width,
                        height)
        return regions_view(result, palette, marks, width, height)

