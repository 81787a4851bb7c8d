"""hmmlearn's GMMHMM emission: Gaussian mixtures per state with its priors and its M-step.

hmmlearn 0.3's GMMHMM updates, per state k and mixture component m (N_km the expected count,
S_km the scatter about the means of the E-step, d_km = mu_km - mu0_km):

* weights ``(N_km + alpha_km - 1) / (N_k + sum_m (alpha_km - 1))`` (``weights_prior`` alpha);
* means ``(lambda_km mu0_km + sum_t r_tkm x_t) / (N_km + lambda_km)`` (``means_weight``
  lambda, ``means_prior`` mu0);
* covariances from ``covars_prior`` and ``covars_weight`` (Psi and nu, or alpha and beta):
  full ``(Psi' + lambda d d' + S) / (N + nu + D + 2)``, diag ``(lambda d^2 + 2 beta + S) /
  (N + 2 alpha + 3)``, spherical ``(lambda |d|^2 + 2 beta + tr S) / (D (N + 1) + 2 alpha + 2)``,
  and "tied", one covariance per state shared by its M components,
  ``(Psi_k' + sum_m lambda d d' + sum_m S_km) / (N_k + M + nu + D + 1)``.

The covariances use the scatter about the E-step's means: the update maximises the expected
log-posterior over the covariances at those means, then over the means at the new covariances
(an ECM step, so the objective still never falls when ``means_weight`` is 0, its default). The
log prior density below is the one whose maximiser these updates are.
"""
from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ...engine import constraints
from ...engine.fixed import sub_paths
from ...engine.numerics import TINY_COUNT
from ...engine.tree import Tree
from ..mixture_emission import MixtureEmission
from .component import Gaussian
from .structures import CovarianceStructure, Factor, dense_factor

__all__ = ["HmmlearnGMMEmission", "default_covariance_prior"]


