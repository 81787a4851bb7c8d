"""``emkit.GMMHMM``: hmmlearn's GMMHMM (a Gaussian mixture per state) on the engine."""
from __future__ import annotations

import numpy as np

from ..components.gaussian import STRUCTURES
from ..components.gaussian.hmmlearn_gmm import HmmlearnGMMEmission, StateTied
from ..engine.validation import check_array, check_positive_int, check_probabilities
from ._hmm_base import HMMEstimator, hmmlearn_tail
from ._signature import keyword, positional
from .gaussian_hmm import kmeans_means, tied_start_covariance

__all__ = ["GMMHMM"]

_COVARIANCE_TYPES = ("diag", "full", "spherical", "tied")


class GMMHMM(HMMEstimator):
    """Hidden Markov model whose states emit Gaussian mixtures; hmmlearn's names.

    Parameters
    ----------
    n_components : int, default=1
        Number of states K.
    n_mix : int, default=1
        Gaussian components per state M.
    min_covar : float, default=1e-3
        Added to the diagonal of the starting covariances ``cov(X)``.
    startprob_prior, transmat_prior : float, array-like or Dirichlet, default=1.0
        As for :class:`~emkit.GaussianHMM`.
    weights_prior : float or array-like of shape (n_components, n_mix), default=1.0
        Dirichlet concentrations (>= 1) of every state's mixture weights.
    means_prior, means_weight : float or array-like, default=0
        hmmlearn's normal prior on the means (shapes (K, M, D) and (K, M)).
    covars_prior, covars_weight : float, array-like or None, default=None
        hmmlearn's prior on the covariances (inverse-Wishart Psi and nu for full and tied,
        inverse-gamma alpha and beta for diag and spherical); None: hmmlearn's defaults
        (:func:`~emkit.components.gaussian.hmmlearn_gmm.default_covariance_prior`).
    covariance_type : {"diag", "full", "spherical", "tied"}, default="diag"
        "tied": one covariance per state, shared by its M components (hmmlearn's).
    algorithm, random_state, n_iter, tol, verbose, implementation
        As for :class:`~emkit.GaussianHMM`.
    reg_covar : float, default=0
        emkit's: added to the diagonal of every covariance after every M-step.
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
        Shape (K, M), (K, M, D), (K, M, D, D) or (K, D, D) for "spherical", "diag", "full",
        "tied", as hmmlearn.
    history_, monitor_, converged_, n_iter_, n_evaluations_
        As for :class:`~emkit.GaussianHMM`.

    Notes
    -----
    hmmlearn's M-step is kept: the covariances use the scatter about the means of the E-step
    (:mod:`emkit.components.gaussian.hmmlearn_gmm`), an ECM step whose objective never falls
    with ``means_weight=0``.

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import GMMHMM
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(np.repeat([0.0, 5.0, 0.0, 5.0], 100), 1.0)[:, None]
    >>> hmm = GMMHMM(2, n_mix=2, n_iter=100, tol=1e-2, random_state=0).fit(X)
    >>> hmm.weights_.shape, hmm.means_.shape
    ((2, 2), (2, 2, 1))
    """

    _codes = {"s": "startprob", "t": "transmat", "m": "means", "c": "covariances",
              "w": "weights"}
    _attributes = {"s": "startprob_", "t": "transmat_", "m": "means_", "c": "covars_",
                   "w": "weights_"}

    _positional = (positional("n_mix", 1), positional("min_covar", 1e-3),
                   positional("startprob_prior", 1.0), positional("transmat_prior", 1.0),
                   positional("weights_prior", 1.0), positional("means_prior", 0.0),
                   positional("means_weight", 0.0), positional("covars_prior", None),
                   positional("covars_weight", None), positional("algorithm", "viterbi"),
                   positional("covariance_type", "diag"),
                   *(p for p in hmmlearn_tail(_codes) if p.name != "algorithm"))
    _keyword = (keyword("reg_covar", 0.0), keyword("on_collapse", "raise"))

    def _n_features_of(self, data, params):
        if data is not None:
            return data.n_features
        if params is not None:
            return int(np.shape(params.components.means)[-1])
        if "n_features_in_" in self.__dict__:
            return self.n_features_in_
        if "means_" in self.__dict__:
            return int(np.shape(self.means_)[-1])
        return 1

    def _emission(self, data=None, params=None):
        if self.covariance_type not in _COVARIANCE_TYPES:
            raise ValueError(f"covariance_type must be one of {_COVARIANCE_TYPES} for GMMHMM; "
                             f"got {self.covariance_type!r}.")
        return HmmlearnGMMEmission(
            self.covariance_type, check_positive_int(self.n_components, "n_components"),
            check_positive_int(self.n_mix, "n_mix"), self._n_features_of(data, params),
            weights_prior=self.weights_prior, means_prior=self.means_prior,
            means_weight=self.means_weight, covars_prior=self.covars_prior,
            covars_weight=self.covars_weight, reg_covar=self.reg_covar,
            on_collapse=self.on_collapse)

    def _initial_emission(self, X, codes, stream, emission=None):
        """hmmlearn's start: k-means on all rows into K clusters, then k-means into M within
        each (a cluster with fewer than M rows draws its means around the centre of the K
        centres); uniform weights; ``cov(X) + min_covar`` for every covariance."""
        k, m = self.n_components, self.n_mix
        covariance = tied_start_covariance(X, self.min_covar)
        labels, centres = _kmeans_labels(X, k, stream())
        means = []
        for state in range(k):
            rows = X[labels == state]
            if rows.shape[0] >= m:
                means.append(kmeans_means(rows, m, stream()))
            else:
                means.append(stream().multivariate_normal(centres.mean(axis=0), covariance,
                                                          size=m))
        values = {}
        if "w" in codes:
            values["weights_"] = np.full((k, m), 1.0 / m)
        if "m" in codes:
            values["means_"] = np.stack(means)
        if "c" in codes:
            d = X.shape[1]
            values["covars_"] = {
                "tied": np.broadcast_to(covariance, (k, d, d)),
                "full": np.broadcast_to(covariance, (k, m, d, d)),
                "diag": np.broadcast_to(np.diag(covariance), (k, m, d)),
                "spherical": np.full((k, m), covariance.mean()),
            }[self.covariance_type].copy()
        return values

    @property
    def _per_mixture(self):
        return (f"Pass one entry per state and mixture component (n_components="
                f"{self.n_components}, n_mix={self.n_mix}).")

    def _emission_from_attributes(self, codes, n_features=None, attributes=None):
        k, m, given = self.n_components, self.n_mix, {}
        attributes = self.__dict__ if attributes is None else attributes
        if "w" in codes and "weights_" in attributes:
            given["weights"] = check_probabilities(attributes["weights_"], "weights_", (k, m))
        if "m" in codes and "means_" in attributes:
            means = attributes["means_"]
            d = n_features if n_features is not None else np.shape(means)[-1]
            given["components.means"] = check_array(
                means, "means_", (k, m, d), remedy=self._per_mixture).reshape(k * m, d)
            n_features = d
        if "c" in codes and "covars_" in attributes:
            covars = attributes["covars_"]
            d = n_features if n_features is not None else np.shape(covars)[-1]
            if self.covariance_type == "tied":
                given["components.covariances"] = check_array(
                    covars, "covars_", StateTied(m).shape(k * m, d), StateTied(m).constraint(),
                    remedy="Pass one covariance matrix per state (n_components, n_features, "
                    "n_features).")
                return given
            structure = STRUCTURES[self.covariance_type]
            flat_shape = structure.shape(k * m, d)
            given["components.covariances"] = check_array(
                covars, "covars_", (k, m) + flat_shape[1:], structure.constraint(),
                remedy=self._per_mixture).reshape(flat_shape)
        return given

    def _row_sampler(self, emission, params):
        m, weights = self.n_mix, params.weights
        means = params.components.means
        covariances = emission.component.full_covariances(params.components)

        def draw(state, rng):
            inner = state * m + rng.choice(m, p=weights[state])
            return rng.multivariate_normal(means[inner], covariances[inner])

        return draw

    def _publish_emission(self, emission, params):
        k, m = params.weights.shape
        self.weights_ = np.array(params.weights)
        self.means_ = np.array(params.components.means).reshape(k, m, -1)
        covariances = np.array(params.components.covariances)
        self.covars_ = covariances if self.covariance_type == "tied" else \
            covariances.reshape((k, m) + covariances.shape[1:])


def _kmeans_labels(X, n_clusters, rng):
    """k-means (10 starts) labels of the rows and its centres, as hmmlearn's first split."""
    from sklearn.cluster import KMeans

    kmeans = KMeans(n_clusters=n_clusters, random_state=rng, n_init=10)
    return kmeans.fit_predict(X), kmeans.cluster_centers_
