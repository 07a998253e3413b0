"""The architecture editor: typed values, the layer list, the choices, and what a change costs
(live at the next epoch, or a rebuild that asks first once the model is trained)."""

from __future__ import annotations

from tests.ui import ready, trained, wait_for
from tui.edits import CONFIG_FIELDS
from tui.widgets.layer_list import LayerRows


def reason(app) -> str:
    return str(app.editor.query_one("#reason").render())


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.editor.query_one(selector).focus()
    await pilot.pause()
    for character in text:
        await pilot.press(character)
    await pilot.press("enter")


BAD_SETTINGS = [
    ("lr", "-1", "learning rate must be > 0"),
    ("lr", "abc", "learning rate: 'abc' is not a number"),
    ("batch_size", "2.5", "batch size: '2.5' is not a whole number"),
    ("epochs", "0", "epochs must be >= 1"),
    ("momentum", "1.5", "momentum must be in [0, 1)"),
    ("seed", "-3", "seed must be a whole number"),
]


async def test_a_bad_setting_is_refused_with_its_reason(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        before = app.controller.design
        for field, text, expected in BAD_SETTINGS:
            await type_into(pilot, f"#field-{field}", text)
            assert expected in reason(app)
            assert app.controller.design == before
            assert app.controller.experiment.config == before.config
            assert app.editor.query_one(f"#field-{field}").has_class("-invalid")
            await pilot.press("escape")  # puts the value back and leaves the text field
            box = app.editor.query_one(f"#field-{field}")
            assert box.value == CONFIG_FIELDS[field].format(before.config)
            assert app.focused is box.parent and reason(app) == ""  # still on its row


async def test_a_good_setting_applies_and_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await type_into(pilot, "#field-lr", "0.01")
        assert app.controller.design.config.lr == 0.01
        assert reason(app) == ""
        assert "learning rate 0.01" in app.log_panel.lines_text[-1]
        await type_into(pilot, "#field-epochs", "7")
        assert app.focused is app.editor.query_one("#field-epochs").parent  # enter left it
        await pilot.press("t")
        await trained(pilot)
        assert app.controller.experiment.runner.epoch == 7
        assert app.controller.experiment.trainer.config.lr == 0.01


async def test_bad_units_are_refused(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        spec = app.controller.design.spec
        for text, expected in (("0", "a layer needs at least 1 unit (got 0)"),
                               ("abc", "'abc' is not a whole number")):
            app.editor.query_one(LayerRows).focus()
            await pilot.press("enter")
            assert app.focused.id == "units-input"
            for character in text:
                await pilot.press(character)
            await pilot.press("enter")
            assert expected in reason(app)
            assert app.controller.design.spec == spec == app.controller.experiment.spec
            await pilot.press("escape")


async def test_an_output_layer_that_does_not_fit_is_refused(make_app):
    app = make_app()  # iris: 3 classes
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        spec = app.controller.design.spec
        rows = app.editor.query_one(LayerRows)
        rows.focus()
        await pilot.press("down", "5", "enter")
        assert "the output layer has 5 units but the dataset needs 3" in reason(app)
        assert app.controller.design.spec == spec == app.controller.experiment.spec


async def test_typing_units_rebuilds_the_model(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one(LayerRows).focus()
        await pilot.press("1", "6", "enter")
        assert app.controller.experiment.spec.layers_text == "16:relu,3:softmax"
        assert app.controller.experiment.network.n_params == 4 * 16 + 16 + 16 * 3 + 3
        assert app.focused is app.editor.query_one(LayerRows)
        assert "131 parameters" in str(app.editor.query_one("#total").render())


async def test_layer_keys_add_delete_move_and_cycle(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one(LayerRows).focus()
        await pilot.press("a")
        assert app.controller.experiment.spec.layers_text == "100:relu,32:relu,3:softmax"
        assert app.editor.query_one(LayerRows).cursor == 1
        await pilot.press("right")
        assert app.controller.experiment.spec.layers_text == "100:relu,32:leaky_relu,3:softmax"
        await pilot.press("shift+up")
        assert app.controller.experiment.spec.layers_text == "32:leaky_relu,100:relu,3:softmax"
        await pilot.press("delete")
        assert app.controller.experiment.spec.layers_text == "100:relu,3:softmax"
        await pilot.press("down", "delete")  # the output layer stays
        assert "the output layer stays" in reason(app)
        await pilot.press("right")  # softmax -> sigmoid: the loss follows
        assert app.controller.experiment.spec.layers_text == "100:relu,3:sigmoid"
        assert app.controller.experiment.spec.loss == "binary_cross_entropy"


async def test_loss_and_optimizer_cycle(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#optimizer").focus()
        await pilot.press("right")
        assert app.controller.experiment.config.optimizer != "adam"
        app.editor.query_one("#loss").focus()
        await pilot.press("left")
        assert app.controller.experiment.spec.loss == "mse"


async def test_changing_the_model_after_training_asks_first(make_app):
    app = make_app(epochs=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await trained(pilot)
        session = app.controller.experiment
        app.editor.query_one(LayerRows).focus()
        await pilot.press("a")
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert app.controller.experiment is session
        assert session.spec.layers_text == "100:relu,3:softmax"
        assert "32" not in str(app.editor.query_one(LayerRows).render())
        await pilot.press("a", "y")
        assert app.controller.experiment is not session
        assert app.controller.experiment.runner.epoch == 0
        assert app.controller.experiment.spec.layers_text == "100:relu,32:relu,3:softmax"
        assert [e.epoch for e in app.controller.previous] == [1, 2, 3]


async def test_learning_rate_changes_while_training_at_the_next_epoch(make_app):
    app = make_app(epochs=1000, pace=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        trainer = app.controller.experiment.runner
        await wait_for(pilot, lambda: trainer.epoch >= 1)
        await type_into(pilot, "#field-lr", "0.05")
        at = trainer.epoch
        await wait_for(pilot, lambda: trainer.epoch >= at + 2)
        assert app.controller.experiment.runner is trainer  # no rebuild
        assert trainer.trainer.config.lr == 0.05 and app.controller.history[-1].lr == 0.05
        await pilot.press("x")


async def test_switching_the_dataset_refits_the_output_layer(make_app):
    app = make_app()  # iris: 4 inputs, 3 classes
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editor.query_one("#dataset").focus()
        await pilot.press("right")  # the next built-in after iris: wine
        await wait_for(pilot, lambda: app.controller.experiment.dataset.name == "wine")
        assert app.controller.design.data.n_inputs == 13
        assert app.controller.experiment.spec.layers_text == "100:relu,3:softmax"
        assert "13 in → 3 out" in str(app.editor.query_one("#shape").render())


async def test_down_and_up_walk_the_fields(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert app.focused.id == "layer-rows"  # where the ▸ is
        await pilot.press("up")
        assert app.focused.id == "dataset"
        await pilot.press("down")
        assert app.focused.id == "layer-rows"
        await pilot.press("down", "down")  # through both layers
        assert app.focused.id == "loss"
        await pilot.press("up")
        assert app.focused.id == "layer-rows"
