"""The Binomial component: independent per-feature success counts out of ``n_trials``."""
from __future__ import annotations


import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_values
from ..priors import Beta, check_prior
from . import _discrete_kernels
from ..engine.missing import independent_conditionals
from ._discrete import (
    CountFamily, MissingEntries, finite_values, floor_probabilities, is_count,
    missing_weight, safe_log, xlogy_product,
)

__all__ = ["Binomial"]


# -- the binomial maths, shared with the Bernoulli component -----------------------------------
def success_log_likelihood(X, probs, n_trials):
    """``sum_d x_id log p_kd + (n_d - x_id) log(1 - p_kd)``, exact at p = 0 or 1.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    probs : ndarray of shape (n_components, n_features)
    n_trials : ndarray of shape (n_features,) or (n_samples, n_features)
        Trials per column, or per entry (0 for a missing entry, which X holds as 0).

    Returns
    -------
    ndarray of shape (n_samples, n_components)
    """
    log_p, log_q = safe_log(probs), safe_log(1.0 - probs)
    if np.all(np.isfinite(log_p)) and np.all(np.isfinite(log_q)):
        failures = log_q @ n_trials if n_trials.ndim == 1 else n_trials @ log_q.T
        return X @ (log_p - log_q).T + failures
    return xlogy_product(X, log_p) + xlogy_product(n_trials - X, log_q)


def success_expected_log_prob(successes, trials, probs):
    """``sum_kd S_kd log p_kd + (T_kd - S_kd) log(1 - p_kd)`` from summed statistics."""
    failures = np.maximum(trials - successes, 0.0)
    return float(np.sum(special.xlogy(successes, probs))
                 + np.sum(special.xlog1py(failures, -probs)))


def success_probabilities(successes, trials, prior):
    """Weighted MLE (or Beta MAP) of success probabilities, floored away from 0 and 1."""
    trials = trials + TINY_COUNT
    probs = successes / trials if prior is None else prior.mode(successes, trials)
    return floor_probabilities(probs)


def success_log_prior(prior, probs):
    """Beta log density of the probabilities (0 without a prior)."""
    return 0.0 if prior is None else prior.log_pdf(probs)


# -- the component ------------------------------------------------------------------------------
def _check_n_trials(n_trials):
    array = np.asarray(n_trials)
    valid = (array.ndim <= 1 and array.size > 0 and array.dtype.kind in "iuf"
             and np.all(np.isfinite(array)) and np.all(array >= 1)
             and np.all(array == np.floor(array)))
    if isinstance(n_trials, bool) or not valid:
        raise ValueError(
            f"n_trials must be a positive integer or a 1-D array of positive integers (one "
            f"per column of X); got {n_trials!r}. Pass the number of trials behind each count."
        )
    return array.astype(np.int64)


#: Largest number of trials whose ``log C(n, x)`` values are tabulated at construction; for
#: more, they are computed from ``gammaln`` row by row (no table of one entry per trial).
TABLE_TRIALS = 2**16


def _log_coefficient_table(trials):
    """``table[d, x] = log C(n_d, x)`` for x <= n_d and NaN beyond, shape (len(trials), max+1)."""
    x = np.arange(trials.max() + 1.0)
    n = trials.reshape(-1, 1).astype(float)
    with np.errstate(invalid="ignore"):
        table = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    return np.where(x <= n, table, np.nan)


def _log_coefficient_sums(X, trials):
    """``sum_d log C(n_d, x_id)`` per row from ``gammaln``; NaN for a row with a value that is
    not an integer in ``[0, n_d]`` (as the table gives).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    trials : ndarray of shape (n_features,)
    """
    inside = (X >= 0) & (X <= trials) & (X == np.floor(X))
    safe = np.where(inside, X, 0.0)
    values = (special.gammaln(trials + 1.0) - special.gammaln(safe + 1.0)
              - special.gammaln(trials - safe + 1.0))
    return np.where(inside.all(axis=1), values.sum(axis=1), np.nan)


