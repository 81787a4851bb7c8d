"""Forward-backward over every sequence of a block: two compiled entry points.

:func:`forward_backward_scaled` runs the scaled path (``_scaled.py``) on every sequence and
reports, per sequence, whether it succeeded, underflowed or is impossible;
:func:`forward_backward_log` runs the log-space path (``_logspace.py``) on the sequences it is
given. The caller (``inference.forward_backward``) calls the second only for the sequences the
first could not do, so that the log-space path, which is slower and rarely needed, compiles
only when some sequence needs it. The sequences are processed one after the other and their
statistics summed, in K x K memory for the transitions (never T x K x K). The kernels release
the GIL so the backend's threads run blocks in parallel.

The chain's logs and transposes come from the caller (numpy, which compiles nothing); every
helper here is inlined, so each entry point is one compilation unit. Array ``np.where``,
broadcasting slice copies and ``np.zeros`` are avoided: their machinery costs seconds of
compilation.
"""
import numpy as np

from ...engine.compile import kernel
from ._logspace import log_backward, log_forward
from ._scaled import scaled_backward, scaled_forward

#: ``status`` of a sequence done by the scaled path.
DONE = 0
#: ``status`` of a sequence on which the scaled path underflowed or overflowed: redo in log space.
UNDERFLOW = 1
#: ``status`` of a sequence whose observations have zero density under every path.
IMPOSSIBLE = 2


@kernel(inline="always")
def _accumulate(status, w, start, stop, seq_loglik, seq_entropy, totals, posteriors,
                pair_sums, start_counts, transition_counts):
    """Add a finished sequence's weighted statistics; ``totals`` is [loglik, entropy].

    An impossible sequence gets NaN posteriors and, if its weight is not 0, makes the
    log-likelihood -inf.
    """
    n_states = posteriors.shape[1]
    if status == IMPOSSIBLE:
        for t in range(start, stop):
            for k in range(n_states):
                posteriors[t, k] = np.nan
        if w != 0.0:
            totals[0] = -np.inf
        return
    if w == 0.0:
        return
    totals[0] += w * seq_loglik
    totals[1] += w * seq_entropy
    for k in range(n_states):
        start_counts[k] += w * posteriors[start, k]
    if stop - start > 1:
        for i in range(n_states):
            for j in range(n_states):
                transition_counts[i, j] += w * pair_sums[i, j]


def scaled_workspace(n_samples, n_states):
    """Scratch for :func:`forward_backward_scaled`, which allocates none of its own.

    Returns
    -------
    tuple of ndarray
        Emissions (n_samples, n_states), normalisers (n_samples,), forward and backward work
        vectors (5, n_states) and (3, n_states), and two (n_states, n_states) matrices.
    """
    return (np.empty((n_samples, n_states)), np.empty(n_samples), np.empty((5, n_states)),
            np.empty((3, n_states)), np.empty((2, n_states, n_states)))


@kernel
def forward_backward_scaled(table, lengths, sequence_weights, startprob, log_startprob, transmat,
                            transmat_t, log_transmat_t, posteriors, row_loglik, status,
                            start_counts, transition_counts, totals, workspace):
    """Scaled forward-backward on every sequence; weighted statistics of those it could do.

    Parameters
    ----------
    table : ndarray of shape (n_samples, n_states)
        Emission log densities ``log p(x_t | z_t = k)``.
    lengths : ndarray of shape (n_sequences,), int
        Consecutive sequence lengths summing to n_samples.
    sequence_weights : ndarray of shape (n_sequences,)
    startprob, log_startprob : ndarray of shape (n_states,)
        The start probabilities and their log, 0 where they are 0.
    transmat, transmat_t, log_transmat_t : ndarray of shape (n_states, n_states)
        The transition matrix, its transpose (C-contiguous) and the log of the transpose, 0
        where it is 0.
    posteriors : ndarray of shape (n_samples, n_states)
        Receives ``p(z_t = k | x)`` (unweighted; NaN for an impossible sequence).
    row_loglik : ndarray of shape (n_samples,)
        Receives ``log p(x_t | x_<t)`` within each sequence (unweighted).
    status : ndarray of shape (n_sequences,), int
        Receives :data:`DONE`, :data:`UNDERFLOW` or :data:`IMPOSSIBLE` per sequence. The rows
        of an underflowed sequence hold no result and it adds nothing to the sums: pass it to
        :func:`forward_backward_log`.
    start_counts : ndarray of shape (n_states,)
        Incremented by ``sum_s w_s p(z_s1 = k | x)``.
    transition_counts : ndarray of shape (n_states, n_states)
        Incremented by ``sum_s w_s sum_t p(z_t = i, z_t+1 = j | x)``.
    totals : ndarray of shape (2,)
        Incremented by ``sum_s w_s log p(x_s)`` (set to -inf by an impossible sequence of
        non-zero weight) and ``sum_s w_s H(p(z_s | x_s))``, the entropy of the posterior over
        state paths.
    workspace : tuple of ndarray
        From :func:`scaled_workspace`.
    """
    emissions, normalisers, forward_work, backward_work, matrices = workspace
    pair_sums, outer = matrices[0], matrices[1]
    stop = 0
    for s in range(lengths.shape[0]):
        start, stop = stop, stop + lengths[s]
        code, seq_loglik, seq_entropy = scaled_forward(
            table, start, stop, startprob, log_startprob, transmat_t, log_transmat_t,
            emissions, posteriors, normalisers, row_loglik, forward_work)
        if code == DONE and not scaled_backward(start, stop, transmat, emissions, posteriors,
                                                normalisers, pair_sums, backward_work, outer):
            code = UNDERFLOW
        status[s] = code
        if code != UNDERFLOW:
            _accumulate(code, sequence_weights[s], start, stop, seq_loglik, seq_entropy,
                        totals, posteriors, pair_sums, start_counts, transition_counts)


@kernel
def forward_backward_log(table, starts, stops, sequence_weights, log_startprob, log_transmat,
                         log_transmat_t, posteriors, row_loglik, start_counts,
                         transition_counts, totals):
    """Log-space forward-backward on the sequences of rows ``starts[s]:stops[s]``.

    Parameters
    ----------
    starts, stops : ndarray of shape (n_selected,), int
        The rows of each sequence to run.
    sequence_weights : ndarray of shape (n_selected,)
    log_startprob : ndarray of shape (n_states,)
    log_transmat, log_transmat_t : ndarray of shape (n_states, n_states)
        Logs of the transition matrix and of its transpose (C-contiguous), -inf where it is 0.
    table, posteriors, row_loglik, start_counts, transition_counts, totals
        As for :func:`forward_backward_scaled`; only the rows of the given sequences are
        written.
    """
    n_states = table.shape[1]
    pair_sums = np.empty((n_states, n_states))  # overwritten by each sequence
    for s in range(starts.shape[0]):
        start, stop = starts[s], stops[s]
        code, seq_loglik, seq_entropy = log_forward(table, start, stop, log_startprob,
                                                    log_transmat_t, posteriors, row_loglik)
        if code == DONE:
            log_backward(table, start, stop, log_transmat, posteriors, pair_sums)
        _accumulate(code, sequence_weights[s], start, stop, seq_loglik, seq_entropy, totals,
                    posteriors, pair_sums, start_counts, transition_counts)
