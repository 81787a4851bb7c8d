"""The factor analyser component: a Gaussian with low-rank-plus-diagonal covariance whose
factors are latent inside ``expected_stats``."""
from __future__ import annotations

import numbers

import numpy as np

from ...engine import constraints
from ...engine.contracts import Component
from ...engine.missing import fill_column_means
from ...engine.numerics import TINY_COUNT
from ...engine.tree import Tree
from ...engine.validation import check_observed_columns, check_positive_int
from .. import _collapse
from . import _init
from ._kernels import (
    LOG_2PI,
    analyser_factor,
    gaussian_entropy,
    missing_moments,
    residual_second,
    row_stats,
    solve_loadings,
)
from ._moments import FactorMoments
from ._posterior import FactorPosterior, factor_posteriors

__all__ = ["MIN_NOISE_VARIANCE", "NOISE_MODELS", "FactorAnalyzer"]

NOISE_MODELS = ("diagonal", "isotropic")

#: Noise variances are kept at least this large (scikit-learn's floor). The bound is unimodal
#: in each noise variance, so clipping keeps the M-step the maximiser over the allowed set.
MIN_NOISE_VARIANCE = 1e-12


class FactorAnalyzer(Component):
    """Factor analysers N(x | mean_k, W_k W_k' + Psi_k), batched over K, factors latent.

    Parameters
    ----------
    n_factors : int, default=1
        Q, the number of latent factors of every component (at most the number of features).
    noise : {"diagonal", "isotropic"}, default="diagonal"
        Psi_k diagonal (factor analysis), or ``sigma_k^2 I`` (probabilistic PCA).
    reg_covar : float, default=1e-6
        Added to every noise variance in every M-step.
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component left without data (as for the Gaussian).

    Notes
    -----
    Parameters: ``means`` (K, D), ``loadings`` (K, D, Q) and ``noise_variances``, (K, D) for
    diagonal noise or (K,) for isotropic noise. The model of component k is
    ``x = mean_k + W_k z + eps``, ``z ~ N(0, I_Q)``, ``eps ~ N(0, Psi_k)``.

    ``expected_stats`` does the inner E-step: ``q(z | x) = N(M^-1 W' Psi^-1 (x - mean),
    M^-1)`` with ``M = I + W' Psi^-1 W``, and sums the rows' and factors' moments
    (:class:`~emkit.components.factor_analyzer.FactorMoments`, rows about the E-step's means)
    and the entropies ``sum_i w_ik H(q(z_ik))``. ``expected_log_prob`` is
    ``sum_ik w_ik (E_q[log p(x_i, z | theta_k)] + H(q(z_ik)))``, equal to
    ``sum_ik w_ik log N(x_i | mean_k, C_k)`` at the E-step's parameters and a lower bound
    elsewhere. The M-step maximises it exactly: the mean and loadings by the regression of the
    rows on ``(z, 1)``, then each noise variance as the mean expected squared residual
    (averaged over features for isotropic noise) (Ghahramani & Hinton 1996).

    The loadings are identified only up to a rotation of the factors, so
    :meth:`n_parameters` removes ``Q (Q - 1) / 2`` per component.

    References
    ----------
    Z. Ghahramani and G. E. Hinton (1996). The EM algorithm for mixtures of factor analyzers.
    Technical report CRG-TR-96-1, University of Toronto.
    M. E. Tipping and C. M. Bishop (1999). Mixtures of probabilistic principal component
    analyzers. Neural Computation 11(2), 443-482.
    """

    family = "FactorAnalyzer"
    supports_missing = True

    def __init__(self, n_factors=1, noise="diagonal", reg_covar=1e-6, on_collapse="raise"):
        self.n_factors = check_positive_int(n_factors, "n_factors")
        if noise not in NOISE_MODELS:
            raise ValueError(f"noise must be one of {NOISE_MODELS}; got {noise!r}.")
        if isinstance(reg_covar, bool) or not isinstance(reg_covar, numbers.Real) \
                or not reg_covar >= 0:
            raise ValueError(f"reg_covar must be a non-negative number; got {reg_covar!r}.")
        self.noise = noise
        self.reg_covar = float(reg_covar)
        self.on_collapse = _collapse.check_policy(on_collapse)

    def __repr__(self):
        return (f"FactorAnalyzer(n_factors={self.n_factors}, noise={self.noise!r}, "
                f"reg_covar={self.reg_covar})")

    @property
    def isotropic(self) -> bool:
        """Whether the noise is ``sigma^2 I``."""
        return self.noise == "isotropic"

    def constraints(self):
        return {"means": constraints.real, "loadings": constraints.real,
                "noise_variances": constraints.positive}

    def n_parameters(self, params):
        n_components = len(params.means)
        return super().n_parameters(params) - n_components * (
            self.n_factors * (self.n_factors - 1) // 2)

    def regularisation(self):
        return f"reg_covar={self.reg_covar:g}" if self.reg_covar > 0 else None

    # -- densities and the posterior of the factors -----------------------------------------
    def noise_matrix(self, params):
        """Noise variances as (K, D) (isotropic ones repeated over the features).

        Parameters
        ----------
        params : Tree
            ``means`` (K, D) and ``noise_variances``, (K, D) or (K,) for isotropic noise.

        Returns
        -------
        ndarray of shape (K, D)
            ``Psi_k``'s diagonal for every component (a read-only broadcast view when the
            noise is isotropic).
        """
        means = np.asarray(params.means)
        return np.broadcast_to(np.reshape(params.noise_variances, (len(means), -1)),
                               means.shape)

    def check_shapes(self, params, n_features):
        """Raise ValueError unless ``params`` fit data with ``n_features`` columns.

        Parameters
        ----------
        params : Tree
            Expected: ``means`` (K, D), ``loadings`` (K, D, Q) and ``noise_variances``
            (K, D), or (K,) for isotropic noise, with ``D = n_features`` and
            ``Q = n_factors``.
        n_features : int
            D, the number of columns of the data.

        Raises
        ------
        ValueError
            Naming the first parameter whose shape differs, the shape expected and got.
        """
        n_components = np.shape(params.means)[0] if np.ndim(params.means) == 2 else None
        expected = {"means": (n_components, n_features),
                    "loadings": (n_components, n_features, self.n_factors),
                    "noise_variances": (n_components,) if self.isotropic else
                    (n_components, n_features)}
        for name, shape in expected.items():
            if np.shape(params[name]) != shape:
                raise ValueError(f"FactorAnalyzer {name} must have shape {shape} (n_components "
                                 f"K, n_features, n_factors) for X with {n_features} features; "
                                 f"got {np.shape(params[name])}.")

    def factors(self, params):
        """Per component :class:`~emkit.components.factor_analyzer._kernels.AnalyserFactor`
        (memoised on the Tree).

        Parameters
        ----------
        params : Tree
            ``loadings`` (K, D, Q) and ``noise_variances`` (see :meth:`noise_matrix`).

        Returns
        -------
        list of AnalyserFactor
            K of them: ``Psi_k^-1 W_k`` (D, Q), the posterior covariance of the factors
            ``M_k^-1`` (Q, Q), its Cholesky inverse and ``log |W_k W_k' + Psi_k|``.
        """
        def compute():
            noise = self.noise_matrix(params)
            return [analyser_factor(params.loadings[k], noise[k]) for k in range(len(noise))]

        return params.cached("factor_analyzer", compute)

    def posterior(self, params, X) -> FactorPosterior:
        """The factors' posterior under every component, and the log densities.

        Parameters
        ----------
        params : Tree
        X : ndarray of shape (n_samples, D)
            NaN marks a missing entry (missing at random): the density is then that of the
            observed entries and the missing ones are latent (see
            :mod:`~emkit.components.factor_analyzer._posterior`).

        Returns
        -------
        FactorPosterior
        """
        self.check_shapes(params, X.shape[1])
        return factor_posteriors(X, np.asarray(params.means), np.asarray(params.loadings),
                                 self.noise_matrix(params), self.factors(params))

    def log_prob(self, params, X):
        return self.posterior(params, X).log_prob

    def conditional_moments(self, params, X):
        """Means and variances of every entry of X given the row's observed entries.

        Parameters
        ----------
        params : Tree
        X : ndarray of shape (n_samples, D), NaN where missing

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, D)
            Observed entries as they are (variance 0); a missing entry d at
            ``mean_d + W_d E[z | x_o]`` with variance ``W_d V W_d' + psi_d``.
        """
        q = self.posterior(params, X)
        noise = self.noise_matrix(params)
        means = params.means[None] + np.einsum("kdq,nkq->nkd", params.loadings, q.means)
        spread = np.einsum("kdq,nkqr,kdr->nkd", params.loadings, q.row_covariances(),
                           params.loadings) + noise[None]
        observed = ~np.isnan(X)[:, None, :]
        return np.where(observed, X[:, None, :], means), np.where(observed, 0.0, spread)

    # -- statistics, bound and M-step ---------------------------------------------------------
    def expected_stats(self, params, X, weights):
        if params is None:
            raise ValueError("FactorAnalyzer statistics need parameters (the factors' posterior "
                             "depends on them); start from init_params.")
        return self.stats_from_posterior(params, X, weights, self.posterior(params, X))

    def stats_from_posterior(self, params, X, weights, posterior: FactorPosterior):
        """Statistics of weighted rows given their factors' (and missing entries') posterior.

        Parameters
        ----------
        params : Tree
            The parameters the posterior was computed at; their means are the point the rows'
            moments are taken about.
        X : ndarray of shape (n_samples, D), NaN where missing
        weights : ndarray of shape (n_samples, K)
        posterior : FactorPosterior

        Returns
        -------
        Tree
            ``moments`` (FactorMoments) and ``entropy`` (K,), ``sum_i w_ik H(q_ik)`` with q
            over the factors and the missing entries.
        """
        columns = [self._component_stats(params, X, weights[:, k], posterior, k)
                   for k in range(weights.shape[1])]
        *fields, entropy = (np.array(column) for column in zip(*columns))
        return Tree(moments=FactorMoments(*fields, np.asarray(params.means)), entropy=entropy)

    def _component_stats(self, params, X, weights, posterior, k):
        """FactorMoments fields of component k, and its weighted entropy."""
        means, covariance = posterior.means[:, k], posterior.covariances[..., k, :, :]
        shift, loadings = np.asarray(params.means[k]), np.asarray(params.loadings[k])
        if posterior.missing is None:
            fields = row_stats(X, weights, shift, means, covariance)
            return (*fields, fields[0] * gaussian_entropy(covariance))
        filled = np.where(posterior.missing, shift + means @ loadings.T, X)
        n, first, second, cross, z_first, z_second = row_stats(filled, weights, shift, means,
                                                               covariance)
        extra_second, extra_cross = missing_moments(
            weights, posterior.missing, loadings, self.noise_matrix(params)[k], covariance)
        entropy = weights @ (gaussian_entropy(covariance) + posterior.missing_entropy[:, k])
        return n, first, second + extra_second, cross + extra_cross, z_first, z_second, entropy

    def expected_complete_log_prob(self, stats, params) -> float:
        """``sum_ik w_ik E_q[log p(x_i, z | theta_k)]``, the bound without the entropy.

        Parameters
        ----------
        stats : Tree
            From :meth:`expected_stats` (or :meth:`stats_from_posterior`): ``moments``, the
            weighted rows' and factors' moments, and ``entropy`` (K,) (not used here).
        params : Tree
            The parameters ``theta`` at which the expected complete log-density is taken:
            ``means`` (K, D), ``loadings`` (K, D, Q), ``noise_variances``.

        Returns
        -------
        float
            The expected complete-data log-likelihood of the weighted rows and their factors;
            add ``sum(stats.entropy)`` for the bound (:meth:`expected_log_prob`).
        """
        moments, noise = stats.moments, self.noise_matrix(params)
        n_features = noise.shape[1]
        total = 0.0
        for k in range(len(noise)):
            offset = params.means[k] - moments.shift[k]
            squares = residual_second(moments, k, params.loadings[k], offset)
            total += (-0.5 * moments.n[k] * ((n_features + self.n_factors) * LOG_2PI
                                             + np.sum(np.log(noise[k])))
                      - 0.5 * np.sum(squares / noise[k]) - 0.5 * np.trace(moments.z_second[k]))
        return float(total)

    def expected_log_prob(self, stats, params):
        return self.expected_complete_log_prob(stats, params) + float(np.sum(stats.entropy))

    def m_step(self, stats, params, fixed=frozenset()):
        moments = stats.moments
        means, loadings, noise = [], [], []
        for k in range(len(moments.n)):
            mean, loading, variances = self._update(moments, k, params, fixed)
            means.append(mean), loadings.append(loading), noise.append(variances)
        new = Tree(means=np.array(means), loadings=np.array(loadings),
                   noise_variances=np.array(noise))
        return _collapse.settle_collapse(
            new, params, moments.n, self.constraints(), self.on_collapse,
            degenerate="its loadings or noise variances are not finite",
            remedy=f"Increase reg_covar (now {self.reg_covar:g}), use fewer components or "
                   "fewer factors, or scale the data.")

    def _update(self, moments, k, params, fixed):
        """The M-step of component k: mean (D,), loadings (D, Q), noise variances."""
        shift = moments.shift[k]
        offset = params.means[k] - shift if "means" in fixed else None
        loadings = params.loadings[k] if "loadings" in fixed else None
        n = moments.n[k] + TINY_COUNT
        try:
            offset, loadings = solve_loadings(moments, k, offset, loadings)
        except np.linalg.LinAlgError:  # no weight: a collapse, handled by the policy
            nan = np.full_like(shift, np.nan)
            return nan, np.full((len(shift), self.n_factors), np.nan), \
                np.nan if self.isotropic else nan
        if "noise_variances" in fixed:
            return shift + offset, loadings, params.noise_variances[k]
        squares = residual_second(moments, k, loadings, offset) / n
        variances = squares.mean() if self.isotropic else squares
        return shift + offset, loadings, np.maximum(variances + self.reg_covar,
                                                    MIN_NOISE_VARIANCE)

    # -- other ------------------------------------------------------------------------------
    def init_params(self, X, resp, rng):
        """Principal-axes start of every component from its weighted rows (see
        :func:`~emkit.components.factor_analyzer._init.principal_start`); missing entries
        (NaN) start at their column's mean.

        Parameters
        ----------
        X : ndarray of shape (n_samples, D)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, K)
            Starting responsibilities times sample weights; a component with no weight
            starts from all the rows, equally weighted.
        rng : numpy.random.RandomState
            Accepted for the contract; the start draws nothing.

        Returns
        -------
        Tree
            ``means`` (K, D), ``loadings`` (K, D, Q) and ``noise_variances``, (K, D) or
            (K,) for isotropic noise (each at least ``MIN_NOISE_VARIANCE``, with
            ``reg_covar`` added).
        """
        X = fill_column_means(X)
        starts = [self._start(X, resp[:, k], rng) for k in range(resp.shape[1])]
        means, loadings, noise = (np.array(column) for column in zip(*starts))
        return Tree(means=means, loadings=loadings, noise_variances=noise)

    def _start(self, X, weights, rng):
        if not np.sum(weights) > 0:
            weights = np.ones(X.shape[0])
        mean, loadings, noise = _init.principal_start(X, weights, self.n_factors,
                                                      isotropic=self.isotropic)
        noise = np.maximum(noise + self.reg_covar, MIN_NOISE_VARIANCE)
        return mean, loadings, noise[0] if self.isotropic else noise

    def validate_fit(self, X):
        self.validate(X)
        check_observed_columns(X, self.family)
        if self.n_factors > X.shape[1]:
            raise ValueError(f"n_factors={self.n_factors} must be <= n_features = {X.shape[1]}: "
                             "a factor analyser has at most as many factors as features. Use "
                             "fewer factors.")

    def sample(self, params, labels, rng):
        labels = np.asarray(labels)
        noise = self.noise_matrix(params)[labels]
        factors = rng.standard_normal((len(labels), self.n_factors))
        signal = np.einsum("ndq,nq->nd", params.loadings[labels], factors)
        return params.means[labels] + signal + np.sqrt(noise) * rng.standard_normal(noise.shape)
