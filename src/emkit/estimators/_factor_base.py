"""The base of the factor-model estimators (FactorAnalysis, PPCA): scikit-learn's
decomposition API on :class:`emkit.models.FactorAnalysis`.

A factor model's latent variables are continuous: there is nothing to ``predict``; the
posterior means of the factors are its ``transform``. The rest (data routing, passes over
the data, the anatomy, model files) is the one estimator base.
"""
from __future__ import annotations

from abc import abstractmethod

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ..components.factor_analyzer._kernels import analyser_factor
from ..engine import constraints
from ..engine.stopping import ObjectiveChange
from ..engine.tree import Tree
from ..engine.validation import check_array, check_positive_int, check_tol
from ..models.factor_analysis import FactorAnalysis as FactorModel
from ._base import LatentEstimator, documents_checkpoints
from ._density import row_log_likelihood
from ._rotation import rotate

__all__ = ["FactorEstimator"]


def factor_means(model, params, block):
    """``E[z_i | x_i]`` of a block's rows, shape (n_rows, n_factors) (a pass's task)."""
    return model.posterior(params, block).mean


class FactorEstimator(ClassNamePrefixFeaturesOutMixin, TransformerMixin, LatentEstimator):
    """Abstract: fit, transform and score a factor model (see :class:`emkit.FactorAnalysis`).

    Concrete classes store ``n_components``, ``tol``, ``max_iter``, ``svd_method``,
    ``iterated_power``, ``random_state``, ``n_jobs``, ``chunk_size`` and ``backend``.
    """

    @abstractmethod
    def _model_arguments(self) -> dict:
        """Arguments of :class:`emkit.models.FactorAnalysis` besides ``n_factors``."""

    @abstractmethod
    def _noise_attribute(self, noise):
        """``noise_variance_`` as published, from the model's ``noise_variance``."""

    # -- the model ------------------------------------------------------------------------------
    def _n_features(self, data, params):
        if data is not None:
            return data.n_features
        if params is not None:
            return np.shape(params.loadings)[0]
        if "components_" in self.__dict__:
            return np.shape(self.components_)[1]
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN are missing values, modelled exactly
        return tags

    def _build_model(self, data=None, params=None):
        n_features = self._n_features(data, params)
        n_factors = self.n_components
        if n_factors is None:
            if n_features is None:
                raise self._not_fitted()
            n_factors = n_features
        check_positive_int(n_factors, "n_components")
        if n_features is not None and n_factors > n_features:
            raise ValueError(
                f"n_components={n_factors} must be <= n_features = {n_features}: a factor model "
                "has at most as many factors as X has columns. Pass n_components <= "
                f"{n_features} (or None for {n_features}).")
        return FactorModel(n_factors, svd_method=self.svd_method,
                           iterated_power=self.iterated_power, **self._model_arguments())

    def _check_hyper_parameters(self, n_samples):
        check_tol(self.tol)
        check_positive_int(self.max_iter, "max_iter")
        if self.n_components is not None:
            check_positive_int(self.n_components, "n_components")

    def _continues(self):
        return False

    def _initializer(self, model, data):
        return None

    def _engine_options(self, data):
        # scikit-learn's tol bounds the rise of the total log-likelihood, not the per-sample one
        return dict(max_iter=self.max_iter, random_state=self.random_state,
                    stopping=ObjectiveChange(self.tol / data.n_samples))

    def _record_fit(self, result):
        self.loglike_ = list(result.history.column("evidence"))

    # -- fitted attributes ------------------------------------------------------------------------
    def _publish(self, model, params):
        self.mean_ = np.array(params.mean)
        self.components_ = np.array(params.loadings).T
        self.noise_variance_ = self._noise_attribute(params.noise_variance)

    def _params_from_attributes(self, model, n_features=None):
        if "components_" not in self.__dict__:
            raise self._not_fitted()
        n_factors, n_columns = np.shape(self.components_)
        if n_features is not None and n_features != n_columns:
            raise ValueError(f"X has {n_features} features, but {type(self).__name__} is "
                             f"expecting {n_columns} features as input.")
        noise_shape = () if model.analyzer.isotropic else (n_columns,)
        return Tree(
            mean=check_array(self.mean_, "mean_", (n_columns,), constraints.real),
            loadings=check_array(self.components_, "components_", (n_factors, n_columns),
                                 constraints.real).T,
            noise_variance=check_array(self.noise_variance_, "noise_variance_", noise_shape,
                                       constraints.positive))

    @property
    def _n_features_out(self):
        return np.shape(self.components_)[0]

    # -- fitting and using the fit ----------------------------------------------------------------
    @documents_checkpoints("", needs="")
    def fit(self, X, y=None, *, checkpoint=None, checkpoint_every=1, resume=None):
        """Fit the factor model to X by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask array or source
        y : ignored
        {checkpoint parameters}

        Returns
        -------
        self
        """
        self._fit(X, checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume)
        rotation = getattr(self, "rotation", None)
        if rotation is not None:
            self.components_ = rotate(self.components_.T, rotation).T
        return self

    def transform(self, X):
        """Posterior means of the factors, ``E[z_i | x_i]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask array or source

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        return self._map_rows(X, factor_means)

    def score_samples(self, X):
        """Log-likelihood of each row, ``log N(x_i | mean_, get_covariance())``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask array or source

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._map_rows(X, row_log_likelihood)

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of X (a float).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask array or source
        y : ignored

        Returns
        -------
        float
            ``sum_i log N(x_i | mean_, get_covariance()) / n_samples``.
        """
        total, n_samples = self._total_log_likelihood(X)
        return total / n_samples

    def _noise_vector(self):
        model, params = self._current(self.__dict__.get("n_features_in_"))
        return params, model.analyzer.noise_matrix(model.batched(params))[0]

    def get_covariance(self):
        """The model's covariance of the data, ``components_' components_ + diag(noise)``.

        Returns
        -------
        ndarray of shape (n_features, n_features)
        """
        params, noise = self._noise_vector()
        return params.loadings @ params.loadings.T + np.diag(noise)

    def get_precision(self):
        """The inverse of :meth:`get_covariance`, by the Woodbury identity.

        Returns
        -------
        ndarray of shape (n_features, n_features)
        """
        params, noise = self._noise_vector()
        factor = analyser_factor(params.loadings, noise)
        return np.diag(1.0 / noise) - factor.scaled @ factor.covariance @ factor.scaled.T
