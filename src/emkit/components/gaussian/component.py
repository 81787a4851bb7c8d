"""The multivariate Gaussian component, with full, tied, diag or spherical covariances."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ...engine import constraints
from ...engine.contracts import Component
from ...engine.numerics import TINY_COUNT
from ...engine.tree import Anchor, Tree
from ...exceptions import ComponentCollapseError, ComponentCollapseWarning
from . import _kernels
from .structures import STRUCTURES, _Singular

__all__ = ["Gaussian"]

_COLLAPSE_POLICIES = ("raise", "keep")


def _recentre(stats, means, dense):
    """Scatter of the statistics about ``means`` instead of about their anchor.

    With ``e = means - anchor``:
    ``sum_i w_i (x_i - m)(x_i - m)^T = S2 - S1 e^T - e S1^T + n e e^T``.
    """
    e = means - stats.shift.value
    s1, n = stats.s1, stats.n
    if not dense:
        return stats.s2 - 2.0 * s1 * e + n[:, None] * e * e
    cross = s1[:, :, None] * e[:, None, :]
    return stats.s2 - cross - np.swapaxes(cross, 1, 2) + n[:, None, None] * (
        e[:, :, None] * e[:, None, :])


class Gaussian(Component):
    """Multivariate normal densities N(x | mean_k, covariance_k), batched over K.

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        ``covariances`` has shape (K, D, D), (D, D), (K, D) or (K,) respectively.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in every M-step.
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose covariance is singular after an M-step: raise a
        :class:`~emkit.exceptions.ComponentCollapseError` naming it, or keep its previous
        mean and covariance and warn (``ComponentCollapseWarning``; not for "tied").

    Notes
    -----
    Statistics are accumulated in float64, centred on the means of the E-step's parameters
    (an :class:`~emkit.engine.tree.Anchor`), so that no covariance is computed as
    ``E[xx'] - mu mu'`` on raw data. Log densities use triangular precision factors.
    """

    family = "Gaussian"

    def __init__(self, covariance_type="full", reg_covar=1e-6, on_collapse="raise"):
        if covariance_type not in STRUCTURES:
            raise ValueError(
                f"covariance_type must be one of {sorted(STRUCTURES)}; got {covariance_type!r}."
            )
        if isinstance(reg_covar, bool) or not isinstance(reg_covar, numbers.Real) \
                or not reg_covar >= 0:
            raise ValueError(f"reg_covar must be a non-negative number; got {reg_covar!r}.")
        if on_collapse not in _COLLAPSE_POLICIES:
            raise ValueError(
                f"on_collapse must be one of {_COLLAPSE_POLICIES}; got {on_collapse!r}."
            )
        self.covariance_type = covariance_type
        self.reg_covar = float(reg_covar)
        self.on_collapse = on_collapse
        self.structure = STRUCTURES[covariance_type]

    def __repr__(self):
        return f"Gaussian(covariance_type={self.covariance_type!r}, reg_covar={self.reg_covar})"

    def constraints(self):
        return {"means": constraints.real, "covariances": self.structure.constraint()}

    # -- densities --------------------------------------------------------------------------
    def factor(self, params):
        """The precision factor of ``params`` (memoised on the Tree).

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
        except _Singular as singular:
            raise ComponentCollapseError(
                singular.k, "its covariance is not positive definite",
                self._remedy()) from None

    def log_prob(self, params, X):
        self.check_shapes(params, X.shape[1])
        factor = self.factor(params)
        out = np.empty((X.shape[0], params.means.shape[0]))
        kernel = _kernels.dense_log_prob if factor.dense else _kernels.diag_log_prob
        kernel(X, params.means, factor.values, factor.log_det, out)
        return out

    # -- statistics and M-step --------------------------------------------------------------
    def expected_stats(self, params, X, weights):
        shift = np.ascontiguousarray(params.means, dtype=float)
        n_components, n_features = shift.shape
        if n_features != X.shape[1] or weights.shape != (X.shape[0], n_components):
            raise ValueError(f"Gaussian statistics need means of shape (K, {X.shape[1]}) and "
                             f"weights of shape ({X.shape[0]}, K); got {shift.shape} and "
                             f"{weights.shape}.")
        s0 = np.zeros(n_components)
        s1 = np.zeros((n_components, n_features))
        if self.structure.dense:
            s2 = np.zeros((n_components, n_features, n_features))
            _kernels.dense_scatter(X, weights, shift, s0, s1, s2)
        else:
            s2 = np.zeros((n_components, n_features))
            _kernels.diag_scatter(X, weights, shift, s0, s1, s2)
        return Tree(n=s0, s1=s1, s2=s2, shift=Anchor(shift))

    def m_step(self, stats, params, fixed=frozenset()):
        counts = stats.n + TINY_COUNT
        if "means" in fixed:
            means = params.means
        else:
            means = stats.shift.value + stats.s1 / counts[:, None]
        if "covariances" in fixed:
            covariances = params.covariances
        else:
            scatter = _recentre(stats, means, self.structure.dense)
            covariances = self.structure.from_scatter(scatter, counts, self.reg_covar)
        return self._handle_collapse(Tree(means=means, covariances=covariances), params, stats)

    def expected_log_prob(self, stats, params):
        factor = self.factor(params)
        scatter = _recentre(stats, params.means, self.structure.dense)
        if factor.dense:
            quadratic = np.einsum("kja,kab,kjb->", factor.values, scatter, factor.values)
        else:
            quadratic = np.sum(factor.values ** 2 * scatter)
        n_features = params.means.shape[1]
        return float(np.sum(stats.n * (factor.log_det - 0.5 * n_features * _kernels.LOG_2PI))
                     - 0.5 * quadratic)

    def init_params(self, X, resp, rng):
        counts = resp.sum(axis=0) + TINY_COUNT
        provisional = Tree(means=resp.T @ X / counts[:, None])
        return self.m_step(self.expected_stats(provisional, X, resp), provisional)

    # -- collapse policy ----------------------------------------------------------------------
    def _remedy(self):
        return (f"Increase reg_covar (now {self.reg_covar:g}), use fewer components, scale the "
                "data, or pass on_collapse='keep' to keep the component's previous parameters.")

    def _cause(self, stats, k, n_features):
        weight = float(stats.n[k])
        if weight < 1e-8:
            return f"it received almost no responsibility (total weight {weight:.3g})"
        if weight < n_features + 1:
            return (f"it holds about {weight:.3g} samples' weight, fewer than n_features + 1 = "
                    f"{n_features + 1}, so its covariance is singular")
        return "its covariance is singular (its samples are collinear or constant in a feature)"

    def _handle_collapse(self, new, old, stats):
        while True:
            try:
                self.factor(new)
                return new
            except ComponentCollapseError as error:
                k = error.component
                cause = self._cause(stats, k, new.means.shape[1])
                if self.on_collapse == "raise" or old is None or self.structure.shared:
                    raise ComponentCollapseError(k, cause, self._remedy()) from None
                warnings.warn(f"component {k} collapsed ({cause}); keeping its previous "
                              "parameters (on_collapse='keep')", ComponentCollapseWarning,
                              stacklevel=4)
                new = self._restore(new, old, k)

    @staticmethod
    def _restore(new, old, k):
        means, covariances = np.array(new.means), np.array(new.covariances)
        means[k], covariances[k] = old.means[k], old.covariances[k]
        return Tree(means=means, covariances=covariances)

    # -- other ------------------------------------------------------------------------------
    def regularisation(self):
        return f"reg_covar={self.reg_covar:g}" if self.reg_covar > 0 else None

    def validate_fit(self, X):
        if X.shape[0] < 2:
            return
        constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
        if constant.size:
            column = int(constant[0])
            raise ValueError(
                f"X column {column} is constant (every value is {X[0, column]:g}); a Gaussian "
                "component cannot estimate a variance for it (it would collapse to reg_covar). "
                "Remove constant columns before fitting."
            )

    def full_covariances(self, params):
        """Covariances as full matrices, shape (K, D, D)."""
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
