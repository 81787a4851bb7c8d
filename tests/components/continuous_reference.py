"""Shared checks for the continuous component tests: additivity, duplicated rows, anatomy.

References are independent of emkit: scipy.optimize on the weighted log-likelihood of a
scipy.stats density, and the invariants every exact E-step and M-step must satisfy.
"""
import numpy as np
from scipy import optimize

from emkit.engine.tree import Anchor


def assert_trees_close(left, right, rtol=1e-10, atol=1e-12):
    """Leafwise comparison of two statistics Trees (anchors compared by value)."""
    assert set(left) == set(right)
    for name in left:
        a, b = left[name], right[name]
        if isinstance(a, Anchor):
            np.testing.assert_array_equal(a.value, b.value)
        else:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=name)


def assert_additive(component, params, X, weights):
    """stats(X1) + stats(X2) == stats(X1 u X2) for an uneven split of the rows."""
    cut = X.shape[0] // 3
    whole = component.expected_stats(params, X, weights)
    parts = (component.expected_stats(params, X[:cut], weights[:cut])
             + component.expected_stats(params, X[cut:], weights[cut:]))
    assert_trees_close(whole, parts)


def assert_weights_are_duplicates(component, params, X, weights, rng):
    """Integer sample weights give the statistics of the data with duplicated rows."""
    counts = rng.integers(0, 4, size=X.shape[0])
    weighted = component.expected_stats(params, X, weights * counts[:, None])
    duplicated = component.expected_stats(params, np.repeat(X, counts, axis=0),
                                          np.repeat(weights, counts, axis=0))
    assert_trees_close(weighted, duplicated)


def maximise(objective, start, polish=True):
    """argmax of a smooth objective by BFGS, then Nelder-Mead polishing (tight tolerances)."""
    negative = lambda theta: -objective(theta)  # noqa: E731
    first = optimize.minimize(negative, np.asarray(start, float), method="BFGS",
                              options={"gtol": 1e-10})
    if not polish:
        return first.x
    polished = optimize.minimize(negative, first.x, method="Nelder-Mead",
                                 options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 1000})
    return polished.x


def assert_em_anatomy(result, rel=1e-9):
    """Evidence never drops, the bound equals it after every E-step and rises in the M-step."""
    history = result.history
    evidence, bound_e, bound_m = (history.column(c) for c in ("evidence", "bound_e",
                                                               "bound_m"))
    scale = np.maximum(np.abs(evidence), result.n_samples)
    np.testing.assert_array_less(np.abs(bound_e - evidence), rel * scale)
    assert np.all(bound_m >= bound_e - rel * scale)
    assert np.all(history.column("change") >= -rel * scale)
    assert np.all(history.column("kl_gap") >= -rel * scale)
