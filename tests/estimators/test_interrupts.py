"""Ctrl-C during a fit: KeyboardInterrupt reaches the caller and the estimator is unchanged."""
import _thread
import threading

import numpy as np
import pytest

import emkit
from emkit.engine import step


def snapshot(estimator):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v)
            for k, v in estimator.__dict__.items()}


def assert_same(before, estimator):
    assert sorted(before) == sorted(estimator.__dict__)
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(estimator.__dict__[key], value)
        else:
            assert estimator.__dict__[key] is value


@pytest.fixture
def interrupt_at_step(monkeypatch):
    def arm(n):
        original, calls = step.em_step, []

        def em_step(problem, current):
            calls.append(1)
            if len(calls) == n:
                raise KeyboardInterrupt
            return original(problem, current)

        monkeypatch.setattr("emkit.engine.drivers.em_step", em_step)
    return arm


@pytest.mark.parametrize("make", [
    lambda: emkit.GaussianMixture(2, random_state=0, tol=0.0, max_iter=20),
    lambda: emkit.GaussianHMM(2, random_state=0, tol=0.0, n_iter=20),
])
@pytest.mark.parametrize("warm", [False, True])
def test_an_interrupted_fit_leaves_the_estimator_as_it_was(interrupt_at_step, make, warm):
    X = np.random.RandomState(0).randn(300, 2)
    estimator = make()
    if warm:
        estimator.fit(X)
    before = snapshot(estimator)
    interrupt_at_step(3)
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X * 2.0)
    assert_same(before, estimator)


def test_a_real_ctrl_c_raises_keyboard_interrupt_and_changes_nothing():
    X = np.random.RandomState(0).randn(20000, 3)
    estimator = emkit.GaussianMixture(3, random_state=0, tol=0.0, max_iter=10**6)
    timer = threading.Timer(1.0, _thread.interrupt_main)  # SIGINT's effect in the main thread
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            estimator.fit(X)
    finally:
        timer.cancel()
    assert not hasattr(estimator, "means_") and not hasattr(estimator, "n_features_in_")
