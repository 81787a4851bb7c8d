"""Hidden Markov models with any Component as the emission, fitted by the one EM loop."""
from __future__ import annotations

import numpy as np

from ...engine.contracts import Component, EStep, LatentModel
from ...engine.fixed import sub_paths
from ...engine.geometry import n_free_parameters
from ...engine.init import initial_responsibilities
from ...engine.missing import mixture_of_conditionals
from ...engine.posterior import SequencePosterior
from ...engine.tree import Tree
from ...engine.validation import check_lengths, check_positive_int, check_possible
from .._labels import check_labels
from . import inference
from .chain import MarkovChain

__all__ = ["HMM"]


def sequence_starts(lengths):
    """First row of each sequence, shape (n_sequences,)."""
    return np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)


def _consecutive_pairs(lengths, n_samples):
    """Mask of rows t (shape (n_samples - 1,)) whose successor t + 1 is in the same sequence."""
    within = np.ones(max(n_samples - 1, 0), dtype=bool)
    within[sequence_starts(lengths)[1:] - 1] = False
    return within


def _lengths(block):
    if block.lengths is None:
        raise ValueError(
            "an HMM needs the sequence lengths of its data; got a Block without lengths. "
            "Pass Block(X, lengths=[n_samples]) for a single sequence."
        )
    return np.asarray(block.lengths, dtype=np.int64)


