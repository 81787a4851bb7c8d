"""The hmmlearn-compatible base shared by every HMM estimator.

A concrete estimator declares its own hyper-parameters (``_positional``, ``_keyword``; the
shared ones are added and ``__init__`` is generated, as for the family mixtures), which
emission Component to build, how its fitted attributes map to the emission's parameters
(``means_`` <-> ``means``...) and which hmmlearn letter codes it has. Fitting (through the
engine), starting values, decoding, scoring, sampling and the information criteria live here
once, on the shared estimator base.

hmmlearn conventions kept: ``fit(X, lengths)``; ``score`` is the total log-likelihood and
``score_samples`` returns ``(log_prob, posteriors)``; ``init_params`` letters are initialised
from the data and the other parameters are taken from attributes set before ``fit`` (when
set); parameters whose letters are missing from ``params`` stay fixed; attributes set by hand
(``startprob_``, ``transmat_``, ...) are used by ``predict``, ``score`` and ``sample`` even
without a fit. Every method takes X in memory, as a Dask array or DataFrame (with ``lengths``),
or as a file opened with :func:`emkit.sources.open_source` (with its ``lengths``); blocks
always hold whole sequences.
"""
from __future__ import annotations

import numbers
from abc import abstractmethod

import numpy as np
from scipy import linalg
from sklearn.utils import check_random_state

from ..engine.constraints import flat_constraints
from ..engine.missing import fill_column_means, has_missing
from ..engine.tree import Tree
from ..engine.validation import check_positive_int, check_possible, check_probabilities
from ..models.hmm import HMM
from ._base import LatentEstimator, check_n_components, documents_checkpoints
from ._hmm_inputs import as_sequences, fixed_from_codes, letters, prior_from_hmmlearn
from ._hmm_monitor import (ConvergenceMonitor, HmmlearnChange, LogLikelihoodRecorder,
                           check_hmm_tol)
from ._signature import keyword, positional, storing_init

__all__ = ["ConvergenceMonitor", "HMMEstimator", "hmmlearn_tail"]

_ALGORITHMS = ("viterbi", "map")
_IMPLEMENTATIONS = ("log", "scaling")


def _shared_parameters(codes):
    """The keyword-only hyper-parameters of every HMM estimator (hmmlearn's, then emkit's)."""
    letters_default = "".join(codes)
    return [keyword("startprob_prior", 1.0), keyword("transmat_prior", 1.0),
            keyword("algorithm", "viterbi"), keyword("random_state", None),
            keyword("n_iter", 10), keyword("tol", 1e-2), keyword("verbose", False),
            keyword("params", letters_default), keyword("init_params", letters_default),
            keyword("implementation", "log"),
            keyword("n_init", 1), keyword("fixed", None), keyword("accelerate", None),
            keyword("n_jobs", None),
            keyword("chunk_size", 8192), keyword("backend", None)]


def hmmlearn_tail(codes):
    """hmmlearn's last positional arguments, in its order (``algorithm`` ... ``implementation``).

    Parameters
    ----------
    codes : dict
        The estimator's letter codes; all of them are the default ``params``/``init_params``.
    """
    letters_default = "".join(codes)
    return (positional("algorithm", "viterbi"), positional("random_state", None),
            positional("n_iter", 10), positional("tol", 1e-2), positional("verbose", False),
            positional("params", letters_default), positional("init_params", letters_default),
            positional("implementation", "log"))


def _posteriors(model, params, block):
    """The block's log-likelihood, and its state posteriors of shape (n_rows, K)."""
    posterior = model.forward_backward(params, block)
    check_possible(posterior.row_log_likelihood, block.X)
    return posterior.log_likelihood, posterior.state_posteriors


def _best_paths(model, params, block):
    """The block's Viterbi log-probability, and its best states of shape (n_rows,)."""
    decoding = model.decode(params, block)
    return decoding.log_probability, decoding.states


def _sequence_log_likelihood(model, params, block):
    """``sum_s log p(x_s)`` over the block's sequences."""
    return model.forward_backward(params, block).log_likelihood


