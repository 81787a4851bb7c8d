"""The experts of a regression mixture: one generalised linear model per component.

Each family gives, for K components with coefficients ``coef`` of shape (K, n_terms), the
log density of a response given its design row, the statistics a pass over the data sums at
the current coefficients, and the M-step on them:

* :class:`LinearExperts` (Gaussian response, identity link): the expected log-likelihood is
  quadratic in the coefficients, so its statistics, expanded about the current coefficients,
  are exact everywhere and the M-step is weighted least squares (an exact EM step).
* :class:`LogisticExperts` (binary response, logit link) and :class:`PoissonExperts` (count
  response, log link): the expected log-likelihood is concave with no closed-form maximiser.
  Its curvature at a step ``d`` is at most ``exp(s)`` times the current Hessian, where ``s``
  bounds how far the step moves any row's linear predictor (from the largest absolute design
  values); the M-step is the Newton step shrunk so that this bound holds, which certainly
  raises the expected log-likelihood (a generalised EM step) and is the Newton step near the
  optimum. For logistic experts the global bound ``X^T W X / 4`` (Böhning & Lindsay 1988) is
  also tried, and the step of the larger certified gain is taken.

Every ``expected_log_joint`` returns the exact expected log-likelihood at the coefficients the
statistics were computed at, and a certified lower bound of it (a minorant) elsewhere.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit, gammaln, lambertw

from ...engine import constraints
from ...engine.tree import Extreme, Tree
from ...engine.validation import check_finite, check_values
from ...exceptions import ComponentCollapseError
from ._anchored import Anchored

__all__ = ["EXPERT_FAMILIES", "LinearExperts", "LogisticExperts", "PoissonExperts",
           "expert_family", "solve_each"]

#: Iterations of the weighted fit that starts a GLM expert from responsibilities.
_INIT_ITERATIONS = 25


def solve_each(matrices, vectors):
    """``matrices[k]^-1 vectors[k]`` for each k; the least-squares solution where singular.

    Parameters
    ----------
    matrices : ndarray of shape (K, n, n)
    vectors : ndarray of shape (K, n)

    Returns
    -------
    ndarray of shape (K, n)
    """
    out = np.empty_like(vectors)
    for k, (matrix, vector) in enumerate(zip(matrices, vectors)):
        try:
            out[k] = np.linalg.solve(matrix, vector)
        except np.linalg.LinAlgError:
            out[k] = np.linalg.lstsq(matrix, vector, rcond=None)[0]
    return out


def _quadratic(stats_matrix, step):
    """``step_k^T M_k step_k`` for each k; shapes (K, n, n), (K, n) -> (K,)."""
    return np.einsum("kp,kpq,kq->k", step, stats_matrix, step)


def _gram(design, weighted):
    """``sum_i weighted[i, k] x_i x_i^T`` for each k, shape (K, n_terms, n_terms)."""
    return np.einsum("nk,np,nq->kpq", weighted, design, design, optimize=True)


class _Experts:
    """Abstract: K generalised linear models of one family."""

    #: The family's name in messages.
    family: str

    def constraints(self):
        return {"coef": constraints.real}

    def linear_predictor(self, params, design):
        """``eta[i, k] = x_i . coef_k``, shape (n_samples, K)."""
        return design @ np.asarray(params.coef).T

    def validate_response(self, y):
        """Raise a DataError if the response ``y`` (n_samples, 1) is outside the support."""
        check_finite(y, name="y", family=self.family)

    def regularisation(self):
        return None

    def __repr__(self):
        return f"{type(self).__name__}()"


class LinearExperts(_Experts):
    """Gaussian responses with identity link: ``y | x, k ~ N(x . coef_k, variance_k)``.

    Parameters
    ----------
    reg_variance : float, default=0.0
        Added to every variance after its update (keeps a component that fits its rows
        exactly from collapsing; the M-step then maximises the bound only approximately).
    """

    family = "Gaussian"

    def __init__(self, reg_variance=0.0):
        reg_variance = float(reg_variance)
        if not (np.isfinite(reg_variance) and reg_variance >= 0):
            raise ValueError(f"reg_variance must be a finite number >= 0; got {reg_variance!r}.")
        self.reg_variance = reg_variance

    def regularisation(self):
        return f"reg_variance={self.reg_variance!r}" if self.reg_variance > 0 else None

    def constraints(self):
        return {"coef": constraints.real, "variance": constraints.positive}

    def log_density(self, params, design, y):
        """``log N(y_i | x_i . coef_k, variance_k)``, shape (n_samples, K)."""
        residual = y[:, None] - self.linear_predictor(params, design)
        variance = np.asarray(params.variance)
        return -0.5 * (np.log(2 * np.pi * variance) + residual ** 2 / variance)

    def mean(self, params, design):
        return self.linear_predictor(params, design)

    def stats(self, params, design, y, weighted, log_density):
        """Counts, Gram matrices and residual moments about the current coefficients."""
        residual = y[:, None] - self.linear_predictor(params, design)
        return Anchored(params.coef, counts=weighted.sum(axis=0),
                        gram=_gram(design, weighted),
                        cross=np.einsum("nk,nk,np->kp", weighted, residual, design),
                        squares=np.einsum("nk,nk->k", weighted, residual ** 2))

    @staticmethod
    def _residual_squares(stats, coef):
        """``sum_i r_ik (y_i - x_i . coef_k)^2`` from the statistics, shape (K,)."""
        step = np.asarray(coef) - stats.anchor
        return stats.squares - 2 * np.einsum("kp,kp->k", step, stats.cross) \
            + _quadratic(stats.gram, step)

    def expected_log_joint(self, stats, params):
        variance = np.asarray(params.variance)
        squares = self._residual_squares(stats, params.coef)
        return float(np.sum(-0.5 * stats.counts * np.log(2 * np.pi * variance)
                            - 0.5 * squares / variance))

    def m_step(self, stats, params, fixed=frozenset()):
        coef = stats.anchor if "coef" in fixed else \
            stats.anchor + solve_each(stats.gram, stats.cross)
        if "variance" in fixed:
            return Tree(coef=coef, variance=params.variance)
        squares = self._residual_squares(stats, coef)
        with np.errstate(divide="ignore", invalid="ignore"):
            variance = squares / stats.counts + self.reg_variance
        self._check_variances(variance, stats.counts)
        return Tree(coef=coef, variance=variance)

    @staticmethod
    def _check_variances(variance, counts):
        for k, value in enumerate(variance):
            if not (np.isfinite(value) and value > 0):
                cause = ("it has no responsibility" if counts[k] < 1e-8 else
                         "its regression line passes through every row it holds (zero "
                         "residual variance)")
                raise ComponentCollapseError(k, cause, "Use fewer components, another start "
                                             "(random_state, n_init) or reg_variance > 0.")

    def init(self, design, y, weighted):
        """Weighted least squares per component from starting responsibilities."""
        counts = weighted.sum(axis=0)
        coef = solve_each(_gram(design, weighted), np.einsum("nk,n,np->kp", weighted, y, design))
        residual = y[:, None] - design @ coef.T
        variance = np.einsum("nk,nk->k", weighted, residual ** 2) / counts + self.reg_variance
        self._check_variances(variance, counts)
        return Tree(coef=coef, variance=variance)

    def sample(self, params, design, labels, rng):
        mean = np.einsum("np,np->n", design, np.asarray(params.coef)[labels])
        return rng.normal(mean, np.sqrt(np.asarray(params.variance)[labels]))


class _CanonicalGLM(_Experts):
    """A GLM with canonical link: ``log p(y | eta) = y eta - A(eta) + c(y)``; GEM M-step.

    The expected log-likelihood ``Q(coef)`` of component k is concave. About the current
    coefficients it is bounded below, for a step ``d`` whose reach ``s = sum_j max_i |x_ij|
    |d_j|`` bounds the change of every row's linear predictor, by
    ``Q + g . d - exp(s) d^T H d / 2`` with the gradient g and Hessian H at the current point,
    because ``A''(eta + delta) <= A''(eta) exp(|delta|)`` for both families here. The step is
    the Newton step ``H^-1 g`` shrunk by ``exp(-c)`` with ``c exp(c)`` its reach, which raises
    that bound by half the Newton decrement times ``exp(-c)``: near the optimum it is the
    Newton step. A family with a global curvature bound (logistic) also offers the step on
    that bound, and the step of the larger certified gain is taken.
    """

    def log_partition(self, eta):
        raise NotImplementedError

    def base_measure(self, y):
        return 0.0

    def log_density(self, params, design, y):
        eta = self.linear_predictor(params, design)
        return y[:, None] * eta - self.log_partition(eta) + np.reshape(self.base_measure(y),
                                                                       (-1, 1))

    def variance_function(self, mean):
        """``A''(eta)`` as a function of the mean."""
        raise NotImplementedError

    def global_bound(self, design, weighted):
        """A curvature bound valid for every step, (K, n_terms, n_terms), or None."""
        return None

    def stats(self, params, design, y, weighted, log_density):
        """Value, gradient, Hessian (and a global curvature bound, if the family has one) of
        the expected log-likelihood at the current coefficients, and the design's extent."""
        mean = self.mean(params, design)
        sums = dict(value=np.einsum("nk,nk->k", weighted, log_density),
                    gradient=np.einsum("nk,nk,np->kp", weighted, y[:, None] - mean, design),
                    hessian=_gram(design, weighted * self.variance_function(mean)))
        bound = self.global_bound(design, weighted)
        if bound is not None:
            sums["bound"] = bound
        return Tree(local=Anchored(params.coef, **sums),
                    extent=Extreme(np.max(np.abs(design), axis=0), np.maximum))

    @staticmethod
    def _reach(stats, step):
        """A bound on ``|x_i . step_k|`` over the rows, per k: ``sum_j max_i |x_ij| |step_kj|``."""
        return np.abs(step) @ stats.extent.value

    def _minorants(self, stats, step):
        """The certified lower bounds of ``Q_k(anchor + step_k) - Q_k(anchor)``, (n_bounds, K)."""
        local = stats.local
        linear = np.einsum("kp,kp->k", local.gradient, step)
        bounds = [linear - 0.5 * np.exp(self._reach(stats, step))
                  * _quadratic(local.hessian, step)]
        if "bound" in local.sums:
            bounds.append(linear - 0.5 * _quadratic(local.bound, step))
        return np.array(bounds)

    def expected_log_joint(self, stats, params):
        step = np.asarray(params.coef) - stats.local.anchor
        return float(np.sum(stats.local.value + self._minorants(stats, step).max(axis=0)))

    def _candidate_steps(self, stats):
        local = stats.local
        newton = solve_each(local.hessian, local.gradient)
        c = np.real(lambertw(self._reach(stats, newton)))
        steps = [newton * np.exp(-c)[:, None]]
        if "bound" in local.sums:
            steps.append(solve_each(local.bound, local.gradient))
        return np.array(steps)

    def m_step(self, stats, params, fixed=frozenset()):
        anchor = stats.local.anchor
        if "coef" in fixed:
            return Tree(coef=anchor)
        steps = self._candidate_steps(stats)
        gains = np.array([self._minorants(stats, step).max(axis=0) for step in steps])
        best = np.argmax(gains, axis=0)
        chosen = steps[best, np.arange(len(best))]
        return Tree(coef=anchor + np.where((gains.max(axis=0) > 0)[:, None], chosen, 0.0))

    def init(self, design, y, weighted):
        """A weighted fit per component from starting responsibilities (the GEM steps above,
        iterated on the in-memory rows)."""
        coef = np.zeros((weighted.shape[1], design.shape[1]))
        for _ in range(_INIT_ITERATIONS):
            params = Tree(coef=coef)
            log_density = self.log_density(params, design, y)
            coef = self.m_step(self.stats(params, design, y, weighted, log_density), params).coef
        return Tree(coef=coef)


