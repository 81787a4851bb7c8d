"""Hidden Markov models with any Component as the emission, fitted by the one EM loop."""
from __future__ import annotations

import numpy as np

from ...engine.contracts import Component, EStep, LatentModel
from ...engine.fixed import sub_paths
from ...engine.init import initial_responsibilities
from ...engine.tree import Tree
from ...engine.validation import check_positive_int
from . import inference
from .chain import MarkovChain
from .checks import check_lengths, sequence_starts

__all__ = ["HMM"]


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
        return self.chain.n_parameters(params) + self.emission.n_parameters(params.emission)

    def log_prior(self, params):
        return self.chain.log_prior(params) + self.emission.log_prior(params.emission)

    def regularisation(self):
        return self.emission.regularisation()

    def validate_fit(self, block):
        """:meth:`validate`, and the emission's checks of training data."""
        self.validate(block)
        self.emission.validate_fit(block.X)

    def validate(self, block):
        """Check the emission's support, the lengths, and one weight per sequence."""
        self.emission.validate(block.X)
        lengths = check_lengths(_lengths(block), block.n_samples, name="Block.lengths")
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

    def emission_table(self, params, block):
        """``log p(x_t | z_t = k)`` of shape (n_samples, K), clamped to known labels."""
        self._check_shapes(params)
        table = np.array(self.emission.log_prob(params.emission, block.X), dtype=float)
        if block.labels is not None:
            known = np.flatnonzero(block.labels >= 0)
            clamp = np.full((known.size, self.n_states), -np.inf)
            clamp[np.arange(known.size), block.labels[known]] = table[known, block.labels[known]]
            table[known] = clamp
        return table

    def forward_backward(self, params, block) -> inference.Posterior:
        """State posteriors, expected counts, evidence and path entropy of a block."""
        lengths = _lengths(block)
        weights = None if block.weights is None else block.weights[sequence_starts(lengths)]
        return inference.forward_backward(self.emission_table(params, block), params.startprob,
                                          params.transmat, lengths, weights)

    def decode(self, params, block) -> inference.Decoding:
        """The most probable state path of every sequence (Viterbi)."""
        return inference.viterbi(self.emission_table(params, block), params.startprob,
                                 params.transmat, _lengths(block))

    # -- EM -----------------------------------------------------------------------------------
    def e_step(self, params, block):
        posterior = self.forward_backward(params, block)
        weights = posterior.state_posteriors
        if block.weights is not None:
            weights = weights * block.weights[:, None]
        stats = Tree(start=posterior.start_counts, transitions=posterior.transition_counts,
                     emission=self.emission.expected_stats(params.emission, block.X, weights))
        return EStep(stats, posterior.log_likelihood, posterior.entropy)

    def m_step(self, stats, params, fixed=frozenset()):
        startprob, transmat = self.chain.m_step(stats.start, stats.transitions, params, fixed)
        emission = self.emission.m_step(stats.emission, params.emission,
                                        fixed=sub_paths(fixed, "emission"))
        return Tree(startprob=startprob, transmat=transmat, emission=emission)

    def expected_log_joint(self, stats, params):
        return (self.chain.expected_log_prob(stats.start, stats.transitions, params)
                + float(self.emission.expected_log_prob(stats.emission, params.emission)))

    def posterior(self, params, block):
        return self.forward_backward(params, block).state_posteriors

    # -- initialisation -------------------------------------------------------------------------
    def init_params(self, data, rng):
        resp = initial_responsibilities(self.init, data.X, self.n_states, rng)
        return self.params_from_posterior(data, resp, rng)

    def params_from_posterior(self, data, resp, rng=None):
        """Parameters from state responsibilities of shape (n_samples, K).

        The emission comes from the component's ``init_params``; the chain from the
        responsibilities of first rows and of consecutive rows, with one pseudo-count per
        entry so that no transition starts at zero.
        """
        resp = np.asarray(resp, dtype=float)
        if resp.shape != (data.n_samples, self.n_states):
            raise ValueError(f"initial responsibilities must have shape "
                             f"{(data.n_samples, self.n_states)}; got {resp.shape}.")
        if np.any(resp < 0) or not np.all(np.isfinite(resp)):
            raise ValueError("initial responsibilities must be finite and non-negative.")
        resp = resp / resp.sum(axis=1, keepdims=True)
        lengths = _lengths(data)
        starts = sequence_starts(lengths)
        within = np.ones(data.n_samples - 1, dtype=bool)
        within[starts[1:] - 1] = False  # no transition from a sequence's last row
        start = resp[starts].sum(axis=0) + 1.0
        pairs = resp[:-1][within].T @ resp[1:][within] + 1.0
        weighted = resp if data.weights is None else resp * data.weights[:, None]
        return Tree(startprob=start / start.sum(),
                    transmat=pairs / pairs.sum(axis=1, keepdims=True),
                    emission=self.emission.init_params(data.X, weighted, rng))

    # -- generation -----------------------------------------------------------------------------
    def sample(self, params, lengths, rng):
        """Draw sequences of the given lengths; returns X (n, n_features) and states (n,)."""
        states = inference.sample_paths(params.startprob, params.transmat, lengths, rng=rng)
        return self.emission.sample(params.emission, states, rng), states
