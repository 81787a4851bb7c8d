"""The Beta component: independent Beta(a, b) features on (0, 1), batched over K."""
from __future__ import annotations

import numpy as np
from scipy import special

from ..engine import constraints
from ..engine.contracts import Component
from ..engine.tree import Tree
from ._collapse import StartsUnderPolicy, check_policy, settle_collapse
from ._special import PrecisionStop
from ..engine.validation import check_support

__all__ = ["Beta"]

_MAX_ITER = 200
_MAX_HALVINGS = 60
_EPS = np.finfo(float).eps


def _objective(a, b, mean_log, mean_log1m):
    """Mean weighted log-likelihood up to a constant: ``-betaln(a, b) + a lbar + b mbar``."""
    return -special.betaln(a, b) + a * mean_log + b * mean_log1m


def _newton_direction(a, b, mean_log, mean_log1m, free_a, free_b):
    """Newton step of the concave objective over the free coordinates."""
    psi_sum, tri_sum = special.digamma(a + b), special.polygamma(1, a + b)
    grad_a = mean_log - special.digamma(a) + psi_sum
    grad_b = mean_log1m - special.digamma(b) + psi_sum
    h_aa = tri_sum - special.polygamma(1, a)
    h_bb = tri_sum - special.polygamma(1, b)
    if free_a and free_b:
        det = h_aa * h_bb - tri_sum * tri_sum
        return ((h_bb * grad_a - tri_sum * grad_b) / -det,
                (h_aa * grad_b - tri_sum * grad_a) / -det)
    zero = np.zeros_like(a)
    return (-grad_a / h_aa if free_a else zero), (-grad_b / h_bb if free_b else zero)


def _damped(a, b, step, mean_log, mean_log1m):
    """``(a, b) + step``, halved entrywise where it would leave a, b <= 0 or descend."""
    current = _objective(a, b, mean_log, mean_log1m)
    scale = np.ones_like(a)
    for _ in range(_MAX_HALVINGS):
        new_a, new_b = a + scale * step[0], b + scale * step[1]
        value = _objective(np.maximum(new_a, _EPS), np.maximum(new_b, _EPS), mean_log,
                           mean_log1m)
        bad = (new_a <= 0) | (new_b <= 0) | (value < current - 4 * _EPS * np.abs(current))
        if not bad.any():
            break
        scale = np.where(bad, 0.5 * scale, scale)
    return new_a, new_b


def beta_mle(mean_log, mean_log1m, a, b, free_a=True, free_b=True):
    """Maximise the Beta log-likelihood given mean log x and mean log(1 - x), elementwise.

    Parameters
    ----------
    mean_log, mean_log1m : ndarray
        Weighted means of log x and of log(1 - x).
    a, b : ndarray
        Starting values (and the values of a fixed coordinate).
    free_a, free_b : bool
        Which coordinates to maximise over.

    Returns
    -------
    a, b : ndarray

    Notes
    -----
    The objective ``-log B(a, b) + a lbar + b mbar`` is strictly concave (``log B`` is the
    log-partition function of the Beta family in its natural parameters), so Newton's method
    with step halving (to stay positive and to ascend) converges to the unique maximiser, to
    working precision (Minka 2000, "Estimating a Dirichlet distribution").
    """
    stop = PrecisionStop()
    for _ in range(_MAX_ITER):
        step = _newton_direction(a, b, mean_log, mean_log1m, free_a, free_b)
        new_a, new_b = _damped(a, b, step, mean_log, mean_log1m)
        converged = stop(np.stack([a, b]), np.stack([new_a, new_b]))
        a, b = new_a, new_b
        if converged:
            break
    return a, b


def beta_start(mean_log, mean_log1m):
    """Starting values from ``digamma(x) ~ log(x - 1/2)`` (closed form; Minka 2000).

    With ``g_a = exp(lbar)`` and ``g_b = exp(mbar)``:
    ``a0 = 1/2 + g_a / (2 (1 - g_a - g_b))`` and likewise ``b0``. ``g_a + g_b < 1`` unless
    every value is equal, where there is no maximiser (NaN is returned).
    """
    g_a, g_b = np.exp(mean_log), np.exp(mean_log1m)
    gap = 1.0 - g_a - g_b
    gap = np.where(gap > 0, gap, np.nan)
    return 0.5 + g_a / (2.0 * gap), 0.5 + g_b / (2.0 * gap)


