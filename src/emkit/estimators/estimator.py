"""``emkit.Estimator``: scikit-learn's estimator API for any LatentModel, with no extra code."""
from __future__ import annotations

from collections.abc import Mapping

from ..engine.contracts import LatentModel
from ..engine.tree import Tree
from ..engine.validation import check_params
from ._density import DensityEstimator

__all__ = ["Estimator"]


class Estimator(DensityEstimator):
    """Fit any :class:`~emkit.engine.LatentModel` with scikit-learn's API.

    A model written against the contract (built in or your own) gets ``fit``, ``score``,
    ``score_samples``, ``predict_proba``, ``predict``, ``sample``, ``bic`` and ``aic``, every
    data source and backend, restarts, warm starts, fixed parameters and the anatomy.

    Parameters
    ----------
    model : LatentModel
        The model to fit (``emkit.Mixture(emkit.Poisson(), 3)``, ``emkit.HMM(...)``, your own).
    n_init : int, default=1
        Number of restarts; the fit with the highest objective is kept.
    tol : float, default=1e-3
        Threshold on the change of the per-sample objective.
    max_iter : int, default=100
        Most EM iterations per restart.
    random_state : int, RandomState instance or None, default=None
    init : Tree, array-like of shape (n_samples, n_latent), callable or None, default=None
        Starting parameters, starting responsibilities of the rows of X, a function
        ``init(block, rng) -> Tree``, or None for the model's own initialisation.
    fixed : set of str, default=None
        Parameters held at their starting values, by name or dotted path.
    stopping : StoppingRule or list of them, default=None
        When a fit has converged (``emkit.engine.ObjectiveChange``, ``ParameterChange``);
        None: the change of the per-sample objective below ``tol``.
    accelerate : {None, "squarem"}, default=None
        ``"squarem"`` accelerates EM by SQUAREM (the same optimum in far fewer EM-map
        evaluations when components overlap; ``n_evaluations_`` counts them); None is plain
        EM.
    warm_start : bool, default=False
        Start the next ``fit`` from this fit's parameters.
    verbose : int, default=0
        Print the objective every ``verbose_interval`` iterations (and show progress bars).
    verbose_interval : int, default=10
    progress : bool or None, default=None
        Progress bars (needs ``rich``); None shows them when ``verbose`` is set.
    n_jobs : int, default=None
        Threads for the E-step (None: as many as the process may use without
        oversubscribing; see :class:`~emkit.backends.NumpyBackend`).
    chunk_size : int, default=8192
        Rows per E-step chunk in memory.
    backend : Backend, default=None
        Where the E-step runs; None: the numpy backend, or Dask for a Dask collection.

    Attributes
    ----------
    params_ : Tree
        The fitted parameters (set it to use other parameters).
    model_ : LatentModel
    history_ : emkit.engine.monitor.History
        The anatomy table.
    converged_, n_iter_, n_evaluations_, lower_bound_, lower_bounds_, n_features_in_
        As for :class:`~emkit.GaussianMixture`.

    Examples
    --------
    >>> import numpy as np, emkit
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.poisson(2.0, 300), rng.poisson(9.0, 300)])[:, None]
    >>> est = emkit.Estimator(emkit.Mixture(emkit.Poisson(), 2), random_state=0).fit(X)
    >>> np.sort(est.params_.components.rates.ravel()).round(0)
    array([2., 9.])
    """

    def __init__(self, model=None, *, n_init=1, tol=1e-3, max_iter=100, random_state=None,
                 init=None, fixed=None, stopping=None, accelerate=None, warm_start=False,
                 verbose=0, verbose_interval=10, progress=None, n_jobs=None, chunk_size=8192, backend=None):
        self.model = model
        self.n_init = n_init
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.init = init
        self.fixed = fixed
        self.stopping = stopping
        self.accelerate = accelerate
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.progress = progress
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.backend = backend

    def _build_model(self, data=None, params=None):
        if not isinstance(self.model, LatentModel):
            raise ValueError(f"model must be an emkit LatentModel such as "
                             f"emkit.Mixture(emkit.Gaussian(), 2); got {self.model!r}.")
        return self.model

    def _initializer(self, model, data):
        return self.init

    def _params_from_attributes(self, model, n_features=None):
        params = self.__dict__.get("params_")
        if params is None:
            raise self._not_fitted()
        if isinstance(params, Mapping) and not isinstance(params, Tree):
            params = Tree(params)
        check_params(model.constraints(), params, name="params_")
        return params

    def _publish(self, model, params):
        self.params_ = params
