"""Start-up: the app presets from the command line's options (`nn-tui --dataset wine --layers
...`, `--model FILE`), falls back to the default model when a preset cannot be built, and shows
a diverging run as a problem rather than crashing."""

from __future__ import annotations

from engine import Experiment, TrainConfig
from tests.ui import ready, trained
from tui.app import NNTuiApp
from tui.cli.main import build_parser


async def test_the_default_is_digits_with_a_hidden_layer_of_100(tmp_path):
    app = NNTuiApp(models_dir=tmp_path, clock=lambda: "12:00:00")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.controller.experiment.dataset.name == "digits"
        assert app.controller.experiment.spec.layers_text == "100:relu,10:softmax"
        experiment = app.controller.experiment
        assert experiment.config.optimizer == "adam" and experiment.runner.epoch == 0


async def test_command_line_options_preset_the_app(tmp_path):
    args = build_parser().parse_args(["--dataset", "wine", "--layers", "16:tanh,3:softmax",
                                      "--lr", "0.02", "--epochs", "7", "--seed", "3"])
    app = NNTuiApp.from_namespace(args, models_dir=tmp_path, pace=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        session = app.controller.experiment
        assert session.dataset.name == "wine"
        assert session.spec.layers_text == "16:tanh,3:softmax"
        assert (session.config.lr, session.config.seed) == (0.02, 3)
        assert app.editor.query_one("#field-lr").value == "0.02"
        await pilot.press("t")
        await trained(pilot)
        assert session.runner.epoch == 7


async def test_model_option_opens_a_saved_model(tmp_path):
    saved = Experiment.create("iris", config=TrainConfig(epochs=2))
    list(saved.trainer.run())
    path = saved.save(str(tmp_path / "two.safetensors"))
    app = NNTuiApp(model=path, models_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        experiment = app.controller.experiment
        assert experiment.dataset.name == "iris" and experiment.runner.epoch == 2
        assert (app.controller.experiment.network.params == saved.network.params).all()
        assert [e.epoch for e in app.controller.history] == [1, 2]


async def test_a_preset_that_fails_falls_back_to_the_default(tmp_path):
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not a model")
    app = NNTuiApp(model=str(broken), models_dir=tmp_path, clock=lambda: "12:00:00")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.controller.experiment.dataset.name == "digits"
        lines = app.log_panel.lines_text
        assert any("broken.safetensors" in line for line in lines)
        assert "opened the default digits model instead" in lines[-1]


async def test_a_diverging_run_is_reported_not_fatal(make_app):
    app = make_app(dataset="sine", optimizer="sgd", lr=1e6, epochs=50)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.experiment.runner.state == "diverged"
        assert any("diverged at epoch" in line for line in app.log_panel.lines_text)
        assert "diverged" in app.status_bar.render().plain
        await pilot.press("r")  # and the way out still works
        assert app.is_running
