"""The multivariate Gaussian component, with full, tied, diag or spherical covariances."""
from __future__ import annotations

import numbers

import numpy as np

from ...engine import constraints
from ...engine.contracts import Component, Densities
from ...engine.missing import fill_column_means, has_missing
from ...engine.moments import Moments
from ...engine.numerics import TINY_COUNT
from ...engine.tree import Tree
from ...engine.validation import check_observed_columns
from ...exceptions import ROW, ComponentCollapseError, DataError
from .. import _collapse
from . import _kernels
from ._missing import IncompleteRows
from .parsimonious import PARSIMONIOUS
from .prior import HmmlearnGaussianPrior
from .structures import STRUCTURES, Singular

__all__ = ["Gaussian", "weighted_moments"]


def weighted_moments(X, weights, shift, dense):
    """Weighted moments of the rows of X about ``shift``, per component (compiled kernels).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    weights : ndarray of shape (n_samples, K)
    shift : ndarray of shape (K, n_features)
    dense : bool
        Full second moments (K, D, D), or their diagonals (K, D).

    Returns
    -------
    Moments
    """
    shift = np.ascontiguousarray(shift, dtype=float)
    n_components, n_features = shift.shape
    if n_features != X.shape[1] or weights.shape != (X.shape[0], n_components):
        raise ValueError(f"Gaussian statistics need means of shape (K, {X.shape[1]}) and "
                         f"weights of shape ({X.shape[0]}, K); got {shift.shape} and "
                         f"{weights.shape}.")
    n, first = np.zeros(n_components), np.zeros((n_components, n_features))
    if dense:
        second = np.zeros((n_components, n_features, n_features))
        _kernels.dense_scatter(X, weights, shift, n, first, second)
    else:
        second = np.zeros((n_components, n_features))
        _kernels.diag_scatter(X, weights, shift, n, first, second)
    return Moments(n, first, second, shift)


