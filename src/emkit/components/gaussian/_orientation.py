"""Inner solvers of the parsimonious Gaussian M-steps that have no closed form.

Every M-step of the volume/shape/orientation family minimises, over the covariances allowed by
the structure,

    f(Sigma) = sum_k [ n_k log det Sigma_k + tr(W_k Sigma_k^{-1}) ],

with ``W_k`` the (regularised) centred scatter of component k and ``n_k`` its weight. Where no
closed form exists the solvers below alternate over blocks of the decomposition
``Sigma_k = lambda_k D_k A_k D_k'`` (each block's update exact given the others), which never
increases f; started from the previous M-step's covariances they never return worse ones.
The common orientation of EVE and VVE uses the majorise-minimise step of Browne & McNicholas
(2014): with ``w_k`` the largest eigenvalue of ``W_k``, ``D <- U V'`` where
``U S V' = svd(sum_k (w_k I - W_k) D M_k)`` and ``M_k`` the current diagonal precisions.
"""
from __future__ import annotations

import numpy as np

__all__ = ["INNER_MAX_ITER", "INNER_TOL", "common_orientation", "eigen_sorted",
           "geometric_mean", "iterate", "shared_shape", "volumes_from_previous"]

#: Relative change of the inner objective at which an iterative M-step stops.
INNER_TOL = 1e-13
#: Most inner iterations of one M-step.
INNER_MAX_ITER = 5000


def geometric_mean(values):
    """``det(diag(v))^(1/D)`` of each row of ``values`` (..., D) -> (...)."""
    return np.exp(np.mean(np.log(values), axis=-1))


def eigen_sorted(W):
    """Eigenvalues (K, D), descending, and eigenvectors (K, D, D) of symmetric ``W``."""
    values, vectors = np.linalg.eigh(W)
    return values[:, ::-1], vectors[:, :, ::-1]


def iterate(step, state, objective):
    """Apply ``state = step(state)`` until ``objective(state)`` stops falling (relative
    change below :data:`INNER_TOL`, or :data:`INNER_MAX_ITER` steps); return the state."""
    value = objective(state)
    for _ in range(INNER_MAX_ITER):
        state = step(state)
        new = objective(state)
        if abs(value - new) <= INNER_TOL * abs(new):
            break
        value = new
    return state


def volumes_from_previous(previous, W, nk):
    """Starting volumes ``lambda_k`` (K,): ``det(Sigma_k)^(1/D)`` of the previous covariances,
    or ``tr(W_k) / (n_k D)`` without them."""
    if previous is None:
        return np.trace(W, axis1=1, axis2=2) / (nk * W.shape[-1])
    return np.exp(np.linalg.slogdet(previous)[1] / W.shape[-1])


def shared_shape(diagonals, nk, volumes):
    """Volumes (K,) and the shared shape (D,) of ``Sigma_k = lambda_k diag(A)`` in a fixed
    basis, where ``diagonals`` (K, D) are the scatters' diagonals in that basis (VEI, VEV).

    Alternates ``A = normalised sum_k diagonals_k / lambda_k`` and
    ``lambda_k = sum(diagonals_k / A) / (n_k D)`` from the given volumes.
    """
    n_features = diagonals.shape[1]

    def step(state):
        volumes, _ = state
        shape = (diagonals / volumes[:, None]).sum(axis=0)
        shape = shape / geometric_mean(shape)
        return (diagonals / shape).sum(axis=1) / (nk * n_features), shape

    def objective(state):
        volumes, shape = state
        return float(np.sum(nk * n_features * np.log(volumes))
                     + np.sum((diagonals / shape).sum(axis=1) / volumes))

    first = step((volumes, None))
    return iterate(step, first, objective)


def _rotated_diagonals(W, D):
    """``diag(D' W_k D)`` for every k, shape (K, D)."""
    return np.einsum("ja,kjl,la->ka", D, W, D)


def _orientation_start(W, nk, previous):
    """A starting orientation: one that diagonalises the previous covariances together
    (eigenvectors of a generic positive combination of them), else the pooled scatter's."""
    if previous is None:
        return np.linalg.eigh(W.sum(axis=0))[1]
    mix = np.linspace(1.0, 2.0, len(previous)) / np.trace(previous, axis1=1, axis2=2)
    return np.linalg.eigh(np.einsum("k,kab->ab", mix, previous))[1]


def common_orientation(W, nk, diagonal_step, previous=None):
    """Covariances ``Sigma_k = D diag(S_k) D'`` with one orientation D (EVE, VVE).

    Parameters
    ----------
    W : ndarray of shape (K, D, D)
        Regularised centred scatters.
    nk : ndarray of shape (K,)
    diagonal_step : callable
        ``diagonal_step(omega, nk) -> S`` (K, D): the best diagonals given the scatters'
        diagonals ``omega`` (K, D) in the current basis.
    previous : ndarray of shape (K, D, D), optional
        The previous covariances, where the iteration starts.

    Returns
    -------
    ndarray of shape (K, D, D)
    """
    largest = np.linalg.eigvalsh(W)[:, -1]
    shifted = largest[:, None, None] * np.eye(W.shape[-1]) - W

    def diagonals(D):
        return diagonal_step(_rotated_diagonals(W, D), nk)

    def step(state):
        D, S = state
        U, _, Vt = np.linalg.svd(np.einsum("kab,bc,kc->ac", shifted, D, 1.0 / S))
        D = U @ Vt
        return D, diagonals(D)

    def objective(state):
        D, S = state
        return float(np.sum(nk * np.log(S).sum(axis=1))
                     + np.sum(_rotated_diagonals(W, D) / S))

    D = _orientation_start(W, nk, previous)
    D, S = iterate(step, (D, diagonals(D)), objective)
    return np.einsum("ab,kb,cb->kac", D, S, D)
