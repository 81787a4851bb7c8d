"""``emkit.CategoricalHMM``: a drop-in for ``hmmlearn.hmm.CategoricalHMM`` on the engine."""
from __future__ import annotations

import numpy as np

from ..components.categorical import Categorical
from ..engine.validation import check_positive_int
from ..models.hmm.checks import check_probabilities
from ._data import column_maxima
from ._hmm_base import HMMEstimator
from ._hmm_inputs import prior_from_hmmlearn

__all__ = ["CategoricalHMM"]


class CategoricalHMM(HMMEstimator):
    """Hidden Markov model with categorical emissions; hmmlearn's names and conventions.

    X has one column of integer symbols ``0, ..., n_features - 1``.

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        Dirichlet concentrations (>= 1) for the start vector and the transition rows.
    emissionprob_prior : float or array-like of shape (n_features,), default=1.0
        Dirichlet concentration (>= 1) of every state's emission probabilities.
    n_features : int, optional
        Number of symbols; if None, the largest symbol in the training data plus one,
        computed exactly by a pass over all the blocks of X (not from ``head()``, a sample
        that could miss the largest symbol) when X is a Dask collection or a file.
    algorithm, random_state, n_iter, tol, verbose
        As for :class:`~emkit.GaussianHMM`.
    params, init_params : str, default="ste"
        s startprob, t transmat, e emissionprob (emkit's ``probs``).
    n_init, fixed, n_jobs, chunk_size
        As for :class:`~emkit.GaussianHMM`.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emissionprob_ : ndarray of shape (n_components, n_features)
    history_, monitor_, converged_, n_iter_
        As for :class:`~emkit.GaussianHMM`.

    Notes
    -----
    emkit's Categorical keeps every fitted probability at or above 1e-12 (see
    :mod:`emkit.components._discrete`); hmmlearn lets a probability reach 0. Emission
    probabilities initialised from the data ("e" in ``init_params``) are random rows, as in
    hmmlearn (drawn from ``random_state``).
    """

    _codes = {"s": "startprob", "t": "transmat", "e": "probs"}
    #: k-means on symbol codes would start from one-hot emissions, a fixed point of EM: the
    #: chain starts from random soft responsibilities and the emissions from random rows.
    _init_method = "random"

    def __init__(self, n_components=1, startprob_prior=1.0, transmat_prior=1.0, *,
                 emissionprob_prior=1.0, n_features=None, algorithm="viterbi",
                 random_state=None, n_iter=10, tol=1e-2, verbose=False, params="ste",
                 init_params="ste", n_init=1, fixed=None, n_jobs=None, chunk_size=8192):
        self.n_components = n_components
        self.startprob_prior = startprob_prior
        self.transmat_prior = transmat_prior
        self.emissionprob_prior = emissionprob_prior
        self.n_features = n_features
        self.algorithm = algorithm
        self.random_state = random_state
        self.n_iter = n_iter
        self.tol = tol
        self.verbose = verbose
        self.params = params
        self.init_params = init_params
        self.n_init = n_init
        self.fixed = fixed
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size

    def _n_symbols(self, data):
        if self.n_features is not None:
            return check_positive_int(self.n_features, "n_features")
        if data is not None:
            return max(int(np.max(column_maxima(data))), 0) + 1
        if hasattr(self, "emissionprob_"):
            return int(np.shape(self.emissionprob_)[-1])
        raise ValueError("n_features (the number of symbols) is unknown: set n_features, "
                         "emissionprob_, or fit the model first.")

    def _emission(self, data=None):
        n_symbols = self._n_symbols(data)
        prior = prior_from_hmmlearn(self.emissionprob_prior, "emissionprob_prior", 1,
                                    n_symbols)
        return Categorical(n_symbols, prior=prior)

    def _check_support(self, X, emission):
        if X.shape[1] != 1:
            raise ValueError(f"X must have one column of integer symbols (shape "
                             f"(n_samples, 1)); got shape {X.shape}. Use emkit.estimators.HMM "
                             "with emkit.Categorical for several columns.")
        emission.validate(X)

    def _initializer(self, model, n_features):
        given = super()._initializer(model, n_features)
        if "e" not in self.init_params:
            return given

        def start(block, rng):
            params = given(block, rng) if callable(given) else model.init_params(block, rng)
            probs = rng.uniform(size=params.emission.probs.shape)
            return params.replace_path("emission.probs", probs / probs.sum(axis=-1,
                                                                           keepdims=True))

        return start

    def _emission_from_attributes(self, codes, n_features=None):
        if "e" not in codes or not hasattr(self, "emissionprob_"):
            return {}
        shape = (self.n_components, self._n_symbols(None))
        probs = check_probabilities(self.emissionprob_, "emissionprob_", shape, rows=True)
        return {"probs": probs[:, None, :]}

    def _publish_emission(self, emission, params):
        self.emissionprob_ = np.array(params.probs[:, 0, :])