class Binomial(MissingEntries, CountFamily):
    """Independent Binomial counts per feature, batched over K components.

    Parameters
    ----------
    n_trials : int or array-like of shape (n_features,)
        Number of trials behind each count (one for all columns, or one per column).
    prior : emkit.priors.Beta, optional
        Conjugate prior on every probability; the M-step then returns the MAP.

    Notes
    -----
    Parameters: ``probs`` of shape (K, D). With ``n_d`` trials in column d,

    ``log p(x | p_k) = sum_d log C(n_d, x_d) + x_d log p_kd + (n_d - x_d) log(1 - p_kd)``.

    Statistics (sums over rows): ``counts`` ``N_k = sum_i w_ik``, ``successes``
    ``S_kd = sum_i w_ik x_id`` and ``constants`` ``sum_i w_ik sum_d log C(n_d, x_id)``
    (which does not depend on the parameters but belongs to the bound). The M-step is
    ``p_kd = S_kd / (n_d N_k)``, or ``(S_kd + a - 1) / (n_d N_k + a + b - 2)`` with a
    ``Beta(a, b)`` prior, kept within ``[1e-12, 1 - 1e-12]`` (see
    :mod:`emkit.components._discrete`).

    Missing entries (NaN) are left out of the likelihood: the statistic ``missing``
    ``M_kd = sum_i w_ik [x_id missing]`` makes the M-step ``p_kd = S_kd / (n_d (N_k - M_kd))``
    (see :class:`~emkit.components._discrete.MissingEntries`).
    """

    family = "Binomial"

    def __init__(self, n_trials, prior=None):
        self.trials = _check_n_trials(n_trials)
        self.n_trials = n_trials
        self.prior = check_prior(prior, Beta, f"{self.family} prior")
        self._table = (_log_coefficient_table(self.trials)
                       if self.trials.max() <= TABLE_TRIALS else None)

    def __repr__(self):
        return f"Binomial(n_trials={self.n_trials!r}, prior={self.prior!r})"

    def constraints(self):
        return {"probs": constraints.unit_interval}

    def _trials_per_column(self, n_features):
        return np.broadcast_to(self.trials, (n_features,)).astype(float)

    def row_constants(self, X):
        if self._table is None:
            return _log_coefficient_sums(X, self._trials_per_column(X.shape[1]))
        coefficients = np.empty(X.shape[0])
        _discrete_kernels.row_table_sums(X, self._table, coefficients)
        return coefficients

    def log_kernel(self, params, X, missing=None):
        trials = self._trials_per_column(X.shape[1])
        if missing is not None:
            trials = np.where(missing, 0.0, trials)
        return success_log_likelihood(X, params.probs, trials)

    def stats_with_constants(self, X, weights, constants, missing=None):
        return Tree(counts=weights.sum(axis=0), successes=weights.T @ X,
                    constants=weights.T @ constants,
                    missing=missing_weight(weights, missing, X.shape[1]))

    def _trials(self, stats):
        return ((stats.counts[:, None] - stats.missing)
                * self._trials_per_column(stats.successes.shape[1]))

    def m_step(self, stats, params, fixed=frozenset()):
        if "probs" in fixed:
            return params
        return Tree(probs=success_probabilities(stats.successes, self._trials(stats),
                                                self.prior))

    def expected_log_prob(self, stats, params):
        return (success_expected_log_prob(stats.successes, self._trials(stats), params.probs)
                + float(np.sum(stats.constants)))

    def log_prior(self, params):
        return success_log_prior(self.prior, params.probs)

    def validate(self, X):
        X = finite_values(X, self.family, allow_nan=True)
        observed = ~np.isnan(X)
        if self.trials.ndim == 1 and self.trials.size != X.shape[1]:
            raise ValueError(
                f"n_trials has {self.trials.size} entries but X has {X.shape[1]} columns; a "
                "Binomial component needs one n_trials per column (or a single int)."
            )
        trials = self._trials_per_column(X.shape[1])

        def expected(column):
            return f"integer counts in 0..{int(trials[column])} (n_trials for that column)"

        check_values(X, ~is_count(X) & observed, self.family, expected,
                     "Round or remove the value.")
        check_values(X, X > trials, self.family, expected,
                     "Pass the right n_trials for each column, or remove the value.")

    def conditional_moments(self, params, X):
        """Observed entries as they are; a missing entry's mean and variance under component
        k are ``n_d p_kd`` and ``n_d p_kd (1 - p_kd)`` (it is independent of the row's
        observed entries).

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
        trials = self._trials_per_column(params.probs.shape[1])
        means = trials * params.probs
        return independent_conditionals(X, means, means * (1.0 - params.probs))

    def sample(self, params, labels, rng):
        trials = self._trials_per_column(params.probs.shape[1]).astype(np.int64)
        return rng.binomial(trials, params.probs[labels]).astype(float)
