"""``emkit.CategoricalHMM``: a drop-in for ``hmmlearn.hmm.CategoricalHMM`` on the engine."""
from __future__ import annotations

import numpy as np

from ..components.categorical import Categorical
from ..engine.validation import check_positive_int, check_probabilities
from ._hmm_base import HMMEstimator, hmmlearn_tail
from ._hmm_inputs import prior_from_hmmlearn
from ._signature import keyword, positional

__all__ = ["CategoricalHMM"]


def _block_maxima(params, block):
    """The largest value of every column of a block, shape (n_features,) (a pass's task);
    missing values (NaN) are ignored (NaN for a column with none observed)."""
    return np.fmax.reduce(block.X, axis=0)


def _check_one_column(n_features):
    if n_features != 1:
        raise ValueError(f"X must have one column of integer symbols (shape (n_samples, 1)); "
                         f"got {n_features} columns. Use emkit.estimators.HMM with "
                         "emkit.Categorical for several columns.")


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
    n_init, fixed, accelerate, n_jobs, chunk_size, backend
        As for :class:`~emkit.GaussianHMM`.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emissionprob_ : ndarray of shape (n_components, n_features)
    history_, monitor_, converged_, n_iter_, n_evaluations_
        As for :class:`~emkit.GaussianHMM`.

    Notes
    -----
    emkit's Categorical keeps every fitted probability at or above 1e-12 (see
    :mod:`emkit.components._discrete`); hmmlearn lets a probability reach 0. Emission
    probabilities initialised from the data ("e" in ``init_params``) are random rows, as in
    hmmlearn (drawn from ``random_state``).

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import CategoricalHMM
    >>> rng = np.random.default_rng(0)
    >>> states = np.repeat([0, 1, 0, 1], 100)
    >>> X = np.where(states == 0, rng.choice(3, 400, p=[0.8, 0.1, 0.1]),
    ...              rng.choice(3, 400, p=[0.1, 0.1, 0.8]))[:, None]
    >>> hmm = CategoricalHMM(2, n_iter=50, random_state=0).fit(X)
    >>> hmm.emissionprob_.shape
    (2, 3)
    """

    _codes = {"s": "startprob", "t": "transmat", "e": "probs"}
    _attributes = {"s": "startprob_", "t": "transmat_", "e": "emissionprob_"}
    #: n_features is a hyper-parameter here (hmmlearn's), not the base's property.
    n_features = None

    _positional = (positional("startprob_prior", 1.0), positional("transmat_prior", 1.0))
    _keyword = (keyword("emissionprob_prior", 1.0), keyword("n_features", None),
                *(keyword(p.name, p.default) for p in hmmlearn_tail(_codes)))

    def _n_symbols(self, data, params=None):
        if self.n_features is not None:
            return check_positive_int(self.n_features, "n_features")
        if params is not None:
            return int(np.shape(params.probs)[-1])
        if data is not None:
            largest = np.fmax.reduce(data.backend.map_reduce(_block_maxima, None, data.source,
                                                             combine=np.fmax))
            return max(int(0 if np.isnan(largest) else largest), 0) + 1
        if "emissionprob_" in self.__dict__:
            return int(np.shape(self.emissionprob_)[-1])
        raise ValueError("n_features (the number of symbols) is unknown: set n_features, "
                         "emissionprob_, or fit the model first.")

    def _emission(self, data=None, params=None):
        if data is not None:
            _check_one_column(data.n_features)
        n_symbols = self._n_symbols(data, params)
        prior = prior_from_hmmlearn(self.emissionprob_prior, "emissionprob_prior", 1,
                                    n_symbols)
        return Categorical(n_symbols, prior=prior)

    def _initial_emission(self, X, codes, stream, emission=None):
        if "e" not in codes:
            return {}
        # the number of symbols of the model: counted over all of X, not only the head
        probs = stream().rand(self.n_components, emission.n_categories)
        return {"emissionprob_": probs / probs.sum(axis=1, keepdims=True)}

    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        attributes = self.__dict__ if attributes is None else attributes
        if n_features is not None:
            _check_one_column(n_features)
        if "e" not in codes or "emissionprob_" not in attributes:
            return {}
        n_symbols = self.n_features if self.n_features is not None else \
            np.shape(attributes["emissionprob_"])[-1]
        shape = (self.n_components, check_positive_int(n_symbols, "n_features"))
        probs = check_probabilities(attributes["emissionprob_"], "emissionprob_", shape)
        return {"probs": probs[:, None, :]}

    def _row_sampler(self, emission, params):
        cumulative = np.cumsum(params.probs[:, 0, :], axis=1)
        return lambda state, rng: [(cumulative[state] > rng.rand()).argmax()]

    def _publish_emission(self, emission, params):
        self.emissionprob_ = np.array(params.probs[:, 0, :])