class LogisticExperts(_CanonicalGLM):
    """Binary responses with logit link: ``P(y = 1 | x, k) = expit(x . coef_k)``."""

    family = "logistic"

    def log_partition(self, eta):
        return np.logaddexp(0.0, eta)

    def mean(self, params, design):
        return expit(self.linear_predictor(params, design))

    def variance_function(self, mean):
        return mean * (1 - mean)

    def global_bound(self, design, weighted):
        return 0.25 * _gram(design, weighted)  # Böhning & Lindsay: p (1 - p) <= 1/4

    def validate_response(self, y):
        super().validate_response(y)
        check_values(y, (y != 0) & (y != 1), self.family, "a response of 0 or 1",
                     "Code the response as 0/1.", name="y")

    def sample(self, params, design, labels, rng):
        eta = np.einsum("np,np->n", design, np.asarray(params.coef)[labels])
        return (rng.random_sample(len(labels)) < expit(eta)).astype(float)


class PoissonExperts(_CanonicalGLM):
    """Count responses with log link: ``y | x, k ~ Poisson(exp(x . coef_k))``."""

    family = "Poisson"

    def log_partition(self, eta):
        return np.exp(eta)

    def base_measure(self, y):
        return -gammaln(y + 1)

    def mean(self, params, design):
        return np.exp(self.linear_predictor(params, design))

    def variance_function(self, mean):
        return mean

    def validate_response(self, y):
        super().validate_response(y)
        check_values(y, (y < 0) | (y != np.round(y)), self.family,
                     "a non-negative integer response", "Pass counts.", name="y")

    def sample(self, params, design, labels, rng):
        eta = np.einsum("np,np->n", design, np.asarray(params.coef)[labels])
        return rng.poisson(np.exp(eta)).astype(float)


EXPERT_FAMILIES = {"gaussian": LinearExperts, "logistic": LogisticExperts,
                   "poisson": PoissonExperts}


def expert_family(family, reg_variance=0.0):
    """The experts of a family name (``"gaussian"``, ``"logistic"``, ``"poisson"``)."""
    if family not in EXPERT_FAMILIES:
        raise ValueError(f"family must be one of {sorted(EXPERT_FAMILIES)}; got {family!r}.")
    if family == "gaussian":
        return LinearExperts(reg_variance)
    return EXPERT_FAMILIES[family]()
