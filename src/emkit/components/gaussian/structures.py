"""Covariance structures of the Gaussian component: one class per structure, one dispatch table.

Each structure knows the shape and constraint of its ``covariances`` parameter, how to turn a
centred scatter into a covariance, and how to factor a covariance into the precision form the
kernels use. Dense structures (full, tied) use lower-triangular factors ``L_k`` of the
precision (``Lambda_k = L_k^T L_k``); diagonal ones (diag, spherical) use square roots of the
diagonal precision.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from scipy import linalg

from ...engine import constraints
from ._kernels import lower_triangular_inverse

__all__ = ["STRUCTURES", "CovarianceStructure", "Factor", "Singular", "dense_factor"]


class Factor:
    """A factored precision, in the layout the kernels take.

    Attributes
    ----------
    dense : bool
        Whether ``values`` are dense triangular factors (K, D, D) or diagonal roots (K, D).
    values : ndarray
        ``L_k`` with ``Lambda_k = L_k^T L_k`` (dense), or ``sqrt(diag Lambda_k)`` (diagonal).
    log_det : ndarray of shape (K,)
        ``0.5 * log det Lambda_k``.
    """

    __slots__ = ("dense", "values", "log_det")

    def __init__(self, dense, values, log_det):
        self.dense, self.values, self.log_det = dense, values, log_det


def dense_factor(cov):
    """Triangular precision factors of SPD matrices (K, D, D); raises Singular(k)."""
    chol = np.empty_like(cov)
    for k, matrix in enumerate(cov):
        try:
            chol[k] = linalg.cholesky(matrix, lower=True)
        except linalg.LinAlgError:
            raise Singular(k) from None
    factors = lower_triangular_inverse(chol)
    log_det = np.log(np.einsum("kjj->kj", factors)).sum(axis=1)
    return Factor(True, factors, log_det)


def _diag_factor(variances):
    """Square-root precisions of positive variances (K, D); raises Singular(k)."""
    bad = np.flatnonzero(~(np.min(variances, axis=1) > 0))
    if bad.size:
        raise Singular(int(bad[0]))
    roots = 1.0 / np.sqrt(variances)
    return Factor(False, roots, np.log(roots).sum(axis=1))


class Singular(Exception):
    """Internal: the covariance of component ``k`` is not positive definite."""

    def __init__(self, k):
        super().__init__(k)
        self.k = k


class CovarianceStructure(ABC):
    """How one covariance type is stored, estimated and factored."""

    name: str
    dense: bool
    shared: bool = False

    @abstractmethod
    def constraint(self):
        """The Constraint of the ``covariances`` parameter."""

    @abstractmethod
    def from_scatter(self, scatter, nk, reg, previous=None):
        """Covariances from centred scatters (K, D, D) or (K, D) and counts (K,).

        ``previous`` are the covariances before this M-step (or None), where an iterative
        update starts; closed-form updates do not need them."""

    @abstractmethod
    def n_parameters(self, n_components, n_features) -> int:
        """Free parameters of the covariances (for BIC and AIC)."""

    @abstractmethod
    def factor(self, cov, n_components, n_features) -> Factor:
        """Precision factor for the kernels; raises Singular(k) on a singular component."""

    @abstractmethod
    def full(self, cov, n_components, n_features):
        """The covariances as (K, D, D) full matrices."""

    @abstractmethod
    def precisions_cholesky(self, cov):
        """scikit-learn's ``precisions_cholesky_`` layout for this type."""

    @abstractmethod
    def shape(self, n_components, n_features) -> tuple:
        """The shape of the ``covariances`` parameter."""


class Full(CovarianceStructure):
    name, dense = "full", True

    def constraint(self):
        return constraints.spd

    def from_scatter(self, scatter, nk, reg, previous=None):
        cov = scatter / nk[:, None, None]
        return cov + reg * np.eye(cov.shape[-1])

    def factor(self, cov, n_components, n_features):
        return dense_factor(cov)

    def full(self, cov, n_components, n_features):
        return cov

    def precisions_cholesky(self, cov):
        return np.swapaxes(dense_factor(cov).values, 1, 2)

    def shape(self, n_components, n_features):
        return (n_components, n_features, n_features)

    def n_parameters(self, n_components, n_features):
        return n_components * n_features * (n_features + 1) // 2


class Tied(CovarianceStructure):
    name, dense, shared = "tied", True, True

    def constraint(self):
        return constraints.spd

    def from_scatter(self, scatter, nk, reg, previous=None):
        cov = scatter.sum(axis=0) / nk.sum()
        return cov + reg * np.eye(cov.shape[-1])

    def factor(self, cov, n_components, n_features):
        one = dense_factor(cov[None])
        return Factor(True, np.repeat(one.values, n_components, axis=0),
                      np.repeat(one.log_det, n_components))

    def full(self, cov, n_components, n_features):
        return np.repeat(cov[None], n_components, axis=0)

    def precisions_cholesky(self, cov):
        return dense_factor(cov[None]).values[0].T

    def shape(self, n_components, n_features):
        return (n_features, n_features)

    def n_parameters(self, n_components, n_features):
        return n_features * (n_features + 1) // 2


class Diag(CovarianceStructure):
    name, dense = "diag", False

    def constraint(self):
        return constraints.positive

    def from_scatter(self, scatter, nk, reg, previous=None):
        return scatter / nk[:, None] + reg

    def factor(self, cov, n_components, n_features):
        return _diag_factor(cov)

    def full(self, cov, n_components, n_features):
        return np.stack([np.diag(c) for c in cov])

    def precisions_cholesky(self, cov):
        return 1.0 / np.sqrt(cov)

    def shape(self, n_components, n_features):
        return (n_components, n_features)

    def n_parameters(self, n_components, n_features):
        return n_components * n_features


class Spherical(CovarianceStructure):
    name, dense = "spherical", False

    def constraint(self):
        return constraints.positive

    def from_scatter(self, scatter, nk, reg, previous=None):
        return (scatter / nk[:, None] + reg).mean(axis=1)

    def factor(self, cov, n_components, n_features):
        return _diag_factor(np.repeat(cov[:, None], n_features, axis=1))

    def full(self, cov, n_components, n_features):
        return cov[:, None, None] * np.eye(n_features)

    def precisions_cholesky(self, cov):
        return 1.0 / np.sqrt(cov)

    def shape(self, n_components, n_features):
        return (n_components,)

    def n_parameters(self, n_components, n_features):
        return n_components


STRUCTURES = {cls.name: cls() for cls in (Full, Tied, Diag, Spherical)}
