"""A mixture of components per state, itself a Component (the emission of a GMM-HMM)."""
from __future__ import annotations

import numpy as np
from scipy.special import xlogy
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin

from ..engine import constraints
from ..engine.contracts import Component, Densities
from ..engine.fixed import sub_paths
from ..engine.missing import fill_column_means, has_missing, mixture_of_conditionals
from ..engine.numerics import TINY_COUNT
from ..engine.tree import Tree
from ..engine.validation import check_positive_int
from ..engine.responsibilities import responsibilities

__all__ = ["MixtureEmission"]


class MixtureEmission(Component):
    """``p(x | k) = sum_m w_km p(x | theta_km)``: n_mix components of one family per state.

    Parameters
    ----------
    component : Component
        The family of the mixed densities (a Gaussian gives hmmlearn's GMMHMM).
    n_mix : int
        Components per state, M.

    Notes
    -----
    Parameters are ``Tree(weights=(K, M), components=<component parameters>)`` where the
    component's parameters are batched over the K * M pairs (state k, component m) in the
    order ``k * M + m``. The inner responsibilities ``r_tkm = w_km p(x_t | theta_km) /
    p(x_t | k)`` are computed in ``expected_stats``; with outer weights ``g_tk`` the
    statistics are the component's statistics under weights ``g_tk r_tkm``, the counts
    ``N_km = sum_t g_tk r_tkm`` and the inner entropy ``H = -sum_tkm g_tk r_tkm log r_tkm``, so
    that

    ``expected_log_prob = sum_km N_km log w_km + sum_tkm g_tk r_tkm log p(x_t | theta_km) + H``

    equals ``sum_tk g_tk log p(x_t | k)`` at the parameters of the E-step and bounds it from
    below elsewhere: the enclosing model's anatomy holds.
    """

    def __init__(self, component: Component, n_mix: int):
        if not isinstance(component, Component):
            raise TypeError(f"component must be an emkit Component; got {component!r}")
        self.component = component
        self.n_mix = check_positive_int(n_mix, "n_mix")
        self.family = f"mixture of {component.family}"

    def __repr__(self):
        return f"MixtureEmission({self.component!r}, n_mix={self.n_mix})"

    @property
    def supports_missing(self):
        """Whether the mixed family models missing values (then so does the mixture)."""
        return self.component.supports_missing

    def constraints(self):
        return {"weights": constraints.simplex, "components": self.component.constraints()}

    def n_parameters(self, params):
        n_states = params.weights.shape[0]
        return n_states * (self.n_mix - 1) + self.component.n_parameters(params.components)

    def log_prior(self, params):
        return self.component.log_prior(params.components)

    def regularisation(self):
        return self.component.regularisation()

    def validate(self, X):
        self.component.validate(X)

    def validate_fit(self, X):
        self.component.validate_fit(X)

    # -- densities and statistics ---------------------------------------------------------------
    def _state_responsibilities(self, params, inner, k, weights):
        """The mixture kernel on state k: ``inner`` (n_samples, K * M) log densities.

        Returns the responsibilities of its M components times ``weights`` (n_samples, M),
        each row's ``log p(x_t | k)`` (n_samples,), the weighted counts (M,) and the
        weighted entropy of the inner responsibilities.
        """
        n_samples = inner.shape[0]
        # a copy: the kernel writes into it, and ``inner`` is kept for the statistics
        table = np.array(inner[:, k * self.n_mix:(k + 1) * self.n_mix], order="C")
        row_loglik, counts = np.empty(n_samples), np.empty(self.n_mix)
        with np.errstate(divide="ignore"):
            log_weights = np.log(params.weights[k])
        _, entropy = responsibilities(table, log_weights, np.ascontiguousarray(weights),
                                      np.full(n_samples, -1), row_loglik, counts)
        return table, row_loglik, counts, entropy

    def densities(self, params, X):
        """``log p(x_t | k)`` for every state, and the inner densities.

        Parameters
        ----------
        params : Tree
            ``weights`` (n_states, n_mix) and the inner ``components``.
        X : ndarray of shape (n_samples, n_features)
            The rows.

        Returns
        -------
        Densities
            ``log_prob`` of shape (n_samples, n_states), the inner densities of shape
            (n_samples, n_states * n_mix) among its terms.
        """
        inner = self.component.densities(params.components, X)
        log_inner = np.array(inner.log_prob, dtype=np.float64)
        n_states = params.weights.shape[0]
        ones = np.ones(X.shape[0])
        log_prob = np.column_stack([
            self._state_responsibilities(params, log_inner, k, ones)[1]
            for k in range(n_states)])
        return Densities(log_prob, inner=inner, log_inner=log_inner)

    def log_prob(self, params, X):
        return self.densities(params, X).log_prob

    def expected_stats(self, params, X, weights):
        return self.stats_from_densities(params, X, weights, self.densities(params, X))

    def stats_from_densities(self, params, X, weights, densities):
        """The component's statistics under ``g_tk r_tkm``.

        The inner responsibilities ``r_tkm`` come from the mixture kernel and are weighted
        by the state weights ``g_tk``.

        Parameters
        ----------
        params : Tree
            The parameters the densities were computed at.
        X : ndarray of shape (n_samples, n_features)
            The rows.
        weights : ndarray of shape (n_samples, n_states)
            The state weights ``g_tk``.
        densities : Densities
            From :meth:`densities` on the same rows.

        Returns
        -------
        Tree
            Summed over rows.
        """
        n_states = params.weights.shape[0]
        flat = np.empty((X.shape[0], n_states * self.n_mix))
        counts, entropy = np.empty((n_states, self.n_mix)), 0.0
        for k in range(n_states):
            resp, _, counts[k], state_entropy = self._state_responsibilities(
                params, densities.terms["log_inner"], k, weights[:, k])
            flat[:, k * self.n_mix:(k + 1) * self.n_mix] = resp
            entropy += state_entropy
        components = self.component.stats_from_densities(params.components, X, flat,
                                                         densities.terms["inner"])
        return Tree(counts=counts, entropy=np.float64(entropy), components=components)

    def conditional_moments(self, params, X):
        """Per state, the mixture of its components' conditionals, weighted by the inner
        responsibilities given the observed entries (see
        :func:`~emkit.engine.missing.mixture_of_conditionals`).

        Parameters
        ----------
        params : Tree
            ``weights`` (n_states, n_mix) and ``components`` (n_states * n_mix of them,
            state by state).
        X : ndarray of shape (n_samples, n_features)
            The rows, NaN where an entry is missing.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, n_states, n_features)
            Observed entries as they are (variance 0), missing ones at their conditional
            mean and variance under each state's mixture.
        """
        log_inner = np.array(self.component.log_prob(params.components, X), dtype=np.float64)
        inner_means, inner_variances = self.component.conditional_moments(params.components, X)
        n_states = params.weights.shape[0]
        means = np.empty((X.shape[0], n_states, X.shape[1]))
        variances = np.empty_like(means)
        for k in range(n_states):
            resp = self._state_responsibilities(params, log_inner, k, np.ones(X.shape[0]))[0]
            mixed = slice(k * self.n_mix, (k + 1) * self.n_mix)
            means[:, k], variances[:, k] = mixture_of_conditionals(
                resp, inner_means[:, mixed], inner_variances[:, mixed], X)
        return means, variances

    def m_step(self, stats, params, fixed=frozenset()):
        if "weights" in fixed:
            weights = params.weights
        else:
            counts = stats.counts + TINY_COUNT
            weights = counts / counts.sum(axis=1, keepdims=True)
        components = self.component.m_step(
            stats.components, None if params is None else params.components,
            fixed=sub_paths(fixed, "components"))
        return Tree(weights=weights, components=components)

    def expected_log_prob(self, stats, params):
        return (float(np.sum(xlogy(stats.counts, params.weights))) + float(stats.entropy)
                + float(self.component.expected_log_prob(stats.components, params.components)))

    # -- initialisation and sampling --------------------------------------------------------
    def init_params(self, X, resp, rng):
        """Per state, k-means on its rows gives M centres; every row joins its nearest one.
        (Missing entries start at their column's mean for the k-means.)

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, n_components)
            Starting responsibilities times sample weights.
        rng : numpy.random.Generator
            For starts that are drawn.

        Returns
        -------
        Tree
            The starting parameters.
        """
        filled = fill_column_means(X) if has_missing(X) else X
        n_states = resp.shape[1]
        inner = np.zeros((X.shape[0], n_states, self.n_mix))
        owner = resp.argmax(axis=1)
        for k in range(n_states):
            rows = filled[owner == k] if np.sum(owner == k) >= self.n_mix else filled
            centres = KMeans(self.n_mix, n_init=1, random_state=rng).fit(rows).cluster_centers_
            nearest = pairwise_distances_argmin(filled, centres)
            inner[np.arange(X.shape[0]), k, nearest] = resp[:, k]
        counts = inner.sum(axis=0) + TINY_COUNT
        flat = inner.reshape(X.shape[0], -1)
        return Tree(weights=counts / counts.sum(axis=1, keepdims=True),
                    components=self.component.init_params(X, flat, rng))

    def sample(self, params, labels, rng):
        cumulative = np.cumsum(params.weights[labels], axis=1)
        uniform = rng.uniform(size=(len(labels), 1))
        mix = np.minimum(np.sum(uniform >= cumulative, axis=1), self.n_mix - 1)
        return self.component.sample(params.components, labels * self.n_mix + mix, rng)
