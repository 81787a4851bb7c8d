"""The one estimator base: what every emkit estimator shares, written once.

An estimator is a LatentModel built from hyper-parameters, fitted by the engine. This base
routes the data (arrays, Dask collections, files) to a source and a backend, checks the shared
hyper-parameters, fits through :func:`emkit.engine.fit`, runs passes over the data for the
prediction methods (every block checked by the model, where it is read), counts parameters for
BIC and AIC, and offers the persistence protocol model files use.

The fitted attributes are the single source of truth, as in scikit-learn: every method reads
the parameters from them (:meth:`LatentEstimator._params_from_attributes`), so that setting
``means_`` changes ``score``. A concrete estimator says how to build its model, how to start
it, and how its attributes map to the model's parameter Tree.
"""
from __future__ import annotations

import functools
import textwrap
from abc import abstractmethod
from dataclasses import dataclass, replace

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from ..engine import em
from ..engine.checking import block_check, checked_pass
from ..engine.contracts import Backend
from ..engine.tree import Tree
from ..engine.validation import check_params, check_positive_int, check_tol
from ._data import fit_data, predict_data
from ._inputs import record_features
from .criteria import aic, bic, classification_entropy, icl

__all__ = ["FittedState", "LatentEstimator", "check_n_components", "check_run"]


#: Where a ``fit`` docstring lists ``checkpoint``, ``checkpoint_every`` and ``resume``
#: (:func:`documents_checkpoints` writes them in).
CHECKPOINT_PARAMETERS = "        {checkpoint parameters}\n"

#: What a resumed fit of an estimator with ``warm_start`` starts from.
RESUMES_FROM_CHECKPOINT = ("The checkpoint's parameters are the start, also with "
                           "``warm_start=True``.")


def documents_checkpoints(start, needs=" Needs ``n_init=1`` and ``accelerate=None``."):
    """Decorator writing the ``checkpoint``, ``checkpoint_every`` and ``resume`` parameters
    into a ``fit`` docstring, at its :data:`CHECKPOINT_PARAMETERS` line.

    Parameters
    ----------
    start : str
        What a resumed fit starts from, beyond the checkpoint's parameters (a sentence).
    needs : str, optional
        What a checkpointed fit requires of the settings (a sentence).

    Returns
    -------
    callable
        The decorator; it returns the method with its docstring filled in.
    """
    def described(name, description):
        return f"        {name}\n" + textwrap.fill(description, 92, initial_indent=" " * 12,
                                                  subsequent_indent=" " * 12) + "\n"

    text = (described("checkpoint : str or os.PathLike, optional",
                      "Write the state of the fit to this file every ``checkpoint_every`` "
                      "iterations and when it ends, atomically (a temporary file, then a "
                      f"rename).{needs}")
            + described("checkpoint_every : int, default=1", "Iterations between checkpoints.")
            + described("resume : str or os.PathLike, optional",
                        "Continue the fit saved in this checkpoint by an estimator of the same "
                        "settings on the same data (it may be the ``checkpoint`` file itself): "
                        "the parameters and the anatomy (all but ``seconds``) equal, bit for "
                        f"bit, those of a fit never interrupted.{' ' + start if start else ''}"))

    def decorate(method):
        if CHECKPOINT_PARAMETERS not in (method.__doc__ or ""):
            raise ValueError(f"{method.__qualname__}'s docstring has no checkpoint line")
        method.__doc__ = method.__doc__.replace(CHECKPOINT_PARAMETERS, text)
        return method

    return decorate


def check_n_components(n_components, n_samples):
    """Validate ``n_components`` against the rows to fit."""
    check_positive_int(n_components, "n_components")
    if n_samples == 0:
        raise ValueError("X has no rows (a file with a header alone, or an empty array); "
                         f"fitting {n_components} components needs at least {n_components} "
                         "rows. Pass data with rows.")
    if n_components > n_samples:
        raise ValueError(
            f"n_components={n_components} must be <= n_samples (got n_components = "
            f"{n_components}, n_samples = {n_samples}). Reduce n_components or pass more "
            "samples.")


