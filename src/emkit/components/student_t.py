"""The multivariate Student-t component, with its latent scale handled inside the component."""
from __future__ import annotations

import numbers

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component, Densities
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_finite
from ._collapse import settle_collapse
from ._special import gamma_shape, log_gamma_ratio, xlogx_minus_lgamma
from .gaussian import Gaussian
from .gaussian._kernels import LOG_2PI
from .gaussian.component import weighted_moments

__all__ = ["StudentT"]

#: Degrees of freedom are kept at most this large (a t with 1e6 dofs is a Gaussian); the
#: bound is concave in the dofs, so clipping the root keeps the M-step an exact maximiser.
MAX_DOF = 1e6


def _check_dof(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not 0 < value <= MAX_DOF:
        raise ValueError(f"{name} must be a number in (0, {MAX_DOF:g}]; got {value!r}. "
                         "Pass e.g. 4 for heavy tails.")
    return float(value)


class StudentT(Component):
    """Multivariate Student-t densities t(x | mean_k, scale_k, dof_k), batched over K.

    Parameters
    ----------
    dof : float or None, default=None
        Degrees of freedom held fixed at this value for every component; None estimates them
        (ECM). They can also be fixed by name with ``fixed={"dofs"}``.
    dof_init : float, default=10.0
        Starting degrees of freedom when they are estimated.
    reg_covar : float, default=1e-6
        Added to the diagonal of every scale matrix in every M-step.
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component whose scale matrix is singular (as for the Gaussian).

    Notes
    -----
    Parameters: ``means`` (K, D), ``scales`` (K, D, D) (scale matrices, not covariances: the
    covariance is ``scale * dof / (dof - 2)`` for dof > 2) and ``dofs`` (K,).

    The t density is a scale mixture, ``u ~ Gamma(nu/2, rate nu/2)``,
    ``x | u ~ N(mean, scale / u)``. ``expected_stats`` does the inner E-step: with the
    Mahalanobis distance ``delta`` at the current parameters, ``q(u) = Gamma(alpha, beta)``,
    ``alpha = (nu + D) / 2``, ``beta = (nu + delta) / 2``, so ``E[u] = alpha / beta`` and
    ``E[log u] = digamma(alpha) - log beta``. Statistics (all weighted sums): ``n`` (K,),
    ``log_u`` (K,), ``moments`` (the count, first and second moments weighted by ``E[u]``,
    about the E-step's means: :class:`~emkit.engine.moments.Moments`, whose count is
    ``sum_i w_ik E[u_ik]``), and ``entropy`` (K,), ``sum_i w_ik H(q(u_ik))``.

    ``expected_log_prob`` is ``sum_ik w_ik (E_q[log p(x_i, u_ik | theta_k)] + H(q(u_ik)))``,
    which at the E-step's parameters equals ``sum_ik w_ik log t(x_i | theta_k)``. The M-step
    maximises it exactly: ``mean = sum w E[u] x / sum w E[u]``,
    ``scale = sum w E[u] (x - mean)(x - mean)' / sum w``, and ``nu / 2`` solves
    ``log(nu/2) - digamma(nu/2) = sum w (E[u] - E[log u]) / sum w - 1`` (the Gamma-shape
    equation). The dofs part of the bound does not involve the mean and scale, so these
    conditional maximisations (ECM; Liu & Rubin 1995) give the joint maximiser.

    References
    ----------
    C. Liu and D. B. Rubin (1995). ML estimation of the t distribution using EM and its
    extensions, ECM and ECME. Statistica Sinica 5, 19-39.
    """

    family = "StudentT"

    def __init__(self, dof=None, dof_init=10.0, reg_covar=1e-6, on_collapse="raise"):
        self.dof = None if dof is None else _check_dof(dof, "dof")
        self.dof_init = _check_dof(dof_init, "dof_init")
        self.normal = Gaussian("full", reg_covar=reg_covar, on_collapse=on_collapse)

    def __repr__(self):
        return f"StudentT(dof={self.dof}, reg_covar={self.normal.reg_covar})"

    def regularisation(self):
        return self.normal.regularisation()

    def constraints(self):
        out = {"means": constraints.real, "scales": constraints.spd}
        if self.dof is None:
            out["dofs"] = constraints.positive
        return out

    # -- densities --------------------------------------------------------------------------
    def dofs(self, params):
        """Degrees of freedom: the fixed ``dof`` if given, else ``params.dofs``.

        Parameters
        ----------
        params : Tree
            The parameters.

        Returns
        -------
        ndarray of shape (n_components,)
        """
        if self.dof is not None:
            return np.full(len(params.means), self.dof)
        return params.dofs

    def factor(self, params):
        """Precision factors of the scale matrices (memoised; see ``Gaussian.factor``).

        Parameters
        ----------
        params : Tree
            The parameters.

        Returns
        -------
        Factor
        """
        return params.cached("student_t_factor", lambda: self.normal.factor(
            Tree(means=params.means, covariances=params.scales)))

    def mahalanobis(self, params, X):
        """Squared Mahalanobis distances under the scales.

        Parameters
        ----------
        params : Tree
            The parameters.
        X : ndarray of shape (n_samples, n_features)
            The rows.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        factors = self.factor(params).values
        out = np.empty((X.shape[0], len(factors)))
        for k, lower in enumerate(factors):
            projected = (X - params.means[k]) @ lower.T
            out[:, k] = np.einsum("ij,ij->i", projected, projected)
        return out

    def log_prob(self, params, X):
        return self._log_prob(params, X, self.mahalanobis(params, X))

    def _log_prob(self, params, X, distances):
        nu, n_features = self.dofs(params), X.shape[1]
        log_norm = (log_gamma_ratio(0.5 * nu, 0.5 * n_features)
                    - 0.5 * n_features * np.log(nu * np.pi) + self.factor(params).log_det)
        return log_norm - 0.5 * (nu + n_features) * np.log1p(distances / nu)

    def densities(self, params, X):
        distances = self.mahalanobis(params, X)
        return Densities(self._log_prob(params, X, distances), mahalanobis=distances)

    # -- inner E-step, statistics and M-step ------------------------------------------------
    def expected_stats(self, params, X, weights):
        return self._stats(params, X, weights, self.mahalanobis(params, X))

    def stats_from_densities(self, params, X, weights, densities):
        return self._stats(params, X, weights, densities.terms["mahalanobis"])

    def _stats(self, params, X, weights, distances):
        nu = self.dofs(params)
        alpha = 0.5 * (nu + X.shape[1])
        beta = 0.5 * (nu + distances)
        log_beta = np.log(beta)
        e_u = alpha / beta
        e_log_u = special.digamma(alpha) - log_beta
        entropy = alpha - log_beta + special.gammaln(alpha) + (1 - alpha) * special.digamma(alpha)
        moments = weighted_moments(X, np.ascontiguousarray(weights * e_u), params.means, True)
        return Tree(n=weights.sum(axis=0), log_u=np.sum(weights * e_log_u, axis=0),
                    moments=moments, entropy=np.sum(weights * entropy, axis=0))

    def m_step(self, stats, params, fixed=frozenset()):
        moments = stats.moments
        means = params.means if "means" in fixed else (
            moments.shift + moments.first / (moments.n + TINY_COUNT)[:, None])
        if "scales" in fixed:
            scales = params.scales
        else:
            scatter = moments.about(means)
            scatter = 0.5 * (scatter + np.swapaxes(scatter, 1, 2))
            scales = scatter / (stats.n + TINY_COUNT)[:, None, None] + (
                self.normal.reg_covar * np.eye(means.shape[1]))
        new = Tree(means=means, scales=scales, dofs=self._updated_dofs(stats, params, fixed))
        return settle_collapse(
            new, params, stats.n, self.constraints(), self.normal.on_collapse,
            degenerate="its scale matrix is singular (its samples are collinear or constant "
                       "in a feature)",
            remedy=f"Increase reg_covar (now {self.normal.reg_covar:g}), use fewer components "
                   "or scale the data.")

    def _updated_dofs(self, stats, params, fixed):
        """The dofs maximising the bound (clipped to MAX_DOF), or the fixed ones."""
        if self.dof is not None:
            return np.full(len(stats.n), self.dof)
        if "dofs" in fixed:
            return params.dofs
        with np.errstate(divide="ignore", invalid="ignore"):
            s = (stats.moments.n - stats.log_u) / stats.n - 1.0
        # s > 0 in exact arithmetic; s <= 0 only by rounding when nu is huge
        nu = np.where(s > 0, 2.0 * gamma_shape(np.where(s > 0, s, 1.0)), MAX_DOF)
        return np.minimum(np.where(np.isnan(s), np.nan, nu), MAX_DOF)

    def expected_log_prob(self, stats, params):
        factor, half_nu = self.factor(params), 0.5 * self.dofs(params)
        n_features = params.means.shape[1]
        quadratic = np.einsum("kja,kab,kjb->k", factor.values,
                              stats.moments.about(params.means), factor.values)
        per_component = (
            stats.n * (factor.log_det - 0.5 * n_features * LOG_2PI
                       + xlogx_minus_lgamma(half_nu))
            + (0.5 * n_features + half_nu - 1.0) * stats.log_u - half_nu * stats.moments.n
            - 0.5 * quadratic + stats.entropy)
        return float(per_component.sum())

    # -- other ------------------------------------------------------------------------------
    def init_params(self, X, resp, rng):
        normal = self.normal.init_params(X, resp, rng)
        dof = self.dof if self.dof is not None else self.dof_init
        return Tree(means=normal.means, scales=normal.covariances,
                    dofs=np.full(len(normal.means), dof))

    def validate(self, X):
        check_finite(X, family=self.family)

    def sample(self, params, labels, rng):
        centred = Tree(means=np.zeros_like(params.means), covariances=params.scales)
        normal = self.normal.sample(centred, labels, rng)
        half_nu = 0.5 * self.dofs(params)[labels]
        u = rng.gamma(half_nu, 1.0 / half_nu)
        return params.means[labels] + normal / np.sqrt(u)[:, None]
