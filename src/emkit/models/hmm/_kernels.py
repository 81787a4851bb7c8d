"""Forward-backward over every sequence of a block: scaled path first, log space if needed.

One compiled call per block: the sequences are processed one after the other and their
statistics summed, in K x K memory for the transitions (never T x K x K). The kernel releases
the GIL so the backend's threads run blocks in parallel.
"""
import numpy as np
from numba import njit

from ._logspace import log_backward, log_forward
from ._scaled import scaled_backward, scaled_forward

#: ``status`` of a sequence whose observations have zero density under every path.
IMPOSSIBLE = 2


@njit(cache=True, nogil=True)
def _log_or_minus_inf(values):
    out = np.empty_like(values)
    for index in np.ndindex(values.shape):
        out[index] = np.log(values[index]) if values[index] > 0.0 else -np.inf
    return out


@njit(cache=True, nogil=True)
def _one_sequence(table, start, stop, startprob, transmat, logs, use_log, buffers, posteriors,
                  pair_sums):
    """Posteriors of rows ``start:stop``; returns (status, loglik, entropy, used_log_space)."""
    transmat_t, log_transmat_t_safe, log_startprob, log_transmat, log_transmat_t = logs
    emissions, normalisers = buffers
    if not use_log:
        log_startprob_safe = np.where(startprob > 0.0, log_startprob, 0.0)
        status, loglik, entropy = scaled_forward(
            table, start, stop, startprob, log_startprob_safe, transmat_t, log_transmat_t_safe,
            emissions, posteriors, normalisers)
        if status == 0 and scaled_backward(start, stop, transmat, emissions, posteriors,
                                           normalisers, pair_sums):
            return 0, loglik, entropy, False
        if status == IMPOSSIBLE:
            return status, loglik, entropy, False
    status, loglik, entropy = log_forward(table, start, stop, log_startprob, log_transmat_t,
                                          posteriors)
    if status == 0:
        log_backward(table, start, stop, log_transmat, posteriors, pair_sums)
    return status, loglik, entropy, True


@njit(cache=True, nogil=True)
def forward_backward_sequences(table, lengths, sequence_weights, startprob, transmat,
                               force_log, posteriors, start_counts, transition_counts):
    """Run forward-backward on every sequence and accumulate weighted statistics.

    Parameters
    ----------
    table : ndarray of shape (n_samples, n_states)
        Emission log densities ``log p(x_t | z_t = k)``.
    lengths : ndarray of shape (n_sequences,), int
        Consecutive sequence lengths summing to n_samples.
    sequence_weights : ndarray of shape (n_sequences,)
    startprob : ndarray of shape (n_states,)
    transmat : ndarray of shape (n_states, n_states)
    force_log : bool
        Use the log-space path for every sequence.
    posteriors : ndarray of shape (n_samples, n_states)
        Receives ``p(z_t = k | x)`` (unweighted; NaN for an impossible sequence).
    start_counts : ndarray of shape (n_states,)
        Incremented by ``sum_s w_s p(z_s1 = k | x)``.
    transition_counts : ndarray of shape (n_states, n_states)
        Incremented by ``sum_s w_s sum_t p(z_t = i, z_t+1 = j | x)``.

    Returns
    -------
    loglik : float
        ``sum_s w_s log p(x_s)``.
    entropy : float
        ``sum_s w_s H(p(z_s | x_s))``, the entropy of the posterior over state paths.
    n_log_space : int
        How many sequences needed the log-space path.
    """
    n_samples, n_states = table.shape
    transmat_t = np.ascontiguousarray(transmat.T)
    log_transmat = _log_or_minus_inf(transmat)
    log_transmat_t = np.ascontiguousarray(log_transmat.T)
    log_transmat_t_safe = np.where(transmat_t > 0.0, log_transmat_t, 0.0)
    logs = (transmat_t, log_transmat_t_safe, _log_or_minus_inf(startprob), log_transmat,
            log_transmat_t)
    buffers = (np.empty((n_samples, n_states)), np.empty(n_samples))
    pair_sums = np.zeros((n_states, n_states))
    loglik, entropy, n_log_space, stop = 0.0, 0.0, 0, 0
    for s in range(lengths.shape[0]):
        start, stop = stop, stop + lengths[s]
        status, seq_loglik, seq_entropy, used_log = _one_sequence(
            table, start, stop, startprob, transmat, logs, force_log, buffers, posteriors,
            pair_sums)
        n_log_space += used_log
        w = sequence_weights[s]
        if status == IMPOSSIBLE:
            posteriors[start:stop, :] = np.nan
            if w != 0.0:
                loglik = -np.inf
            continue
        if w == 0.0:
            continue
        loglik += w * seq_loglik
        entropy += w * seq_entropy
        for k in range(n_states):
            start_counts[k] += w * posteriors[start, k]
        if stop - start > 1:
            for i in range(n_states):
                for j in range(n_states):
                    transition_counts[i, j] += w * pair_sums[i, j]
    return loglik, entropy, n_log_space
