"""Finite mixtures: p(x) = sum_k w_k p(x | theta_k), with any Component."""
from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ..components.stacked import as_component
from ..engine import constraints
from ..engine.contracts import EStep, LatentModel
from ..engine.fixed import sub_paths
from ..engine.posterior import DiscretePosterior
from ..engine.init import initial_responsibilities
from ..engine.missing import mixture_of_conditionals
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_positive_int, check_possible
from ..priors import Dirichlet, check_concentration, check_prior
from ._labels import align_to_labels, check_labels
from ..engine.responsibilities import responsibilities

__all__ = ["Mixture"]


#: Rows above which a mixture's initialisation runs on a random sample of this many rows.
INIT_SAMPLE_ROWS = 200_000


class Mixture(LatentModel):
    """A finite mixture of K components of one (batched) family.

    Parameters
    ----------
    component : Component, or list or dict of Component
        The family; its parameters carry K as their leading axis. A list (or dict) of K
        components gives a mixture of different families (see
        :class:`~emkit.components.Stacked`).
    n_components : int
        K.
    init : {"kmeans", "k-means++", "random_from_data", "random"}, default="kmeans"
        How :meth:`init_params` draws the starting responsibilities (from the rows of positive
        weight; rows with a known label start in their component).
    weight_prior : emkit.priors.Dirichlet, optional
        A prior on the weights; the M-step then returns their posterior mode (MAP), and the
        objective the engine tracks is the log-posterior.

    Notes
    -----
    Parameters are ``Tree(weights=(K,), components=<component parameters>)``. The latent
    variable is the component label z_i; q(z_i = k) = r_ik, the responsibility, and

    ``E_q[log p(X, Z)] = sum_k N_k log w_k + sum_ik r_ik log p(x_i | theta_k)``

    with ``N_k = sum_i r_ik``, so the bound needs only the statistics. With a Dirichlet(alpha)
    prior the weights' update is ``(N_k + alpha_k - 1) / sum_j (N_j + alpha_j - 1)``, and the
    objective gains ``log Dir(w | alpha)`` plus the component's own ``log_prior``.
    """

    def __init__(self, component, n_components: int, init: str = "kmeans", weight_prior=None):
        self.n_components = check_positive_int(n_components, "n_components")
        self.component = as_component(component, self.n_components)
        self.init = init
        self.weight_prior = check_prior(weight_prior, Dirichlet, "weight_prior")
        check_concentration(self.weight_prior, self.n_components, "weight_prior")

    def __repr__(self):
        prior = "" if self.weight_prior is None else f", weight_prior={self.weight_prior!r}"
        return f"Mixture({self.component!r}, n_components={self.n_components}{prior})"

    def constraints(self):
        return {"weights": constraints.simplex, "components": self.component.constraints()}

    def n_parameters(self, params):
        return self.n_components - 1 + self.component.n_parameters(params.components)

    def regularisation(self):
        return self.component.regularisation()

    def validate(self, block):
        check_labels(block.labels, block.n_samples, self.n_components)
        self.component.validate(block.X)

    def validate_fit(self, block):
        self.validate(block)
        held = int(np.sum(block.sample_weights() > 0))
        if held < self.n_components:
            what = (f"X has {held} rows" if block.weights is None else
                    f"only {held} rows of X have a non-zero sample_weight")
            raise ValueError(f"{what}, fewer than n_components={self.n_components}; pass more "
                             "rows (or give more of them weight) or use fewer components.")
        self.component.validate_fit(block.X)

    def log_prior(self, params):
        prior = self.component.log_prior(params.components)
        if self.weight_prior is not None:
            prior += self.weight_prior.log_pdf(params.weights)
        return float(prior)

    # -- initialisation ---------------------------------------------------------------------
    def init_params(self, data, rng):
        """Parameters from the init method's responsibilities on the rows of positive weight.

        Rows of zero weight take no part (as if removed); rows with a known label start in
        their component, and the method's clusters are matched to the labels they overlap.
        Data of more than :data:`INIT_SAMPLE_ROWS` rows (without labels or sequences) starts
        from a uniform random sample of that many rows, drawn with ``rng``: the memory of
        initialisation (k-means, the responsibilities) stays bounded whatever the data's
        size. Up to that size the start equals scikit-learn's for the same ``random_state``.

        Parameters
        ----------
        data : Block
            In memory: the data, or a sample of it.
        rng : numpy.random.Generator
            The restart's source of randomness.

        Returns
        -------
        Tree
            ``weights`` of shape (n_components,) and the component's ``components``.
        """
        if data.n_samples > INIT_SAMPLE_ROWS and data.labels is None and data.lengths is None:
            rows = np.sort(rng.choice(data.n_samples, INIT_SAMPLE_ROWS, replace=False))
            data = data.take(rows)
        weighted = data.sample_weights() > 0
        resp = np.full((data.n_samples, self.n_components), 1.0 / self.n_components)
        resp[weighted] = initial_responsibilities(self.init, data.X[weighted],
                                                  self.n_components, rng)
        if data.labels is not None:
            resp = align_to_labels(resp, data.labels)
        return self.params_from_posterior(data, DiscretePosterior(resp), rng)

    def params_from_posterior(self, data, posterior, rng=None):
        """Parameters from responsibilities (n_samples, n_components) by an M-step.

        The component starts from its ``init_params`` on the weighted responsibilities.

        Parameters
        ----------
        data : Block
            In memory.
        posterior : array-like of shape (n_samples, n_components) or DiscretePosterior
            The starting responsibilities.
        rng : numpy.random.Generator, optional
            Passed to the component's ``init_params``.

        Returns
        -------
        Tree
        """
        resp = self.as_posterior(posterior, data).probabilities
        expected = (data.n_samples, self.n_components)
        if resp.shape != expected:
            raise ValueError(f"init: starting responsibilities must have shape {expected}; got "
                             f"{resp.shape}.")
        weighted = resp * data.sample_weights()[:, None]
        counts = weighted.sum(axis=0) + TINY_COUNT
        return Tree(weights=counts / counts.sum(),
                    components=self.component.init_params(data.X, weighted, rng))

    # -- EM ---------------------------------------------------------------------------------
    def _densities(self, params, block):
        """The component's densities, with a log_prob table (n_samples, K) this model may
        overwrite."""
        if np.shape(params.weights) != (self.n_components,):
            raise ValueError(f"weights must have shape ({self.n_components},) for a mixture of "
                             f"{self.n_components} components; got {np.shape(params.weights)}.")
        densities = self.component.densities(params.components, block.X)
        table = densities.log_prob
        if np.shape(table) != (block.n_samples, self.n_components):
            raise ValueError(f"{type(self.component).__name__}.log_prob returned shape "
                             f"{np.shape(table)}; expected ({block.n_samples}, "
                             f"{self.n_components}). Check the component parameters' shapes.")
        if table.base is not None or not table.flags.writeable or table.dtype != np.float64 \
                or not table.flags.c_contiguous:
            densities.log_prob = np.array(table, dtype=np.float64, order="C")  # kernel writes it
        return densities

    def _responsibilities(self, params, block, sample_weights):
        """Weighted responsibilities in place of the densities' table; per-row evidence,
        counts, total evidence and entropy."""
        densities = self._densities(params, block)
        labels = block.labels if block.labels is not None else np.full(block.n_samples, -1)
        row_loglik, counts = np.empty(block.n_samples), np.empty(self.n_components)
        with np.errstate(divide="ignore"):
            log_weights = np.log(params.weights)
        loglik, entropy = responsibilities(densities.log_prob, log_weights, sample_weights,
                                           labels, row_loglik, counts)
        return densities, row_loglik, counts, loglik, entropy

    def e_step(self, params, block):
        weights = block.sample_weights()
        densities, row_loglik, counts, loglik, entropy = self._responsibilities(
            params, block, weights)
        check_possible(row_loglik, block.X, weights)
        stats = Tree(counts=counts, components=self.component.stats_from_densities(
            params.components, block.X, densities.log_prob, densities))
        return EStep(stats, loglik, entropy)

    def expected_stats(self, params, block, posterior):
        weighted = posterior.probabilities * block.sample_weights()[:, None]
        components = None if params is None else params.components
        return Tree(counts=weighted.sum(axis=0),
                    components=self.component.expected_stats(components, block.X, weighted))

    def m_step(self, stats, params, fixed=frozenset()):
        if "weights" in fixed:
            weights = params.weights
        elif self.weight_prior is not None:
            weights = self.weight_prior.mode(stats.counts + TINY_COUNT)
        else:
            counts = stats.counts + TINY_COUNT
            weights = counts / counts.sum()
        components = self.component.m_step(
            stats.components, None if params is None else params.components,
            fixed=sub_paths(fixed, "components"))
        return Tree(weights=weights, components=components)

    def expected_log_joint(self, stats, params):
        return float(np.sum(xlogy(stats.counts, params.weights))
                     + self.component.expected_log_prob(stats.components, params.components))

    def posterior(self, params, block):
        densities, row_loglik, _, _, _ = self._responsibilities(params, block,
                                                                np.ones(block.n_samples))
        check_possible(row_loglik, block.X)
        return DiscretePosterior(densities.log_prob, row_loglik)

    def row_log_likelihood(self, params, block):
        """``log p(x_i | params)`` per row.

        Parameters
        ----------
        params : Tree
            The parameters.
        block : Block
            The rows.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        _, row_loglik, _, _, _ = self._responsibilities(params, block, np.ones(block.n_samples))
        return row_loglik

    def impute(self, params, block):
        """Conditional means and variances of X's entries given each row's observed ones:
        the mixture over components of the component conditionals, weighted by the
        responsibilities (see :func:`~emkit.engine.missing.mixture_of_conditionals`).

        Parameters
        ----------
        params : Tree
            ``weights`` and ``components``.
        block : Block
            The rows (``block.X`` of shape (n_samples, n_features), NaN where missing).

        Returns
        -------
        means, variances : ndarray of shape (n_samples, n_features)
        """
        probabilities = self.posterior(params, block).probabilities
        means, variances = self.component.conditional_moments(params.components, block.X)
        return mixture_of_conditionals(probabilities, means, variances, block.X)

    def sample(self, params, n_samples, rng, *, lengths=None):
        """Draw ``n_samples`` rows (grouped by component).

        Parameters
        ----------
        params : Tree
            The parameters.
        n_samples : int
            Rows to draw.
        rng : numpy.random.Generator
            The source of randomness.
        lengths : ignored
            (Rows of a mixture are independent.)

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            The component of each row.
        """
        counts = rng.multinomial(n_samples, params.weights)
        labels = np.repeat(np.arange(self.n_components), counts)
        return self.component.sample(params.components, labels, rng), labels
