"""The parsimonious Gaussian family: covariances by volume, shape and orientation.

Celeux & Govaert (1995) write each covariance as ``Sigma_k = lambda_k D_k A_k D_k'``: a
volume ``lambda_k`` (``det(Sigma_k)^(1/D)``), a shape ``A_k`` (diagonal, ``det A_k = 1``) and an
orientation ``D_k`` (orthogonal). Each of the three is Equal across components, Variable, or
(shape and orientation only) the Identity; the 14 models are named by those letters in that
order, as in mclust: EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV.

Every model stores full (K, D, D) covariances, so that densities, sampling and model files
are those of the "full" structure; what differs is the M-step, which maximises the bound
over the covariances the model allows (closed forms where they exist, the block updates of
:mod:`._orientation` where they do not: VEI, VEE, EVE, VVE, VEV), and the number of free
parameters, counted as mclust counts them. ``reg_covar`` is added to the scatter as
``n_k reg_covar I`` before the update, which is ``+ reg_covar I`` for the models without
constraints across components and keeps every model within its own structure.
"""
from __future__ import annotations

from abc import abstractmethod

import numpy as np

from ...engine import constraints
from . import _orientation as inner
from .structures import CovarianceStructure, dense_factor

__all__ = ["PARSIMONIOUS", "ParsimoniousStructure"]


def _eye(n_features):
    return np.eye(n_features)


def _diagonal_covariances(diagonals):
    """(K, D) diagonals as (K, D, D) matrices."""
    return diagonals[:, :, None] * _eye(diagonals.shape[1])


def _rotate(vectors, diagonals):
    """``L_k diag(a_k) L_k'`` for (K, D, D) vectors and (K, D) diagonals."""
    return np.einsum("kab,kb,kcb->kac", vectors, diagonals, vectors)


class ParsimoniousStructure(CovarianceStructure):
    """One model of the family (abstract); a concrete class names itself and gives its
    M-step (:meth:`estimate`) and its count of covariance parameters."""

    dense = True

    @property
    def shared(self):
        """Whether anything is shared across components (collapse then cannot keep one)."""
        return "E" in self.name

    def constraint(self):
        return constraints.spd

    def from_scatter(self, scatter, nk, reg, previous=None):
        n_features = scatter.shape[-1]
        W = scatter + reg * nk[:, None, None] * _eye(n_features)
        return self.estimate(W, nk, previous)

    @abstractmethod
    def estimate(self, W, nk, previous):
        """The covariances (K, D, D) minimising ``sum_k n_k log det S_k + tr(W_k S_k^-1)``
        within the model, from regularised scatters W (K, D, D) and weights nk (K,);
        ``previous`` (K, D, D) or None starts an iterative update."""

    def factor(self, cov, n_components, n_features):
        return dense_factor(cov)

    def full(self, cov, n_components, n_features):
        return cov

    def precisions_cholesky(self, cov):
        return np.swapaxes(dense_factor(cov).values, 1, 2)

    def shape(self, n_components, n_features):
        return (n_components, n_features, n_features)


class EII(ParsimoniousStructure):
    name = "EII"

    def estimate(self, W, nk, previous):
        d = W.shape[-1]
        variance = np.trace(W.sum(axis=0)) / (nk.sum() * d)
        return np.repeat(variance * _eye(d)[None], len(nk), axis=0)

    def n_parameters(self, n_components, n_features):
        return 1


class VII(ParsimoniousStructure):
    name = "VII"

    def estimate(self, W, nk, previous):
        d = W.shape[-1]
        variances = np.trace(W, axis1=1, axis2=2) / (nk * d)
        return variances[:, None, None] * _eye(d)

    def n_parameters(self, n_components, n_features):
        return n_components


class EEI(ParsimoniousStructure):
    name = "EEI"

    def estimate(self, W, nk, previous):
        pooled = np.diagonal(W, axis1=1, axis2=2).sum(axis=0) / nk.sum()
        return np.repeat(np.diag(pooled)[None], len(nk), axis=0)

    def n_parameters(self, n_components, n_features):
        return n_features


class VEI(ParsimoniousStructure):
    name = "VEI"

    def estimate(self, W, nk, previous):
        diagonals = np.diagonal(W, axis1=1, axis2=2)
        volumes, shape = inner.shared_shape(diagonals, nk,
                                            inner.volumes_from_previous(previous, W, nk))
        return _diagonal_covariances(volumes[:, None] * shape)

    def n_parameters(self, n_components, n_features):
        return n_components + n_features - 1


