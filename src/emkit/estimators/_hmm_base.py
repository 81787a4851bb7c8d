"""The hmmlearn-compatible facade shared by every HMM estimator.

A concrete estimator says which emission Component to build, how its fitted attributes map to
the emission's parameters (``means_`` <-> ``means``...) and which hmmlearn letter codes it
has; fitting (through the one engine loop), starting values, decoding, scoring, sampling and
the information criteria live here once.

hmmlearn conventions kept: ``fit(X, lengths)``; ``score`` is the total log-likelihood and
``score_samples`` returns ``(log_prob, posteriors)``; ``init_params`` letters are initialised
from the data and the other parameters are taken from attributes set before ``fit`` (when
set); parameters whose letters are missing from ``params`` stay fixed; attributes set by hand
(``startprob_``, ``transmat_``, ...) are used by ``predict``, ``score`` and ``sample`` even
without a fit.

Every method takes X in memory, as a Dask array or DataFrame (with ``lengths``), or as a file
opened with :func:`emkit.sources.open_source` (with its ``lengths``), routed by
:func:`~emkit.estimators._data.fit_data`; blocks always hold whole sequences.
"""
from __future__ import annotations

import functools
from abc import abstractmethod
from dataclasses import dataclass, replace

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state

from ..backends.numpy_backend import NumpyBackend
from ..engine import em
from ..engine.tree import Tree
from ..engine.validation import check_positive_int, check_tol
from ..models.hmm import HMM
from ..models.hmm.checks import check_chain, check_probabilities
from ._data import check_data, fit_data, predict_data
from ._hmm_passes import best_paths, check_rows, log_likelihood, over_blocks, posteriors
from ._hmm_inputs import (
    as_sequences, fixed_from_codes, leaf_paths, letters, prior_from_hmmlearn,
)
from ._inputs import record_features

__all__ = ["ConvergenceMonitor", "HMMEstimator"]

_ALGORITHMS = ("viterbi", "map")


@dataclass(frozen=True)
class ConvergenceMonitor:
    """hmmlearn's ``monitor_``, read-only: the objective before each M-step.

    ``history`` holds the log-likelihood, plus the log prior density when Dirichlet priors
    are set (hmmlearn records the log-likelihood alone). ``converged`` is True only when the
    change fell below ``tol`` (hmmlearn also calls reaching ``n_iter`` converged). The full
    anatomy (bound, KL gap, seconds) is ``history_``.
    """

    history: tuple
    iter: int
    converged: bool
    tol: float
    n_iter: int


