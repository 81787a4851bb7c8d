"""Missing values as latent variables: missingness patterns and conditional Gaussians.

A NaN entry of X is a missing value, missing at random: a latent variable of the model, which
EM fills in with its posterior given the row's observed entries. Components that model
dependent features (the Gaussian, a factor analyser) need the same two tools, written here
once:

* :func:`missingness_patterns` groups the rows of a block by which entries are observed, so
  that every conditional is factored once per pattern (and per component), not once per row;
* :func:`condition` conditions a multivariate normal on the observed entries of a pattern:
  the marginal density of the observed entries (the row's evidence), the conditional mean
  and covariance of the missing ones (the E-step's moments) and the entropy of that
  conditional (its part of the bound's entropy, so that the bound equals the evidence after
  every E-step).

With ``x = (x_o, x_m)`` and ``x ~ N(mu, S)``,

    x_o        ~ N(mu_o, S_oo)
    x_m | x_o  ~ N(mu_m + G (x_o - mu_o), C),   G = S_mo S_oo^-1,  C = S_mm - G S_om,

so ``E[x_m | x_o]`` is linear in ``x_o`` with the gain ``G`` and the conditional covariance
``C`` is the same for every row of a pattern (Little & Rubin, *Statistical Analysis with
Missing Data*, 2002, ch. 11).

:func:`has_missing` is the cheap test that keeps the complete-data path untouched: a block
with no NaN takes exactly the code (and the floats) it took before missing data existed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ConditionalGaussian", "Pattern", "condition", "fill_column_means", "has_missing",
           "independent_conditionals", "missingness_patterns", "mixture_of_conditionals",
           "observed_rows"]

LOG_2PI = np.log(2.0 * np.pi)


def has_missing(X) -> bool:
    """Whether X (any shape) holds a NaN.

    One vectorised sum decides for data without NaN (the sum of finite values is never NaN
    unless it overflows both ways, in which case the exact elementwise test runs).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(X)
    if not np.isnan(total):
        return False
    return bool(np.isnan(X).any())


def observed_rows(X) -> np.ndarray:
    """Whether each row of X has at least one observed (non-NaN) entry, shape (n_samples,)."""
    return ~np.all(np.isnan(X), axis=1)


def fill_column_means(X) -> np.ndarray:
    """X with every NaN replaced by the mean of its column's observed values (a copy).

    For starting values only (k-means on incomplete rows, a first M-step): mean imputation
    shrinks variances and correlations, which EM then corrects. A column with no observed
    value is filled with 0.
    """
    X = np.array(X, dtype=float)
    missing = np.isnan(X)
    if not missing.any():
        return X
    counts = np.sum(~missing, axis=0)
    sums = np.where(missing, 0.0, X).sum(axis=0)
    means = np.divide(sums, counts, out=np.zeros(X.shape[1]), where=counts > 0)
    X[missing] = np.take(means, np.nonzero(missing)[1])
    return X


@dataclass(frozen=True)
class Pattern:
    """The rows of a block that share one missingness pattern.

    Attributes
    ----------
    observed : ndarray of bool, shape (n_features,)
        Which entries the rows observe.
    rows : ndarray of int, shape (n_rows,)
        The rows' indices in the block, increasing.
    """

    observed: np.ndarray
    rows: np.ndarray

    @property
    def missing(self) -> np.ndarray:
        """Which entries the rows miss, shape (n_features,)."""
        return ~self.observed

    @property
    def complete(self) -> bool:
        """Whether the rows observe every entry."""
        return bool(self.observed.all())


def missingness_patterns(X) -> list:
    """Group the rows of X by their pattern of NaN entries.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)

    Returns
    -------
    list of Pattern
        One per distinct pattern (complete rows form one pattern too), in a deterministic
        order (by pattern), each with its rows in increasing order. Every row is in exactly
        one pattern; a row with no observed entry forms a pattern whose ``observed`` is all
        False.
    """
    missing = np.isnan(X)
    keys = np.packbits(missing, axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=first.size))[:-1]
    groups = np.split(order, bounds)
    return [Pattern(~missing[row], rows) for row, rows in zip(first, groups)]


