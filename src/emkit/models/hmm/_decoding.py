"""Viterbi decoding and sampling of state paths, compiled with numba.

All work in log space (Viterbi cannot underflow), take uniforms drawn by the caller (so that a
``random_state`` makes them reproducible) and write one state per row.
"""
import numpy as np

from ...engine.compile import kernel
from ._logspace import log_forward


@kernel(inline="always")
def _argmax(values):
    """Index of the largest entry, the lowest on ties (a loop: np.argmax costs more to
    compile)."""
    best = 0
    for k in range(1, values.shape[0]):
        if values[k] > values[best]:
            best = k
    return best


@kernel
def viterbi_sequences(table, lengths, log_startprob, log_transmat, states):
    """Most probable state path of every sequence.

    Parameters
    ----------
    table : ndarray of shape (n_samples, n_states)
        Emission log densities.
    lengths : ndarray of shape (n_sequences,), int
    log_startprob : ndarray of shape (n_states,)
    log_transmat : ndarray of shape (n_states, n_states)
        -inf for forbidden transitions.
    states : ndarray of shape (n_samples,), int
        Receives the path. Ties go to the lowest state index.

    Returns
    -------
    float
        ``sum_s max_z log p(x_s, z)``.
    """
    n_samples, n_states = table.shape
    back = np.empty((n_samples, n_states), dtype=np.int64)
    delta = np.empty(n_states)
    next_delta = np.empty(n_states)
    total, stop = 0.0, 0
    for s in range(lengths.shape[0]):
        start, stop = stop, stop + lengths[s]
        for j in range(n_states):
            delta[j] = log_startprob[j] + table[start, j]
        for t in range(start + 1, stop):
            for j in range(n_states):
                best, arg = -np.inf, 0
                for i in range(n_states):
                    value = delta[i] + log_transmat[i, j]
                    if value > best:
                        best, arg = value, i
                next_delta[j] = best + table[t, j]
                back[t, j] = arg
            delta, next_delta = next_delta, delta
        last = _argmax(delta)
        total += delta[last]
        states[stop - 1] = last
        for t in range(stop - 1, start, -1):
            states[t - 1] = back[t, states[t]]
    return total


@kernel(inline="always")
def _draw(log_weights, uniform):
    """Index drawn with probability proportional to ``exp(log_weights)``."""
    top = log_weights[_argmax(log_weights)]
    total = 0.0
    for k in range(log_weights.shape[0]):
        total += np.exp(log_weights[k] - top)
    target, running = uniform * total, 0.0
    for k in range(log_weights.shape[0]):
        running += np.exp(log_weights[k] - top)
        if running > target:
            return k
    return _argmax(log_weights)


@kernel
def sample_prior_paths(log_startprob, log_transmat, lengths, uniforms, states):
    """Draw state paths from the Markov chain alone (for generating data).

    ``uniforms`` has shape (n_samples,); ``states`` (n_samples,) receives the paths.
    """
    stop = 0
    for s in range(lengths.shape[0]):
        start, stop = stop, stop + lengths[s]
        states[start] = _draw(log_startprob, uniforms[start])
        for t in range(start + 1, stop):
            states[t] = _draw(log_transmat[states[t - 1]], uniforms[t])


@kernel
def sample_posterior_paths(table, lengths, log_startprob, log_transmat, log_transmat_t,
                           uniforms, states):
    """Draw state paths from p(z | x) by forward filtering, backward sampling.

    Parameters
    ----------
    table : ndarray of shape (n_samples, n_states)
    lengths, log_startprob, log_transmat
        As for :func:`viterbi_sequences`.
    log_transmat_t : ndarray of shape (n_states, n_states)
        ``log_transmat.T``, C-contiguous.
    uniforms : ndarray of shape (n_samples,)
    states : ndarray of shape (n_samples,), int
        Receives the paths.

    Returns
    -------
    float
        The evidence ``sum_s log p(x_s)``.
    """
    n_samples, n_states = table.shape
    filtered, row_loglik = np.empty((n_samples, n_states)), np.empty(n_samples)
    weights = np.empty(n_states)
    total, stop = 0.0, 0
    for s in range(lengths.shape[0]):
        start, stop = stop, stop + lengths[s]
        status, loglik, _ = log_forward(table, start, stop, log_startprob, log_transmat_t,
                                        filtered, row_loglik)
        total += loglik
        if status != 0:
            for t in range(start, stop):
                states[t] = -1
            continue
        states[stop - 1] = _draw(filtered[stop - 1], uniforms[stop - 1])
        for t in range(stop - 2, start - 1, -1):
            for i in range(n_states):
                weights[i] = filtered[t, i] + log_transmat[i, states[t + 1]]
            states[t] = _draw(weights, uniforms[t])
    return total
