"""The plain-Python parts behind the input-space views: which views suit a dataset, the jobs
thread that runs only the newest request, and the editor's data options (noise, extra inputs)."""

from __future__ import annotations

import threading

import pytest

from engine import SpecError, load_dataset
from tui.design import DataShape
from tui.map_jobs import LatestOnly
from tui.space_views import views_for
from tui.widgets.data_options import parse_noise, toggled


@pytest.mark.parametrize(("name", "features", "views"), [
    ("moons", (), ("regions", "neurons", "sample")),
    ("circles", ("x1^2",), ("regions", "neurons", "sample")),
    ("spiral", (), ("regions", "neurons", "sample")),
    ("sine", (), ("curve", "neurons", "fit", "sample")),
    ("diabetes", (), ("fit", "sample")),
    ("iris", (), ("projection", "sample")),
    ("wine", (), ("projection", "sample")),
    ("digits", (), ("sample", "projection")),
    ("people", (), ("regions", "neurons", "sample")),
])
def test_each_dataset_opens_on_the_view_that_suits_it(name, features, views):
    assert views_for(load_dataset(name, features=list(features))) == views


def test_only_the_newest_waiting_job_runs():
    jobs = LatestOnly("test-maps")
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    delivered: list[object] = []
    done = threading.Event()

    def blocking() -> str:
        started.set()
        release.wait(5)
        ran.append("first")
        return "first"

    def job(name: str):
        def run() -> str:
            ran.append(name)
            return name
        return run

    def deliver(result: object) -> None:
        delivered.append(result)
        if result == "last":
            done.set()

    jobs.submit(blocking, deliver)
    assert started.wait(5)  # the first one is running: the next three wait behind it
    for name in ("stale", "older", "last"):
        jobs.submit(job(name), deliver)
    release.set()
    assert done.wait(5)
    assert ran == ["first", "last"] and delivered == ["first", "last"]
    assert jobs.dropped == 2
    jobs.close(wait=True)
    jobs.submit(job("after close"), deliver)
    assert ran == ["first", "last"]


def test_a_failing_job_hands_its_error_over_and_the_thread_goes_on():
    jobs = LatestOnly("test-maps")
    results: list[object] = []
    done = threading.Event()

    def deliver(result: object) -> None:
        results.append(result)
        if len(results) == 2:
            done.set()

    def broken() -> None:
        raise SpecError("the network has 4 inputs")

    jobs.submit(broken, deliver)
    while not jobs.idle():
        threading.Event().wait(0.01)
    jobs.submit(lambda: 42, deliver)
    assert done.wait(5)
    assert isinstance(results[0], SpecError) and results[1] == 42
    jobs.close(wait=True)


def test_noise_as_typed():
    assert parse_noise(" 0.25 ") == 0.25
    assert parse_noise("0") == 0.0
    for text, reason in (("abc", "not a number"), ("-1", ">= 0"), ("inf", ">= 0"),
                         ("nan", ">= 0")):
        with pytest.raises(SpecError, match=reason):
            parse_noise(text)


def test_extra_inputs_switch_on_and_off_in_playgrounds_order():
    assert toggled((), "sin x2") == ("sin x2",)
    assert toggled(("sin x2",), "x1^2") == ("x1^2", "sin x2")
    assert toggled(("x1^2", "sin x2"), "x1^2") == ("sin x2",)


def test_the_network_input_size_follows_the_extra_inputs():
    data = DataShape.of(load_dataset("circles", noise=0.2))
    assert (data.noise, data.features, data.n_inputs, data.planar) == (0.2, (), 2, True)
    wider = data.with_features(("x1^2", "x2^2"))
    assert wider.n_inputs == 4 and wider.planar
    assert wider.with_features(("x1*x2",)).n_inputs == 3
    assert wider.load_options() == {"noise": 0.2, "features": ("x1^2", "x2^2")}
    assert wider.options_text() == "noise 0.2, inputs x1 x2 x1^2 x2^2"
    iris = DataShape.of(load_dataset("iris"))
    assert not iris.planar and iris.noise is None and iris.options_text() == "iris"
