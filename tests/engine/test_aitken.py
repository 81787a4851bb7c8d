"""The Aitken-extrapolated stopping rule (issue 10): its limit is exact on a geometric
sequence, and it stops EM nearer the maximum (found by scipy.optimize) than the plain change
of the objective at the same tolerance."""
import numpy as np
import pytest
from scipy import optimize, stats

import emkit
from emkit.engine import AitkenChange, IterationRecord, ObjectiveChange

COUNTS = np.array([162, 267, 271, 185, 111, 61, 27, 8, 3, 1], dtype=float)  # Hasselblad


class _Problem:
    n_samples = 100.0


def _rows(limit, scale, rate, n_rows, kind="em"):
    values = limit - scale * rate ** np.arange(n_rows + 1)
    return [IterationRecord(t + 1, values[t], values[t], values[t], 0.0,
                            values[t + 1] - values[t], 0.0, kind) for t in range(n_rows)]


@pytest.mark.parametrize("rate", [0.5, 0.9, 0.99])
def test_the_rule_extrapolates_a_geometric_sequence_to_its_limit(rate):
    rows = _rows(-500.0, 40.0, rate, 400)
    rule = AitkenChange(tol=1e-6)
    for t in range(1, len(rows)):
        remaining = 40.0 * rate ** (t + 1) / _Problem.n_samples  # limit minus value after row t
        if abs(remaining / 1e-6 - 1) < 1e-6 or 40.0 * rate ** (t + 1) < 1e-8:
            continue  # at the threshold, or gains lost in rounding
        assert rule.satisfied(None, rows[t], _Problem(), tuple(rows[:t + 1])) == \
            (remaining < 1e-6)


def test_the_rule_needs_two_consecutive_em_steps():
    rows = _rows(-500.0, 1e-3, 0.5, 3)
    rule = AitkenChange(tol=1e-3)
    assert not rule.satisfied(None, rows[0], _Problem(), tuple(rows[:1]))
    jump = rows[1].__class__(*[getattr(rows[1], f) for f in ("iteration", "evidence", "bound_e",
                                                            "bound_m", "kl_gap", "change",
                                                            "seconds")], "extrapolation")
    assert not rule.satisfied(None, rows[2], _Problem(), (rows[0], jump, rows[2]))
    assert rule.satisfied(None, rows[2], _Problem(), tuple(rows))


def _log_likelihood(z):
    weight, rates = 1 / (1 + np.exp(-z[0])), np.exp(z[1:])
    x = np.arange(10)
    return COUNTS @ np.logaddexp(np.log(weight) + stats.poisson.logpmf(x, rates[0]),
                                 np.log1p(-weight) + stats.poisson.logpmf(x, rates[1]))


@pytest.mark.parametrize("accelerate", [None, "squarem"])
def test_aitken_stops_nearer_the_maximum_than_the_objective_change(accelerate):
    data = emkit.Block(np.arange(10.0)[:, None], weights=COUNTS)
    model = emkit.Mixture(emkit.Poisson(), 2)
    start = emkit.Tree(weights=np.array([0.3, 0.7]),
                       components=emkit.Tree(rates=np.array([[1.0], [2.5]])))
    best = -optimize.minimize(lambda z: -_log_likelihood(z), [-0.5, 0.2, 1.0], method="BFGS",
                              options={"gtol": 1e-9}).fun
    tol, n = 1e-7, COUNTS.sum()
    aitken = emkit.fit(model, data, init=start, max_iter=20_000, accelerate=accelerate,
                       stopping=AitkenChange(tol))
    change = emkit.fit(model, data, init=start, max_iter=20_000, accelerate=accelerate,
                       stopping=ObjectiveChange(tol))
    assert aitken.converged and change.converged
    assert (best - aitken.log_likelihood) / n < 10 * tol
    assert best - aitken.log_likelihood < best - change.log_likelihood
