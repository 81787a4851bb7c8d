"""The gate of a regression mixture: how the component probabilities depend on the covariates.

* :class:`ConstantGate`: ``P(z = k | x) = weights_k`` (a mixture of regressions).
* :class:`LogitGate`: ``P(z = k | x) = softmax_k(x . gate_k)`` with ``gate_0 = 0`` (a mixture
  of experts, Jordan & Jacobs 1994). Its M-step has no closed form; one step on Böhning's
  (1992) bound of the multinomial-logit curvature, ``(I - 11^T / K) / 2`` times the Gram
  matrix of the covariates, raises the expected log-likelihood (a generalised EM step).
"""
from __future__ import annotations

import numpy as np
from scipy.special import log_softmax, xlogy

from ...engine import constraints
from ...engine.numerics import TINY_COUNT
from ...engine.tree import Tree
from ._anchored import Anchored

__all__ = ["ConstantGate", "LogitGate", "make_gate"]


class ConstantGate:
    """Component probabilities that do not depend on the covariates."""

    def __init__(self, n_components):
        self.n_components = n_components

    def constraints(self):
        return {"weights": constraints.simplex}

    def log_probs(self, params, design):
        """``log P(z = k | x_i)``, shape (n_samples, K)."""
        with np.errstate(divide="ignore"):
            return np.broadcast_to(np.log(params.weights), (design.shape[0], self.n_components))

    def stats(self, params, design, weighted, sample_weights, log_gate):
        return weighted.sum(axis=0)

    def expected_log_joint(self, stats, params):
        return float(np.sum(xlogy(stats, params.weights)))

    def m_step(self, stats, params, fixed=frozenset()):
        if "weights" in fixed:
            return Tree(weights=params.weights)
        counts = stats + TINY_COUNT
        return Tree(weights=counts / counts.sum())

    def init(self, design, weighted, intercept=True):
        """Weights from the starting counts."""
        return self.m_step(weighted.sum(axis=0), None)


class LogitGate:
    """Multinomial-logit component probabilities; ``coef`` has shape (K - 1, n_terms) (the
    first component is the reference, its coefficients zero)."""

    def __init__(self, n_components):
        self.n_components = n_components

    def constraints(self):
        return {"coef": constraints.real}

    def _full(self, coef, n_terms):
        return np.vstack([np.zeros((1, n_terms)), np.reshape(coef, (-1, n_terms))])

    def log_probs(self, params, design):
        """``log softmax_k(x_i . gate_k)``, shape (n_samples, K)."""
        return log_softmax(design @ self._full(params.coef, design.shape[1]).T, axis=1)

    def stats(self, params, design, weighted, sample_weights, log_gate):
        """Value, gradient and the covariates' Gram matrix at the current coefficients."""
        expected = sample_weights[:, None] * np.exp(log_gate)
        return Anchored(params.coef, value=np.sum(weighted * log_gate),
                        gradient=(weighted - expected)[:, 1:].T @ design,
                        gram=np.einsum("n,np,nq->pq", sample_weights, design, design))

    def _bound(self):
        """Böhning's bound on the curvature over the free components, (K-1, K-1)."""
        free = self.n_components - 1
        return 0.5 * (np.eye(free) - np.ones((free, free)) / self.n_components)

    def expected_log_joint(self, stats, params):
        step = np.asarray(params.coef) - stats.anchor
        curvature = np.einsum("kl,kp,pq,lq->", self._bound(), step, stats.gram, step)
        return float(stats.value + np.sum(stats.gradient * step) - 0.5 * curvature)

    def m_step(self, stats, params, fixed=frozenset()):
        if "coef" in fixed or self.n_components == 1:
            return Tree(coef=stats.anchor)
        free = self.n_components - 1
        # (B (x) S)^-1 G with B^-1 = 2 (I + 11^T), S^-1 from a solve.
        inverse_bound = 2.0 * (np.eye(free) + np.ones((free, free)))
        try:
            step = np.linalg.solve(stats.gram, stats.gradient.T).T
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(stats.gram, stats.gradient.T, rcond=None)[0].T
        return Tree(coef=stats.anchor + inverse_bound @ step)

    def init(self, design, weighted, intercept=True):
        """Slopes zero; with an intercept (the design's first column), the intercepts match
        the starting counts."""
        counts = weighted.sum(axis=0) + TINY_COUNT
        coef = np.zeros((self.n_components - 1, design.shape[1]))
        if intercept:
            coef[:, 0] = np.log(counts[1:] / counts[0])
        return Tree(coef=coef)


def make_gate(gate, n_components):
    """The gate of a name: ``"constant"`` or ``"logit"``."""
    gates = {"constant": ConstantGate, "logit": LogitGate}
    if gate not in gates:
        raise ValueError(f"gate must be one of {sorted(gates)}; got {gate!r}.")
    return gates[gate](n_components)
