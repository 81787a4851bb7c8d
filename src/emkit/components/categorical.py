"""The Categorical component: independent categorical columns coded 0..n_categories-1."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.missing import independent_conditionals
from ..engine.tree import Tree
from ..engine.validation import check_positive_int, check_values
from ..priors import Dirichlet, check_concentration, check_prior
from . import _discrete_kernels
from ._discrete import (
    MissingEntries, finite_values, is_count, safe_log,
    simplex_estimate,
)

__all__ = ["Categorical"]


class Categorical(MissingEntries, Component):
    """Independent categorical features, batched over K components.

    Each of the D columns of X is a categorical variable whose values are the codes
    ``0, ..., n_categories - 1`` stored as numbers.

    Parameters
    ----------
    n_categories : int
        Number of categories C of every column (columns with fewer use a subset of the codes).
    prior : emkit.priors.Dirichlet, optional
        Conjugate prior on every probability vector; the M-step then returns the MAP.

    Notes
    -----
    Parameters: ``probs`` of shape (K, D, C); ``probs[k, d, c]`` is the probability that
    column d takes code c in component k (for D = 1, ``probs[:, 0, :]`` is hmmlearn's
    ``emissionprob_``).

    ``log p(x | p_k) = sum_d log p_{k, d, x_d}``

    Statistics (sums over rows): ``counts`` ``S_kdc = sum_i w_ik [x_id = c]``. The M-step is
    ``p_kdc = S_kdc / sum_c S_kdc``, or the Dirichlet MAP, floored at 1e-12 (see
    :mod:`emkit.components._discrete`). An empty component gets uniform probabilities.

    Missing entries (NaN) are left out of the likelihood and of the counts, which are per
    column already (see :class:`~emkit.components._discrete.MissingEntries`).
    """

    family = "Categorical"

    def __init__(self, n_categories, prior=None):
        self.n_categories = check_positive_int(n_categories, "n_categories")
        self.prior = check_prior(prior, Dirichlet, f"{self.family} prior")
        check_concentration(self.prior, self.n_categories, f"the {self.family} prior")

    def __repr__(self):
        return f"Categorical(n_categories={self.n_categories}, prior={self.prior!r})"

    def constraints(self):
        return {"probs": constraints.simplex}

    def log_prob(self, params, X):
        X = np.ascontiguousarray(X, dtype=float)
        self._check_n_categories(params)
        log_probs = np.ascontiguousarray(np.transpose(safe_log(params.probs), (1, 2, 0)))
        out = np.empty((X.shape[0], params.probs.shape[0]))
        _discrete_kernels.categorical_log_prob(X, log_probs, out)
        return out

    def expected_stats(self, params, X, weights):
        X = np.ascontiguousarray(X, dtype=float)
        weights = np.ascontiguousarray(weights, dtype=float)
        counts = np.zeros((X.shape[1], self.n_categories, weights.shape[1]))
        _discrete_kernels.categorical_counts(X, weights, counts)
        return Tree(counts=np.transpose(counts, (2, 0, 1)))

    def m_step(self, stats, params, fixed=frozenset()):
        if "probs" in fixed:
            return params
        return Tree(probs=simplex_estimate(stats.counts, self.prior))

    def expected_log_prob(self, stats, params):
        return float(np.sum(special.xlogy(stats.counts, params.probs)))

    def log_prior(self, params):
        return 0.0 if self.prior is None else self.prior.log_pdf(params.probs)

    def _check_n_categories(self, params):
        if params.probs.shape[-1] != self.n_categories:
            raise ValueError(
                f"probs has {params.probs.shape[-1]} categories on its last axis (shape "
                f"{params.probs.shape}) but the Categorical component has n_categories="
                f"{self.n_categories}; pass probs of shape (K, D, {self.n_categories})."
            )

    def validate(self, X):
        X = finite_values(X, self.family, allow_nan=True)
        largest = self.n_categories - 1
        check_values(X, (~is_count(X) | (X > largest)) & ~np.isnan(X), self.family,
                     lambda column: f"integer codes 0..{largest} (n_categories="
                                    f"{self.n_categories})",
                     "Encode the column as codes 0..n_categories-1, or increase n_categories.")

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are those of its code, ``sum_c c p_kdc`` and ``sum_c c^2 p_kdc - mean^2`` (for two
        categories, the probability of code 1 and its Bernoulli variance). The entry is
        independent of the row's observed entries.

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
        self._check_n_categories(params)
        codes = np.arange(self.n_categories, dtype=float)
        means = params.probs @ codes
        variances = np.maximum(params.probs @ codes ** 2 - means ** 2, 0.0)
        return independent_conditionals(X, means, variances)

    def sample(self, params, labels, rng):
        self._check_n_categories(params)
        cumulative = np.cumsum(params.probs[labels], axis=-1)
        uniform = rng.uniform(size=cumulative.shape[:-1])
        codes = np.sum(uniform[..., None] >= cumulative[..., :-1], axis=-1)
        return codes.astype(float)
