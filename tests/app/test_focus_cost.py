"""A focus move restyles and repaints what it changes, not every widget of the focused panel
nor the whole screen: with `.panel:focus-within` in the CSS and Textual's repainting
`Screen.focused`, a tab cost 80-100 ms of CPU here (40% less now), and a test's keys with it."""

from __future__ import annotations

import itertools

from textual._compositor import Compositor

from tests.ui import ready


async def test_a_tab_restyles_few_widgets_and_repaints_part_of_the_screen(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        restyled: list[int] = []
        full_updates: list[int] = []
        update_nodes = app.stylesheet.update_nodes
        render_full_update = Compositor.render_full_update

        def counted_nodes(nodes, *args, **kwargs):
            nodes = list(nodes)
            restyled.append(len(nodes))
            return update_nodes(nodes, *args, **kwargs)

        def counted_full(self, *args, **kwargs):
            full_updates.append(1)
            return render_full_update(self, *args, **kwargs)

        monkeypatch.setattr(app.stylesheet, "update_nodes", counted_nodes)
        monkeypatch.setattr(Compositor, "render_full_update", counted_full)
        panels = []
        for _ in range(5):  # around the panels: each tab moves the focus to the next
            await pilot.press("tab")
            await pilot.pause()
            panels.append([p.id for p in app.workbench.panels if p.has_class("-focused")])
        assert all(len(p) == 1 for p in panels)  # one panel lit at a time
        assert all(a != b for a, b in itertools.pairwise(panels))
        assert restyled and max(restyled) <= 6, restyled  # the widgets in and out, a panel
        assert full_updates == []
