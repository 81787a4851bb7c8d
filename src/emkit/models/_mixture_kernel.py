"""Compiled E-step of a finite mixture: responsibilities, evidence and entropy in one pass."""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def responsibilities(log_prob, log_weights, sample_weights, labels, row_loglik):
    """Turn component log densities into weighted responsibilities, in place.

    For each row i: ``a_ik = log_prob[i, k] + log_weights[k]``, ``l_i = logsumexp_k a_ik``,
    ``r_ik = exp(a_ik - l_i)``; on return ``log_prob[i, k] = sample_weights[i] * r_ik``.
    A row with ``labels[i] = j >= 0`` is known to come from component j (r is one-hot and
    ``l_i = a_ij``).

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, n_components)
        ``log p(x_i | theta_k)``; overwritten with the weighted responsibilities.
    log_weights : ndarray of shape (n_components,)
    sample_weights : ndarray of shape (n_samples,)
    labels : ndarray of shape (n_samples,), int
    row_loglik : ndarray of shape (n_samples,)
        Receives ``l_i``.

    Returns
    -------
    loglik : float
        ``sum_i w_i l_i``.
    entropy : float
        ``sum_i w_i H(r_i)``, the entropy of q.
    """
    n, n_components = log_prob.shape
    loglik = 0.0
    entropy = 0.0
    for i in range(n):
        w = sample_weights[i]
        label = labels[i]
        if label >= 0:
            lse = log_prob[i, label] + log_weights[label]
            for k in range(n_components):
                log_prob[i, k] = 0.0
            log_prob[i, label] = w
        else:
            top = -np.inf
            for k in range(n_components):
                a = log_prob[i, k] + log_weights[k]
                log_prob[i, k] = a
                if a > top:
                    top = a
            total = 0.0
            for k in range(n_components):
                total += np.exp(log_prob[i, k] - top)
            lse = top + np.log(total)
            h = 0.0
            for k in range(n_components):
                a = log_prob[i, k]
                r = np.exp(a - lse)
                if r > 0.0:
                    h += r * (lse - a)
                log_prob[i, k] = w * r
            if w != 0.0:
                entropy += w * h
        row_loglik[i] = lse
        if w != 0.0:
            loglik += w * lse
    return loglik, entropy
