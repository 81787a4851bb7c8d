"""``emkit.GMMHMM``: hmmlearn's GMMHMM (a Gaussian mixture per state) on the engine."""
from __future__ import annotations

import numpy as np

from ..components.gaussian import STRUCTURES, Gaussian
from ..components.mixture_emission import MixtureEmission
from ..engine.validation import check_array, check_positive_int, check_probabilities
from ._hmm_base import HMMEstimator
from ._signature import keyword, positional

__all__ = ["GMMHMM"]

_COVARIANCE_TYPES = ("diag", "full", "spherical")


class GMMHMM(HMMEstimator):
    """Hidden Markov model whose states emit Gaussian mixtures; hmmlearn's names.

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    n_mix : int, default=1
        Gaussian components per state M.
    covariance_type : {"diag", "full", "spherical"}, default="diag"
        hmmlearn's "tied" (one covariance per state, shared by its M components) is not
        available: emkit's tied Gaussian shares one covariance across all K * M components.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in every M-step.
    startprob_prior, transmat_prior, algorithm, random_state, n_iter, tol, verbose
        As for :class:`~emkit.GaussianHMM`.
    params, init_params : str, default="stmcw"
        s startprob, t transmat, m means, c covariances, w mixture weights.
    n_init, fixed, on_collapse, accelerate, n_jobs, chunk_size, backend
        As for :class:`~emkit.GaussianHMM`.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    weights_ : ndarray of shape (n_components, n_mix)
    means_ : ndarray of shape (n_components, n_mix, n_features)
    covars_ : ndarray
        Shape (K, M), (K, M, D) or (K, M, D, D) for "spherical", "diag", "full", as hmmlearn.
    history_, monitor_, converged_, n_iter_, n_evaluations_
        As for :class:`~emkit.GaussianHMM`.

    Notes
    -----
    hmmlearn 0.3's GMMHMM centres its covariance statistics on the means of the previous
    iteration, so its covariance update is not the exact M-step; emkit's is (it uses the
    updated means). From the same start both give the same weights and means after one
    iteration, and different covariances.
    """

    _codes = {"s": "startprob", "t": "transmat", "m": "means", "c": "covariances",
              "w": "weights"}

    _positional = (positional("n_mix", 1), positional("covariance_type", "diag"))
    _keyword = (keyword("reg_covar", 1e-6), keyword("on_collapse", "raise"))

    def _emission(self, data=None, params=None):
        if self.covariance_type not in _COVARIANCE_TYPES:
            raise ValueError(f"covariance_type must be one of {_COVARIANCE_TYPES} for GMMHMM; "
                             f"got {self.covariance_type!r}.")
        gaussian = Gaussian(self.covariance_type, self.reg_covar, self.on_collapse)
        return MixtureEmission(gaussian, check_positive_int(self.n_mix, "n_mix"))

    @property
    def _per_mixture(self):
        return (f"Pass one entry per state and mixture component (n_components="
                f"{self.n_components}, n_mix={self.n_mix}).")

    def _emission_from_attributes(self, codes, n_features=None):
        k, m, given = self.n_components, self.n_mix, {}
        if "w" in codes and "weights_" in self.__dict__:
            given["weights"] = check_probabilities(self.weights_, "weights_", (k, m))
        if "m" in codes and "means_" in self.__dict__:
            d = n_features if n_features is not None else np.shape(self.means_)[-1]
            given["components.means"] = check_array(
                self.means_, "means_", (k, m, d), remedy=self._per_mixture).reshape(k * m, d)
            n_features = d
        if "c" in codes and "covars_" in self.__dict__:
            d = n_features if n_features is not None else np.shape(self.covars_)[-1]
            structure = STRUCTURES[self.covariance_type]
            flat_shape = structure.shape(k * m, d)
            given["components.covariances"] = check_array(
                self.covars_, "covars_", (k, m) + flat_shape[1:], structure.constraint(),
                remedy=self._per_mixture).reshape(flat_shape)
        return given

    def _publish_emission(self, emission, params):
        k, m = params.weights.shape
        self.weights_ = np.array(params.weights)
        self.means_ = np.array(params.components.means).reshape(k, m, -1)
        covariances = np.array(params.components.covariances)
        self.covars_ = covariances.reshape((k, m) + covariances.shape[1:])
