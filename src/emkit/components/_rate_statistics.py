"""Poisson statistics with their log-likelihood taken at the E-step's rates (the anchor).

The expected complete-data log-likelihood of a Poisson component,
``sum_i w_ik log p(x_i | lambda_k) = S_k log(lambda_k) - E_k lambda_k - sum_i w_ik log(x_i!)``,
is a difference of terms near ``S log(lambda)``: for counts near 1e9 they are ~2e12 and the
bound loses ~1e-3 to rounding, which the anatomy's check then reports as a false mismatch. So
the statistics carry the log-likelihood *at the anchor* ``a`` (the rates of the E-step), summed
row by row from the densities the E-step computed anyway (each one precise,
see :func:`~emkit.components._discrete_kernels.poisson_log_kernel`), and move it to any rates
``b`` exactly,

    L(b) = L(a) + sum_d [S_d log(b_d / a_d) - E_d (b_d - a_d)],

whose terms are of the size of the change ``b - a``, not of the counts. At the anchor the bound
is the sum of the rows' log densities, so after each E-step it equals the evidence at any scale.
The move is exact in exact arithmetic; its rounding is that of ``S log(b / a)``, small for the
steps EM takes near an optimum, but a first step from rates far from the data (3 to 1e14)
leaves the bound at the new rates off by ~1e2, which the anatomy shows as a KL gap below 0.
Blocks computed at other rates add (the right operand moves to the left's anchor) and scale,
as online and incremental EM need.
"""
from __future__ import annotations

import numpy as np

from ..engine.tree import StatisticLeaf, freeze

__all__ = ["RateStatistics"]


class RateStatistics(StatisticLeaf):
    """Weighted counts, sums and the log-likelihood at the anchor rates, per component.

    Parameters
    ----------
    anchor : array-like of shape (K, D)
        The rates the log-likelihood was summed at.
    counts : array-like of shape (K,)
        ``N_k = sum_i w_ik``.
    sums : array-like of shape (K, D)
        ``S_kd = sum_i w_ik x_id`` (observed entries).
    missing : array-like of shape (K, D)
        ``M_kd = sum_i w_ik [x_id missing]``.
    log_likelihood : array-like of shape (K,)
        ``sum_i w_ik log p(x_i | anchor_k)`` over each row's observed entries.
    """

    __slots__ = ("anchor", "counts", "sums", "missing", "log_likelihood")

    def __init__(self, anchor, counts, sums, missing, log_likelihood):
        self.anchor, self.counts, self.sums = freeze(anchor), freeze(counts), freeze(sums)
        self.missing, self.log_likelihood = freeze(missing), freeze(log_likelihood)

    @property
    def exposure(self) -> np.ndarray:
        """``E_kd = N_k - M_kd``, the weight of the observed entries, shape (K, D)."""
        return self.counts[:, None] - self.missing

    def log_likelihood_at(self, rates) -> np.ndarray:
        """``sum_i w_ik log p(x_i | rates_k)``, shape (K,), moved exactly from the anchor."""
        rates = np.asarray(rates, dtype=float)
        if np.array_equal(rates, self.anchor):
            return self.log_likelihood
        change = rates - self.anchor
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log1p(change / self.anchor)
            gain = np.where(self.sums == 0.0, 0.0, self.sums * log_ratio) - self.exposure * change
        return self.log_likelihood + gain.sum(axis=1)

    def moved_to(self, rates) -> RateStatistics:
        """The same statistics with their log-likelihood taken at ``rates`` (K, D)."""
        rates = np.asarray(rates, dtype=float)
        if np.array_equal(rates, self.anchor):
            return self
        return RateStatistics(rates, self.counts, self.sums, self.missing,
                              self.log_likelihood_at(rates))

    def moved_like(self, target):
        return self.moved_to(target.anchor)

    def arrays(self):
        return {"anchor": self.anchor, "counts": self.counts, "sums": self.sums,
                "missing": self.missing, "log_likelihood": self.log_likelihood}

    def __repr__(self):
        return f"RateStatistics(shape={np.shape(self.sums)})"

    def __add__(self, other):
        if not isinstance(other, RateStatistics) or np.shape(other.sums) != np.shape(self.sums):
            raise ValueError(f"cannot add RateStatistics {self!r} and {other!r}; compute every "
                             "block's statistics with the same component")
        other = other.moved_to(self.anchor)
        return RateStatistics(self.anchor, self.counts + other.counts, self.sums + other.sums,
                              self.missing + other.missing,
                              self.log_likelihood + other.log_likelihood)

    def __mul__(self, scalar):
        return RateStatistics(self.anchor, self.counts * scalar, self.sums * scalar,
                              self.missing * scalar, self.log_likelihood * scalar)
