"""Typed posteriors q(Z) of a block's rows: discrete probabilities, or Gaussian moments.

``model.posterior(params, block)`` returns one of these; the engine takes the evidence and the
entropy of q from it, and the estimators take ``predict_proba`` (discrete latent variables) or
``transform`` (the means of continuous ones). Every posterior holds each row's log-likelihood
``log p(x_i | params)`` (for sequences, the predictive ``log p(x_t | x_<t)``, which sums to the
sequence's log-likelihood).
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from scipy.special import logsumexp, softmax, xlogy

__all__ = ["DiscretePosterior", "GaussianPosterior", "Posterior", "SequencePosterior",
           "weighted_total"]


def weighted_total(values, block) -> float:
    """``sum_i w_i v_i`` with the block's sample weights; rows of weight 0 add nothing.

    Parameters
    ----------
    values : ndarray of shape (n_samples,)
        Per-row values (a row of weight 0 may hold -inf or NaN).
    block : Block
    """
    values = np.asarray(values, dtype=float)
    if block.weights is None:
        return float(np.sum(values))
    weights = block.weights
    return float(np.sum(np.where(weights > 0, weights * values, 0.0)))


class Posterior(ABC):
    """The posterior over the latent variables of a block's rows.

    Attributes
    ----------
    row_log_likelihood : ndarray of shape (n_samples,) or None
        ``log p(x_i | params)`` per row; None for a posterior given without data (a starting
        point).
    """

    row_log_likelihood: np.ndarray | None

    @abstractmethod
    def total_entropy(self, block) -> float:
        """``H(q)`` over the block's rows, weighted by its sample weights."""

    def total_log_likelihood(self, block) -> float:
        """The block's evidence ``sum_i w_i log p(x_i | params)``."""
        if self.row_log_likelihood is None:
            raise ValueError("this posterior was given without the data's likelihood (a "
                             "starting point); it has no evidence")
        return weighted_total(self.row_log_likelihood, block)


class DiscretePosterior(Posterior):
    """q(z_i = l) for a discrete latent variable per row.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_latent)
        Rows sum to 1.
    row_log_likelihood : ndarray of shape (n_samples,), optional
    """

    def __init__(self, probabilities, row_log_likelihood=None):
        self.probabilities = np.asarray(probabilities, dtype=float)
        self.row_log_likelihood = row_log_likelihood

    @classmethod
    def from_log_joint(cls, log_joint) -> DiscretePosterior:
        """The posterior from ``log p(x_i, z_i = l)``, shape (n_samples, n_latent).

        ``q_il`` is its softmax over l, and the row's log-likelihood its log-sum-exp.
        """
        log_joint = np.asarray(log_joint, dtype=float)
        return cls(softmax(log_joint, axis=1), logsumexp(log_joint, axis=1))

    def total_entropy(self, block) -> float:
        q = self.probabilities
        return weighted_total(-np.sum(xlogy(q, q), axis=1), block)


class SequencePosterior(DiscretePosterior):
    """State posteriors of sequences (an HMM), with the counts EM needs.

    Parameters
    ----------
    probabilities : ndarray of shape (n_samples, n_states)
        ``p(z_t = k | x)`` per row.
    row_log_likelihood : ndarray of shape (n_samples,)
        ``log p(x_t | x_<t)`` within each sequence.
    start_counts : ndarray of shape (n_states,)
        ``sum_s w_s p(z_s1 = k | x)``.
    transition_counts : ndarray of shape (n_states, n_states)
        ``sum_s w_s sum_t p(z_t = i, z_t+1 = j | x)``.
    entropy : float
        ``sum_s w_s H(p(z_s | x_s))``, the entropy over whole paths.
    log_likelihood : float
        ``sum_s w_s log p(x_s)``.

    Notes
    -----
    The counts and totals are weighted by the block's sequence weights already; the
    path entropy is not the sum of the rows' marginal entropies.
    """

    def __init__(self, probabilities, row_log_likelihood, start_counts, transition_counts,
                 entropy, log_likelihood):
        super().__init__(probabilities, row_log_likelihood)
        self.start_counts, self.transition_counts = start_counts, transition_counts
        self.entropy, self.log_likelihood = float(entropy), float(log_likelihood)

    def total_entropy(self, block) -> float:
        return self.entropy

    def total_log_likelihood(self, block) -> float:
        return self.log_likelihood


class GaussianPosterior(Posterior):
    """A Gaussian posterior per row for continuous latent variables (factor models).

    Parameters
    ----------
    mean : ndarray of shape (n_samples, n_latent)
        ``E[z_i | x_i]``.
    covariance : ndarray of shape (n_latent, n_latent) or (n_samples, n_latent, n_latent)
        ``Cov[z_i | x_i]``, one matrix for every row or one per row.
    row_log_likelihood : ndarray of shape (n_samples,), optional
    other_entropy : ndarray of shape (n_samples,), optional
        Entropy of each row's other latent variables given these ones, which q also covers
        (the missing entries of a row given its factors); it adds to ``H(q)``.
    """

    def __init__(self, mean, covariance, row_log_likelihood=None, other_entropy=None):
        self.mean = np.asarray(mean, dtype=float)
        self.covariance = np.asarray(covariance, dtype=float)
        self.row_log_likelihood = row_log_likelihood
        self.other_entropy = other_entropy

    def total_entropy(self, block) -> float:
        n_latent = self.mean.shape[1]
        _, log_det = np.linalg.slogdet(self.covariance)
        per_row = 0.5 * (n_latent * (1.0 + np.log(2.0 * np.pi)) + log_det)
        if self.other_entropy is not None:
            per_row = per_row + self.other_entropy
        return weighted_total(np.broadcast_to(per_row, (self.mean.shape[0],)), block)