class HMM(LatentModel):
    """A hidden Markov model p(x, z) = pi_z1 prod_t A_z(t-1) z(t) prod_t p(x_t | theta_zt).

    Parameters
    ----------
    emission : Component
        The family of p(x | theta_k), batched over the K states (a Gaussian, a Categorical, a
        Poisson, a mixture...).
    n_states : int
        K.
    init : {"kmeans", "k-means++", "random_from_data", "random"}, default="kmeans"
        How :meth:`init_params` draws the starting state responsibilities.
    startprob_prior, transmat_prior : Dirichlet, optional
        Priors on the start vector and on the transition rows (a sequence of K Dirichlets
        gives each row its own); the fit then maximises the log-posterior.

    Notes
    -----
    Parameters are ``Tree(startprob=(K,), transmat=(K, K), emission=<emission parameters>)``.
    The E-step runs forward-backward on each whole sequence of a block (a source never splits
    one) and returns the statistics ``start`` (K,), ``transitions`` (K, K) and the emission's
    statistics weighted by the state posteriors, so that

    ``E_q[log p(X, Z)] = sum_k N_k log pi_k + sum_ij N_ij log A_ij + sum_tk g_tk log p(x_t | k)``

    needs the statistics only; the entropy of q over state paths comes from the forward pass
    (see :mod:`emkit.models.hmm.inference`). Rows of a sequence share one sample weight.
    A row with a known state (``Block.labels[t] = k >= 0``) is clamped to it.
    """

    def __init__(self, emission: Component, n_states: int, *, init: str = "kmeans",
                 startprob_prior=None, transmat_prior=None):
        if not isinstance(emission, Component):
            raise TypeError(f"emission must be an emkit Component; got {emission!r}")
        self.emission = emission
        self.n_states = check_positive_int(n_states, "n_states")
        self.init = init
        self.chain = MarkovChain(startprob_prior, transmat_prior)

    def __repr__(self):
        return f"HMM({self.emission!r}, n_states={self.n_states})"

    def constraints(self):
        return {**self.chain.constraints(), "emission": self.emission.constraints()}

    def n_parameters(self, params):
        return (n_free_parameters(self.chain.constraints(), params)
                + self.emission.n_parameters(params.emission))

    def log_prior(self, params):
        return self.chain.log_prior(params) + self.emission.log_prior(params.emission)

    def regularisation(self):
        return self.emission.regularisation()

    def validate_fit(self, block):
        """:meth:`validate`, and the emission's checks of training data.

        Parameters
        ----------
        block : Block
            The training rows.
        """
        self.validate(block)
        self.emission.validate_fit(block.X)

    def validate(self, block):
        """Check the emission's support, the lengths, known states and one weight per
        sequence.

        Parameters
        ----------
        block : Block
            The rows.
        """
        self.emission.validate(block.X)
        lengths = check_lengths(_lengths(block), block.n_samples, name="Block.lengths")
        check_labels(block.labels, block.n_samples, self.n_states)
        if block.weights is not None:
            starts = np.repeat(block.weights[sequence_starts(lengths)], lengths)
            if not np.array_equal(starts, block.weights):
                raise ValueError("HMM sample weights weigh whole sequences: every row of a "
                                 "sequence must carry the same weight. Give each sequence's "
                                 "rows its weight.")

    # -- inference ----------------------------------------------------------------------------
    def _check_shapes(self, params):
        k = self.n_states
        for name, shape in (("startprob", (k,)), ("transmat", (k, k))):
            if np.shape(params[name]) != shape:
                raise ValueError(f"params.{name} must have shape {shape} for an HMM with "
                                 f"{k} states; got {np.shape(params[name])}.")

    def emission_densities(self, params, block):
        """The emission's densities, clamped to known states.

        Parameters
        ----------
        params : Tree
            ``startprob``, ``transmat`` and ``emission``.
        block : Block
            The rows, with the ``lengths`` of their sequences.

        Returns
        -------
        Densities
            ``log_prob`` of shape (n_samples, n_states).
        """
        self._check_shapes(params)
        densities = self.emission.densities(params.emission, block.X)
        if block.labels is not None:
            table = np.array(densities.log_prob, dtype=float)
            known = np.flatnonzero(block.labels >= 0)
            clamp = np.full((known.size, self.n_states), -np.inf)
            clamp[np.arange(known.size), block.labels[known]] = table[known, block.labels[known]]
            table[known] = clamp
            densities.log_prob = table
        return densities

    def emission_table(self, params, block):
        """``log p(x_t | z_t = k)``, clamped to known labels.

        Parameters
        ----------
        params : Tree
            ``startprob``, ``transmat`` and ``emission``.
        block : Block
            The rows, with the ``lengths`` of their sequences.

        Returns
        -------
        ndarray of shape (n_samples, n_states)
        """
        return self.emission_densities(params, block).log_prob

    def _forward_backward(self, params, block, table) -> inference.Posterior:
        lengths = _lengths(block)
        weights = None if block.weights is None else block.weights[sequence_starts(lengths)]
        return inference.forward_backward(table, params.startprob, params.transmat, lengths,
                                          weights)

    def forward_backward(self, params, block) -> inference.Posterior:
        """State posteriors, expected counts, evidence and path entropy of a block.

        Parameters
        ----------
        params : Tree
            ``startprob``, ``transmat`` and ``emission``.
        block : Block
            The rows, with the ``lengths`` of their sequences.

        Returns
        -------
        Posterior
            The forward-backward results (``emkit.models.hmm.inference.Posterior``).
        """
        return self._forward_backward(params, block, self.emission_table(params, block))

    def decode(self, params, block) -> inference.Decoding:
        """The most probable state path of every sequence (Viterbi).

        Parameters
        ----------
        params : Tree
            ``startprob``, ``transmat`` and ``emission``.
        block : Block
            The rows, with the ``lengths`` of their sequences.

        Returns
        -------
        Decoding
            The path's log-probability and the states, shape (n_samples,).
        """
        return inference.viterbi(self.emission_table(params, block), params.startprob,
                                 params.transmat, _lengths(block))

    # -- EM -----------------------------------------------------------------------------------
    def posterior(self, params, block):
        fb = self.forward_backward(params, block)
        check_possible(fb.row_log_likelihood, block.X)
        return SequencePosterior(fb.state_posteriors, fb.row_log_likelihood, fb.start_counts,
                                 fb.transition_counts, fb.entropy, fb.log_likelihood)

    def e_step(self, params, block):
        densities = self.emission_densities(params, block)
        fb = self._forward_backward(params, block, densities.log_prob)
        check_possible(fb.row_log_likelihood, block.X, block.weights)
        weights = fb.state_posteriors
        if block.weights is not None:
            weights = weights * block.weights[:, None]
        stats = Tree(start=fb.start_counts, transitions=fb.transition_counts,
                     emission=self.emission.stats_from_densities(params.emission, block.X,
                                                                 weights, densities))
        return EStep(stats, fb.log_likelihood, fb.entropy)

    def expected_stats(self, params, block, posterior):
        """Chain counts and emission statistics under ``posterior``.

        A :class:`~emkit.engine.posterior.SequencePosterior` carries its chain counts; for
        state probabilities alone the transitions are counted from consecutive rows.

        Parameters
        ----------
        params : Tree or None
            Those the posterior was computed at; None when initialising.
        block : Block
            The rows.
        posterior : Posterior
            State posteriors on the block.

        Returns
        -------
        Tree
            Summed over rows.
        """
        probs, w = posterior.probabilities, block.sample_weights()
        if isinstance(posterior, SequencePosterior):
            start, transitions = posterior.start_counts, posterior.transition_counts
        else:
            start, transitions = self._chain_counts(block, probs * w[:, None], probs)
        emission = None if params is None else params.emission
        return Tree(start=start, transitions=transitions,
                    emission=self.emission.expected_stats(emission, block.X,
                                                          probs * w[:, None]))

    @staticmethod
    def _chain_counts(block, weighted, probs):
        """Start counts of weighted first rows and products of consecutive rows' states."""
        lengths = _lengths(block)
        within = _consecutive_pairs(lengths, block.n_samples)
        start = weighted[sequence_starts(lengths)].sum(axis=0)
        transitions = weighted[:-1][within].T @ probs[1:][within]
        return start, transitions

    def m_step(self, stats, params, fixed=frozenset()):
        startprob, transmat = self.chain.m_step(stats.start, stats.transitions, params, fixed)
        emission = self.emission.m_step(stats.emission,
                                        None if params is None else params.emission,
                                        fixed=sub_paths(fixed, "emission"))
        return Tree(startprob=startprob, transmat=transmat, emission=emission)

    def expected_log_joint(self, stats, params):
        return (self.chain.expected_log_prob(stats.start, stats.transitions, params)
                + float(self.emission.expected_log_prob(stats.emission, params.emission)))

    # -- initialisation -------------------------------------------------------------------------
    def init_params(self, data, rng):
        resp = initial_responsibilities(self.init, data.X, self.n_states, rng)
        return self.params_from_posterior(data, resp, rng)

    def params_from_posterior(self, data, posterior, rng=None):
        """Parameters from state responsibilities of shape (n_samples, K).

        The emission comes from the component's ``init_params``; the chain from the
        responsibilities of first rows and of consecutive rows, with one pseudo-count per
        entry so that no transition starts at zero.

        Parameters
        ----------
        data : Block
            In memory.
        posterior : array-like of shape (n_samples, n_states) or Posterior
            The starting state responsibilities.
        rng : numpy.random.Generator, optional
            Passed to the emission's ``init_params``.

        Returns
        -------
        Tree
        """
        resp = self.as_posterior(posterior, data).probabilities
        if resp.shape != (data.n_samples, self.n_states):
            raise ValueError(f"init: starting responsibilities must have shape "
                             f"{(data.n_samples, self.n_states)}; got {resp.shape}.")
        start, pairs = self._chain_counts(data, resp, resp)
        start, pairs = start + 1.0, pairs + 1.0
        weighted = resp if data.weights is None else resp * data.weights[:, None]
        return Tree(startprob=start / start.sum(),
                    transmat=pairs / pairs.sum(axis=1, keepdims=True),
                    emission=self.emission.init_params(data.X, weighted, rng))

    def impute(self, params, block):
        """Conditional means and variances of X's entries given the observed entries of the
        whole sequence: the mixture over states of the emission's conditionals, weighted by
        the smoothed state posteriors.

        Parameters
        ----------
        params : Tree
            ``startprob``, ``transmat`` and ``emission``.
        block : Block
            Whole sequences (``block.X`` of shape (n_samples, n_features), NaN where
            missing; ``block.lengths`` their lengths).

        Returns
        -------
        means, variances : ndarray of shape (n_samples, n_features)
        """
        probabilities = self.posterior(params, block).probabilities
        means, variances = self.emission.conditional_moments(params.emission, block.X)
        return mixture_of_conditionals(probabilities, means, variances, block.X)

    # -- generation -----------------------------------------------------------------------------
    def sample(self, params, n_samples, rng, *, lengths=None):
        """Draw sequences.

        Parameters
        ----------
        params : Tree
            The parameters.
        n_samples : int
            Rows in all.
        rng : numpy.random.Generator
            The source of randomness.
        lengths : array-like of int, optional
            The sequences' lengths; one sequence of ``n_samples`` rows by default.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        states : ndarray of shape (n_samples,)
            The state of each row.
        """
        lengths = check_lengths(lengths, n_samples)
        states = inference.sample_paths(params.startprob, params.transmat, lengths, rng=rng)
        return self.emission.sample(params.emission, states, rng), states
