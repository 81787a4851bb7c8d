"""Log-space forward-backward for one sequence (the path for extreme cases), numba-compiled.

Slower than the scaled path (a log-sum-exp per state pair and step) but it cannot underflow:
it is used for a sequence on which the scaled path reported underflow or overflow. It fills the
same outputs as ``_scaled.py``; ``filtered`` holds ``log alpha_t`` during the forward pass.
It is compiled separately from the scaled path (see ``_kernels.py``), so a fit whose sequences
never underflow does not compile it.
"""
import numpy as np

from ...engine.compile import kernel
from ._scaled import mark_impossible


@kernel(inline="always")
def _log_sum_exp(values):
    top = -np.inf
    for v in values:
        if v > top:
            top = v
    if top == -np.inf:
        return top
    total = 0.0
    for v in values:
        total += np.exp(v - top)
    return top + np.log(total)


@kernel(inline="always")
def _log_predict_with_entropy(log_previous, log_transmat_t, conditional, out_log_pred,
                              out_conditional, terms):
    """Log-space twin of ``_scaled._predict_with_entropy`` (``log_transmat_t`` has -inf)."""
    n_states = log_previous.shape[0]
    for j in range(n_states):
        for i in range(n_states):
            terms[i] = log_previous[i] + log_transmat_t[j, i]
        log_pred = _log_sum_exp(terms)
        out_log_pred[j] = log_pred
        entropy = 0.0
        if log_pred > -np.inf:
            for i in range(n_states):
                if terms[i] > -np.inf:
                    log_p = terms[i] - log_pred
                    entropy += np.exp(log_p) * (conditional[i] - log_p)
        out_conditional[j] = entropy


@kernel(inline="always")
def log_forward(table, start, stop, log_startprob, log_transmat_t, filtered, row_loglik):
    """Log filtered distributions ``log alpha_t`` of rows ``start:stop``, evidence and H(q).

    Parameters
    ----------
    table : ndarray of shape (n_samples, n_states)
        Emission log densities.
    start, stop : int
    log_startprob : ndarray of shape (n_states,)
    log_transmat_t : ndarray of shape (n_states, n_states)
        Log of the transposed transition matrix (-inf for forbidden transitions).
    filtered : ndarray of shape (n_samples, n_states)
        Receives ``log alpha_t``.
    row_loglik : ndarray of shape (n_samples,)
        Receives ``log p(x_t | x_start..x_t-1)``, each step's log normaliser (see
        ``_scaled.mark_impossible`` for a sequence of zero probability).

    Returns
    -------
    status : int
        0 on success, 2 if the sequence has zero probability (evidence -inf).
    loglik, entropy : float
    """
    n_states = table.shape[1]
    conditional = np.empty(n_states)  # np.empty and a fill: np.zeros costs more to compile
    conditional[:] = 0.0
    next_conditional = np.empty(n_states)  # written before it is read
    log_pred = np.empty(n_states)
    terms = np.empty(n_states)
    loglik = 0.0
    for t in range(start, stop):
        if t == start:
            for j in range(n_states):
                log_pred[j] = log_startprob[j]
        else:
            _log_predict_with_entropy(filtered[t - 1], log_transmat_t, conditional, log_pred,
                                      next_conditional, terms)
            conditional, next_conditional = next_conditional, conditional
        for j in range(n_states):
            filtered[t, j] = log_pred[j] + table[t, j]
        log_norm = _log_sum_exp(filtered[t])
        if log_norm == -np.inf:
            mark_impossible(row_loglik, t, stop)
            return 2, -np.inf, 0.0
        for j in range(n_states):
            filtered[t, j] -= log_norm
        row_loglik[t] = log_norm
        loglik += log_norm
    entropy = 0.0
    for j in range(n_states):
        if filtered[stop - 1, j] > -np.inf:
            entropy += np.exp(filtered[stop - 1, j]) * (conditional[j] - filtered[stop - 1, j])
    return 0, loglik, entropy


@kernel(inline="always")
def _posterior_row(log_filtered, log_beta, out):
    """``out = normalise(exp(log_filtered + log_beta))``; returns the log normaliser."""
    n_states = log_filtered.shape[0]
    for k in range(n_states):
        out[k] = log_filtered[k] + log_beta[k]
    log_norm = _log_sum_exp(out)
    total = 0.0
    for k in range(n_states):
        out[k] = np.exp(out[k] - log_norm)
        total += out[k]
    for k in range(n_states):
        out[k] /= total
    return log_norm


@kernel(inline="always")
def log_backward(table, start, stop, log_transmat, filtered, pair_sums):
    """Backward pass in log space: posteriors in place of ``filtered``, transition sums.

    ``filtered`` holds ``log alpha_t`` from :func:`log_forward` and receives
    ``gamma_t = p(z_t | x)``; ``pair_sums`` receives (overwritten)
    ``sum_t p(z_t = i, z_t+1 = j | x)``. ``log_beta_t(i) = log p(x_t+1.. | z_t = i)``.
    """
    n_states = table.shape[1]
    log_beta, next_log_beta = np.empty(n_states), np.empty(n_states)
    log_beta[:] = 0.0
    ahead, terms = np.empty(n_states), np.empty(n_states)
    pair_sums[:, :] = 0.0
    _posterior_row(filtered[stop - 1], log_beta, filtered[stop - 1])
    for t in range(stop - 2, start - 1, -1):
        for j in range(n_states):
            ahead[j] = table[t + 1, j] + log_beta[j]
        for i in range(n_states):
            for j in range(n_states):
                terms[j] = log_transmat[i, j] + ahead[j]
            next_log_beta[i] = _log_sum_exp(terms)
        log_beta, next_log_beta = next_log_beta, log_beta
        log_norm = _posterior_row(filtered[t], log_beta, terms)
        for i in range(n_states):
            for j in range(n_states):
                pair_sums[i, j] += np.exp(filtered[t, i] + log_transmat[i, j] + ahead[j]
                                          - log_norm)
        for i in range(n_states):
            filtered[t, i] = terms[i]
