"""Gaussian densities and statistics of rows with missing entries (NaN), exactly.

The missing entries of a row are latent: given the observed entries ``x_o`` and component k
they are ``N(mu_km + G_k (x_o - mu_ko), C_k)`` (:func:`emkit.engine.missing.condition`).
So, per row and component,

* the density is the marginal density of the observed entries, ``N(x_o | mu_ko, S_koo)``;
* the E-step's moments are those of the completed row ``x_hat`` (missing entries at their
  conditional means) plus the conditional covariance ``C_k`` in the missing block:
  ``E[(x - c)(x - c)'] = (x_hat - c)(x_hat - c)' + C_k``;
* the bound's entropy gains the entropy of ``N(., C_k)``, weighted like the moments
  (statistic ``missing_entropy``), so that after an E-step the bound equals the evidence.

Every conditional is computed once per (pattern, component). Complete rows of the same
block go through the compiled kernels, as they do in a block without NaN.
"""
from __future__ import annotations

import numpy as np

from ...engine.missing import condition, missingness_patterns
from ...engine.moments import Moments

__all__ = ["IncompleteRows"]


class IncompleteRows:
    """A block's rows grouped by missingness pattern, with their conditionals per component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        With NaN for missing entries.
    means : ndarray of shape (K, n_features)
    covariances : ndarray of shape (K, n_features, n_features)
        Full covariance matrices (any structure, expanded), positive definite.
    """

    def __init__(self, X, means, covariances):
        patterns = missingness_patterns(X)
        complete = [p.rows for p in patterns if p.complete]
        self.complete = complete[0] if complete else np.zeros(0, dtype=np.intp)
        self.groups = [(p, [condition(mu, cov, p.observed) for mu, cov in
                            zip(means, covariances)]) for p in patterns if not p.complete]
        self.n_samples, self.n_features = X.shape
        self.n_components = means.shape[0]

    def log_prob(self, X, complete_log_prob) -> np.ndarray:
        """Log densities of the observed entries, shape (n_samples, K).

        ``complete_log_prob(rows)`` gives those of complete rows (the compiled kernel).
        """
        out = np.empty((self.n_samples, self.n_components))
        if self.complete.size:
            out[self.complete] = complete_log_prob(np.ascontiguousarray(X[self.complete]))
        for pattern, conditionals in self.groups:
            X_observed = X[np.ix_(pattern.rows, pattern.observed)]
            for k, conditional in enumerate(conditionals):
                out[pattern.rows, k] = conditional.log_density(X_observed)
        return out

    def statistics(self, X, weights, shift, dense, complete_moments):
        """Expected moments about ``shift`` and the weighted entropy of the missing entries.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        weights : ndarray of shape (n_samples, K)
        shift : ndarray of shape (K, n_features)
        dense : bool
            Full second moments (K, D, D), or their diagonals (K, D).
        complete_moments : callable
            ``complete_moments(X_rows, weight_rows) -> Moments`` about ``shift`` (the
            compiled kernel).

        Returns
        -------
        moments : Moments
        entropy : ndarray of shape (K,)
            ``sum_i w_ik H(q(x_im | x_io, k))``.
        """
        rows = self.complete
        moments = complete_moments(np.ascontiguousarray(X[rows]),
                                   np.ascontiguousarray(weights[rows]))
        n, first = np.array(moments.n), np.array(moments.first)
        second = np.array(moments.second)
        entropy = np.zeros(self.n_components)
        for pattern, conditionals in self.groups:
            X_rows = X[pattern.rows]
            for k, conditional in enumerate(conditionals):
                w = weights[pattern.rows, k]
                total = float(np.sum(w))
                if total == 0.0:
                    continue
                diff = conditional.completed(X_rows) - shift[k]
                n[k] += total
                first[k] += w @ diff
                covariance = conditional.full_covariance(self.n_features)
                if dense:
                    second[k] += diff.T @ (w[:, None] * diff) + total * covariance
                else:
                    second[k] += w @ (diff * diff) + total * np.diag(covariance)
                entropy[k] += total * conditional.entropy
        return Moments(n, first, second, shift), entropy

    def conditional_moments(self, X):
        """Per row and component, the completed row and the variances of its entries.

        Returns
        -------
        means : ndarray of shape (n_samples, K, n_features)
            ``E[x_i | x_io, k]``: observed entries as they are, missing ones at their
            conditional means.
        variances : ndarray of shape (n_samples, K, n_features)
            ``Var[x_ij | x_io, k]``: 0 for observed entries.
        """
        means = np.repeat(X[:, None, :], self.n_components, axis=1)
        variances = np.zeros_like(means)
        for pattern, conditionals in self.groups:
            X_rows = X[pattern.rows]
            for k, conditional in enumerate(conditionals):
                means[pattern.rows, k] = conditional.completed(X_rows)
                variances[np.ix_(pattern.rows, [k], conditional.missing)] = \
                    np.diag(conditional.covariance)
        return means, variances
