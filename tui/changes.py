"""Applying the architecture editor's proposals, by what they cost (`tui.design.change_kind`):

- live (lr, momentum, L2, batch size): handed to the runner, used from the next epoch;
- next_run (epochs): used when training starts or continues;
- carry (optimizer, patience): a new session that keeps the weights and the epoch count;
- rebuild (layers, loss) and reload (dataset, seed): fresh weights, so after training the app
  asks first; a "no" puts the editor back as it was.

A mixin of `NNTuiApp`; it uses the app's session, design, `adopt`, `load_session` and `ask`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from tui.design import Design, change_kind
from tui.errors import USER_ERRORS
from tui.sessions import session_for
from tui.widgets.architecture import ArchitectureEditor

FIELD_LABELS = {"lr": "learning rate", "l2": "L2", "batch_size": "batch size"}


def _described(design: Design, fields: frozenset[str]) -> str:
    parts = []
    for name in sorted(fields):
        value = getattr(design.config, name, None)
        if value is not None:
            parts.append(f"{FIELD_LABELS.get(name, name)} {value:g}" if isinstance(value, float)
                         else f"{FIELD_LABELS.get(name, name)} {value}")
    return ", ".join(parts) or design.spec.layers_text


class DesignChanges:
    def on_architecture_editor_proposed(self, message: ArchitectureEditor.Proposed) -> None:
        kind = change_kind(message.fields)
        try:
            APPLIERS[kind](self, message.design, message.fields)
        except USER_ERRORS as exc:
            self.report(exc)
            self.editor.show(self.design)

    def on_architecture_editor_dataset_requested(
            self, message: ArchitectureEditor.DatasetRequested) -> None:
        design, name = self.design, message.name
        if design is None:
            return
        build = partial(session_for, design, name, self.preset.splits)
        self._after_asking(f"Switch to {name}? The trained weights are lost.",
                           lambda: self.load_session(build, f"dataset {name}: fresh weights"))

    def _apply_live(self, design: Design, fields: frozenset[str]) -> None:
        self.session.trainer.update(**{name: getattr(design.config, name) for name in fields})
        self.design = design
        when = "from the next epoch" if self.session.runner.is_alive else "for training"
        self.log_panel.note(f"{_described(design, fields)} {when}")

    def _apply_next_run(self, design: Design, fields: frozenset[str]) -> None:
        self.design = design
        self.log_panel.note(f"{_described(design, fields)} for the next run")
        self.refresh_views()  # before the first epoch the header and charts show the target

    def _apply_carry(self, design: Design, fields: frozenset[str]) -> None:
        self.stop_training()  # the new session shares the network: no thread may change it
        twin = self.session.with_settings(design.config)
        self.adopt(twin, f"{_described(design, fields)}; weights kept", new_run=False)

    def _apply_rebuild(self, design: Design, fields: frozenset[str]) -> None:
        def rebuild() -> None:
            try:
                session = self.session.rebuilt(spec=design.spec, config=design.config)
            except USER_ERRORS as exc:
                self.report(exc)
                self.editor.show(self.design)
                return
            self.adopt(session, f"model {design.spec.layers_text}: fresh weights")

        self._after_asking("Change the model? The trained weights are re-initialised.", rebuild)

    def _apply_reload(self, design: Design, fields: frozenset[str]) -> None:
        build = partial(session_for, design, self.design.data.source, self.preset.splits)
        self._after_asking("Reload with the new seed? The trained weights are lost.",
                           lambda: self.load_session(build, f"seed {design.config.seed}: "
                                                            "new split and fresh weights"))

    def _after_asking(self, question: str, action: Callable[[], None]) -> None:
        """Runs `action` at once on an untrained model, else after a yes."""
        runner = self.session.runner if self.session else None
        if runner is None or (runner.epoch == 0 and not runner.is_alive):
            action()
            return
        editor = self.editor
        self.ask(question, action, on_no=lambda: editor.show(self.design))


APPLIERS: dict[str, Callable[[DesignChanges, Design, frozenset[str]], None]] = {
    "live": DesignChanges._apply_live,
    "next_run": DesignChanges._apply_next_run,
    "carry": DesignChanges._apply_carry,
    "rebuild": DesignChanges._apply_rebuild,
    "reload": DesignChanges._apply_reload,
}
