"""Mixtures of regressions and of experts: ``p(y | x) = sum_k P(z = k | x) p(y | x, k)``."""
from __future__ import annotations

import numpy as np

from ...engine.contracts import EStep, LatentModel
from ...engine.fixed import sub_paths
from ...engine.init import initial_responsibilities
from ...engine.posterior import DiscretePosterior
from ...engine.responsibilities import responsibilities
from ...engine.tree import Tree
from ...engine.validation import check_finite, check_positive_int
from .._labels import align_to_labels, check_labels
from .experts import expert_family
from .gates import make_gate

__all__ = ["RegressionMixtureModel"]


class RegressionMixtureModel(LatentModel):
    """A mixture of K generalised linear regressions of a response ``y`` on covariates ``X``.

    Parameters
    ----------
    n_components : int
        K.
    family : {"gaussian", "logistic", "poisson"}, default="gaussian"
        The experts: linear regressions with Gaussian noise, logistic regressions of a 0/1
        response, or Poisson regressions of counts (log link).
    gate : {"constant", "logit"}, default="constant"
        ``"constant"``: a mixture of regressions, ``P(z = k | x) = w_k``. ``"logit"``: a
        mixture of experts, whose component probabilities are a multinomial logit of the
        covariates.
    fit_intercept : bool, default=True
        Add a constant column to the covariates (first in every coefficient vector).
    init : {"kmeans", "k-means++", "random_from_data", "random"}, default="kmeans"
        How starting responsibilities are drawn, from the rows of ``[X, y]``.
    reg_variance : float, default=0.0
        Added to the Gaussian experts' variances after each update.

    Notes
    -----
    The data are a Block whose ``X`` holds the covariates (n_samples, n_covariates) and whose
    field ``"y"`` the response (n_samples,). Parameters are ``Tree(gate=..., experts=...)``:
    ``gate.weights`` (K,) or ``gate.coef`` (K - 1, n_terms); ``experts.coef`` (K, n_terms)
    and, for Gaussian experts, ``experts.variance`` (K,). ``n_terms`` counts the intercept.

    The latent variable is the component z_i, so the E-step is exact (responsibilities). The
    M-step is exact for Gaussian experts under a constant gate (weighted least squares). For
    GLM experts and for the logit gate it is one step on a certified curvature bound
    (:mod:`~emkit.models.regression.experts`, :mod:`~emkit.models.regression.gates`): a
    generalised EM step, which raises the bound and so never lowers the evidence. For those
    parts, the bound the anatomy records after an M-step (``L(q_t, theta_{t+1})``) is the
    minorant's value, a lower bound of the true ``L(q_t, theta_{t+1})``; the bound after each
    E-step is exact and equals the evidence.
    """

    def __init__(self, n_components, family="gaussian", gate="constant", fit_intercept=True,
                 init="kmeans", reg_variance=0.0):
        self.n_components = check_positive_int(n_components, "n_components")
        self.family, self.gate_name = family, gate
        self.experts = expert_family(family, reg_variance)
        self.gate = make_gate(gate, self.n_components)
        self.fit_intercept = bool(fit_intercept)
        self.init = init

    def __repr__(self):
        return (f"RegressionMixtureModel({self.n_components}, family={self.family!r}, "
                f"gate={self.gate_name!r})")

    def constraints(self):
        return {"gate": self.gate.constraints(), "experts": self.experts.constraints()}

    def regularisation(self):
        return self.experts.regularisation()

    # -- data --------------------------------------------------------------------------------
    def design(self, X):
        """The design matrix: X with a leading constant column if ``fit_intercept``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_covariates)
            The covariates.

        Returns
        -------
        ndarray of shape (n_samples, n_terms)
            Float; ``n_terms = n_covariates + 1`` with an intercept (its column first),
            ``n_covariates`` without.
        """
        X = np.asarray(X, dtype=float)
        return np.column_stack([np.ones(len(X)), X]) if self.fit_intercept else X

    @staticmethod
    def response(block):
        """The response of a block as a 1-D float array.

        Parameters
        ----------
        block : Block
            Rows whose field ``"y"`` holds the response, shape (n_samples,) or
            (n_samples, 1).

        Returns
        -------
        ndarray of shape (n_samples,)

        Raises
        ------
        ValueError
            If the block has no ``"y"``, or it is not one value per row.
        """
        y = block.get("y")
        if y is None:
            raise ValueError("y is missing: a regression mixture needs the response. Pass y "
                             "to fit/score (or fields={'y': column} to "
                             "emkit.sources.open_source).")
        y = np.asarray(y, dtype=float)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be one response per row, shape (n_samples,); got shape "
                             f"{y.shape}.")
        return y

    def validate(self, block):
        check_labels(block.labels, block.n_samples, self.n_components)
        check_finite(np.asarray(block.X, dtype=float))
        if "y" in block:
            self.experts.validate_response(self.response(block)[:, None])

    def validate_fit(self, block):
        self.response(block)
        self.validate(block)
        held = int(np.sum(block.sample_weights() > 0))
        if held < self.n_components:
            raise ValueError(f"only {held} rows have a non-zero weight, fewer than "
                             f"n_components={self.n_components}; pass more rows or use fewer "
                             "components.")

    # -- E-step ------------------------------------------------------------------------------
    def _tables(self, params, block):
        design, y = self.design(block.X), self.response(block)
        log_density = self.experts.log_density(params.experts, design, y)
        log_gate = self.gate.log_probs(params.gate, design)
        return design, y, log_density, log_gate

    def _posterior(self, params, block, sample_weights):
        """Weighted responsibilities (n, K), per-row evidence, counts, evidence, entropy and
        the tables they came from."""
        design, y, log_density, log_gate = self._tables(params, block)
        table = np.ascontiguousarray(log_density + log_gate, dtype=np.float64)
        labels = block.labels if block.labels is not None else np.full(block.n_samples, -1)
        row_loglik, counts = np.empty(block.n_samples), np.empty(self.n_components)
        loglik, entropy = responsibilities(table, np.zeros(self.n_components), sample_weights,
                                           labels, row_loglik, counts)
        return table, row_loglik, counts, loglik, entropy, (design, y, log_density, log_gate)

    def _stats(self, params, tables, weighted, sample_weights):
        design, y, log_density, log_gate = tables
        return Tree(gate=self.gate.stats(params.gate, design, weighted, sample_weights,
                                         log_gate),
                    experts=self.experts.stats(params.experts, design, y, weighted,
                                               log_density))

    def e_step(self, params, block):
        weights = block.sample_weights()
        weighted, _, _, loglik, entropy, tables = self._posterior(params, block, weights)
        return EStep(self._stats(params, tables, weighted, weights), loglik, entropy)

    def posterior(self, params, block):
        resp, row_loglik, _, _, _, _ = self._posterior(params, block, np.ones(block.n_samples))
        return DiscretePosterior(resp, row_loglik)

    def expected_stats(self, params, block, posterior):
        weights = block.sample_weights()
        weighted = posterior.probabilities * weights[:, None]
        return self._stats(params, self._tables(params, block), weighted, weights)

    def row_log_likelihood(self, params, block):
        """``log p(y_i | x_i)`` per row.

        Parameters
        ----------
        params : Tree
            ``Tree(gate=..., experts=...)``.
        block : Block
            Covariates ``X`` (n_samples, n_covariates) and field ``"y"`` (n_samples,).

        Returns
        -------
        ndarray of shape (n_samples,)
            ``log sum_k P(z = k | x_i) p(y_i | x_i, k)`` (sample weights not applied).
        """
        return self._posterior(params, block, np.ones(block.n_samples))[1]

    # -- M-step ------------------------------------------------------------------------------
    def m_step(self, stats, params, fixed=frozenset()):
        return Tree(gate=self.gate.m_step(stats.gate, params and params.gate,
                                          sub_paths(fixed, "gate")),
                    experts=self.experts.m_step(stats.experts, params and params.experts,
                                                sub_paths(fixed, "experts")))

    def expected_log_joint(self, stats, params):
        return self.gate.expected_log_joint(stats.gate, params.gate) + \
            self.experts.expected_log_joint(stats.experts, params.experts)

    # -- starting values ---------------------------------------------------------------------
    def init_params(self, data, rng):
        """Parameters fitted to starting responsibilities drawn from the rows of ``[X, y]``.

        Parameters
        ----------
        data : Block
            In memory: covariates ``X`` (n_samples, n_covariates), field ``"y"``
            (n_samples,), and optionally sample weights and labels (-1 for unknown). Rows of
            zero weight start with uniform responsibilities.
        rng : numpy.random.RandomState
            Draws the starting responsibilities (``init``).

        Returns
        -------
        Tree
            ``Tree(gate=..., experts=...)``, as :meth:`params_from_posterior` makes them.
        """
        weighted = data.sample_weights() > 0
        joint = np.column_stack([np.asarray(data.X, dtype=float), self.response(data)])
        resp = np.full((data.n_samples, self.n_components), 1.0 / self.n_components)
        resp[weighted] = initial_responsibilities(self.init, joint[weighted],
                                                  self.n_components, rng)
        if data.labels is not None:
            resp = align_to_labels(resp, data.labels)
        return self.params_from_posterior(data, DiscretePosterior(resp), rng)

    def params_from_posterior(self, data, posterior, rng=None):
        """Each expert fitted to its weighted rows, the gate to the counts.

        Parameters
        ----------
        data : Block
            In memory: covariates ``X`` (n_samples, n_covariates) and field ``"y"``
            (n_samples,).
        posterior : array-like of shape (n_samples, n_components) or DiscretePosterior
            Starting responsibilities; they are multiplied by the block's sample weights
            here.
        rng : optional
            Unused (the start draws nothing more); accepted for the contract.

        Returns
        -------
        Tree
            ``gate``: ``weights`` (n_components,) or ``coef`` (n_components - 1, n_terms);
            ``experts``: ``coef`` (n_components, n_terms) and, for Gaussian experts,
            ``variance`` (n_components,).

        Raises
        ------
        ValueError
            If the responsibilities do not have shape (n_samples, n_components).
        """
        resp = self.as_posterior(posterior, data).probabilities
        if resp.shape != (data.n_samples, self.n_components):
            raise ValueError(f"init: starting responsibilities must have shape "
                             f"({data.n_samples}, {self.n_components}); got {resp.shape}.")
        weighted = resp * data.sample_weights()[:, None]
        design = self.design(data.X)
        return Tree(gate=self.gate.init(design, weighted, self.fit_intercept),
                    experts=self.experts.init(design, self.response(data), weighted))

    # -- use ---------------------------------------------------------------------------------
    def component_probabilities(self, params, X):
        """``P(z = k | x_i)``, the gate's probabilities before seeing y.

        Parameters
        ----------
        params : Tree
            ``Tree(gate=..., experts=...)``; only ``gate`` is used.
        X : array-like of shape (n_samples, n_covariates)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            Rows sum to one.
        """
        return np.exp(self.gate.log_probs(params.gate, self.design(X)))

    def predict_mean(self, params, X):
        """``E[y | x_i] = sum_k P(z = k | x_i) E[y | x_i, k]``.

        Parameters
        ----------
        params : Tree
            ``Tree(gate=..., experts=...)``.
        X : array-like of shape (n_samples, n_covariates)

        Returns
        -------
        ndarray of shape (n_samples,)
            The mixture's mean response (a probability for logistic experts, a rate for
            Poisson experts).
        """
        design = self.design(X)
        gate = np.exp(self.gate.log_probs(params.gate, design))
        return np.sum(gate * self.experts.mean(params.experts, design), axis=1)

    def sample_response(self, params, X, rng):
        """Draw a component and a response for each row of covariates X.

        Parameters
        ----------
        params : Tree
            ``Tree(gate=..., experts=...)``.
        X : array-like of shape (n_samples, n_covariates)
        rng : numpy.random.RandomState
            Draws the components (uniforms via ``random_sample``) and the responses.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        labels : ndarray of shape (n_samples,)
        """
        design = self.design(X)
        gate = np.exp(self.gate.log_probs(params.gate, design))
        cumulative = np.cumsum(gate, axis=1)
        labels = np.minimum((rng.random_sample(len(design))[:, None] > cumulative).sum(axis=1),
                            self.n_components - 1)
        return self.experts.sample(params.experts, design, labels, rng), labels

    def sample(self, params, n_samples, rng, *, lengths=None):
        raise ValueError("a regression mixture draws responses given covariates: use "
                         "sample_response(params, X, rng) (RegressionMixture.sample(X) on the "
                         "estimator).")
