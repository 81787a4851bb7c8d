"""Factor analysis and probabilistic PCA: continuous latent factors, fitted by EM."""
from __future__ import annotations

import numpy as np

from ..components.factor_analyzer import FactorAnalyzer
from ..components.factor_analyzer._init import (
    INITS,
    SVD_METHODS,
    principal_start,
    random_start,
)
from ..components.factor_analyzer._posterior import FactorPosterior
from ..engine import constraints
from ..engine.contracts import LatentModel
from ..engine.missing import fill_column_means
from ..engine.posterior import GaussianPosterior
from ..engine.tree import Tree
from ..engine.validation import check_positive_int

__all__ = ["FactorAnalysis"]

_NAMES = {"mean": "means", "loadings": "loadings", "noise_variance": "noise_variances"}


class FactorAnalysis(LatentModel):
    """Factor analysis, ``x = mean + W z + eps``, with the factors z as latent variables.

    Parameters
    ----------
    n_factors : int
        Q, the number of factors (at most the number of features).
    noise : {"diagonal", "isotropic"}, default="diagonal"
        ``eps ~ N(0, Psi)`` with Psi diagonal (factor analysis) or ``sigma^2 I``
        (probabilistic PCA).
    init : {"pca", "random"}, default="pca"
        Start from the principal axes (see
        :func:`~emkit.components.factor_analyzer._init.principal_start`; for isotropic noise
        this is the PPCA maximum itself), or from random loadings with the noise at the
        features' variances.
    noise_variance_init : array-like of shape (n_features,), optional
        Starting noise variances of the principal start (diagonal noise).
    reg_covar : float, default=0.0
        Added to the noise variances in every M-step.
    svd_method : {"lapack", "randomized"}, default="lapack"
        How the principal start finds its axes.
    iterated_power : int, default=3
        Power iterations of the randomized SVD.

    Notes
    -----
    Parameters are ``Tree(mean=(D,), loadings=(D, Q), noise_variance=(D,) or ())``. The
    E-step is the Gaussian posterior of each row's factors,
    ``q(z_i) = N(M^-1 W' Psi^-1 (x_i - mean), M^-1)``, ``M = I + W' Psi^-1 W``
    (:class:`~emkit.engine.posterior.GaussianPosterior`); its entropy is the anatomy's
    ``H(q)``, so the bound ``E_q[log p(X, Z)] + H(q)`` equals the evidence
    ``sum_i log N(x_i | mean, W W' + Psi)`` after every E-step. The maths is the one
    component of :class:`~emkit.components.FactorAnalyzer`, which a mixture of factor
    analysers uses too (Rubin & Thayer 1982; Tipping & Bishop 1999).

    References
    ----------
    D. B. Rubin and D. T. Thayer (1982). EM algorithms for ML factor analysis.
    Psychometrika 47(1), 69-76.
    M. E. Tipping and C. M. Bishop (1999). Probabilistic principal component analysis.
    JRSS B 61(3), 611-622.
    """

    def __init__(self, n_factors, noise="diagonal", init="pca", noise_variance_init=None,
                 reg_covar=0.0, svd_method="lapack", iterated_power=3):
        self.analyzer = FactorAnalyzer(n_factors, noise=noise, reg_covar=reg_covar)
        self.n_factors = self.analyzer.n_factors
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}; got {init!r}.")
        if svd_method not in SVD_METHODS:
            raise ValueError(f"svd_method must be one of {SVD_METHODS}; got {svd_method!r}.")
        self.init, self.svd_method = init, svd_method
        self.iterated_power = check_positive_int(iterated_power, "iterated_power", minimum=0)
        self.noise_variance_init = None if noise_variance_init is None else np.asarray(
            noise_variance_init, dtype=float)

    def __repr__(self):
        return f"FactorAnalysis(n_factors={self.n_factors}, noise={self.analyzer.noise!r})"

    # -- the component with one analyser --------------------------------------------------------
    @staticmethod
    def batched(params) -> Tree:
        """The parameters as those of a FactorAnalyzer with one component."""
        return Tree({name: np.asarray(params[own])[None] for own, name in _NAMES.items()})

    @staticmethod
    def unbatched(params) -> Tree:
        """The parameters of one FactorAnalyzer component as this model's."""
        return Tree({own: np.asarray(params[name])[0] for own, name in _NAMES.items()})

    def constraints(self):
        return {"mean": constraints.real, "loadings": constraints.real,
                "noise_variance": constraints.positive}

    def n_parameters(self, params):
        return self.analyzer.n_parameters(self.batched(params))

    def regularisation(self):
        return self.analyzer.regularisation()

    def covariance(self, params) -> np.ndarray:
        """``W W' + Psi``, shape (D, D)."""
        noise = self.analyzer.noise_matrix(self.batched(params))[0]
        return params.loadings @ params.loadings.T + np.diag(noise)

    # -- checks and start -------------------------------------------------------------------------
    def validate(self, block):
        self.analyzer.validate(block.X)

    def validate_fit(self, block):
        self.analyzer.validate_fit(block.X)
        given = self.noise_variance_init
        if given is not None and (given.shape != (block.X.shape[1],) or not np.all(given > 0)):
            raise ValueError(f"noise_variance_init must hold n_features = {block.X.shape[1]} "
                             f"positive variances; got {given.tolist()!r}.")

    def init_params(self, data, rng):
        """A start from the principal axes (or random), missing entries at column means."""
        weights, X = data.sample_weights(), fill_column_means(data.X)
        if self.init == "random":
            mean, loadings, noise = random_start(X, weights, self.n_factors, rng)
        else:
            mean, loadings, noise = principal_start(
                X, weights, self.n_factors, isotropic=self.analyzer.isotropic,
                noise_init=self.noise_variance_init, svd_method=self.svd_method,
                iterated_power=self.iterated_power, rng=rng)
        noise = np.maximum(noise + self.analyzer.reg_covar, 1e-12)
        return Tree(mean=mean, loadings=loadings,
                    noise_variance=noise.mean() if self.analyzer.isotropic else noise)

    # -- EM ---------------------------------------------------------------------------------------
    def posterior(self, params, block):
        q = self.analyzer.posterior(self.batched(params), block.X)
        other = None if q.missing is None else q.missing_entropy[:, 0]
        return GaussianPosterior(q.means[:, 0], q.covariances[..., 0, :, :], q.log_prob[:, 0],
                                 other_entropy=other)

    def expected_stats(self, params, block, posterior):
        if params is None:
            raise ValueError("FactorAnalysis starts from parameters, not from a posterior; "
                             "pass init=None or a parameter Tree.")
        missing = np.isnan(block.X) if posterior.other_entropy is not None else None
        covariance = posterior.covariance[None] if posterior.covariance.ndim == 2 else \
            posterior.covariance[:, None]
        q = FactorPosterior(posterior.mean[:, None], covariance,
                            posterior.row_log_likelihood[:, None], missing,
                            np.zeros((block.n_samples, 1)) if missing is None else
                            posterior.other_entropy[:, None])
        return self.analyzer.stats_from_posterior(self.batched(params), block.X,
                                                  block.sample_weights()[:, None], q)

    def impute(self, params, block):
        """Conditional means and variances of X's entries given each row's observed ones.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, n_features)
            Observed entries as they are (variance 0); a missing entry d at
            ``mean_d + W_d E[z | x_o]`` with variance ``W_d Cov[z | x_o] W_d' + psi_d``.
        """
        means, variances = self.analyzer.conditional_moments(self.batched(params), block.X)
        return means[:, 0], variances[:, 0]

    def m_step(self, stats, params, fixed=frozenset()):
        fixed = frozenset(_NAMES[name] for name in fixed)
        return self.unbatched(self.analyzer.m_step(stats, self.batched(params), fixed))

    def expected_log_joint(self, stats, params):
        return self.analyzer.expected_complete_log_prob(stats, self.batched(params))

    def sample(self, params, n_samples, rng, *, lengths=None):
        """Draw ``n_samples`` rows; returns X (n_samples, D) and their factors
        (n_samples, Q)."""
        factors = rng.standard_normal((n_samples, self.n_factors))
        noise = self.analyzer.noise_matrix(self.batched(params))[0]
        X = params.mean + factors @ params.loadings.T + np.sqrt(noise) * rng.standard_normal(
            (n_samples, len(noise)))
        return X, factors
