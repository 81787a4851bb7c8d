"""``emkit.GaussianMixture``: a drop-in for ``sklearn.mixture.GaussianMixture``."""
from __future__ import annotations

import numpy as np

from ..components.gaussian import PARSIMONIOUS, STRUCTURES, Gaussian
from ..engine.constraints import positive, real, simplex, spd
from ..engine.tree import Tree
from ..engine.validation import check_array
from ..models.mixture import Mixture
from ._mixture_base import MixtureEstimator
from ._sklearn_seeds import SEEDED, seeded_start

__all__ = ["GaussianMixture"]

_INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")


def _invert_precisions(precisions, covariance_type):
    """Covariances from precisions, or precisions from covariances (the same inverse)."""
    if _structure(covariance_type).dense:
        return np.linalg.inv(precisions)
    return 1.0 / precisions


def _covariances_from_cholesky(factors, covariance_type):
    """Covariances from scikit-learn's ``precisions_cholesky_`` (upper factors U, P = U U')."""
    if _structure(covariance_type).dense:
        return _invert_precisions(factors @ np.swapaxes(factors, -1, -2), covariance_type)
    return 1.0 / factors ** 2


def _structure(kind):
    """The covariance structure of a ``covariance_type`` or a parsimonious model name."""
    return PARSIMONIOUS[kind] if kind in PARSIMONIOUS else STRUCTURES[kind]


