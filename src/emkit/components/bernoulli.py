"""The Bernoulli component: independent binary features."""
from __future__ import annotations

import numpy as np

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.tree import Tree
from ..engine.validation import check_values
from ..priors import Beta, check_prior
from . import _discrete_kernels
from ..engine.missing import has_missing, independent_conditionals
from ._discrete import (
    MissingEntries, add_row_constants, finite_values, missing_weight, split_missing,
)
from .binomial import (
    success_expected_log_prob, success_log_likelihood, success_log_prior, success_probabilities,
)

__all__ = ["Bernoulli"]

#: ``row_table_sums`` with this table gives 0 for rows of zeros and ones and NaN otherwise.
_SUPPORT = np.zeros((1, 2))


class Bernoulli(MissingEntries, Component):
    """Independent Bernoulli features, batched over K components.

    Parameters
    ----------
    prior : emkit.priors.Beta, optional
        Conjugate prior on every probability; the M-step then returns the MAP.
        ``Beta(1 + alpha, 1 + alpha)`` is additive (Laplace) smoothing with ``alpha``.

    Notes
    -----
    Parameters: ``probs`` of shape (K, D), the probability that each feature is 1.

    ``log p(x | p_k) = sum_d x_d log p_kd + (1 - x_d) log(1 - p_kd)``

    Statistics (sums over rows): ``counts`` ``N_k = sum_i w_ik`` and ``successes``
    ``S_kd = sum_i w_ik x_id``. The M-step is ``p_kd = S_kd / N_k``, or
    ``(S_kd + a - 1) / (N_k + a + b - 2)`` with a ``Beta(a, b)`` prior, kept within
    ``[1e-12, 1 - 1e-12]`` (see :mod:`emkit.components._discrete`).

    Missing entries (NaN) are left out of the likelihood: the statistic ``missing``
    ``M_kd = sum_i w_ik [x_id missing]`` makes the M-step ``p_kd = S_kd / (N_k - M_kd)``
    (see :class:`~emkit.components._discrete.MissingEntries`).
    """

    family = "Bernoulli"

    def __init__(self, prior=None):
        self.prior = check_prior(prior, Beta, f"{self.family} prior")

    def __repr__(self):
        return f"Bernoulli(prior={self.prior!r})"

    def constraints(self):
        return {"probs": constraints.unit_interval}

    def log_prob(self, params, X):
        X = np.ascontiguousarray(X, dtype=float)
        if has_missing(X):
            X, missing = split_missing(X)
            trials = (~missing).astype(float)
        else:
            trials = np.ones(X.shape[1])
        out = success_log_likelihood(X, params.probs, trials)
        support = np.empty(X.shape[0])
        _discrete_kernels.row_table_sums(X, _SUPPORT, support)
        return add_row_constants(out, support)

    def expected_stats(self, params, X, weights):
        X = np.asarray(X, dtype=float)
        X, missing = split_missing(X) if has_missing(X) else (X, None)
        return Tree(counts=weights.sum(axis=0), successes=weights.T @ X,
                    missing=missing_weight(weights, missing, X.shape[1]))

    @staticmethod
    def _trials(stats):
        return stats.counts[:, None] - stats.missing

    def m_step(self, stats, params, fixed=frozenset()):
        if "probs" in fixed:
            return params
        return Tree(probs=success_probabilities(stats.successes, self._trials(stats),
                                                self.prior))

    def expected_log_prob(self, stats, params):
        return success_expected_log_prob(stats.successes, self._trials(stats), params.probs)

    def log_prior(self, params):
        return success_log_prior(self.prior, params.probs)

    def validate(self, X):
        X = finite_values(X, self.family, allow_nan=True)
        check_values(X, (X != 0) & (X != 1) & ~np.isnan(X), self.family, lambda column: "values 0 or 1",
                     "Binarize the column (for example X > threshold), or model it with a "
                     "Binomial or Categorical component.")

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are ``p_kd`` and ``p_kd (1 - p_kd)`` (it is independent of the row's observed
        entries).

        Parameters
        ----------
        params : Tree
            The component parameters, K leading.
        X : ndarray of shape (n_samples, n_features)
            Rows with NaN where an entry is missing.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, n_features)
        """
        return independent_conditionals(X, params.probs, params.probs * (1.0 - params.probs))

    def sample(self, params, labels, rng):
        probs = params.probs[labels]
        return (rng.uniform(size=probs.shape) < probs).astype(float)
