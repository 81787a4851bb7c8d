"""``emkit.estimators.HMM``: an hmmlearn-style estimator for any emission Component."""
from __future__ import annotations

from ..engine.contracts import Component
from ..engine.tree import Tree
from ..engine.validation import check_params
from ._hmm_base import HMMEstimator

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
    n_init, fixed, n_jobs, chunk_size
        As for :class:`~emkit.GaussianHMM`; ``fixed`` may name emission parameters
        ("means", "covariances", ...).

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emission_params_ : Tree
        The emission's parameters, K as the leading axis of each array.
    history_, monitor_, converged_, n_iter_
        As for :class:`~emkit.GaussianHMM`.
    """

    _codes = {"s": "startprob", "t": "transmat", "e": "emission"}

    def __init__(self, emission=None, n_components=1, *, startprob_prior=1.0,
                 transmat_prior=1.0, algorithm="viterbi", random_state=None, n_iter=10,
                 tol=1e-2, verbose=False, params="ste", init_params="ste", init="kmeans",
                 n_init=1, fixed=None, n_jobs=None, chunk_size=8192):
        self.emission = emission
        self.n_components = n_components
        self.startprob_prior = startprob_prior
        self.transmat_prior = transmat_prior
        self.algorithm = algorithm
        self.random_state = random_state
        self.n_iter = n_iter
        self.tol = tol
        self.verbose = verbose
        self.params = params
        self.init_params = init_params
        self.init = init
        self.n_init = n_init
        self.fixed = fixed
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size

    @property
    def _init_method(self):
        return self.init

    def _emission(self, data=None):
        if not isinstance(self.emission, Component):
            raise ValueError(f"emission must be an emkit Component such as "
                             f"emkit.Gaussian('full'); got {self.emission!r}.")
        return self.emission

    def _emission_from_attributes(self, codes, n_features=None):
        if "e" not in codes or not hasattr(self, "emission_params_"):
            return {}
        params = self.emission_params_
        if not isinstance(params, Tree):
            params = Tree(params)
        check_params(self._emission().constraints(), params, name="emission_params_")
        return params.paths()

    def _publish_emission(self, emission, params):
        self.emission_params_ = params
