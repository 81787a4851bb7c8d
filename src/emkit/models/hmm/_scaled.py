"""Scaled forward-backward for one sequence (the fast path), compiled with numba.

Emission log densities are shifted by their row maximum before exponentiation, and the
forward variables are renormalised at every step, so that neither underflows on long
sequences. A step whose normaliser is still below :data:`SMALLEST_NORMALISER` (an observation
that only states judged all but impossible can explain) reports failure, and the caller
redoes the sequence in log space (see ``_logspace.py``). Nothing is accumulated into the
caller's statistics before the whole sequence has succeeded.

Notation (rows ``start <= t < stop`` of the block's arrays): ``b_t(k) = exp(log p(x_t | k) -
m_t)`` with ``m_t = max_k log p(x_t | k)``; ``alpha_t`` is the filtered distribution
``p(z_t | x_start..x_t)``; ``c_t`` its normaliser, so that ``log p(x) = sum_t (m_t + log c_t)``,
each term ``m_t + log c_t`` being the predictive ``log p(x_t | x_start..x_t-1)`` of row t.

The functions allocate nothing: their work vectors come from the caller, so that the compiled
hot path includes none of numba's allocation machinery (less to compile on a first fit).
"""
import numpy as np

from ...engine.compile import kernel

#: A normaliser below this is treated as underflow: the sequence is redone in log space.
SMALLEST_NORMALISER = 1e-250
#: A scaled backward variable above this is treated as overflow (log space again).
LARGEST_BACKWARD = 1e250


@kernel(inline="always")
def _shifted_emissions(table, t, emissions):
    """Write ``exp(table[t] - max(table[t]))`` into ``emissions[t]``; return the maximum."""
    n_states = table.shape[1]
    top = -np.inf
    for k in range(n_states):
        if table[t, k] > top:
            top = table[t, k]
    if top == -np.inf:
        return top
    for k in range(n_states):
        emissions[t, k] = np.exp(table[t, k] - top)
    return top


@kernel(inline="always")
def _predict_with_entropy(previous, log_previous, transmat_t, log_transmat_t, conditional,
                          out_pred, out_log_pred, out_conditional):
    """One forward prediction step and the conditional-entropy recursion.

    ``out_pred[j] = sum_i previous[i] A[i, j]`` (and its log, 0 where it is 0), and
    ``out_conditional[j] = H(z_<t | z_t = j, x_<=t)`` from ``conditional`` (the same at t - 1):
    with ``p(i | j) = previous[i] A[i, j] / pred[j]``,
    ``H_t(j) = sum_i p(i | j) (H_{t-1}(i) - log p(i | j))``.
    ``transmat_t`` is A transposed (contiguous rows per destination state); the logs of
    ``previous`` and of A hold 0 where those are 0 (their terms carry weight 0).
    """
    n_states = previous.shape[0]
    for j in range(n_states):
        pred = 0.0
        weighted = 0.0
        for i in range(n_states):
            w = previous[i] * transmat_t[j, i]
            pred += w
            weighted += w * (conditional[i] - log_previous[i] - log_transmat_t[j, i])
        out_pred[j] = pred
        if pred > 0.0:
            out_log_pred[j] = np.log(pred)
            out_conditional[j] = weighted / pred + out_log_pred[j]
        else:
            out_log_pred[j] = 0.0
            out_conditional[j] = 0.0


@kernel(inline="always")
def _final_entropy(filtered, conditional):
    """``H(q) = sum_j alpha_T(j) (H_T(j) - log alpha_T(j))``."""
    total = 0.0
    for j in range(filtered.shape[0]):
        if filtered[j] > 0.0:
            total += filtered[j] * (conditional[j] - np.log(filtered[j]))
    return total


@kernel(inline="always")
def mark_impossible(row_loglik, t, stop):
    """Row t of a sequence has zero probability given the rows before it: ``row_loglik[t]``
    is -inf and the rows after it, conditioned on an impossible event, are NaN."""
    row_loglik[t] = -np.inf
    for u in range(t + 1, stop):
        row_loglik[u] = np.nan


