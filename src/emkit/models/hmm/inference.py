"""HMM inference as pure functions: arrays in, small named results out.

Every function takes the emission log densities of the rows (``log_emission``, shape
(n_samples, n_states)), the chain (``startprob``, ``transmat``) and the sequence ``lengths``;
none of them knows about components, models or estimators, so each is tested alone against
brute-force enumeration over all state paths.

Notes
-----
Forward-backward runs in scaled form (Rabiner, 1989, sec. V.A) with the emission densities
shifted by their row maximum; a sequence whose scaled pass would underflow is redone in log
space, by a second compiled kernel called only for those sequences (so that it compiles only
when some sequence needs it). The predictive log-likelihood of each row,
``log p(x_t | x_<t)``, is a by-product: ``m_t + log c_t`` on the scaled path (row maximum plus
log normaliser), the log normaliser of each step in log space. The entropy of the posterior
over state paths is computed alongside the forward pass by the conditional-entropy recursion
of Hernando et al. (2005),
``H_t(j) = sum_i p(z_t-1 = i | z_t = j, x_<=t) (H_t-1(i) - log p(z_t-1 = i | z_t = j, x_<=t))``,
``H(q) = sum_j alpha_T(j) (H_T(j) - log alpha_T(j))``, in O(T K^2) time and O(K) memory: it is
not derived from the evidence and the expected log joint, so the anatomy's check "bound equals
evidence after the E-step" tests both.

References
----------
Rabiner, L. R. (1989). A tutorial on hidden Markov models and selected applications in speech
recognition. Proc. IEEE 77(2), 257-286.
Hernando, D., Crespi, V. and Cybenko, G. (2005). Efficient computation of the hidden Markov
model entropy for a given observation sequence. IEEE Trans. Inf. Theory 51(7), 2681-2685.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._decoding import sample_posterior_paths, sample_prior_paths, viterbi_sequences
from ._kernels import (
    IMPOSSIBLE,
    UNDERFLOW,
    forward_backward_log,
    forward_backward_scaled,
    scaled_workspace,
)

__all__ = ["Decoding", "Posterior", "forward_backward", "sample_paths",
           "sample_posterior", "viterbi"]


class Posterior(NamedTuple):
    """The posterior over state paths, reduced to what EM and prediction use.

    Attributes
    ----------
    log_likelihood : float
        ``sum_s w_s log p(x_s)`` (-inf if a sequence is impossible).
    state_posteriors : ndarray of shape (n_samples, n_states)
        ``p(z_t = k | x)`` per row (unweighted).
    start_counts : ndarray of shape (n_states,)
        ``sum_s w_s p(z_s1 = k | x)``.
    transition_counts : ndarray of shape (n_states, n_states)
        ``sum_s w_s sum_t p(z_t = i, z_t+1 = j | x)``.
    entropy : float
        ``sum_s w_s H(p(z_s | x_s))``.
    n_log_space : int
        Number of sequences that needed the log-space path.
    row_log_likelihood : ndarray of shape (n_samples,)
        ``log p(x_t | x_<t)`` per row, conditioned on the rows before it in its own sequence
        (unweighted): the rows of a sequence sum to its log-likelihood ``log p(x_s)``. In a
        sequence of zero probability, the first row that is impossible given the rows before
        it holds -inf and the rows after it NaN.
    """

    log_likelihood: float
    state_posteriors: np.ndarray
    start_counts: np.ndarray
    transition_counts: np.ndarray
    entropy: float
    n_log_space: int
    row_log_likelihood: np.ndarray


class Decoding(NamedTuple):
    """A state path per row and its log probability.

    Attributes
    ----------
    log_probability : float
        Summed over sequences.
    states : ndarray of shape (n_samples,), int
    """

    log_probability: float
    states: np.ndarray


def _as_arrays(log_emission, startprob, transmat, lengths):
    table = np.ascontiguousarray(log_emission, dtype=np.float64)
    lengths = (np.array([table.shape[0]], dtype=np.int64) if lengths is None
               else np.ascontiguousarray(lengths, dtype=np.int64))
    return (table, np.ascontiguousarray(startprob, dtype=np.float64),
            np.ascontiguousarray(transmat, dtype=np.float64), lengths)


def _logs(startprob, transmat):
    with np.errstate(divide="ignore"):
        return np.log(startprob), np.log(transmat)


def forward_backward(log_emission, startprob, transmat, lengths=None, sequence_weights=None,
                     *, log_space=False) -> Posterior:
    """State posteriors, transition counts, evidence and path entropy of every sequence.

    Parameters
    ----------
    log_emission : ndarray of shape (n_samples, n_states)
    startprob : ndarray of shape (n_states,)
    transmat : ndarray of shape (n_states, n_states)
    lengths : ndarray of shape (n_sequences,), optional
        Lengths of consecutive sequences; one sequence of all rows if None.
    sequence_weights : ndarray of shape (n_sequences,), optional
        Weight of each sequence in the sums (1 if None).
    log_space : bool, default=False
        Run every sequence in log space (slower; the scaled path falls back to it anyway
        where it would underflow).

    Returns
    -------
    Posterior
    """
    table, startprob, transmat, lengths = _as_arrays(log_emission, startprob, transmat, lengths)
    n_sequences, n_states = lengths.shape[0], table.shape[1]
    weights = (np.ones(n_sequences) if sequence_weights is None
               else np.ascontiguousarray(sequence_weights, dtype=np.float64))
    # posteriors, row log-likelihoods, status and [log p(x_s), H_s] per sequence, counts
    outputs = (np.empty_like(table), np.empty(table.shape[0]),
               np.empty(n_sequences, dtype=np.int64), np.empty((2, n_sequences)),
               np.zeros((n_states, n_states)))
    redo = (np.arange(n_sequences) if log_space
            else _scaled_pass(table, lengths, weights, startprob, transmat, outputs))
    if redo.size:
        _log_pass(table, lengths, redo, weights, startprob, transmat, outputs)
    return _weighted_posterior(lengths, weights, outputs, int(redo.size))


def _scaled_pass(table, lengths, weights, startprob, transmat, outputs):
    """Scaled forward-backward on every sequence; the indices of those to redo in log space."""
    log_startprob, log_transmat = _logs(startprob, transmat)
    log_startprob = np.where(startprob > 0.0, log_startprob, 0.0)  # 0 where the chain has 0
    log_transmat = np.where(transmat > 0.0, log_transmat, 0.0)
    forward_backward_scaled(table, lengths, weights, startprob, log_startprob, transmat,
                            np.ascontiguousarray(transmat.T),
                            np.ascontiguousarray(log_transmat.T), *outputs,
                            scaled_workspace(*table.shape))
    return np.flatnonzero(outputs[2] == UNDERFLOW)


def _log_pass(table, lengths, redo, weights, startprob, transmat, outputs):
    """Log-space forward-backward on the sequences ``redo`` (indices)."""
    log_startprob, log_transmat = _logs(startprob, transmat)
    forward_backward_log(table, np.cumsum(lengths) - lengths, lengths, redo, weights,
                         log_startprob, log_transmat, np.ascontiguousarray(log_transmat.T),
                         *outputs)


def _weighted_posterior(lengths, weights, outputs, n_log_space):
    """The Posterior from the kernels' outputs: weighted sums over the possible sequences, NaN
    posteriors and -inf evidence for an impossible one (of non-zero weight)."""
    posteriors, rows, status, sequence_sums, transition_counts = outputs
    impossible = status == IMPOSSIBLE
    posteriors[np.repeat(impossible, lengths)] = np.nan
    counted = (weights != 0.0) & ~impossible
    w, first_rows = weights[counted], (np.cumsum(lengths) - lengths)[counted]
    log_likelihood = (-np.inf if np.any(impossible & (weights != 0.0))
                      else float(w @ sequence_sums[0, counted]))
    return Posterior(log_likelihood, posteriors, w @ posteriors[first_rows], transition_counts,
                     float(w @ sequence_sums[1, counted]), n_log_space, rows)


def viterbi(log_emission, startprob, transmat, lengths=None) -> Decoding:
    """The most probable state path of every sequence (Viterbi, in log space).

    Parameters and shapes are those of :func:`forward_backward`.

    Returns
    -------
    Decoding
        ``log_probability`` is ``sum_s max_z log p(x_s, z)``.
    """
    table, startprob, transmat, lengths = _as_arrays(log_emission, startprob, transmat, lengths)
    states = np.empty(table.shape[0], dtype=np.int64)
    total = viterbi_sequences(table, lengths, *_logs(startprob, transmat), states)
    return Decoding(float(total), states)


def sample_posterior(log_emission, startprob, transmat, lengths=None, *, rng) -> Decoding:
    """Draw one state path per sequence from p(z | x) (forward filtering, backward sampling).

    Returns
    -------
    Decoding
        ``log_probability`` is the evidence ``sum_s log p(x_s)``.
    """
    table, startprob, transmat, lengths = _as_arrays(log_emission, startprob, transmat, lengths)
    states = np.empty(table.shape[0], dtype=np.int64)
    uniforms = rng.uniform(size=table.shape[0])
    log_startprob, log_transmat = _logs(startprob, transmat)
    total = sample_posterior_paths(table, lengths, log_startprob, log_transmat,
                                   np.ascontiguousarray(log_transmat.T), uniforms, states)
    return Decoding(float(total), states)


def sample_paths(startprob, transmat, lengths, *, rng) -> np.ndarray:
    """Draw state paths from the Markov chain alone.

    Parameters
    ----------
    startprob : ndarray of shape (n_states,)
    transmat : ndarray of shape (n_states, n_states)
    lengths : array-like of shape (n_sequences,), int
    rng : numpy.random.RandomState or Generator

    Returns
    -------
    ndarray of shape (sum(lengths),), int
    """
    lengths = np.ascontiguousarray(lengths, dtype=np.int64)
    states = np.empty(int(lengths.sum()), dtype=np.int64)
    log_startprob, log_transmat = _logs(np.asarray(startprob, float), np.asarray(transmat, float))
    sample_prior_paths(log_startprob, log_transmat, lengths, rng.uniform(size=states.size),
                       states)
    return states
