"""Forward-backward over every sequence of a block: two compiled entry points.

:func:`forward_backward_scaled` runs the scaled path (``_scaled.py``) on every sequence and
reports, per sequence, whether it succeeded, underflowed or is impossible;
:func:`forward_backward_log` runs the log-space path (``_logspace.py``) on the sequences it is
given. The caller (``inference.forward_backward``) calls the second only for the sequences the
first could not do, so that the log-space path, which is slower and rarely needed, compiles
only when some sequence needs it. The sequences are processed one after the other; each
kernel writes per-sequence results (status, evidence, entropy) and adds the weighted
transition counts, in K x K memory (never T x K x K); the caller forms the other weighted sums
with numpy. The kernels release the GIL so the backend's threads run blocks in parallel.

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


def scaled_workspace(n_samples, n_states):
    """Scratch for :func:`forward_backward_scaled`, which allocates none of its own.

    Returns
    -------
    tuple of ndarray
        Emissions (n_samples, n_states), normalisers (n_samples,), forward and backward work
        vectors (5, n_states) and (3, n_states), and an (n_states, n_states) matrix.
    """
    return (np.empty((n_samples, n_states)), np.empty(n_samples), np.empty((5, n_states)),
            np.empty((3, n_states)), np.empty((n_states, n_states)))


@kernel
def forward_backward_scaled(table, lengths, sequence_weights, startprob, log_startprob, transmat,
                            transmat_t, log_transmat_t, posteriors, row_loglik, status,
                            sequence_sums, transition_counts, workspace):
    """Scaled forward-backward on every sequence: posteriors, per-sequence results, weighted
    transition counts.

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
        Receives ``p(z_t = k | x)`` (unweighted) for the sequences done.
    row_loglik : ndarray of shape (n_samples,)
        Receives ``log p(x_t | x_<t)`` within each sequence (unweighted).
    status : ndarray of shape (n_sequences,), int
        Receives :data:`DONE`, :data:`UNDERFLOW` or :data:`IMPOSSIBLE` per sequence. An
        underflowed sequence has no valid results and adds nothing to ``transition_counts``:
        pass it to :func:`forward_backward_log`.
    sequence_sums : ndarray of shape (2, n_sequences)
        Receives ``log p(x_s)`` and ``H(p(z_s | x_s))``, the entropy of the posterior over the
        sequence's state paths (unweighted).
    transition_counts : ndarray of shape (n_states, n_states)
        Incremented by ``w_s sum_t p(z_t = i, z_t+1 = j | x_s)`` for each sequence done.
    workspace : tuple of ndarray
        From :func:`scaled_workspace`.
    """
    emissions, normalisers, forward_work, backward_work, outer = workspace
    stop = 0
    for s in range(lengths.shape[0]):
        start, stop = stop, stop + lengths[s]
        status[s], sequence_sums[0, s], sequence_sums[1, s] = scaled_forward(
            table, start, stop, startprob, log_startprob, transmat_t, log_transmat_t,
            emissions, posteriors, normalisers, row_loglik, forward_work)
        if status[s] == DONE and not scaled_backward(
                start, stop, transmat, sequence_weights[s], emissions, posteriors, normalisers,
                transition_counts, backward_work, outer):
            status[s] = UNDERFLOW


@kernel
def forward_backward_log(table, first_rows, lengths, selected, sequence_weights, log_startprob,
                         log_transmat, log_transmat_t, posteriors, row_loglik, status,
                         sequence_sums, transition_counts):
    """Log-space forward-backward on the sequences ``selected``; fills what
    :func:`forward_backward_scaled` fills, for those sequences only.

    Parameters
    ----------
    first_rows, lengths : ndarray of shape (n_sequences,), int
        Where each sequence starts, and its length.
    selected : ndarray of shape (n_selected,), int
        The sequences to run.
    log_startprob : ndarray of shape (n_states,)
    log_transmat, log_transmat_t : ndarray of shape (n_states, n_states)
        Logs of the transition matrix and of its transpose (C-contiguous), -inf where it is 0.
    table, sequence_weights, posteriors, row_loglik, status, sequence_sums, transition_counts
        As for :func:`forward_backward_scaled`.
    """
    n_states = table.shape[1]
    pair_sums = np.empty((n_states, n_states))  # overwritten by each sequence
    for s in selected:
        start, stop = first_rows[s], first_rows[s] + lengths[s]
        status[s], sequence_sums[0, s], sequence_sums[1, s] = log_forward(
            table, start, stop, log_startprob, log_transmat_t, posteriors, row_loglik)
        if status[s] != DONE:
            continue
        log_backward(table, start, stop, log_transmat, posteriors, pair_sums)
        w = sequence_weights[s]
        if w != 0.0:
            for i in range(n_states):
                for j in range(n_states):
                    transition_counts[i, j] += w * pair_sums[i, j]