class GaussianMixture(MixtureEstimator):
    """Gaussian mixture fitted by EM; accepts and sets what scikit-learn's does.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components K.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        Structure of the covariances.
    tol : float, default=1e-3
        Convergence threshold on the change of the per-sample log-likelihood.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in every M-step.
    max_iter : int, default=100
        Most EM iterations per initialisation.
    n_init : int, default=1
        Number of initialisations; the best fit is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How starting responsibilities are drawn. "kmeans" and "random" match scikit-learn for
        the same ``random_state``; "k-means++" and "random_from_data" assign every row to its
        nearest seed (scikit-learn gives the seeds alone all the responsibility).
    weights_init : array-like of shape (n_components,), default=None
    means_init : array-like of shape (n_components, n_features), default=None
    precisions_init : array-like, default=None
        Shape (K,), (D, D), (K, D) or (K, D, D) for "spherical", "tied", "diag", "full".
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
        Start the next ``fit`` from this fit's parameters (``n_init`` is then 1).
    verbose : int, default=0
        Print the evidence every ``verbose_interval`` iterations (and show progress bars).
    verbose_interval : int, default=10
    progress : bool or None, default=None
        Progress bars over the iterations and over the rows of each pass (needs ``rich``,
        the ``progress`` extra). None shows them when ``verbose`` is set.
    on_collapse : {"raise", "keep"}, default="raise"
        What to do when a component's covariance becomes singular (see :class:`Gaussian`).
    fixed : set of str, default=None
        Parameters held at their starting values: "weights", "means", "covariances".
    stopping : StoppingRule or list of them, default=None
        When a fit has converged (``emkit.engine.ObjectiveChange``, ``ParameterChange``);
        None: the change of the per-sample objective below ``tol``.
    accelerate : {None, "squarem"}, default=None
        ``"squarem"`` accelerates EM by SQUAREM (the same optimum in far fewer EM-map
        evaluations when components overlap; ``n_evaluations_`` counts them); None is plain
        EM.
    n_jobs : int, default=None
        Threads for the E-step (None: as many as the process may use without
        oversubscribing the machine; see :class:`~emkit.backends.NumpyBackend`).
    chunk_size : int, default=8192
        Rows per E-step chunk; memory is O(chunk_size x n_components).
    backend : Backend, default=None
        Where the E-step runs; None: the numpy backend, or Dask for a Dask collection.
    model : {"EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", \
"VEV", "EVV", "VVV"}, default=None
        A parsimonious covariance model by volume, shape and orientation (Celeux & Govaert
        1995; mclust's names), in place of ``covariance_type``: the covariances are then
        (K, D, D) matrices constrained as the model says (see
        :mod:`emkit.components.gaussian.parsimonious`). None: use ``covariance_type``.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        Shape depends on ``covariance_type`` as for ``precisions_init``.
    precisions_ : ndarray
        Inverses of the covariances, same shape (derived from ``covariances_``; setting it
        sets ``covariances_``).
    precisions_cholesky_ : ndarray
        Cholesky factors of the precisions (upper-triangular for full and tied), same shape
        (derived from ``covariances_``; setting it sets ``covariances_``).
    converged_ : bool
    n_iter_ : int
        EM iterations taken by the best fit (SQUAREM's extrapolations included).
    n_evaluations_ : int
        EM-map evaluations (M-steps) taken by the best fit.
    lower_bound_ : float
        Per-sample log-likelihood of the returned parameters (not of the step before).
    lower_bounds_ : list of float
        Per-sample log-likelihood before each iteration of the best fit.
    history_ : emkit.engine.monitor.History
        The anatomy table: evidence, bound after E and M, KL gap, change, seconds.
    result_ : emkit.engine.em.FitResult
        The fit's record, with the current parameters.
    params_ : emkit.Tree
        The parameters as the model's Tree (derived from the attributes above).
    model_ : emkit.models.Mixture
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (200, 2)), rng.normal(6, 1, (100, 2))])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.sort(gm.weights_).round(2)
    array([0.33, 0.67])
    >>> np.sort(gm.means_[:, 0]).round(1)
    array([-0.1,  5.9])
    >>> gm.predict_proba(X[:3]).shape
    (3, 2)
    >>> list(gm.history_.columns[:4])
    ['iteration', 'evidence', 'bound_e', 'bound_m']
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6,
                 max_iter=100, n_init=1, init_params="kmeans", weights_init=None,
                 means_init=None, precisions_init=None, random_state=None, warm_start=False,
                 verbose=0, verbose_interval=10, progress=None, on_collapse="raise", fixed=None,
                 stopping=None, accelerate=None, n_jobs=None, chunk_size=8192, backend=None,
                 model=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.progress = progress
        self.on_collapse = on_collapse
        self.fixed = fixed
        self.stopping = stopping
        self.accelerate = accelerate
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.backend = backend
        self.model = model

    def _covariance_kind(self):
        """The structure in force: ``model`` where given, else ``covariance_type``."""
        return self.covariance_type if self.model is None else self.model

    def _check_model_name(self):
        if self.model is not None and self.model not in PARSIMONIOUS:
            raise ValueError(f"model must be None or one of the parsimonious models "
                             f"{list(PARSIMONIOUS)}; got {self.model!r}.")

    def _build_model(self, data=None, params=None):
        if self.init_params not in _INIT_METHODS:
            raise ValueError(f"init_params must be one of {_INIT_METHODS}; got "
                             f"{self.init_params!r}.")
        self._check_model_name()
        component = Gaussian(self._covariance_kind(), self.reg_covar, self.on_collapse)
        return Mixture(component, self.n_components, init=self.init_params)

    def _given_starts(self, n_features):
        """The user's starting arrays, validated, as ``{parameter: array}``."""
        k, structure = self.n_components, _structure(self._covariance_kind())
        given = {}
        if self.weights_init is not None:
            given["weights"] = check_array(self.weights_init, "weights_init", (k,), simplex)
        if self.means_init is not None:
            given["means"] = check_array(self.means_init, "means_init", (k, n_features),
                                          real)
        if self.precisions_init is not None:
            shape = structure.shape(k, n_features)
            constraint = spd if structure.dense else positive
            precisions = check_array(self.precisions_init, "precisions_init", shape,
                                      constraint)
            given["covariances"] = _invert_precisions(precisions, self._covariance_kind())
        return given

    def _drawn_start(self, model, block, rng):
        """The start drawn by ``init_params``: scikit-learn's own for its seeded methods
        (when no row is weighted or labelled), else the model's."""
        if self.init_params in SEEDED and block.weights is None and block.labels is None:
            return seeded_start(self.init_params, block.X, self.n_components,
                                self.covariance_type, self.reg_covar, rng)
        return model.init_params(block, rng)

    def _initializer(self, model, data):
        given = self._given_starts(data.n_features)
        if given.keys() == {"weights", "means", "covariances"}:  # nothing left to draw
            return Tree(weights=given["weights"],
                        components=Tree(means=given["means"],
                                        covariances=given["covariances"]))

        def start(block, rng):
            params = self._drawn_start(model, block, rng)
            components = params.components.replace(
                **{k: v for k, v in given.items() if k != "weights"})
            return params.replace(weights=given.get("weights", params.weights),
                                  components=components)

        return start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN are missing values, modelled exactly
        return tags

    def _publish(self, model, params):
        self.weights_ = np.array(params.weights)
        self.means_ = np.array(params.components.means)
        self.covariances_ = np.array(params.components.covariances)

    def _params_from_attributes(self, model, n_features=None):
        if "means_" not in self.__dict__:
            raise self._not_fitted()
        k = self.n_components
        d = np.shape(self.means_)[-1] if n_features is None else n_features
        structure = _structure(self._covariance_kind())
        weights = check_array(self.weights_, "weights_", (k,), simplex)
        means = check_array(self.means_, "means_", (k, d), real)
        covariances = check_array(self.covariances_, "covariances_", structure.shape(k, d),
                                  structure.constraint())
        return Tree(weights=weights, components=Tree(means=means, covariances=covariances))

    @property
    def precisions_(self):
        """Inverses of ``covariances_`` (same shape)."""
        return _invert_precisions(self.covariances_, self._covariance_kind())

    @precisions_.setter
    def precisions_(self, value):
        self.covariances_ = _invert_precisions(np.asarray(value, dtype=float),
                                               self._covariance_kind())

    @property
    def precisions_cholesky_(self):
        """Cholesky factors of the precisions, scikit-learn's layout (see the class doc)."""
        return _structure(self._covariance_kind()).precisions_cholesky(
            np.asarray(self.covariances_, dtype=float))

    @precisions_cholesky_.setter
    def precisions_cholesky_(self, value):
        self.covariances_ = _covariances_from_cholesky(np.asarray(value, dtype=float),
                                                       self._covariance_kind())
