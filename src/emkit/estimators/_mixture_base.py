"""The base of the mixture estimators: scikit-learn's mixture API on an emkit Mixture.

A concrete estimator says which :class:`~emkit.models.mixture.Mixture` to build, how to start
it, and how its fitted attributes hold the parameters; the rest (data routing, restarts, warm
starts, passes over the data, BIC/AIC, model files) is in the bases.
"""
from __future__ import annotations

from ._base import check_n_components
from ._density import DensityEstimator

__all__ = ["MixtureEstimator"]


class MixtureEstimator(DensityEstimator):
    """Abstract base of the mixture estimators; see :class:`~emkit.GaussianMixture`."""

    def _check_hyper_parameters(self, n_samples):
        check_n_components(self.n_components, n_samples)
        super()._check_hyper_parameters(n_samples)

    def _start(self, model, data):
        if self._continues() and "model_" in self.__dict__ and \
                len(self.weights_) != self.n_components:
            raise ValueError(
                f"warm_start=True continues the previous fit (n_components="
                f"{len(self.weights_)}), but n_components={self.n_components}. Set "
                "warm_start=False to start afresh.")
        return super()._start(model, data)

    @property
    def params_(self):
        """Every fitted parameter as a Tree: ``weights`` and ``components``."""
        return self._fitted_params()