def check_run(tol, max_iter, n_init, max_iter_name="max_iter", min_iter=1):
    """Validate the arguments of the EM runs (``max_iter`` is hmmlearn's ``n_iter``;
    ``min_iter=0`` allows scikit-learn's ``max_iter=0``, which only initialises)."""
    check_tol(tol)
    check_positive_int(max_iter, max_iter_name, minimum=min_iter)
    check_positive_int(n_init, "n_init")


@dataclass(frozen=True)
class FittedState:
    """Everything a fitted estimator holds beyond its hyper-parameters (for model files).

    Attributes
    ----------
    params : Tree
        The model's parameters (from the fitted attributes).
    fit : FitResult or None
        The record of the fit (anatomy, iterations, convergence, objective), without
        parameters; None for parameters set by hand.
    n_features_in : int or None
    feature_names_in : list of str or None
    """

    params: Tree
    fit: object = None
    n_features_in: int | None = None
    feature_names_in: list | None = None


class LatentEstimator(BaseEstimator):
    """Abstract base of every emkit estimator (see the module docstring)."""

    #: Whether the rows form sequences (HMMs): ``lengths`` are then part of the data.
    _sequences = False

    # -- what a concrete estimator provides ---------------------------------------------------
    @abstractmethod
    def _build_model(self, data=None, params=None):
        """The LatentModel of these hyper-parameters (validated).

        ``data`` is the training data (an ``EstimatorData``, its source placed) during
        ``fit``, for sizes inferred from it; ``params`` are fitted parameters the model must
        take (when a fitted state is restored), for sizes read from them. Both may be None.
        """

    @abstractmethod
    def _initializer(self, model, data):
        """``init`` for :func:`emkit.engine.fit`: None, a Tree, responsibilities or a
        callable ``init(block, rng)``."""

    @abstractmethod
    def _engine_options(self, data) -> dict:
        """Keyword arguments of :func:`emkit.engine.fit` taken from the hyper-parameters:
        ``tol``, ``max_iter``, ``n_init``, ``fixed``, ``verbose``..."""

    @abstractmethod
    def _params_from_attributes(self, model, n_features=None) -> Tree:
        """The model's parameters, read and validated from the fitted attributes.

        Raises NotFittedError when they are not set. ``n_features`` is X's column count
        (None: from the attributes).
        """

    @abstractmethod
    def _publish(self, model, params) -> None:
        """Set the fitted attributes that hold ``params``."""

    @abstractmethod
    def _check_hyper_parameters(self, n_samples) -> None:
        """Raise ValueError for a bad hyper-parameter (``n_samples``: rows to fit)."""

    @abstractmethod
    def _record_fit(self, result) -> None:
        """Set attributes describing the fit beyond ``history_``, ``n_iter_``, ``converged_``."""

    @abstractmethod
    def _continues(self) -> bool:
        """Whether ``fit`` continues from the fitted parameters (scikit-learn's
        ``warm_start``)."""

    # -- fitting ------------------------------------------------------------------------------
    def _fixed_names(self):
        """The parameter names held fixed (``fit``'s ``fixed``), from the hyper-parameters."""
        return self.fixed or ()

    def _default_backend(self):
        from ..backends.numpy_backend import NumpyBackend

        return NumpyBackend(chunk_size=self.chunk_size, n_jobs=self.n_jobs)

    def _chosen_backend(self):
        """The ``backend`` hyper-parameter, checked; None lets the data choose."""
        backend = self.backend
        if backend is not None and not isinstance(backend, Backend):
            raise ValueError(f"backend must be an emkit Backend (NumpyBackend, DaskBackend) or "
                             f"None; got {backend!r}.")
        return backend

    def _fit(self, X, *, checkpoint=None, checkpoint_every=1, resume=None, **inputs):
        """Fit to X (arrays, a Dask collection or a source) with ``inputs`` such as
        ``sample_weight``, ``labels``, ``lengths`` and the model's own row-aligned fields.

        ``checkpoint``, ``checkpoint_every`` and ``resume`` are :func:`emkit.engine.fit`'s:
        every estimator's ``fit`` passes them here. A resumed fit starts from the checkpoint,
        whatever ``warm_start`` says (the previous fit's parameters are not used); the
        engine refuses restarts (``n_init > 1``) and SQUAREM, whose state no checkpoint
        holds, and a checkpoint written by another model or on other data.
        """
        data = fit_data(X, self._default_backend(), self._chosen_backend(),
                        sequences=self._sequences, **inputs)
        self._check_hyper_parameters(data.n_samples)
        data = replace(data, source=data.backend.prepare(data.source))  # Dask: persisted
        model = self._build_model(data)
        before = dict(self.__dict__)
        try:  # all or nothing: a failure or an interrupt (Ctrl-C) leaves no half a fit
            init = self._start(model, data) if resume is None else self._resumed_start(model)
            result = em.fit(model, data.source, init=init, backend=data.backend,
                            checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                            resume=resume, **self._engine_options(data))
            record_features(self, data.n_features, data.feature_names)
            self._set_fit(model, result)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self

    def _resumed_start(self, model):
        """What a fit resumed from a checkpoint needs before it starts (it starts from the
        checkpoint's parameters: no initialisation pass over the data).

        Parameters
        ----------
        model : LatentModel
            The model about to be fitted.

        Returns
        -------
        None
            The engine takes the start from the checkpoint.
        """
        return None

    def _start(self, model, data):
        """Where the fit starts: the current fit with ``warm_start``, else the initializer."""
        if self._continues() and "model_" in self.__dict__:
            if self.n_features_in_ != data.n_features:
                raise ValueError(
                    f"warm_start=True continues the previous fit (n_features="
                    f"{self.n_features_in_}), but X has {data.n_features} features. Set "
                    "warm_start=False to start afresh.")
            return self._params_from_attributes(model, data.n_features)
        return self._initializer(model, data)

    def _set_fit(self, model, result):
        """Set the fitted attributes from a FitResult (after fit, or when loading)."""
        self.model_ = model
        self.history_, self.n_iter_, self.converged_ = result.history, result.n_iter, \
            result.converged
        self.n_evaluations_ = result.n_evaluations
        self.__dict__.pop("_online", None)  # partial_fit starts again from this fit
        self._fit_record = replace(result, params=None)
        self._record_fit(result)
        self._publish(model, result.params)

    @property
    def result_(self):
        """The :class:`~emkit.engine.em.FitResult` of the fit, with the current parameters."""
        if not hasattr(self, "_fit_record"):
            raise AttributeError(f"This {type(self).__name__} has no fit record; call 'fit'.")
        return replace(self._fit_record, params=self._fitted_params())

    # -- the fitted model ----------------------------------------------------------------------
    def _model(self):
        """The fitted model, or the model of the hyper-parameters (parameters set by hand)."""
        model = self.__dict__.get("model_")
        return model if model is not None else self._build_model(None)

    def _current(self, n_features=None):
        """``(model, params)`` of the fitted attributes."""
        model = self._model()
        return model, self._params_from_attributes(model, n_features)

    def _fitted_params(self) -> Tree:
        """Every parameter of the fitted model as a Tree, read from the fitted attributes."""
        return self._current(self.__dict__.get("n_features_in_"))[1]

    def n_parameters(self) -> int:
        """Free parameters of the fitted model (for BIC and AIC).

        Returns
        -------
        int
            Counted from the model's declared constraints.
        """
        model, params = self._current(self.__dict__.get("n_features_in_"))
        return model.n_parameters(params)

    # -- passes over data ---------------------------------------------------------------------
    def _routed(self, X, **inputs):
        """X routed for prediction, its source placed; the model and parameters to use."""
        data = predict_data(self, X, self._default_backend(), self._chosen_backend(),
                            sequences=self._sequences, **inputs)
        data = replace(data, source=data.backend.prepare(data.source))
        model, params = self._current(data.n_features)
        return data, model, params

    def _pass(self, X, fn, **inputs):
        """A pass over X: its backend, source and the parameters, and the task
        ``fn(model, params, block)`` with every block checked by the model where it is read.

        ``fn`` is a module-level function (so that Dask can ship it).
        """
        data, model, params = self._routed(X, **inputs)
        task = checked_pass(data.source, block_check(model), functools.partial(fn, model))
        return data, task, params

    def _map_blocks(self, X, fn, **inputs) -> list:
        """``[fn(model, params, block)]`` over X's blocks, in order."""
        data, task, params = self._pass(X, fn, **inputs)
        return data.backend.map_blocks(task, params, data.source)

    def _map_rows(self, X, fn, **inputs):
        """The row outputs of ``fn(model, params, block)`` over X's blocks, stacked."""
        data, task, params = self._pass(X, fn, **inputs)
        return data.backend.map_rows(task, params, data.source)

    def _map_sum(self, X, fn, **inputs):
        """The sum of ``fn(model, params, block)`` over X's blocks (one compute on Dask), and
        the number of rows."""
        data, task, params = self._pass(X, fn, **inputs)
        return float(data.backend.map_reduce(task, params, data.source)), data.n_samples

    def _total_log_likelihood(self, X, **inputs):
        """``sum_i log p(x_i)`` over X (one pass) and the number of rows."""
        return self._map_sum(X, _block_log_likelihood, **inputs)

    def impute(self, X, return_std=False, **inputs):
        """Fill the missing entries (NaN) of X with their conditional expectations under the
        fitted model, given each row's observed entries.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
            NaN marks a missing entry (missing at random).
        return_std : bool, default=False
            Also return the conditional standard deviation of every entry.
        **inputs : array-like
            What the estimator's other methods take besides X (``lengths`` for an HMM).

        Returns
        -------
        X_imputed : ndarray of shape (n_samples, n_features)
            Observed entries unchanged; each missing entry at ``E[x_ij | x_io]``. For a mixture
            (or an HMM) this is ``sum_k r_ik E[x_ij | x_io, k]``, with ``r_ik`` the posterior of
            the latent class given the observed entries (of the whole sequence).
        std : ndarray of shape (n_samples, n_features)
            Only with ``return_std``: ``sqrt(Var[x_ij | x_io])`` (0 for observed entries), the
            variance of the mixture of conditionals by the law of total variance.
        """
        rows = self._map_rows(X, _impute_rows, **inputs)
        n_features = rows.shape[1] // 2
        mean = rows[:, :n_features]
        return (mean, np.sqrt(rows[:, n_features:])) if return_std else mean

    def _bic(self, X, **inputs):
        log_likelihood, n = self._total_log_likelihood(X, **inputs)
        return bic(log_likelihood, self.n_parameters(), n)

    def _aic(self, X, **inputs):
        log_likelihood, _ = self._total_log_likelihood(X, **inputs)
        return aic(log_likelihood, self.n_parameters())

    def _icl(self, X, **inputs):
        log_likelihood, n = self._total_log_likelihood(X, **inputs)
        penalty, _ = self._map_sum(X, _block_classification_entropy, **inputs)
        return icl(log_likelihood, self.n_parameters(), n, penalty)

    # -- inference ----------------------------------------------------------------------------
    def standard_errors(self, X, method="louis", **options):
        """Standard errors of the fitted attributes, from the data they were fitted to.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data (with the same row-aligned inputs as ``fit``, e.g. ``lengths``).
        method : {"louis", "numerical", "bootstrap"}, default="louis"
            Louis' observed information, differences of the Fisher-identity score, or the
            bootstrap (see :func:`emkit.standard_errors`).
        **options
            ``n_bootstrap``, ``bootstrap`` ("nonparametric" or "parametric"),
            ``random_state``, ``sample_weight``, ``lengths``... as for
            :func:`emkit.standard_errors` and ``fit``.

        Returns
        -------
        emkit.StandardErrors
            ``{fitted attribute name ("weights_", "means_", ...): array of its shape}``, with
            ``summary()``; a ConvergenceWarning (and ``converged=False``) for a fit that had
            not converged.
        """
        from ..engine.fixed import resolve_fixed
        from ..inference.standard_errors import standard_errors

        inputs = {k: options.pop(k) for k in ("sample_weight", "lengths") if k in options}
        data, model, params = self._routed(X, **inputs)
        record = replace(self._fit_record, params=params) if "_fit_record" in self.__dict__ \
            else em.FitResult(params, None, 0, False, "not fitted", np.nan, np.nan, np.nan)
        fixed = resolve_fixed(self.__dict__.get("fixed") or (), params)
        errors = standard_errors(record, data.source, model, method=method, fixed=fixed,
                                 backend=data.backend, **options)
        return errors.renamed({path: self._attribute_of(path) for path in errors})

    def summary(self, X, method="louis", level=0.95, **options):
        """Estimates, standard errors and ``level`` confidence intervals (a DataFrame, one
        row per parameter entry); see :meth:`standard_errors`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
            The data the estimator was fitted to.
        method : {"louis", "numerical", "bootstrap"}, default="louis"
            How the standard errors are computed (see :meth:`standard_errors`).
        level : float, default=0.95
            Coverage of the normal confidence intervals, in (0, 1).
        **options
            As for :meth:`standard_errors` (``n_bootstrap``, ``random_state``,
            ``sample_weight``, ``lengths``...).

        Returns
        -------
        pandas.DataFrame
            Indexed by (``parameter``, ``index``): the fitted attribute's name and the
            entry's index within it (``"[0, 1]"``; empty for a scalar). Columns ``estimate``,
            ``std_error`` and the interval's bounds ``ci_<lower>`` and ``ci_<upper>``
            (``ci_0.025`` and ``ci_0.975`` for ``level=0.95``). ``attrs`` holds ``method``,
            ``converged`` and ``positive_definite``.
        """
        return self.standard_errors(X, method=method, **options).summary(level)

    def _attribute_of(self, path):
        """The fitted attribute that holds parameter ``path`` (its last name plus "_")."""
        name = path.rsplit(".", 1)[-1] + "_"
        return name if name in self.__dict__ else path

    # -- persistence protocol ------------------------------------------------------------------
    def get_fitted_state(self) -> FittedState:
        """The fitted state: parameters, the record of the fit, the features seen.

        With :meth:`set_fitted_state` on an estimator of the same hyper-parameters this
        rebuilds the fitted estimator; :mod:`emkit.persist` writes it to a model file.

        Returns
        -------
        FittedState
        """
        names = self.__dict__.get("feature_names_in_")
        return FittedState(self._fitted_params(), self.__dict__.get("_fit_record"),
                           self.__dict__.get("n_features_in_"),
                           None if names is None else [str(n) for n in names])

    def set_fitted_state(self, state: FittedState):
        """Make this estimator the fitted one described by ``state``.

        Parameters
        ----------
        state : FittedState
            From :meth:`get_fitted_state`; its parameters are checked against the model's
            constraints.

        Returns
        -------
        self
        """
        model = self._build_model(None, state.params)
        check_params(model.constraints(), state.params, name="fitted parameters")
        if state.n_features_in is not None:
            self.n_features_in_ = int(state.n_features_in)
        if state.feature_names_in is not None:
            self.feature_names_in_ = np.asarray(state.feature_names_in, dtype=object)
        if state.fit is not None:
            self._set_fit(model, replace(state.fit, params=state.params))
        else:
            self.model_ = model
            self._publish(model, state.params)
        return self

    def _not_fitted(self, what="") -> NotFittedError:
        return NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call "
                              f"'fit' with appropriate arguments before using this "
                              f"estimator.{what}")


def _impute_rows(model, params, block):
    """Conditional means and variances of a block's entries side by side, (n_rows, 2 D)."""
    return np.hstack(model.impute(params, block))


def _block_classification_entropy(model, params, block):
    """The ICL penalty of a block's rows (see :func:`.criteria.classification_entropy`)."""
    return classification_entropy(model.posterior(params, block), block)


def _block_log_likelihood(model, params, block):
    """``sum_i log p(x_i)`` over a block's rows (unweighted)."""
    return float(np.sum(model.row_log_likelihood(params, block)))