class HMMEstimator(LatentEstimator):
    """Abstract base of the HMM estimators; see :class:`~emkit.GaussianHMM`."""

    _sequences = True
    #: hmmlearn's letter codes -> emkit parameter names (the chain's; subclasses extend it).
    _codes = {"s": "startprob", "t": "transmat"}
    #: The subclass's own parameters given by position before n_components.
    _leading = ()
    #: The subclass's own parameters that may be given by position (after n_components).
    _positional = ()
    #: The subclass's own keyword-only parameters.
    _keyword = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = [*cls._leading, *cls._positional, *cls._keyword]
        own_names = {parameter.name for parameter in own}
        shared = [p for p in _shared_parameters(cls._codes) if p.name not in own_names]
        cls.__init__ = storing_init([*cls._leading, positional("n_components", 1),
                                     *cls._positional, *shared, *cls._keyword],
                                    f"{cls.__name__}.__init__")

    # -- what a concrete estimator provides ---------------------------------------------------
    @abstractmethod
    def _emission(self, data=None, params=None):
        """The emission Component (hyper-parameters validated).

        ``data`` is the training data in ``fit`` (a hyper-parameter inferred from X is
        computed by a pass over its blocks); ``params`` the emission's parameters when a
        fitted state is restored; with neither, sizes come from the fitted attributes.
        """

    @abstractmethod
    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        """``{dotted parameter path: array}`` read from the attributes of the given codes.

        Only attributes that are set are read; each is validated (shape, constraint) and
        named in errors by its attribute name. ``n_features`` (None: taken from the
        attributes) is the number of columns of X; ``attributes`` (default: the estimator's
        own) maps attribute names to values.
        """

    @abstractmethod
    def _publish_emission(self, emission, params):
        """Set the family's fitted attributes from the emission parameters."""

    #: How the model draws starting state responsibilities from the data (``HMM(init=...)``).
    _init_method = "kmeans"

    # -- the shared estimator hooks -------------------------------------------------------------
    def _build_model(self, data=None, params=None):
        k = check_positive_int(self.n_components, "n_components")
        emission = self._emission(data, None if params is None else params.emission)
        return HMM(emission, k, init=self._init_method,
                   startprob_prior=prior_from_hmmlearn(self.startprob_prior, "startprob_prior",
                                                       1, k),
                   transmat_prior=prior_from_hmmlearn(self.transmat_prior, "transmat_prior",
                                                      k, k))

    def _check_hyper_parameters(self, n_samples):
        check_n_components(self.n_components, n_samples)
        check_hmm_tol(self.tol)
        check_positive_int(self.n_iter, "n_iter")
        check_positive_int(self.n_init, "n_init")
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {_ALGORITHMS}; got {self.algorithm!r}.")
        if self.implementation not in _IMPLEMENTATIONS:
            raise ValueError(f"implementation must be one of {_IMPLEMENTATIONS} (both give the "
                             f"same numbers in emkit); got {self.implementation!r}.")

    def _continues(self):
        return False

    def _start(self, model, data):
        """The initializer, wrapped to record the log prior of every start (``monitor_``)."""
        init = super()._start(model, data)
        self._recorder = LogLikelihoodRecorder(model)
        if init is None:
            def init(block, rng):
                return model.init_params(block, rng)
        elif not callable(init):
            fixed_start = init

            def init(block, rng):
                return fixed_start
        return self._recorder.start(init)

    def _resumed_start(self, model):
        self._recorder = LogLikelihoodRecorder(model)  # its history comes from the checkpoint
        return None

    def _fixed_names(self):
        return fixed_from_codes(self.params, self._codes, self.fixed)

    def _engine_options(self, data):
        return dict(n_init=self.n_init, random_state=self.random_state,
                    stopping=HmmlearnChange(check_hmm_tol(self.tol)), tol=0.0,
                    max_iter=self.n_iter,
                    fixed=self._fixed_names(),
                    verbose=int(bool(self.verbose)), verbose_interval=1, progress=False,
                    callbacks=(self._recorder,), accelerate=self.accelerate)

    def _record_fit(self, result):
        recorder = self.__dict__.pop("_recorder", None)
        history = recorder.history(result) if recorder is not None else \
            tuple(result.history.column("evidence"))
        self.monitor_ = ConvergenceMonitor(history, result.n_iter,
                                           bool(result.converged or result.n_iter == self.n_iter),
                                           self.tol, self.n_iter, bool(self.verbose))

    def _chain_from_attributes(self, codes, attributes=None):
        k, given = self.n_components, {}
        attributes = self.__dict__ if attributes is None else attributes
        if "s" in codes and "startprob_" in attributes:
            given["startprob"] = check_probabilities(attributes["startprob_"], "startprob_", (k,))
        if "t" in codes and "transmat_" in attributes:
            given["transmat"] = check_probabilities(attributes["transmat_"], "transmat_", (k, k))
        return given

    #: hmmlearn's attribute of each letter code (the estimators initialised as hmmlearn does).
    _attributes = None

    def _initial_emission(self, X, codes, stream, emission=None):
        """hmmlearn's starting emission attributes ``{name: array}`` for ``codes``, from all
        the rows X (in memory; a sample of a file or Dask collection); ``stream()`` gives the
        random state of one of hmmlearn's draws; ``emission`` is the model's component."""
        raise NotImplementedError

    def _streams(self, rng, attempt):
        """``stream()`` -> the RandomState of one of hmmlearn's initial draws.

        hmmlearn passes an integer ``random_state`` afresh to every draw (the chain's Dirichlet
        draws, then k-means or the emission's own draw): the first restart does the same, so
        that both libraries start from the same values. Later restarts draw new seeds.
        """
        if attempt == 0 and isinstance(self.random_state, numbers.Integral):
            return lambda: check_random_state(self.random_state)
        if attempt > 0:
            rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
        return lambda: rng

    def _hmmlearn_initializer(self, model, data):
        """hmmlearn's ``_init``: a letter in ``init_params``, or whose attribute is not set,
        is initialised from the data as hmmlearn does; the others come from attributes."""
        requested = letters(self.init_params, "init_params", self._codes)
        codes = {c for c in self._codes
                 if c in requested or self._attributes[c] not in self.__dict__}
        kept = {name: self.__dict__[name] for c, name in self._attributes.items()
                if c not in codes}
        attempts = []

        def start(block, rng):
            stream = self._streams(rng, len(attempts))
            attempts.append(None)
            values, k = dict(kept), self.n_components
            chain = stream() if {"s", "t"} & codes else None
            if "s" in codes:
                values["startprob_"] = chain.dirichlet(np.full(k, 1.0 / k))
            if "t" in codes:
                values["transmat_"] = chain.dirichlet(np.full(k, 1.0 / k), size=k)
            X = fill_column_means(block.X) if has_missing(block.X) else block.X  # NaN: missing
            values.update(self._initial_emission(X, codes, stream, model.emission))
            every = set(self._codes)
            return Tree(**self._chain_from_attributes(every, values), emission=Tree.from_paths(
                self._emission_from_attributes(every, data.n_features, values)))

        return start

    def _initializer(self, model, data):
        """Starting parameters: the codes outside ``init_params`` come from attributes."""
        if self._attributes is not None:
            return self._hmmlearn_initializer(model, data)
        from_data = letters(self.init_params, "init_params", self._codes)
        codes = set(self._codes) - from_data
        chain = self._chain_from_attributes(codes)
        emission = self._emission_from_attributes(codes, data.n_features)
        if set(chain) == {"startprob", "transmat"} and \
                set(emission) == set(_leaf_paths(model.emission)):
            return Tree(**chain, emission=Tree.from_paths(emission))
        if not chain and not emission:
            return None

        def start(block, rng):
            params = model.init_params(block, rng).replace(**chain)
            for path, value in emission.items():
                params = params.replace_path("emission." + path, value)
            return params

        return start

    def _params_from_attributes(self, model, n_features=None):
        chain = self._chain_from_attributes(set(self._codes))
        emission = self._emission_from_attributes(set(self._codes), n_features)
        missing = sorted(({"startprob", "transmat"} - set(chain))
                         | (set(_leaf_paths(model.emission)) - set(emission)))
        if missing:
            raise self._not_fitted(f" Or set startprob_, transmat_ and the emission "
                                   f"attributes by hand (missing: {missing}).")
        return Tree(**chain, emission=Tree.from_paths(emission))

    def _publish(self, model, params):
        self.startprob_ = np.array(params.startprob)
        self.transmat_ = np.array(params.transmat)
        self._publish_emission(model.emission, params.emission)

    # -- hmmlearn's methods ------------------------------------------------------------------------
    @documents_checkpoints("The checkpoint's parameters are the start (``init_params`` and the "
                          "attributes set by hand are not used).")
    def fit(self, X, lengths=None, *, checkpoint=None, checkpoint_every=1, resume=None):
        """Estimate the parameters by EM (Baum-Welch) on the engine.

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
        {checkpoint parameters}

        Returns
        -------
        self
        """
        X, lengths = as_sequences(X, lengths)
        return self._fit(X, lengths=lengths, checkpoint=checkpoint,
                         checkpoint_every=checkpoint_every, resume=resume)

    def partial_fit(self, X, lengths=None, *, alpha=0.6, t0=2.0):
        """One step of online EM on a minibatch of whole sequences (Cappé and Moulines 2009).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of such arrays
            The minibatch's sequences, stacked in rows; every call must give the same columns.
        lengths : array-like of shape (n_sequences,), optional
            Rows per sequence; None is one sequence.
        alpha : float, default=0.6
            Decay of the step sizes ``(t + t0)^(-alpha)``, in (0.5, 1].
        t0 : float, default=2.0

        Returns
        -------
        self
        """
        from ._online import partial_fit

        X, lengths = as_sequences(X, lengths)
        return partial_fit(self, X, alpha, t0, sequences=True, lengths=lengths)

    @property
    def params_(self):
        """Every parameter as the model's Tree: ``startprob``, ``transmat``, ``emission``."""
        return self._fitted_params()

    def _results(self, X, lengths, fn):
        """One pass of ``fn(model, params, block) -> (total, rows)``: the summed totals and
        the stacked rows."""
        X, lengths = as_sequences(X, lengths)
        results = self._map_blocks(X, fn, lengths=lengths)
        return sum(total for total, _ in results), np.concatenate([rows for _, rows in results])

    def score_samples(self, X, lengths=None):
        """Log-likelihood of X and the state posteriors of its rows (as hmmlearn).

        Parameters
        ----------
        X, lengths
            As for :meth:`fit` (in memory, Dask or a file); one pass over X.

        Returns
        -------
        log_prob : float
            ``sum_s log p(x_s)`` over the sequences.
        posteriors : ndarray of shape (n_samples, n_components)
        """
        log_prob, posteriors = self._results(X, lengths, _posteriors)
        return float(log_prob), posteriors

    def score(self, X, lengths=None):
        """Total log-likelihood ``sum_s log p(x_s)`` (hmmlearn's convention, not a mean).

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`. A sum over blocks (one compute of a Dask input).

        Returns
        -------
        float
        """
        X, lengths = as_sequences(X, lengths)
        return self._map_sum(X, _sequence_log_likelihood, lengths=lengths)[0]

    def predict_proba(self, X, lengths=None):
        """State posteriors ``p(z_t = k | x)``.

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        return self.score_samples(X, lengths)[1]

    def decode(self, X, lengths=None, algorithm=None):
        """The most likely states: the best path ("viterbi") or the best states ("map").

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`.
        algorithm : {"viterbi", "map"}, optional
            The estimator's ``algorithm`` by default.

        Returns
        -------
        log_prob : float
            "viterbi": ``sum_s max_z log p(x_s, z)``. "map": what hmmlearn returns,
            ``sum_t max_k p(z_t = k | x)`` (a sum of probabilities, not of their logs).
        state_sequence : ndarray of shape (n_samples,)
        """
        algorithm = algorithm or self.algorithm
        if algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {_ALGORITHMS}; got {algorithm!r}.")
        if algorithm == "map":
            posteriors = self.predict_proba(X, lengths)
            return float(np.sum(posteriors.max(axis=1))), posteriors.argmax(axis=1)
        log_prob, states = self._results(X, lengths, _best_paths)
        return float(log_prob), states.astype(np.int64)

    def get_stationary_distribution(self):
        """The stationary distribution of the chain, shape (n_components,) (as hmmlearn).

        The left eigenvector of ``transmat_`` for its largest eigenvalue (1), normalised to
        sum to one.

        Returns
        -------
        ndarray of shape (n_components,)
            ``pi`` with ``pi @ transmat_ == pi`` and ``pi.sum() == 1`` (real unless
            ``transmat_`` has complex leading eigenvectors, which a stochastic matrix's
            eigenvalue 1 does not). For a reducible chain, the one eigenvector numpy picks.
        """
        transmat = self._fitted_params().transmat
        eigenvalues, eigenvectors = linalg.eig(np.asarray(transmat).T)
        vector = np.real_if_close(eigenvectors[:, np.argmax(eigenvalues)])
        return vector / vector.sum()

    @property
    def n_features(self):
        """Number of columns of X (hmmlearn's attribute): from the fit, or the attributes."""
        if "n_features_in_" in self.__dict__:
            return self.n_features_in_
        if self._features_from in self.__dict__:
            return int(np.shape(self.__dict__[self._features_from])[-1])
        if "_n_features" in self.__dict__:
            return self.__dict__["_n_features"]
        raise AttributeError(f"{type(self).__name__} has no n_features yet: fit it or set "
                             f"{self._features_from}.")

    @n_features.setter
    def n_features(self, value):
        # hmmlearn code sets it by hand; the fitted X and the emission attributes prevail
        self.__dict__["_n_features"] = value

    #: The attribute whose last axis is n_features (for parameters set by hand).
    _features_from = "means_"

    def predict(self, X, lengths=None):
        """The most likely state of each row by ``algorithm``.

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.decode(X, lengths)[1]

    def sample(self, n_samples=1, random_state=None, currstate=None):
        """Draw one sequence from the model.

        The estimators named after hmmlearn's draw as hmmlearn does (a uniform for the start,
        one per transition, then the emission's own draw, row by row), so that the same
        ``random_state`` gives the same sequence.

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
        model, params = self._current(self.__dict__.get("n_features_in_"))
        if currstate is not None:
            currstate = check_positive_int(currstate, "currstate", minimum=0,
                                           maximum=self.n_components - 1)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        draw = self._row_sampler(model.emission, params.emission)
        if draw is None:
            if currstate is not None:
                params = params.replace(startprob=np.eye(self.n_components)[currstate])
            return model.sample(params, n_samples, rng)
        transitions = np.cumsum(params.transmat, axis=1)
        state = (np.cumsum(params.startprob) > rng.rand()).argmax() if currstate is None \
            else currstate
        states, rows = [state], [draw(state, rng)]
        for _ in range(n_samples - 1):
            state = (transitions[state] > rng.rand()).argmax()
            states.append(state)
            rows.append(draw(state, rng))
        return np.atleast_2d(rows), np.array(states, dtype=int)

    def _row_sampler(self, emission, params):
        """``draw(state, rng) -> row`` as hmmlearn draws one row, or None (the model's own
        vectorised sampler)."""
        return None

    def aic(self, X, lengths=None):
        """Akaike information criterion ``-2 log L + 2 n_parameters`` (lower is better).

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`.

        Returns
        -------
        float
        """
        X, lengths = as_sequences(X, lengths)
        return self._aic(X, lengths=lengths)

    def bic(self, X, lengths=None):
        """Bayesian information criterion ``-2 log L + n_parameters log n_samples``.

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`.

        Returns
        -------
        float
            Lower is better.
        """
        X, lengths = as_sequences(X, lengths)
        return self._bic(X, lengths=lengths)

    def icl(self, X, lengths=None):
        """Integrated completed likelihood: BIC plus twice the entropy of the state paths'
        posterior (lower is better).

        Parameters
        ----------
        X, lengths
            As for :meth:`fit`.

        Returns
        -------
        float
            ``bic(X, lengths) + 2 H``, with H the entropy (nats) of the posterior of the
            state paths, summed over the sequences. Lower is better.
        """
        X, lengths = as_sequences(X, lengths)
        return self._icl(X, lengths=lengths)


def _leaf_paths(component):
    """The dotted parameter paths a component declares."""
    return list(flat_constraints(component.constraints()))