@dataclass(frozen=True)
class ConditionalGaussian:
    """N(mean, covariance) conditioned on the entries ``observed`` (see :func:`condition`).

    Attributes
    ----------
    observed, missing : ndarray of int
        Indices of the observed entries (o of them) and of the missing ones (m).
    mean_observed : ndarray of shape (o,)
    mean_missing : ndarray of shape (m,)
    factor_observed : ndarray of shape (o, o)
        ``L^-1`` with ``L`` the lower Cholesky factor of ``S_oo``, so that
        ``S_oo^-1 = L^-T L^-1``.
    gain : ndarray of shape (m, o)
        ``G = S_mo S_oo^-1``.
    covariance : ndarray of shape (m, m)
        ``C = S_mm - G S_om``, the covariance of the missing entries given the observed.
    """

    observed: np.ndarray
    missing: np.ndarray
    mean_observed: np.ndarray
    mean_missing: np.ndarray
    factor_observed: np.ndarray
    gain: np.ndarray
    covariance: np.ndarray

    def log_density(self, X_observed) -> np.ndarray:
        """Marginal log density of the observed entries, ``log N(x_o | mu_o, S_oo)``.

        Parameters
        ----------
        X_observed : ndarray of shape (n_rows, o)

        Returns
        -------
        ndarray of shape (n_rows,)
            0 for every row when nothing is observed.
        """
        n_observed = self.observed.size
        if n_observed == 0:
            return np.zeros(X_observed.shape[0])
        z = (X_observed - self.mean_observed) @ self.factor_observed.T
        log_det = -2.0 * np.sum(np.log(np.diag(self.factor_observed)))
        return -0.5 * (n_observed * LOG_2PI + log_det + np.sum(z * z, axis=1))

    def conditional_mean(self, X_observed) -> np.ndarray:
        """``E[x_m | x_o]`` per row, shape (n_rows, m)."""
        if self.observed.size == 0:
            return np.broadcast_to(self.mean_missing, (X_observed.shape[0], self.missing.size))
        return self.mean_missing + (X_observed - self.mean_observed) @ self.gain.T

    def completed(self, X) -> np.ndarray:
        """The rows X (n_rows, n_features) with their missing entries set to
        :meth:`conditional_mean` (a copy)."""
        out = np.array(X, dtype=float)
        out[:, self.missing] = self.conditional_mean(X[:, self.observed])
        return out

    def full_covariance(self, n_features) -> np.ndarray:
        """``C`` placed in an (n_features, n_features) matrix of zeros (observed rows and
        columns are 0): the covariance of the completed row given the observed entries."""
        out = np.zeros((n_features, n_features))
        out[np.ix_(self.missing, self.missing)] = self.covariance
        return out

    @property
    def entropy(self) -> float:
        """Entropy of ``N(x_m | ., C)`` in nats: ``0.5 (m (1 + log 2 pi) + log det C)``.

        0 when nothing is missing.
        """
        m = self.missing.size
        if m == 0:
            return 0.0
        log_det = 2.0 * np.sum(np.log(np.diag(np.linalg.cholesky(self.covariance))))
        return 0.5 * (m * (1.0 + LOG_2PI) + log_det)


def condition(mean, covariance, observed) -> ConditionalGaussian:
    """Condition ``N(mean, covariance)`` on the entries where ``observed`` is True.

    Parameters
    ----------
    mean : ndarray of shape (n_features,)
    covariance : ndarray of shape (n_features, n_features)
        Symmetric positive definite.
    observed : ndarray of bool, shape (n_features,)

    Returns
    -------
    ConditionalGaussian

    Raises
    ------
    numpy.linalg.LinAlgError
        If the observed block of the covariance is not positive definite.

    Notes
    -----
    Written with numpy's Cholesky and inverse of small matrices: LAPACK's triangular solves
    through scipy stall for milliseconds on such small matrices when the cores are busy.
    """
    o = np.flatnonzero(observed)
    m = np.flatnonzero(~np.asarray(observed))
    mean = np.asarray(mean, dtype=float)
    S_oo = covariance[np.ix_(o, o)]
    S_mo = covariance[np.ix_(m, o)]
    S_mm = covariance[np.ix_(m, m)]
    if o.size == 0:
        factor = np.zeros((0, 0))
        gain = np.zeros((m.size, 0))
        cond = S_mm
    else:
        factor = np.tril(np.linalg.inv(np.linalg.cholesky(S_oo)))
        gain = (S_mo @ factor.T) @ factor
        cond = S_mm - gain @ S_mo.T
        cond = 0.5 * (cond + cond.T)
    return ConditionalGaussian(o, m, mean[o], mean[m], factor, gain, cond)


def mixture_of_conditionals(probabilities, means, variances, X):
    """Mean and variance of each entry under a mixture of per-component conditionals.

    Given the posterior probabilities ``r_ik`` of the latent class of row i (a mixture's
    responsibilities, an HMM's smoothed state posteriors) and the conditional means ``m_ik``
    and variances ``v_ik`` of its entries under each class, the entry's posterior is a
    mixture: its mean is ``sum_k r_ik m_ik`` and its variance, by the law of total variance,
    ``sum_k r_ik (v_ik + m_ik^2) - mean^2`` (the within-class variance plus the variance of
    the class means).

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, K)
    means, variances : ndarray of shape (n_samples, K, n_features)
    X : ndarray of shape (n_samples, n_features)
        The rows, NaN where missing: observed entries are returned exactly, variance 0.

    Returns
    -------
    mean, variance : ndarray of shape (n_samples, n_features)
    """
    mean = np.einsum("ik,ikd->id", probabilities, means)
    spread = np.einsum("ik,ikd->id", probabilities, variances + (means - mean[:, None]) ** 2)
    observed = ~np.isnan(X)
    return np.where(observed, X, mean), np.where(observed, 0.0, np.maximum(spread, 0.0))


def independent_conditionals(X, means, variances):
    """Per-component conditional moments of a family whose features are independent given
    the component: a missing entry's conditional is its marginal.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The rows, NaN where missing.
    means, variances : ndarray of shape (K, n_features)
        Each feature's mean and variance under each component.

    Returns
    -------
    means, variances : ndarray of shape (n_samples, K, n_features)
        Observed entries as they are (variance 0), missing ones at the component's mean and
        variance.
    """
    X = np.asarray(X, dtype=float)
    observed = ~np.isnan(X)[:, None, :]
    return (np.where(observed, X[:, None, :], means[None]),
            np.where(observed, 0.0, variances[None]))