class StateTied(CovarianceStructure):
    """One full covariance per state, shared by its ``n_mix`` mixture components."""

    name, dense, shared = "tied", True, True

    def __init__(self, n_mix):
        self.n_mix = n_mix

    def constraint(self):
        return constraints.spd

    def from_scatter(self, scatter, nk, reg, previous=None):
        m = self.n_mix
        grouped = scatter.reshape((-1, m) + scatter.shape[1:]).sum(axis=1)
        counts = nk.reshape(-1, m).sum(axis=1)
        return grouped / counts[:, None, None] + reg * np.eye(scatter.shape[-1])

    def factor(self, cov, n_components, n_features):
        one = dense_factor(cov)
        return Factor(True, np.repeat(one.values, self.n_mix, axis=0),
                      np.repeat(one.log_det, self.n_mix))

    def full(self, cov, n_components, n_features):
        return np.repeat(cov, self.n_mix, axis=0)

    def precisions_cholesky(self, cov):
        return np.swapaxes(dense_factor(cov).values, 1, 2)

    def shape(self, n_components, n_features):
        return (n_components // self.n_mix, n_features, n_features)

    def n_parameters(self, n_components, n_features):
        return n_components // self.n_mix * n_features * (n_features + 1) // 2


def default_covariance_prior(covariance_type, n_mix, n_features):
    """hmmlearn's ``(covars_prior, covars_weight)`` when they are None (its defaults make the
    full, diag and tied updates the plain ECM step)."""
    return {"full": (0.0, -(1.0 + n_features + 1.0)),
            "tied": (0.0, -(n_mix + n_features + 1.0)),
            "diag": (-1.5, 0.0),
            "spherical": (-(n_mix + 2.0) / 2.0, 0.0)}[covariance_type]


class _HmmlearnGaussian(Gaussian):
    """The K * M Gaussians of a GMMHMM with hmmlearn's priors and M-step (see the module)."""

    def __init__(self, covariance_type, n_states, n_mix, means_prior, means_weight,
                 covars_prior, covars_weight, reg_covar=0.0, on_collapse="raise"):
        super().__init__(covariance_type, reg_covar, on_collapse)
        if covariance_type == "tied":
            self.structure = StateTied(n_mix)
        self.n_states, self.n_mix = n_states, n_mix
        self.means_prior, self.means_weight = means_prior, means_weight
        self.covars_prior, self.covars_weight = covars_prior, covars_weight

    def _shaped(self, n_features):
        """The priors broadcast as hmmlearn broadcasts them, flattened over (k, m)."""
        k, m, d, kind = self.n_states, self.n_mix, n_features, self.covariance_type
        mu0 = np.broadcast_to(self.means_prior, (k, m, d)).reshape(k * m, d)
        lam = np.broadcast_to(self.means_weight, (k, m)).reshape(k * m)
        psi_shape, nu_shape = {"full": ((k, m, d, d), (k, m)), "tied": ((k, d, d), (k,)),
                               "diag": ((k, m, d), (k, m, d)),
                               "spherical": ((k, m), (k, m))}[kind]
        psi = np.broadcast_to(self.covars_prior, psi_shape)
        nu = np.broadcast_to(self.covars_weight, nu_shape)
        if kind in ("full", "diag", "spherical"):
            psi = psi.reshape((k * m,) + psi_shape[2:])
            nu = nu.reshape((k * m,) + nu_shape[2:])
        return mu0, lam, psi, nu

    def m_step(self, stats, params, fixed=frozenset()):
        moments = stats.moments
        counts = moments.n
        d = moments.shift.shape[1]
        mu0, lam, psi, nu = self._shaped(d)
        if "means" in fixed:
            means = params.means
        else:
            sums = counts[:, None] * moments.shift + moments.first
            denominator = counts + lam
            denominator = np.where((denominator == 0) & np.all(sums == 0, axis=1), 1.0,
                                   denominator)
            means = (lam[:, None] * mu0 + sums) / denominator[:, None]
        if "covariances" in fixed:
            covariances = params.covariances
        else:
            covariances = self._covariances(moments.second, counts, means - mu0, lam, psi, nu)
            if self.reg_covar:
                covariances = covariances + self.reg_covar * (
                    np.eye(d) if self.structure.dense else 1.0)
        return self._settle(Tree(means=means, covariances=covariances), params, counts)

    def _covariances(self, scatter, counts, diff, lam, psi, nu):
        kind, d = self.covariance_type, diff.shape[1]
        if kind == "full":
            outer = diff[:, :, None] * diff[:, None, :]
            return (np.swapaxes(psi, 1, 2) + lam[:, None, None] * outer + scatter) / \
                (counts + 1 + nu + d + 1)[:, None, None]
        if kind == "diag":
            return (lam[:, None] * diff ** 2 + 2 * nu + scatter) / \
                (counts[:, None] + 1 + 2 * (psi + 1))
        if kind == "spherical":
            return (lam * np.sum(diff ** 2, axis=1) + 2 * nu + scatter.sum(axis=1)) / \
                (d * (counts + 1) + 2 * (psi + 1))
        m = self.n_mix
        outer = (lam[:, None, None] * diff[:, :, None] * diff[:, None, :])
        grouped = (outer + scatter).reshape(-1, m, d, d).sum(axis=1)
        state_counts = counts.reshape(-1, m).sum(axis=1)
        return (np.swapaxes(psi, 1, 2) + grouped) / (state_counts + m + nu + d + 1)[:, None,
                                                                                     None]

    def log_prior(self, params):
        """The log density (up to a constant) whose maximiser is the update above."""
        means, covariances = params.means, params.covariances
        d = means.shape[1]
        mu0, lam, psi, nu = self._shaped(d)
        diff = means - mu0
        kind = self.covariance_type
        if kind in ("full", "tied"):
            inverse = np.linalg.inv(covariances)
            log_det = np.linalg.slogdet(covariances)[1]
            power = nu + d + 2 if kind == "full" else self.n_mix + nu + d + 1
            per_component = np.repeat(inverse, self.n_mix, axis=0) if kind == "tied" \
                else inverse
            quadratic = np.einsum("ka,kab,kb->k", diff, per_component, diff)
            return float(np.sum(-0.5 * power * log_det)
                         - 0.5 * np.einsum("kab,kab->", psi, inverse)
                         - 0.5 * np.sum(lam * quadratic))
        if kind == "diag":
            power = 1 + 2 * (psi + 1)
            return float(np.sum(-0.5 * power * np.log(covariances)
                                - (0.5 * lam[:, None] * diff ** 2 + nu) / covariances))
        power = d + 2 * (psi + 1)
        return float(np.sum(-0.5 * power * np.log(covariances)
                            - (0.5 * lam * np.sum(diff ** 2, axis=1) + nu) / covariances))


class HmmlearnGMMEmission(MixtureEmission):
    """hmmlearn's GMMHMM emission: ``n_mix`` Gaussians per state, its priors and M-step.

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}
        "tied": one covariance per state, shared by its mixture components (hmmlearn's).
    n_states, n_mix : int
    weights_prior : float or array-like broadcastable to (n_states, n_mix)
        Dirichlet concentrations (>= 1) of every state's mixture weights.
    means_prior, means_weight, covars_prior, covars_weight
        hmmlearn's (see the module); None covariance priors take hmmlearn's defaults.
    reg_covar : float, default=0
        Added to the diagonal of every covariance after the update (emkit's).
    on_collapse : {"raise", "keep"}, default="raise"
    """

    def __init__(self, covariance_type, n_states, n_mix, n_features, *, weights_prior=1.0,
                 means_prior=0.0, means_weight=0.0, covars_prior=None, covars_weight=None,
                 reg_covar=0.0, on_collapse="raise"):
        default_prior, default_weight = default_covariance_prior(covariance_type, n_mix,
                                                                 n_features)
        gaussian = _HmmlearnGaussian(
            covariance_type, n_states, n_mix, np.asarray(means_prior, dtype=float),
            np.asarray(means_weight, dtype=float),
            np.asarray(default_prior if covars_prior is None else covars_prior, dtype=float),
            np.asarray(default_weight if covars_weight is None else covars_weight,
                       dtype=float), reg_covar, on_collapse)
        super().__init__(gaussian, n_mix)
        alpha = np.broadcast_to(np.asarray(weights_prior, dtype=float), (n_states, n_mix))
        if not np.all(np.isfinite(alpha)) or np.any(alpha < 1):
            raise ValueError(f"weights_prior must be Dirichlet concentrations >= 1 (a finite "
                             f"mode); got {weights_prior!r}. Use 1.0 for none.")
        self.weights_prior = alpha

    def m_step(self, stats, params, fixed=frozenset()):
        if "weights" in fixed:
            weights = params.weights
        else:
            shifted = stats.counts + self.weights_prior - 1.0 + TINY_COUNT
            weights = shifted / shifted.sum(axis=1, keepdims=True)
        components = self.component.m_step(
            stats.components, None if params is None else params.components,
            fixed=sub_paths(fixed, "components"))
        return Tree(weights=weights, components=components)

    def log_prior(self, params):
        return float(np.sum(xlogy(self.weights_prior - 1.0, params.weights))) + \
            self.component.log_prior(params.components)