class Beta(StartsUnderPolicy, Component):
    """Products of Beta densities with parameters ``a_kd`` and ``b_kd``, for 0 < x_d < 1.

    ``log p(x | k) = sum_d (a_kd - 1) log x_d + (b_kd - 1) log(1 - x_d) - log B(a_kd, b_kd)``.

    Parameters
    ----------
    on_collapse : {"raise", "keep"}, default="raise"
        Policy for a component with no finite maximiser (no responsibility, or all its values
        equal): raise a ComponentCollapseError naming it, or keep its previous parameters.

    Notes
    -----
    Parameters: ``a`` and ``b``, each of shape (K, n_features). Statistics: ``n`` (K,),
    ``log_x`` and ``log_1mx`` (K, n_features), the weighted sums of log x and log(1 - x).
    The M-step is the exact weighted MLE by Newton's method (see :func:`beta_mle`); with one
    of ``a``, ``b`` fixed it maximises over the other.
    """

    family = "Beta"

    def __init__(self, on_collapse="raise"):
        self.on_collapse = check_policy(on_collapse)

    def __repr__(self):
        return "Beta()"

    def constraints(self):
        return {"a": constraints.positive, "b": constraints.positive}

    def log_prob(self, params, X):
        return (np.log(X) @ (params.a - 1.0).T + np.log1p(-X) @ (params.b - 1.0).T
                - special.betaln(params.a, params.b).sum(axis=1))

    def expected_stats(self, params, X, weights):
        return Tree(n=weights.sum(axis=0), log_x=weights.T @ np.log(X),
                    log_1mx=weights.T @ np.log1p(-X))

    def m_step(self, stats, params, fixed=frozenset()):
        free_a, free_b = "a" not in fixed, "b" not in fixed
        if not (free_a or free_b):
            return params
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_log = stats.log_x / stats.n[:, None]
            mean_log1m = stats.log_1mx / stats.n[:, None]
            a, b = self._start(mean_log, mean_log1m, params, free_a, free_b)
            a, b = self._solve(mean_log, mean_log1m, a, b, free_a, free_b)
        return settle_collapse(
            Tree(a=a, b=b), params, stats.n, self.constraints(), self.on_collapse,
            degenerate="its values are all equal, so a and b have no finite maximiser",
            remedy="Use fewer components or remove duplicated values.")

    @staticmethod
    def _start(mean_log, mean_log1m, params, free_a, free_b):
        """Newton's starting point; a fixed coordinate keeps its value in ``params``."""
        a, b = beta_start(mean_log, mean_log1m)
        if free_a and free_b:
            return a, b
        # all-equal values have no joint maximiser but do have a conditional one: start at 1
        if free_a:
            return np.nan_to_num(a, nan=1.0), np.array(params.b, dtype=float)
        return np.array(params.a, dtype=float), np.nan_to_num(b, nan=1.0)

    @staticmethod
    def _solve(mean_log, mean_log1m, a, b, free_a, free_b):
        """Run :func:`beta_mle` on the entries that have finite statistics and start."""
        ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(mean_log) & np.isfinite(mean_log1m)
        a_out, b_out = np.full(a.shape, np.nan), np.full(b.shape, np.nan)
        a_out[ok], b_out[ok] = beta_mle(mean_log[ok], mean_log1m[ok], a[ok], b[ok],
                                        free_a, free_b)
        return a_out, b_out

    def expected_log_prob(self, stats, params):
        return float(np.sum((params.a - 1.0) * stats.log_x) + np.sum((params.b - 1.0)
                                                                      * stats.log_1mx)
                     - stats.n @ special.betaln(params.a, params.b).sum(axis=1))

    def validate(self, X):
        check_support(X, self.family, lambda v: (v > 0) & (v < 1), "values in (0, 1)",
                      "Beta data are proportions strictly between 0 and 1; rescale the "
                      "column or squeeze boundary values, e.g. (x * (n - 1) + 0.5) / n.")

    def sample(self, params, labels, rng):
        return rng.beta(params.a[labels], params.b[labels])
