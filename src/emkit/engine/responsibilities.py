"""Posterior probabilities of a discrete latent variable from log joints: the E-step of a
finite mixture (and of each state's inner mixture in a GMM-HMM), in three passes.

Given ``log p(x_i | z_i = k) + log w_k`` it gives the responsibilities, each row's evidence,
the weighted counts, the evidence and the entropy of q. The exponentials, the costly part, go to numpy's ``exp`` ufunc, which is vectorised (SIMD) and
releases the GIL; the two compiled passes around it are cheap loops over the (n, K) table.
Each entry is exponentiated once.
"""
import numpy as np

from .compile import kernel

# Sums may be reassociated (vectorised); infinities and NaNs keep their meaning.
_REASSOC = {"reassoc", "contract", "nsz"}


@kernel(fastmath=_REASSOC)
def _shift_by_row_max(log_prob, log_weights, labels, top):
    """Form ``a_ik = log_prob[i, k] + log_weights[k]`` and subtract each row's maximum.

    On return ``log_prob[i, k] = a_ik - top[i]`` (<= 0) with ``top[i] = max_k a_ik``. A row
    with ``labels[i] = j >= 0`` keeps only component j: ``top[i] = a_ij``, entry j is 0 and the
    others are -inf.

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, n_components)
    log_weights : ndarray of shape (n_components,)
    labels : ndarray of shape (n_samples,), int
    top : ndarray of shape (n_samples,)
    """
    n, n_components = log_prob.shape
    for i in range(n):
        row = log_prob[i]
        label = labels[i]
        if label >= 0:
            top[i] = row[label] + log_weights[label]
            row[:] = -np.inf
            row[label] = 0.0
            continue
        for k in range(n_components):
            row[k] += log_weights[k]
        even, odd = -np.inf, -np.inf  # two running maxima: independent chains
        for k in range(0, n_components - 1, 2):
            even, odd = max(even, row[k]), max(odd, row[k + 1])
        if n_components % 2:
            even = max(even, row[n_components - 1])
        top[i] = max(even, odd)
        if top[i] == -np.inf:  # no component can explain the row: its entries stay -inf
            continue
        for k in range(n_components):
            row[k] -= top[i]


@kernel(fastmath=_REASSOC)
def _normalise(shifted, ratios, top, sample_weights, row_loglik, counts):
    """Normalise ``ratios = exp(shifted)`` per row into weighted responsibilities.

    With ``s_i = sum_k ratios[i, k]``: ``l_i = top[i] + log s_i``, ``r_ik = ratios[i, k] / s_i``
    and ``H(r_i) = log s_i - sum_k r_ik shifted[i, k]``. On return
    ``shifted[i, k] = sample_weights[i] * r_ik``, ``row_loglik[i] = l_i`` and
    ``counts[k] = sum_i sample_weights[i] * r_ik``.

    Parameters
    ----------
    shifted : ndarray of shape (n_samples, n_components)
        ``a_ik - top[i]``, as left by :func:`_shift_by_row_max`; overwritten.
    ratios : ndarray of shape (n_samples, n_components)
        ``exp(shifted)``.
    top : ndarray of shape (n_samples,)
    sample_weights : ndarray of shape (n_samples,)
    row_loglik : ndarray of shape (n_samples,)
    counts : ndarray of shape (n_components,)

    Returns
    -------
    loglik, entropy : float
        ``sum_i w_i l_i`` and ``sum_i w_i H(r_i)``.
    """
    n, n_components = shifted.shape
    loglik = 0.0
    entropy = 0.0
    counts[:] = 0.0
    for i in range(n):
        total = 0.0
        spread = 0.0  # sum_k ratio_k * (top - a_k) >= 0; a zero ratio adds nothing
        for k in range(n_components):
            ratio = ratios[i, k]
            total += ratio
            spread -= ratio * shifted[i, k] if ratio > 0.0 else 0.0
        log_total = np.log(total)
        row_loglik[i] = top[i] + log_total
        w = sample_weights[i]
        if w == 0.0 or total == 0.0:  # a row that does not count, or one no component
            shifted[i, :] = 0.0       # can explain (its evidence is -inf: see impossible_rows)
            if w != 0.0:
                loglik = -np.inf
            continue
        scale = w / total
        for k in range(n_components):
            shifted[i, k] = ratios[i, k] * scale
            counts[k] += shifted[i, k]
        loglik += w * row_loglik[i]
        entropy += w * (spread / total + log_total)
    return loglik, entropy


def responsibilities(log_prob, log_weights, sample_weights, labels, row_loglik, counts):
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
    counts : ndarray of shape (n_components,)
        Receives ``sum_i sample_weights[i] * r_ik``, the expected counts.

    Returns
    -------
    loglik : float
        ``sum_i w_i l_i``.
    entropy : float
        ``sum_i w_i H(r_i)``, the entropy of q.

    Notes
    -----
    ``H(r_i) = sum_k r_ik (l_i - a_ik)``, written as ``log s_i + sum_k r_ik (top_i - a_ik)``
    with ``s_i = sum_k exp(a_ik - top_i)``: every term is non-negative, so nothing cancels.

    A row that no component can explain (every ``a_ik`` is -inf) gets ``l_i = -inf`` and
    responsibilities of zero (not NaN); :func:`emkit.engine.validation.check_possible` turns
    such a row into a :class:`~emkit.exceptions.DataError` where a posterior is needed.
    """
    top = np.empty(log_prob.shape[0])
    _shift_by_row_max(log_prob, log_weights, labels, top)
    with np.errstate(under="ignore"):  # exp of very negative entries is 0, as it should be
        ratios = np.exp(log_prob)
    return _normalise(log_prob, ratios, top, sample_weights, row_loglik, counts)