class Gaussian(Component):
    """Multivariate normal densities N(x | mean_k, covariance_k), batched over K.

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"} or a parsimonious model name
        ``covariances`` has shape (K, D, D), (D, D), (K, D) or (K,) respectively; for the
        models of :mod:`~emkit.components.gaussian.parsimonious` ("EII", ..., "VVV") it has
        shape (K, D, D) and the M-step keeps the model's constraints. Default "full".
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in every M-step.
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose covariance is singular after an M-step: raise a
        :class:`~emkit.exceptions.ComponentCollapseError` naming it, or keep its previous
        mean and covariance and warn (``ComponentCollapseWarning``; not for "tied").
    prior : HmmlearnGaussianPrior, optional
        hmmlearn's prior on the means and covariances (the M-step is then its MAP, and
        ``reg_covar`` is added after it).

    Notes
    -----
    Statistics are :class:`~emkit.engine.moments.Moments` accumulated in float64 about the
    means of the E-step's parameters, so that no covariance is computed as
    ``E[xx'] - mu mu'`` on raw data; statistics taken at different parameters still add.
    Log densities use triangular precision factors.

    Missing values (NaN entries, missing at random) are latent variables: a row's density is
    the marginal density of its observed entries, and the E-step uses the exact conditional
    moments of its missing entries given the observed ones, grouped by missingness pattern
    (see :mod:`emkit.components.gaussian._missing`). The statistic ``missing_entropy`` (K,)
    carries the entropy of those conditionals into the bound. Blocks without NaN take the
    complete-data kernels unchanged.
    """

    family = "Gaussian"
    supports_missing = True

    def __init__(self, covariance_type="full", reg_covar=1e-6, on_collapse="raise", prior=None):
        if covariance_type not in STRUCTURES and covariance_type not in PARSIMONIOUS:
            raise ValueError(
                f"covariance_type must be one of {sorted(STRUCTURES)}; got {covariance_type!r} "
                f"(a parsimonious model name, one of {list(PARSIMONIOUS)}, is also accepted)."
            )
        if isinstance(reg_covar, bool) or not isinstance(reg_covar, numbers.Real) \
                or not 0 <= reg_covar < np.inf:
            raise ValueError(f"reg_covar must be a finite non-negative number; got "
                             f"{reg_covar!r}. The default is 1e-6.")
        self.covariance_type = covariance_type
        self.reg_covar = float(reg_covar)
        self.on_collapse = _collapse.check_policy(on_collapse)
        self.structure = {**STRUCTURES, **PARSIMONIOUS}[covariance_type]
        if prior is not None and not isinstance(prior, HmmlearnGaussianPrior):
            raise ValueError(f"prior must be an HmmlearnGaussianPrior or None; got {prior!r}.")
        self.prior = prior

    def __repr__(self):
        prior = "" if self.prior is None else f", prior={self.prior!r}"
        return (f"Gaussian(covariance_type={self.covariance_type!r}, reg_covar={self.reg_covar}"
                f"{prior})")

    def constraints(self):
        return {"means": constraints.real, "covariances": self.structure.constraint()}

    def n_parameters(self, params):
        """Free parameters: the means' and the covariance structure's (as mclust counts).

        Parameters
        ----------
        params : Tree
            The parameters; only the shape of ``params.means``, (n_components,
            n_features), is used.

        Returns
        -------
        int
            ``n_components * n_features`` for the means plus the covariance structure's
            count (e.g. ``n_components * n_features * (n_features + 1) / 2`` for "full").
        """
        n_components, n_features = np.shape(params.means)
        return n_components * n_features + self.structure.n_parameters(n_components,
                                                                        n_features)

    # -- densities --------------------------------------------------------------------------
    def factor(self, params):
        """The precision factor of ``params`` (memoised on the Tree).

        Parameters
        ----------
        params : Tree
            The parameters.

        Returns
        -------
        Factor
            The precision factors and log-determinants, one per component.

        Raises
        ------
        ComponentCollapseError
            If a covariance is not positive definite.
        """
        return params.cached("gaussian_factor", lambda: self._factor(params))

    def check_shapes(self, params, n_features):
        """Raise ValueError unless ``params`` fit X with ``n_features`` columns.

        Cheap, and run before every compiled kernel: a mismatch must be an error, never an
        out-of-bounds read.

        Parameters
        ----------
        params : Tree
            The parameters.
        n_features : int
            The columns of X.
        """
        means = np.shape(params.means)
        if len(means) != 2 or means[1] != n_features:
            raise ValueError(f"Gaussian means must have shape (n_components, {n_features}) for "
                             f"X with {n_features} features; got {means}. Pass parameters "
                             "fitted on data with the same columns.")
        expected = self.structure.shape(means[0], n_features)
        if np.shape(params.covariances) != expected:
            raise ValueError(f"Gaussian ({self.covariance_type}) covariances must have shape "
                             f"{expected}; got {np.shape(params.covariances)}.")

    def _factor(self, params):
        try:
            return self.structure.factor(params.covariances, *params.means.shape)
        except Singular as singular:
            raise ComponentCollapseError(
                singular.k, "its covariance is not positive definite",
                self._remedy()) from None

    def log_prob(self, params, X):
        return self.densities(params, X).log_prob

    def densities(self, params, X):
        """Log densities (of the observed entries where X has NaN), with the rows' missingness
        patterns and conditionals kept for :meth:`stats_from_densities`.

        Parameters
        ----------
        params : Tree
            ``means`` (K, n_features) and ``covariances`` (of the covariance structure).
        X : ndarray of shape (n_samples, n_features)
            The rows; NaN marks a missing entry.

        Returns
        -------
        Densities
            ``log_prob`` of shape (n_samples, K), ``log N(x_i | mean_k, Sigma_k)`` (of the
            observed entries' marginal for rows with NaN); for data with missing entries,
            the term ``incomplete`` holds the rows' missingness patterns and conditionals.
        """
        self.check_shapes(params, X.shape[1])
        factor = self.factor(params)
        if not has_missing(X):
            return Densities(self._complete_log_prob(params, factor, X))
        rows = self._incomplete_rows(params, X)
        table = rows.log_prob(X, lambda complete: self._complete_log_prob(params, factor,
                                                                          complete))
        return Densities(table, incomplete=rows)

    def _complete_log_prob(self, params, factor, X):
        out = np.empty((X.shape[0], params.means.shape[0]))
        kernel = _kernels.dense_log_prob if factor.dense else _kernels.diag_log_prob
        kernel(X, params.means, factor.values, factor.log_det, out)
        return out

    def _incomplete_rows(self, params, X):
        return IncompleteRows(X, np.asarray(params.means), self.full_covariances(params))

    def conditional_moments(self, params, X):
        """Means and variances of every entry of X given the row's observed entries.

        Parameters
        ----------
        params : Tree
        X : ndarray of shape (n_samples, n_features), NaN where missing

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, n_features)
            Per component: observed entries as they are (variance 0), missing ones at their
            conditional mean and variance under that component.
        """
        self.check_shapes(params, X.shape[1])
        self.factor(params)
        return self._incomplete_rows(params, X).conditional_moments(X)

    # -- statistics and M-step --------------------------------------------------------------
    def expected_stats(self, params, X, weights):
        if params is not None and "covariances" in params and has_missing(X):
            return self._incomplete_stats(params, X, weights, self._incomplete_rows(params, X))
        return self._complete_stats(params, X, weights)

    def stats_from_densities(self, params, X, weights, densities):
        rows = densities.terms.get("incomplete")
        if rows is None:  # the densities found no NaN in these rows
            return self._complete_stats(params, X, weights)
        return self._incomplete_stats(params, X, weights, rows)

    def _complete_stats(self, params, X, weights):
        return Tree(moments=weighted_moments(X, weights, params.means, self.structure.dense),
                    missing_entropy=np.zeros(params.means.shape[0]))

    def _incomplete_stats(self, params, X, weights, rows):
        dense = self.structure.dense
        moments, entropy = rows.statistics(
            X, weights, np.asarray(params.means, dtype=float), dense,
            lambda x, w: weighted_moments(x, w, params.means, dense))
        return Tree(moments=moments, missing_entropy=entropy)

    def m_step(self, stats, params, fixed=frozenset()):
        moments = stats.moments
        counts = moments.n + TINY_COUNT
        if "means" in fixed:
            means = params.means
        elif self.prior is not None:
            means = self.prior.means(moments, counts)
        else:
            means = moments.shift + moments.first / counts[:, None]
        if "covariances" in fixed:
            covariances = params.covariances
        elif self.prior is not None:
            covariances = self.prior.covariances(self.structure, moments, means, counts)
            covariances = covariances + self.reg_covar * (
                np.eye(means.shape[1]) if self.structure.dense else 1.0)
        else:
            covariances = self.structure.from_scatter(
                moments.about(means), counts, self.reg_covar,
                None if params is None else params.covariances)
        return self._settle(Tree(means=means, covariances=covariances), params, moments.n)

    def expected_log_prob(self, stats, params):
        factor = self.factor(params)
        moments = stats.moments
        scatter = moments.about(params.means)
        if factor.dense:
            quadratic = np.einsum("kja,kab,kjb->", factor.values, scatter, factor.values)
        else:
            quadratic = np.sum(factor.values ** 2 * scatter)
        n_features = params.means.shape[1]
        return float(np.sum(moments.n * (factor.log_det - 0.5 * n_features * _kernels.LOG_2PI))
                     - 0.5 * quadratic + np.sum(stats.missing_entropy))

    def init_params(self, X, resp, rng):
        """The M-step from ``resp``; under ``on_collapse="keep"`` a collapsed component
        starts from the mean and covariance of all the rows. Missing entries (NaN) start at
        their column's mean.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, n_components)
            Starting responsibilities times sample weights.
        rng : numpy.random.Generator
            For starts that are drawn.

        Returns
        -------
        Tree
            The starting parameters.
        """
        X = fill_column_means(X) if has_missing(X) else X

        def m_step(weights, previous):
            counts = weights.sum(axis=0) + TINY_COUNT
            means = weights.T @ X / counts[:, None]
            stats = self.expected_stats(Tree(means=means), X, weights)
            return self.m_step(stats, previous)

        return _collapse.init_with_policy(self.on_collapse, lambda old: m_step(resp, old),
                                          lambda: m_step(np.ones_like(resp), None))

    # -- collapse policy ----------------------------------------------------------------------
    def _remedy(self):
        return (f"Increase reg_covar (now {self.reg_covar:g}), use fewer components or scale "
                "the data.")

    def _singular(self, params):
        """The first component whose covariance is not positive definite, as a list."""
        try:
            self.factor(params)
            return []
        except ComponentCollapseError as error:
            return [error.component]

    def _settle(self, new, old, counts):
        n_features = new.means.shape[1]

        def degenerate(k):
            # Per structure: a full or tied covariance needs more than n_features points'
            # weight; a diagonal or spherical variance is singular only when it is zero.
            if self.structure.dense and counts[k] < n_features + 1:
                return (f"it holds about {counts[k]:.3g} samples' weight, fewer than n_features "
                        f"+ 1 = {n_features + 1}, so its covariance is singular")
            if not self.structure.dense:
                return (f"its variance is zero: its weight (about {counts[k]:.3g} samples') "
                        "sits on points that are equal in a feature")
            return ("its covariance is singular (its samples are collinear or constant in a "
                    "feature)")

        return _collapse.apply_policy(new, old, counts, self._singular, self.on_collapse,
                                      _collapse.empty_or(degenerate), self._remedy(),
                                      shared=self.structure.shared)

    def log_prior(self, params):
        return 0.0 if self.prior is None else self.prior.log_pdf(self.structure, params)

    # -- other ------------------------------------------------------------------------------
    def regularisation(self):
        return f"reg_covar={self.reg_covar:g}" if self.reg_covar > 0 else None

    def validate_fit(self, X):
        check_observed_columns(X, self.family)
        _check_squarable(X)
        if X.shape[0] < 2:
            return
        spread = np.nanmax(X, axis=0) - np.nanmin(X, axis=0) if has_missing(X) else \
            np.ptp(X, axis=0)
        constant = np.flatnonzero(spread == 0)
        if constant.size:
            column = int(constant[0])
            raise ValueError(
                f"X column {column} is constant (every value is {np.nanmax(X[:, column]):g}); a "
                "Gaussian component cannot estimate a variance for it (it would collapse to "
                "reg_covar). Remove constant columns before fitting."
            )

    def full_covariances(self, params):
        """Covariances as full matrices, whatever the structure.

        Parameters
        ----------
        params : Tree
            The parameters.

        Returns
        -------
        ndarray of shape (n_components, n_features, n_features)
        """
        return self.structure.full(params.covariances, *params.means.shape)

    def sample(self, params, labels, rng):
        n_components, n_features = params.means.shape
        covariances = self.full_covariances(params)
        out = np.empty((len(labels), n_features))
        for k in range(n_components):
            rows = np.flatnonzero(labels == k)
            chol = np.linalg.cholesky(covariances[k])
            noise = rng.standard_normal((rows.size, n_features))
            out[rows] = params.means[k] + noise @ chol.T
        return out


#: Largest |value| a Gaussian is fitted to: squared distances summed over features (and the
#: squared norms k-means starts from) stay finite in float64 up to about 1e154.
LARGEST_VALUE = 1e150


def _check_squarable(X):
    """Raise DataError at the first row with a value whose square would overflow."""
    with np.errstate(invalid="ignore"):  # NaN marks a missing entry: not a large value
        if X.size == 0 or not max(-float(np.nanmin(X)), float(np.nanmax(X))) > LARGEST_VALUE:
            return  # (no temporary the size of X)
    row, column = np.argwhere(np.abs(X) > LARGEST_VALUE)[0]
    raise DataError(
        f"X row {ROW}, column {int(column)} is {float(X[row, column]):.3g}; a Gaussian is "
        f"fitted to values up to {LARGEST_VALUE:g} in magnitude, beyond which squared "
        "distances overflow float64. Rescale the data (standardise the columns) or drop the "
        "row.", int(row))