class EVI(ParsimoniousStructure):
    name = "EVI"

    def estimate(self, W, nk, previous):
        diagonals = np.diagonal(W, axis1=1, axis2=2)
        roots = inner.geometric_mean(diagonals)
        volume = roots.sum() / nk.sum()
        return _diagonal_covariances(volume * diagonals / roots[:, None])

    def n_parameters(self, n_components, n_features):
        return 1 + n_components * (n_features - 1)


class VVI(ParsimoniousStructure):
    name = "VVI"

    def estimate(self, W, nk, previous):
        return _diagonal_covariances(np.diagonal(W, axis1=1, axis2=2) / nk[:, None])

    def n_parameters(self, n_components, n_features):
        return n_components * n_features


class EEE(ParsimoniousStructure):
    name = "EEE"

    def estimate(self, W, nk, previous):
        return np.repeat((W.sum(axis=0) / nk.sum())[None], len(nk), axis=0)

    def n_parameters(self, n_components, n_features):
        return n_features * (n_features + 1) // 2


class VEE(ParsimoniousStructure):
    name = "VEE"

    def estimate(self, W, nk, previous):
        d = W.shape[-1]

        def step(state):
            volumes, _ = state
            shared = np.einsum("kab,k->ab", W, 1.0 / volumes)
            shared = shared / np.exp(np.linalg.slogdet(shared)[1] / d)
            inverse = np.linalg.inv(shared)
            return np.einsum("kab,ba->k", W, inverse) / (nk * d), shared

        def objective(state):
            volumes, shared = state
            traces = np.einsum("kab,ba->k", W, np.linalg.inv(shared))
            return float(np.sum(nk * d * np.log(volumes)) + np.sum(traces / volumes))

        start = step((inner.volumes_from_previous(previous, W, nk), None))
        volumes, shared = inner.iterate(step, start, objective)
        return volumes[:, None, None] * shared

    def n_parameters(self, n_components, n_features):
        return n_components + n_features * (n_features + 1) // 2 - 1


class EVE(ParsimoniousStructure):
    name = "EVE"

    def estimate(self, W, nk, previous):
        def diagonal_step(omega, counts):
            roots = inner.geometric_mean(omega)
            return (roots.sum() / counts.sum()) * omega / roots[:, None]

        return inner.common_orientation(W, nk, diagonal_step, previous)

    def n_parameters(self, n_components, n_features):
        return 1 + n_components * (n_features - 1) + n_features * (n_features - 1) // 2


class VVE(ParsimoniousStructure):
    name = "VVE"

    def estimate(self, W, nk, previous):
        return inner.common_orientation(W, nk, lambda omega, counts: omega / counts[:, None],
                                        previous)

    def n_parameters(self, n_components, n_features):
        return n_components * n_features + n_features * (n_features - 1) // 2


class EEV(ParsimoniousStructure):
    name = "EEV"

    def estimate(self, W, nk, previous):
        values, vectors = inner.eigen_sorted(W)
        pooled = values.sum(axis=0)
        root = inner.geometric_mean(pooled)
        shape, volume = pooled / root, root / nk.sum()
        return _rotate(vectors, np.broadcast_to(volume * shape, values.shape))

    def n_parameters(self, n_components, n_features):
        return n_features + n_components * n_features * (n_features - 1) // 2


class VEV(ParsimoniousStructure):
    name = "VEV"

    def estimate(self, W, nk, previous):
        values, vectors = inner.eigen_sorted(W)
        volumes, shape = inner.shared_shape(values, nk,
                                            inner.volumes_from_previous(previous, W, nk))
        return _rotate(vectors, volumes[:, None] * shape)

    def n_parameters(self, n_components, n_features):
        return n_components + n_features - 1 + \
            n_components * n_features * (n_features - 1) // 2


class EVV(ParsimoniousStructure):
    name = "EVV"

    def estimate(self, W, nk, previous):
        d = W.shape[-1]
        roots = np.exp(np.linalg.slogdet(W)[1] / d)
        volume = roots.sum() / nk.sum()
        return volume * W / roots[:, None, None]

    def n_parameters(self, n_components, n_features):
        return 1 + n_components * (n_features * (n_features + 1) // 2 - 1)


class VVV(ParsimoniousStructure):
    name = "VVV"

    def estimate(self, W, nk, previous):
        return W / nk[:, None, None]

    def n_parameters(self, n_components, n_features):
        return n_components * n_features * (n_features + 1) // 2


#: The 14 models by mclust name, in mclust's order.
PARSIMONIOUS = {cls.name: cls() for cls in (EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE,
                                             EEV, VEV, EVV, VVV)}