class HMMEstimator(BaseEstimator):
    """Abstract base of the HMM estimators; see :class:`~emkit.GaussianHMM`."""

    #: hmmlearn's letter codes -> emkit parameter names (the chain's; subclasses extend it).
    _codes = {"s": "startprob", "t": "transmat"}

    # -- what a concrete estimator provides ---------------------------------------------------
    @abstractmethod
    def _emission(self, data=None):
        """Return the emission Component (hyper-parameters validated).

        ``data`` is the training data in ``fit`` (an ``EstimatorData``: a hyper-parameter
        inferred from X is computed by a pass over its blocks, see
        :func:`~emkit.estimators._data.column_maxima`) and None afterwards (sizes then come
        from the fitted attributes).
        """

    @abstractmethod
    def _emission_from_attributes(self, codes, n_features=None):
        """``{dotted parameter path: array}`` read from the attributes of the given codes.

        Only attributes that are set are read; each is validated (shape, constraint) and
        named in errors by its attribute name. ``n_features`` (None: taken from the
        attributes) is the number of columns of X.
        """

    @abstractmethod
    def _publish_emission(self, emission, params):
        """Set the family's fitted attributes from the emission parameters."""

    def _check_support(self, X, emission):
        """Raise ValueError if rows X do not suit the estimator's emission (beyond ``validate``).

        Called on all of X in memory, else on each block of whole sequences as it is read.
        """

    # -- building and fitting ---------------------------------------------------------------------
    def _backend(self):
        return NumpyBackend(chunk_size=self.chunk_size, n_jobs=self.n_jobs)

    #: How the model draws starting state responsibilities from the data (``HMM(init=...)``).
    _init_method = "kmeans"

    def _model(self, data=None):
        k = check_positive_int(self.n_components, "n_components")
        return HMM(self._emission(data), k, init=self._init_method,
                   startprob_prior=prior_from_hmmlearn(self.startprob_prior, "startprob_prior",
                                                       1, k),
                   transmat_prior=prior_from_hmmlearn(self.transmat_prior, "transmat_prior",
                                                      k, k))

    def _chain_from_attributes(self, codes):
        k, given = self.n_components, {}
        if "s" in codes and hasattr(self, "startprob_"):
            given["startprob"] = check_probabilities(self.startprob_, "startprob_", (k,))
        if "t" in codes and hasattr(self, "transmat_"):
            given["transmat"] = check_probabilities(self.transmat_, "transmat_", (k, k),
                                                    rows=True)
        return given

    def _initializer(self, model, n_features):
        """Starting parameters: the codes outside ``init_params`` come from attributes."""
        from_data = letters(self.init_params, "init_params", self._codes)
        codes = set(self._codes) - from_data
        chain = self._chain_from_attributes(codes)
        emission = self._emission_from_attributes(codes, n_features)
        if set(chain) == {"startprob", "transmat"} and \
                set(emission) == leaf_paths(model.emission.constraints()):
            return Tree(**chain, emission=Tree.from_paths(emission))
        if not chain and not emission:
            return None

        def start(block, rng):
            params = model.init_params(block, rng).replace(**chain)
            for path, value in emission.items():
                params = params.replace_path("emission." + path, value)
            return params

        return start

    def _check_hyper_parameters(self, n_samples):
        check_positive_int(self.n_components, "n_components")
        if self.n_components > n_samples:
            raise ValueError(f"n_components={self.n_components} must be <= n_samples "
                             f"({n_samples}). Reduce n_components or pass more samples.")
        check_tol(self.tol)
        check_positive_int(self.n_iter, "n_iter")
        check_positive_int(self.n_init, "n_init")
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {_ALGORITHMS}; got {self.algorithm!r}.")

    def fit(self, X, lengths=None):
        """Estimate the parameters by EM (Baum-Welch) on the engine's one loop.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), list of such arrays, Dask array or
            DataFrame, or source
            The sequences, stacked in rows (or one array per sequence) in memory; or outside
            it: a Dask collection (fitted by the Dask backend, on the default ``distributed``
            client if there is one) or a file opened with
            ``emkit.sources.open_source(path, columns, lengths=...)`` (streamed block by
            block). Blocks hold whole sequences; the starting values come from ``head()``, a
            sample of whole sequences (all of X in memory).
        lengths : array-like of shape (n_sequences,), optional
            Rows per sequence, summing to n_samples; None means one sequence (in memory
            only: a Dask collection needs them here, a file in ``open_source``).

        Returns
        -------
        self
        """
        X, lengths = as_sequences(X, lengths)
        data = fit_data(X, self._backend(), lengths=lengths, sequences=True)
        self._check_hyper_parameters(data.n_samples)
        data = replace(data, source=em.prepare(data.backend, data.source))  # Dask: persisted
        model = self._model(data)
        check_data(data, functools.partial(check_rows, self._check_support, model))
        result = em.fit(
            model, data.source, init=self._initializer(model, data.n_features),
            n_init=self.n_init, random_state=self.random_state, backend=data.backend,
            tol=self.tol / data.n_samples, max_iter=self.n_iter,
            fixed=fixed_from_codes(self.params, self._codes, self.fixed),
            verbose=int(self.verbose),
        )
        record_features(self, data.source.head().X, data.feature_names)
        self._set_fit(model, result)
        return self

    def _set_fit(self, model, result):
        """Set every fitted attribute from a FitResult (after fit, or when loading)."""
        self.model_, self.result_, self.history_ = model, result, result.history
        self.converged_, self.n_iter_ = result.converged, result.n_iter
        self.monitor_ = ConvergenceMonitor(tuple(result.history.column("evidence")),
                                           result.n_iter, result.converged, self.tol,
                                           self.n_iter)
        self.startprob_ = np.array(result.params.startprob)
        self.transmat_ = np.array(result.params.transmat)
        self._publish_emission(model.emission, result.params.emission)

    def _rebuild_model(self):
        """The model of these hyper-parameters, for a saved fit (see :mod:`emkit.persist`)."""
        return self._model()

    # -- the fitted (or hand-set) model ----------------------------------------------------
    def _current(self, n_features=None):
        """The model and parameters of the estimator's attributes (X has ``n_features``)."""
        if not hasattr(self, "startprob_") or not hasattr(self, "transmat_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call "
                                 "'fit' first, or set startprob_, transmat_ and the emission "
                                 "attributes by hand.")
        startprob, transmat = check_chain(self.startprob_, self.transmat_, self.n_components,
                                          names=("startprob_", "transmat_"))
        model = self._model()
        emission = self._emission_from_attributes(set(self._codes), n_features)
        missing = leaf_paths(model.emission.constraints()) - set(emission)
        if missing:
            raise NotFittedError(f"This {type(self).__name__} instance has no emission "
                                 f"parameters {sorted(missing)}; call 'fit' first or set "
                                 "them by hand.")
        return model, Tree(startprob=startprob, transmat=transmat,
                           emission=Tree.from_paths(emission))

    def _routed(self, X, lengths):
        """X's data source and backend, with the model and parameters to apply to it."""
        X, lengths = as_sequences(X, lengths)
        data = predict_data(self, X, self._backend(), lengths=lengths, sequences=True)
        return (data, *self._current(data.n_features))

    def _prediction(self, X, lengths, fn, reduce=False):
        """One checked pass of ``fn`` over X (see :func:`._hmm_passes.over_blocks`)."""
        data, model, params = self._routed(X, lengths)
        return over_blocks(data, model, params, fn, self._check_support, reduce=reduce)

    def score_samples(self, X, lengths=None):
        """Log-likelihood of X and the state posteriors of its rows (as hmmlearn).

        X and lengths are those of :meth:`fit` (in memory, Dask or a file); one pass over X.

        Returns
        -------
        log_prob : float
            ``sum_s log p(x_s)`` over the sequences.
        posteriors : ndarray of shape (n_samples, n_components)
        """
        return self._prediction(X, lengths, posteriors)

    def score(self, X, lengths=None):
        """Total log-likelihood ``sum_s log p(x_s)`` (hmmlearn's convention, not a mean).

        A sum over blocks (one compute of a Dask input); memory does not depend on n_samples.
        """
        return float(self._prediction(X, lengths, log_likelihood, reduce=True))

    def predict_proba(self, X, lengths=None):
        """State posteriors ``p(z_t = k | x)``, shape (n_samples, n_components)."""
        return self.score_samples(X, lengths)[1]

    def decode(self, X, lengths=None, algorithm=None):
        """The most likely states: the best path ("viterbi") or the best states ("map").

        Returns
        -------
        log_prob : float
            "viterbi": ``sum_s max_z log p(x_s, z)``. "map": ``sum_t log max_k p(z_t = k | x)``
            (hmmlearn returns the sum of the probabilities themselves).
        state_sequence : ndarray of shape (n_samples,)
        """
        algorithm = algorithm or self.algorithm
        if algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {_ALGORITHMS}; got {algorithm!r}.")
        if algorithm == "map":
            posteriors = self.predict_proba(X, lengths)
            return (float(np.sum(np.log(posteriors.max(axis=1)))),
                    posteriors.argmax(axis=1))
        log_prob, states = self._prediction(X, lengths, best_paths)
        return log_prob, states[:, 0].astype(np.int64)

    def predict(self, X, lengths=None):
        """The most likely state of each row by ``algorithm``, shape (n_samples,)."""
        return self.decode(X, lengths)[1]

    def sample(self, n_samples=1, random_state=None, currstate=None):
        """Draw one sequence from the model.

        Parameters
        ----------
        n_samples : int
        random_state : int, RandomState or None
            Defaults to the estimator's ``random_state``.
        currstate : int, optional
            The state of the first row (instead of drawing it from ``startprob_``).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        state_sequence : ndarray of shape (n_samples,)
        """
        check_positive_int(n_samples, "n_samples")
        model, params = self._current(getattr(self, "n_features_in_", None))
        if currstate is not None:
            state = check_positive_int(currstate, "currstate", minimum=0,
                                       maximum=self.n_components - 1)
            params = params.replace(startprob=np.eye(self.n_components)[state])
        rng = check_random_state(self.random_state if random_state is None else random_state)
        return model.sample(params, [n_samples], rng)

    # -- information criteria -----------------------------------------------------------
    def _criterion(self, X, lengths, penalty):
        """``-2 log L + penalty(n_parameters, n_samples)`` with one pass over X."""
        data, model, params = self._routed(X, lengths)
        total = over_blocks(data, model, params, log_likelihood, self._check_support,
                            reduce=True)
        return -2.0 * float(total) + penalty(model.n_parameters(params), data.n_samples)

    def aic(self, X, lengths=None):
        """Akaike information criterion ``-2 log L + 2 n_parameters`` (lower is better)."""
        return self._criterion(X, lengths, lambda n_parameters, n: 2.0 * n_parameters)

    def bic(self, X, lengths=None):
        """Bayesian information criterion ``-2 log L + n_parameters log n_samples``."""
        return self._criterion(X, lengths, lambda n_parameters, n: n_parameters * np.log(n))