@kernel(inline="always")
def scaled_forward(table, start, stop, startprob, log_startprob, transmat_t, log_transmat_t,
                   emissions, filtered, normalisers, row_loglik, work):
    """Filtered state distributions of rows ``start:stop``, the evidence and H(q).

    Parameters
    ----------
    table : ndarray of shape (n_samples, n_states)
        Emission log densities (left unchanged).
    start, stop : int
        The sequence's rows.
    startprob, log_startprob : ndarray of shape (n_states,)
        The start probabilities and their log, 0 where they are 0.
    transmat_t, log_transmat_t : ndarray of shape (n_states, n_states)
        The transition matrix transposed, and its log with 0 where it is 0.
    emissions, filtered : ndarray of shape (n_samples, n_states)
        Receive ``b_t`` and ``alpha_t``.
    normalisers : ndarray of shape (n_samples,)
        Receives ``c_t``.
    row_loglik : ndarray of shape (n_samples,)
        Receives ``log p(x_t | x_start..x_t-1) = m_t + log c_t`` (see :func:`mark_impossible`
        for a sequence of zero probability).
    work : ndarray of shape (5, n_states)
        Scratch.

    Returns
    -------
    status : int
        0 on success, 1 on underflow (redo in log space), 2 if an observation has zero
        density under every state (the evidence is -inf).
    loglik, entropy : float
    """
    n_states = table.shape[1]
    conditional, next_conditional, pred, log_pred, log_filtered = (
        work[0], work[1], work[2], work[3], work[4])
    conditional[:] = 0.0  # next_conditional is written before it is read
    loglik = 0.0
    for t in range(start, stop):
        shift = _shifted_emissions(table, t, emissions)
        if shift == -np.inf:
            mark_impossible(row_loglik, t, stop)
            return 2, -np.inf, 0.0
        if t == start:
            for j in range(n_states):
                pred[j] = startprob[j]
                log_pred[j] = log_startprob[j]
        else:
            _predict_with_entropy(filtered[t - 1], log_filtered, transmat_t, log_transmat_t,
                                  conditional, pred, log_pred, next_conditional)
            conditional, next_conditional = next_conditional, conditional
        total = 0.0
        for j in range(n_states):
            filtered[t, j] = pred[j] * emissions[t, j]
            total += filtered[t, j]
        if not total >= SMALLEST_NORMALISER:
            return 1, 0.0, 0.0
        log_total = np.log(total)
        for j in range(n_states):
            filtered[t, j] /= total
            # log alpha_t(j) without another log: log pred + log b - log c (0 where alpha is 0)
            log_filtered[j] = (log_pred[j] + table[t, j] - shift - log_total
                               if filtered[t, j] > 0.0 else 0.0)
        normalisers[t] = total
        row_loglik[t] = shift + log_total
        loglik += row_loglik[t]
    return 0, loglik, _final_entropy(filtered[stop - 1], conditional)


@kernel(inline="always")
def _normalise_into(values, out):
    total = 0.0
    for k in range(values.shape[0]):
        total += values[k]
    for k in range(values.shape[0]):
        out[k] = values[k] / total


@kernel(inline="always")
def scaled_backward(start, stop, transmat, weight, emissions, filtered, normalisers,
                    transition_counts, work, outer):
    """Backward pass: state posteriors in place of ``filtered``; weighted transition sums.

    Parameters
    ----------
    start, stop : int
    transmat : ndarray of shape (n_states, n_states)
    weight : float
        The sequence's weight.
    emissions, filtered, normalisers
        As filled by :func:`scaled_forward`; ``filtered[start:stop]`` is overwritten with the
        posteriors ``gamma_t = p(z_t | x)``.
    transition_counts : ndarray of shape (n_states, n_states)
        Incremented by ``weight * sum_t p(z_t = i, z_t+1 = j | x)`` if the pass succeeds and
        the weight is not 0.
    work : ndarray of shape (3, n_states)
    outer : ndarray of shape (n_states, n_states)
        Scratch.

    Returns
    -------
    ok : bool
        False if a backward variable overflowed (redo in log space).
    """
    n_states = transmat.shape[0]
    beta, next_beta, weighted = work[0], work[1], work[2]
    beta[:] = 1.0
    outer[:, :] = 0.0
    _normalise_into(filtered[stop - 1], filtered[stop - 1])
    for t in range(stop - 2, start - 1, -1):
        scale = 1.0 / normalisers[t + 1]
        for j in range(n_states):
            weighted[j] = emissions[t + 1, j] * beta[j] * scale
        for i in range(n_states):
            a = filtered[t, i]
            acc = 0.0
            for j in range(n_states):
                outer[i, j] += a * weighted[j]
                acc += transmat[i, j] * weighted[j]
            next_beta[i] = acc
            if not acc <= LARGEST_BACKWARD:
                return False
        beta, next_beta = next_beta, beta
        for i in range(n_states):
            next_beta[i] = filtered[t, i] * beta[i]
        _normalise_into(next_beta, filtered[t])
    if weight != 0.0:
        for i in range(n_states):
            for j in range(n_states):
                transition_counts[i, j] += weight * (outer[i, j] * transmat[i, j])
    return True
