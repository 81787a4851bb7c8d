"""Bootstrap draws of a fit's parameters: resampled data, refitted from the fit.

Nonparametric: the rows are resampled with replacement as multinomial row weights (no copy
of the data, and every field of the Block stays aligned). Parametric: new data are drawn from
the fitted model. Each refit is warm-started from the fitted parameters and runs on the given
backend through :func:`emkit.fit`; a mixture's components are then matched to the fit's by
their responsibilities on the original rows (label switching), so draws describe the same
component.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.utils import check_random_state

from ..engine import em
from ..engine.data import Block, as_source
from ..engine.geometry import Geometry
from ..engine.validation import check_positive_int
from ..models.mixture import Mixture

__all__ = ["align_components", "bootstrap_draws"]

KINDS = ("nonparametric", "parametric")


def align_components(model, reference, params, block):
    """``params`` with a mixture's components permuted to best overlap ``reference``'s
    (responsibilities on ``block``); other models are returned unchanged."""
    if not isinstance(model, Mixture):
        return params
    ours = model.posterior(reference, block).probabilities
    theirs = model.posterior(params, block).probabilities
    weights = block.sample_weights()[:, None]
    _, order = linear_sum_assignment(-(ours * weights).T @ theirs)
    return _permuted(params, order, model.n_components)


def _permuted(params, order, n_components):
    """Every leaf whose leading axis is the component axis, reordered (shared leaves kept)."""
    def take(value):
        value = np.asarray(value)
        return value[order] if value.ndim and value.shape[0] == n_components else value

    components = params.components.replace(
        **{name: take(value) for name, value in params.components.items()})
    return params.replace(weights=np.asarray(params.weights)[order], components=components)


def _resampled(model, params, block, kind, rng):
    n = block.n_samples
    if kind == "nonparametric":
        weights = block.sample_weights()
        counts = rng.multinomial(round(weights.sum()), weights / weights.sum())
        return block.replace(weights=counts.astype(float))
    X, _ = model.sample(params, n, rng)
    return Block(X)


def bootstrap_draws(model, params, data, n_bootstrap, kind, fixed, backend, random_state,
                    fit_options):
    """Refit ``n_bootstrap`` resamples; ``({path: (n_bootstrap,) + shape}, paths)``."""
    check_positive_int(n_bootstrap, "n_bootstrap", minimum=2)
    if kind not in KINDS:
        raise ValueError(f"bootstrap must be one of {KINDS}; got {kind!r}.")
    source = as_source(data)
    block = source.head()
    if block.n_samples != source.n_samples:
        raise ValueError("the bootstrap resamples rows in memory; pass an array or Block.")
    paths = Geometry(model.constraints(), params, fixed=frozenset(fixed)).paths
    rng = check_random_state(random_state)
    options = {"tol": 1e-8, "max_iter": 1000, **fit_options}
    draws = {path: [] for path in paths}
    for _ in range(n_bootstrap):
        resample = _resampled(model, params, block, kind, rng)
        refit = em.fit(model, resample, init=params, fixed=fixed, backend=backend, **options)
        aligned = align_components(model, params, refit.params, block)
        for path in paths:
            draws[path].append(np.asarray(aligned.get_path(path)))
    return {path: np.stack(values) for path, values in draws.items()}, paths
