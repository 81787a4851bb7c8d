"""The Markov chain of an HMM: start and transition probabilities, their M-step and priors.

Zeros in the start vector or transition matrix are structural (left-right and banded models):
the posterior puts no mass there, the M-step keeps them at zero, a Dirichlet prior applies to
the allowed entries only, and they are not counted as free parameters (the simplex
constraint leaves them out; see :mod:`emkit.engine.constraints`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import xlogy

from ...engine import constraints
from ...priors import Dirichlet

__all__ = ["MarkovChain"]


def _check_prior(prior, name):
    if prior is None or isinstance(prior, Dirichlet):
        return prior
    if isinstance(prior, Sequence) and all(isinstance(p, Dirichlet) for p in prior):
        return tuple(prior)
    raise ValueError(f"{name} must be None, an emkit.priors.Dirichlet or a sequence of one "
                     f"Dirichlet per row; got {prior!r}.")


def _concentrations(prior, n_rows, n_states):
    """Dirichlet concentrations as an array of shape (n_rows, n_states); 1 without a prior."""
    if prior is None:
        return np.ones((n_rows, n_states))
    if isinstance(prior, Dirichlet):
        return np.tile(prior.alpha(n_states), (n_rows, 1))
    if len(prior) != n_rows:
        raise ValueError(f"a per-row prior needs one Dirichlet per row ({n_rows}); got "
                         f"{len(prior)}.")
    return np.stack([p.alpha(n_states) for p in prior])


#: The least mass of an allowed start or transition entry: the smallest normal double. It keeps
#: an entry whose expected count rounded to exactly 0 allowed (a zero is structural and stays
#: zero), and makes a row without any mass uniform instead of 0 / 0, while leaving every count
#: that can be represented, 1e-34 included, as it is.
SMALLEST_MASS = np.finfo(float).tiny


def _masked_mode(counts, alpha, allowed):
    """Posterior mode of probability rows restricted to the allowed entries.

    ``(alpha - 1) + N`` in that order: with a flat prior it is ``N`` exactly, so a tiny
    expected count (a start state the posterior all but rules out, 1e-30) keeps its relative
    precision instead of vanishing in ``(N + 1) - 1``.
    """
    shifted = np.where(allowed, np.maximum((alpha - 1.0) + counts, SMALLEST_MASS), 0.0)
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _masked_log_pdf(probs, alpha, allowed):
    """Dirichlet log density of each row over its allowed entries, summed."""
    return sum(Dirichlet(a[m]).log_pdf(p[m]) for p, a, m in zip(probs, alpha, allowed))


class MarkovChain:
    """Start vector and transition matrix with optional Dirichlet priors.

    Parameters
    ----------
    startprob_prior : Dirichlet or None
        Prior on the start vector.
    transmat_prior : Dirichlet, sequence of Dirichlet (one per row) or None
        Prior on every row of the transition matrix.

    Notes
    -----
    With expected start counts ``N_k`` and transition counts ``N_ij`` from the E-step,
    the update is ``pi_k ∝ N_k + a_k - 1`` and ``A_ij ∝ N_ij + a_ij - 1`` over the entries that
    are not zero in the current parameters (the MLE with a flat prior).
    """

    def __init__(self, startprob_prior=None, transmat_prior=None):
        self.startprob_prior = _check_prior(startprob_prior, "startprob_prior")
        self.transmat_prior = _check_prior(transmat_prior, "transmat_prior")

    def __repr__(self):
        return (f"MarkovChain(startprob_prior={self.startprob_prior!r}, "
                f"transmat_prior={self.transmat_prior!r})")

    @staticmethod
    def constraints():
        return {"startprob": constraints.simplex, "transmat": constraints.simplex}

    def m_step(self, start_counts, transition_counts, params, fixed=frozenset()):
        """New ``(startprob, transmat)`` from expected counts; fixed names are kept.

        ``params`` gives the structural zeros (and the fixed values); None: no zeros.
        """
        n_states = start_counts.shape[0]
        if params is None:
            startprob = transmat = None
            allowed_start, allowed_transitions = True, True
        else:
            startprob, transmat = params.startprob, params.transmat
            allowed_start, allowed_transitions = startprob > 0, transmat > 0
        if "startprob" not in fixed:
            alpha = _concentrations(self.startprob_prior, 1, n_states)[0]
            startprob = _masked_mode(start_counts, alpha, allowed_start)
        if "transmat" not in fixed:
            alpha = _concentrations(self.transmat_prior, n_states, n_states)
            transmat = _masked_mode(transition_counts, alpha, allowed_transitions)
        return startprob, transmat

    @staticmethod
    def expected_log_prob(start_counts, transition_counts, params):
        """``sum_k N_k log pi_k + sum_ij N_ij log A_ij`` (0 log 0 = 0)."""
        return float(np.sum(xlogy(start_counts, params.startprob))
                     + np.sum(xlogy(transition_counts, params.transmat)))

    def log_prior(self, params):
        """Log prior density of the start vector and transition rows (0 without priors)."""
        total, n_states = 0.0, params.startprob.shape[0]
        if self.startprob_prior is not None:
            total += _masked_log_pdf(params.startprob[None],
                                     _concentrations(self.startprob_prior, 1, n_states),
                                     params.startprob[None] > 0)
        if self.transmat_prior is not None:
            total += _masked_log_pdf(params.transmat,
                                     _concentrations(self.transmat_prior, n_states, n_states),
                                     params.transmat > 0)
        return float(total)
