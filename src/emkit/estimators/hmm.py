"""``emkit.estimators.HMM``: an hmmlearn-style estimator for any emission Component."""
from __future__ import annotations

from ..engine.contracts import Component
from ..engine.tree import Tree
from ..engine.validation import check_params
from ._hmm_base import HMMEstimator
from ._signature import keyword, positional

__all__ = ["HMM"]


class HMM(HMMEstimator):
    """Hidden Markov model whose emission is any emkit Component.

    Parameters
    ----------
    emission : Component
        The family of the states' densities, e.g. ``Gaussian("full")``, a Categorical, a
        Poisson or a ``MixtureEmission``.
    n_components : int, default=1
        Number of states K.
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        Dirichlet concentrations (>= 1) for the start vector and the transition rows.
    algorithm : {"viterbi", "map"}, default="viterbi"
    random_state : int, RandomState or None
    n_iter : int, default=10
    tol : float, default=1e-2
        Threshold on the change of the total log-likelihood (as hmmlearn).
    verbose : bool, default=False
    params : str, default="ste"
        Letters of the parameters EM updates: s startprob, t transmat, e emission.
    init_params : str, default="ste"
        Letters initialised from the data; the others start from ``startprob_``,
        ``transmat_`` and ``emission_params_`` when set before ``fit``.
    init : {"kmeans", "k-means++", "random_from_data", "random"}, default="kmeans"
        How the starting state responsibilities are drawn for the codes in ``init_params``
        (emkit only). For discrete emissions, hard k-means responsibilities can start EM at a
        fixed point; pass starting values (``emission_params_``) instead.
    n_init, fixed, accelerate, n_jobs, chunk_size, backend
        As for :class:`~emkit.GaussianHMM`; ``fixed`` may name emission parameters
        ("means", "covariances", ...).

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emission_params_ : Tree
        The emission's parameters, K as the leading axis of each array.
    history_, monitor_, converged_, n_iter_, n_evaluations_
        As for :class:`~emkit.GaussianHMM`.
    """

    _codes = {"s": "startprob", "t": "transmat", "e": "emission"}

    _leading = (positional("emission", None),)
    _keyword = (keyword("init", "kmeans"),)

    @property
    def _init_method(self):
        return self.init

    def _emission(self, data=None, params=None):
        if not isinstance(self.emission, Component):
            raise ValueError(f"emission must be an emkit Component such as "
                             f"emkit.Gaussian('full'); got {self.emission!r}.")
        return self.emission

    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        attributes = self.__dict__ if attributes is None else attributes
        if "e" not in codes or "emission_params_" not in attributes:
            return {}
        params = attributes["emission_params_"]
        if not isinstance(params, Tree):
            params = Tree(params)
        check_params(self._emission().constraints(), params, name="emission_params_")
        return params.paths()

    def _publish_emission(self, emission, params):
        self.emission_params_ = params
