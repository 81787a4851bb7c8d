"""The scikit-learn facade shared by every mixture estimator (fit, predict, score, sample...).

A concrete estimator says which :class:`~emkit.models.mixture.Mixture` to build, how to start
it, and which fitted attributes to publish; everything else (validation, restarts, warm
starts, chunked prediction, BIC/AIC) lives here once.
"""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..backends.numpy_backend import NumpyBackend
from ..engine import em
from ..engine.validation import check_positive_int, check_tol
from ._data import check_data, checked, fit_data, predict_data
from ._inputs import record_features

__all__ = ["MixtureEstimator"]


class MixtureEstimator(DensityMixin, BaseEstimator):
    """Abstract base of the mixture estimators; see :class:`~emkit.GaussianMixture`."""

    # -- what a concrete estimator provides ---------------------------------------------------
    @abstractmethod
    def _build_model(self, X):
        """Return the Mixture to fit to X (hyper-parameters validated).

        X is None when a saved model is rebuilt (see :mod:`emkit.persist`).
        """

    @abstractmethod
    def _initializer(self, model, X):
        """Return the ``init`` argument of :func:`emkit.engine.em.fit` (None, Tree, callable)."""

    @abstractmethod
    def _publish(self, model, params):
        """Set the family-specific fitted attributes from the fitted parameters."""

    # -- fitting ------------------------------------------------------------------------------
    def _backend(self):
        return NumpyBackend(chunk_size=self.chunk_size, n_jobs=self.n_jobs)

    def _check_common(self, n_samples):
        check_positive_int(self.n_components, "n_components")
        if self.n_components > n_samples:
            raise ValueError(
                f"n_components={self.n_components} must be <= n_samples (got n_components = "
                f"{self.n_components}, n_samples = {n_samples}). Reduce n_components or "
                "pass more samples."
            )
        check_tol(self.tol)
        check_positive_int(self.max_iter, "max_iter")
        check_positive_int(self.n_init, "n_init")
        check_positive_int(self.verbose_interval, "verbose_interval")

    def _fit(self, X, sample_weight=None, labels=None):
        data = fit_data(X, self._backend(), sample_weight=sample_weight, labels=labels)
        self._check_common(data.n_samples)
        source = em.prepare(data.backend, data.source)
        head = source.head()  # all of X in memory; a sample of a file or Dask collection
        model = self._build_model(head.X)
        if not data.in_memory:  # in memory, em.fit checks all of X; here it sees a sample
            check_data(replace(data, source=source), model.validate)
        warm = self.warm_start and hasattr(self, "result_")
        if warm:
            self._check_warm_start(data.n_features)
        result = em.fit(
            model, source,
            init=self.result_.params if warm else self._initializer(model, head.X),
            n_init=1 if warm else self.n_init, random_state=self.random_state,
            backend=data.backend, tol=self.tol, max_iter=self.max_iter,
            fixed=self.fixed or (), verbose=self.verbose,
            verbose_interval=self.verbose_interval, progress=getattr(self, "progress", None),
        )
        record_features(self, head.X, data.feature_names)
        self._set_fit(model, result)
        return self

    def _check_warm_start(self, n_features):
        fitted = (self.n_features_in_, len(self.result_.params.weights))
        if fitted != (n_features, self.n_components):
            raise ValueError(
                f"warm_start=True continues the previous fit (n_features={fitted[0]}, "
                f"n_components={fitted[1]}), but X has {n_features} features and n_components="
                f"{self.n_components}. Set warm_start=False to start afresh."
            )

    def _set_fit(self, model, result):
        """Set every fitted attribute from a FitResult (after fit, or when loading)."""
        self.model_, self.result_, self.history_ = model, result, result.history
        self.converged_, self.n_iter_ = result.converged, result.n_iter
        self.lower_bound_ = result.lower_bound
        self.lower_bounds_ = list(result.history.column("evidence") / result.n_samples)
        self._publish(model, result.params)

    def _rebuild_model(self):
        """The model of these hyper-parameters, for a saved fit (see :mod:`emkit.persist`)."""
        return self._build_model(None)

    def fit(self, X, y=None, *, sample_weight=None, labels=None):
        """Estimate the parameters by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask array or DataFrame, or source
            In memory, or outside it: a Dask collection (fitted on the default
            ``distributed`` client, or Dask's local scheduler), or a file opened with
            :func:`emkit.sources.open_source` (streamed block by block).
        y : ignored
            Accepted for scikit-learn compatibility; known components go in ``labels``.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative row weights; an integer weight counts as that many copies of the row.
        labels : array-like of int of shape (n_samples,), optional
            The known component of some rows (semi-supervised fit), -1 for the others.

        Returns
        -------
        self
        """
        return self._fit(X, sample_weight=sample_weight, labels=labels)

    def fit_predict(self, X, y=None, *, sample_weight=None, labels=None):
        """Fit, then return the most probable component of each row, shape (n_samples,)."""
        return self.fit(X, sample_weight=sample_weight, labels=labels).predict(X)

    # -- using the fit ----------------------------------------------------------------------
    def _rows(self, method_name, X):
        """Apply the model's row-wise method (by name) to X in chunks."""
        check_is_fitted(self, "result_")
        data = predict_data(self, X, self._backend())
        method = checked(data, self.model_.validate, getattr(self.model_, method_name))
        return data.backend.map_rows(method, self.result_.params, data.source)

    def predict_proba(self, X):
        """Posterior probability of each component, shape (n_samples, n_components)."""
        return self._rows("posterior", X)

    def predict(self, X):
        """Most probable component of each row, shape (n_samples,)."""
        return self.predict_proba(X).argmax(axis=1)

    def score_samples(self, X):
        """Log density ``log p(x_i)`` of each row, shape (n_samples,)."""
        return self._rows("row_log_likelihood", X)

    def score(self, X, y=None):
        """Mean log density of the rows of X (a float)."""
        return float(self.score_samples(X).mean())

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        labels : ndarray of shape (n_samples,)
            The component each sample came from (samples are grouped by component).
        """
        check_is_fitted(self, "result_")
        check_positive_int(n_samples, "n_samples")
        rng = check_random_state(self.random_state)
        return self.model_.sample(self.result_.params, n_samples, rng)

    def _n_parameters(self):
        return self.model_.n_parameters(self.result_.params)

    def bic(self, X):
        """Bayesian information criterion on X (lower is better)."""
        log_density = self.score_samples(X)
        n = log_density.shape[0]
        return -2 * float(log_density.mean()) * n + self._n_parameters() * np.log(n)

    def aic(self, X):
        """Akaike information criterion on X (lower is better)."""
        log_density = self.score_samples(X)
        return -2 * float(log_density.mean()) * log_density.shape[0] + \
            2 * self._n_parameters()
