"""EM on simulated data for the discrete components' tests: fit, anatomy, label matching."""
from __future__ import annotations

import itertools
import warnings

import numpy as np

import emkit
from emkit import Tree
from emkit.exceptions import AnatomyWarning


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
