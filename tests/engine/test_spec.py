"""The layer parser and the settings checks: every bad value gets one readable reason."""

import pytest

from engine import LayerSpec, ModelSpec, SpecError, TrainConfig, parse_layers


def test_parse_layers_reads_units_and_activations():
    assert parse_layers("100:relu, 10:softmax") == (LayerSpec(100, "relu"),
                                                    LayerSpec(10, "softmax"))
    assert parse_layers("8") == (LayerSpec(8, "relu"),)


@pytest.mark.parametrize(("text", "reason"), [
    ("0:relu", "at least 1 unit"),
    ("-3:relu", "at least 1 unit"),
    ("abc:relu", "whole number"),
    ("10:swish", "unknown activation 'swish'"),
    ("", "empty"),
    ("10:relu,,3:softmax", "whole number"),
])
def test_parse_layers_refuses_bad_text(text, reason):
    with pytest.raises(SpecError, match=reason):
        parse_layers(text)


def test_model_spec_checks_its_fit_to_the_data():
    spec = ModelSpec(parse_layers("100:relu,10:softmax"))
    assert spec.validate(64, 10, "classification") == []
    assert spec.n_params(64) == 64 * 100 + 100 + 100 * 10 + 10
    assert "needs 3" in spec.validate(4, 3, "classification")[0]
    binary = ModelSpec(parse_layers("4:tanh,1:sigmoid"), "binary_cross_entropy")
    assert binary.validate(2, 2, "classification") == []
    linear_out = ModelSpec(parse_layers("4:tanh,3:linear"), "mse")
    assert "softmax or sigmoid" in linear_out.validate(4, 3, "classification")[0]
    hidden_softmax = ModelSpec(parse_layers("4:softmax,3:softmax"))
    assert "output layer only" in hidden_softmax.validate()[0]


def test_model_spec_round_trips_through_a_dict():
    spec = ModelSpec(parse_layers("16:tanh,1:linear"), "mse")
    assert ModelSpec.from_dict(spec.to_dict()) == spec


@pytest.mark.parametrize(("change", "reason"), [
    ({"lr": -1.0}, "learning rate"),
    ({"lr": float("nan")}, "learning rate"),
    ({"momentum": 1.5}, "momentum"),
    ({"l2": -0.1}, "L2"),
    ({"batch_size": -2}, "batch size"),
    ({"epochs": 0}, "epochs"),
    ({"optimizer": "lbfgs"}, "unknown optimizer"),
    ({"schedule": "warm"}, "unknown schedule"),
    ({"dtype": "int8"}, "dtype"),
])
def test_train_config_gives_a_reason_per_bad_value(change, reason):
    config = TrainConfig(**change)
    assert reason in config.validate()[0]
    with pytest.raises(SpecError, match=reason):
        config.checked()


def test_the_default_config_is_valid():
    assert TrainConfig().validate() == []
