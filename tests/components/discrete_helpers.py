"""Checks shared by the discrete components' tests (invariants and independent references)."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
from scipy import optimize, stats

import emkit
from emkit import Tree
from emkit.exceptions import AnatomyWarning


def random_weights(rng, n_samples, n_components):
    """Responsibility-like weights of shape (n_samples, n_components)."""
    return rng.dirichlet(np.ones(n_components), n_samples)


def assert_trees_close(actual, expected, rtol=1e-10, atol=1e-10):
    """Every leaf of two Trees with the same entries agrees."""
    assert sorted(actual) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(actual[name], expected[name], rtol=rtol, atol=atol,
                                   err_msg=name)


def assert_stats_additive(component, X, weights, split):
    """stats(X1) + stats(X2) == stats(X1 U X2)."""
    whole = component.expected_stats(None, X, weights)
    parts = (component.expected_stats(None, X[:split], weights[:split])
             + component.expected_stats(None, X[split:], weights[split:]))
    assert_trees_close(parts, whole)


def assert_integer_weights_duplicate_rows(component, X, weights, rng):
    """Integer sample weights multiply the weights array exactly as duplicated rows do."""
    repeats = rng.integers(0, 4, X.shape[0])
    weighted = component.expected_stats(None, X, weights * repeats[:, None])
    duplicated = component.expected_stats(None, np.repeat(X, repeats, axis=0),
                                          np.repeat(weights, repeats, axis=0))
    assert_trees_close(weighted, duplicated)


def assert_expected_log_prob(component, params, X, weights, logpmf):
    """expected_log_prob(stats) == sum_ik w_ik logpmf_k(x_i), with logpmf from scipy."""
    reference = np.sum(weights * logpmf(X))
    stats_ = component.expected_stats(None, X, weights)
    np.testing.assert_allclose(component.expected_log_prob(stats_, params), reference,
                               rtol=1e-10)


def maximise_scalar(objective, low, high):
    """argmax of a concave function of one variable on [low, high], by scipy.optimize."""
    result = optimize.minimize_scalar(lambda value: -objective(value), bounds=(low, high),
                                      method="bounded", options={"xatol": 1e-12})
    return result.x


def maximise_simplex(objective, n_categories):
    """argmax of a function of a probability vector, in softmax coordinates (BFGS)."""
    def softmax(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    result = optimize.minimize(lambda z: -objective(softmax(z)), np.zeros(n_categories),
                               method="BFGS", options={"gtol": 1e-9})
    return softmax(result.x)


def sample_p_value(component, params, k, outcomes, n_samples=20000, seed=0):
    """Chi-square p-value of ``sample`` for component k against ``exp(log_prob)``.

    Parameters
    ----------
    outcomes : ndarray of shape (n_outcomes, n_features)
        Rows to count; draws outside them fall in one remaining bin, whose expected count is
        ``1 - sum of their probabilities``. Bins expected to hold fewer than 5 draws are
        pooled with it.
    """
    draws = component.sample(params, np.full(n_samples, k), np.random.RandomState(seed))
    assert draws.shape == (n_samples, outcomes.shape[1])
    matches = np.all(draws[:, None, :] == outcomes[None, :, :], axis=2)
    observed = np.append(matches.sum(axis=0), n_samples - matches.sum())
    probs = np.exp(component.log_prob(params, outcomes)[:, k])
    expected = n_samples * np.append(probs, max(1.0 - probs.sum(), 0.0))
    small = expected < 5
    observed = np.append(observed[~small], observed[small].sum())
    expected = np.append(expected[~small], expected[small].sum())
    if expected[-1] < 1e-9:  # the outcomes cover the support: nothing may fall outside
        assert observed[-1] == 0, "sample() drew values outside the support"
        observed, expected = observed[:-1], expected[:-1]
    return stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue


def grid(*axes):
    """Every combination of the given per-column values, shape (n_outcomes, n_columns)."""
    return np.array(list(itertools.product(*axes)), dtype=float)


def best_permutation(estimated, truth):
    """The component order of ``estimated`` (K, ...) that best matches ``truth``."""
    n_components = truth.shape[0]
    return min(itertools.permutations(range(n_components)),
               key=lambda order: np.sum((estimated[list(order)] - truth) ** 2))


def assert_anatomy(history):
    """The evidence never decreases and the bound after each E-step equals it."""
    evidence = history.column("evidence")
    np.testing.assert_allclose(history.column("bound_e"), evidence, rtol=1e-9, atol=0)
    assert np.all(history.column("change") >= -1e-9 * np.abs(evidence))
    assert np.all(history.column("bound_m") >= history.column("bound_e")
                  - 1e-9 * np.abs(evidence))


def fit_simulated(component, true_params, weights, n_samples, seed, **fit_options):
    """Simulate a mixture, fit it with emkit.fit, check the anatomy; return the FitResult."""
    model = emkit.Mixture(component, len(weights))
    truth = Tree(weights=np.asarray(weights, dtype=float), components=true_params)
    X, _ = model.sample(truth, n_samples, np.random.RandomState(seed))
    model.validate(emkit.Block(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error", AnatomyWarning)
        result = emkit.fit(model, X, random_state=seed, **fit_options)
    assert_anatomy(result.history)
    return result, X
