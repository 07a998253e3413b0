"""The tutorial's names for a 2-2-1 network, matrix names for any other."""

import pytest

from engine import Dense, Network
from engine.errors import SpecError
from engine.inside.names import ParamNames


def test_the_tutorial_names_follow_its_equations():
    names = ParamNames((2, 2, 1))
    # h1 = f(w1*x1 + w2*x2 + b1), h2 = f(w3*x1 + w4*x2 + b2), o1 = f(w5*h1 + w6*h2 + b3);
    # W[i, j] is the weight from input i to unit j.
    assert [names.weight(0, i, 0) for i in range(2)] == ["w1", "w2"]
    assert [names.weight(0, i, 1) for i in range(2)] == ["w3", "w4"]
    assert [names.weight(1, i, 0) for i in range(2)] == ["w5", "w6"]
    assert [names.bias(0, 0), names.bias(0, 1), names.bias(1, 0)] == ["b1", "b2", "b3"]
    assert [names.unit(0, 0), names.unit(0, 1), names.unit(1, 0)] == ["h1", "h2", "o1"]
    assert [names.input(0), names.input(1)] == ["x1", "x2"]
    assert names.partial("w6") == "dL/dw6"
    assert names.find("w3") == ("W", 0, 0, 1)
    assert names.find("b3") == ("b", 1, 0, 0)


def test_other_networks_get_matrix_names_counted_from_one():
    net = Network([Dense(4, 3, "relu"), Dense(3, 2, "softmax")])
    names = ParamNames.of(net)
    assert names.sizes == (4, 3, 2) and not names.is_tutorial
    assert names.weight(1, 2, 0) == "W2[2,0]"
    assert names.bias(0, 2) == "b1[2]"
    assert names.unit(1, 1) == "a2[1]"
    assert names.find("W1[3,2]") == ("W", 0, 3, 2)
    with pytest.raises(SpecError):
        names.weight(0, 4, 0)
    with pytest.raises(SpecError):
        names.input(4)
