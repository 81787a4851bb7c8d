"""``emkit.MixtureModel``: a scikit-learn mixture estimator for any component, or a list of them."""
from __future__ import annotations

from abc import abstractmethod

import numpy as np

from ..engine.contracts import Component
from ..components.gaussian import Gaussian
from ..engine.constraints import simplex
from ..engine.init import INITIALIZERS
from ..engine.tree import Tree
from ..engine.validation import check_array, check_params
from ..models.mixture import Mixture
from ._mixture_base import MixtureEstimator
from ._params_init import override_params

__all__ = ["ComponentMixture", "MixtureModel", "MIXTURE_PARAMETERS", "MIXTURE_ATTRIBUTES"]

#: Attribute names the base sets; a component parameter of the same name is not published.
_RESERVED = frozenset({"weights", "params", "components", "model", "result", "history",
                       "converged", "n_iter", "lower_bound", "lower_bounds", "n_features_in",
                       "feature_names_in"})

MIXTURE_PARAMETERS = """\
    weight_prior : emkit.priors.Dirichlet, default=None
        Prior on the weights: the M-step returns their posterior mode and the anatomy tracks
        the log-posterior.
    tol : float, default=1e-3
        Convergence threshold on the change of the per-sample objective.
    max_iter : int, default=100
        Most EM iterations per initialisation.
    n_init : int, default=1
        Number of initialisations; the best fit is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How starting responsibilities are drawn (from the rows of non-zero weight).
    params_init : dict, default=None
        Starting values by parameter name, arrays with K (``n_components``) leading, e.g.
        ``{"weights": w, "rates": r}``; dotted paths or nested dicts reach the parts of a
        stacked or Independent component (``{"c1": {"low": lo, "high": hi}}``). Parameters
        not given start from ``init_params``. Checked against the component's constraints.
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
        Start the next ``fit`` from this fit's parameters (``n_init`` is then 1).
    verbose : int, default=0
    verbose_interval : int, default=10
    fixed : set of str, default=None
        Parameters held at their starting values, by name (``"weights"``, ``"rates"``) or
        dotted path (``"components.c1.low"``).
    stopping : StoppingRule or list of them, default=None
        When a fit has converged (``emkit.engine.ObjectiveChange``, ``ParameterChange``);
        None: the change of the per-sample objective below ``tol``.
    accelerate : {None, "squarem"}, default=None
        ``"squarem"`` accelerates EM by SQUAREM (the same optimum in far fewer EM-map
        evaluations when components overlap; ``n_evaluations_`` counts them); None is plain
        EM.
    progress : bool or None, default=None
        Progress bars over the iterations and rows (needs ``rich``); None shows them when
        ``verbose`` is set.
    n_jobs : int, default=None
        Threads for the E-step (None: as many as the process may use without
        oversubscribing the machine).
    chunk_size : int, default=8192
        Rows per E-step chunk; memory is O(chunk_size x n_components).
    backend : Backend, default=None
        Where the E-step runs; None: the numpy backend, or Dask for a Dask collection.
"""

MIXTURE_ATTRIBUTES = """\
    weights_ : ndarray of shape (n_components,)
    params_ : emkit.Tree
        Every fitted parameter: ``weights`` and ``components`` (the component's Tree).
    components_ : emkit.Tree
        The component parameters, K leading every per-component array. Each top-level array
        is held as ``<name>_`` (``means_``, ``rates_``, ...), the attribute every method
        reads (set it to change the model); ``components_`` is built from them.
    converged_ : bool
    n_iter_ : int
    n_evaluations_ : int
        EM-map evaluations (M-steps) of the fit (``n_iter_`` without SQUAREM).
    lower_bound_ : float
        Per-sample objective (log-likelihood, or log-posterior with a prior) of the returned
        parameters.
    lower_bounds_ : list of float
    history_ : emkit.engine.monitor.History
        The anatomy table.
    result_ : emkit.engine.em.FitResult
    model_ : emkit.models.Mixture
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when X has string column names.
"""


class ComponentMixture(MixtureEstimator):
    """Abstract: a mixture estimator whose component comes from :meth:`_component`."""

    @abstractmethod
    def _component(self):
        """Return the Component (or list of Components) to mix, hyper-parameters checked."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        component = self._component()
        tags.input_tags.allow_nan = isinstance(component, Component) and \
            component.supports_missing  # NaN are missing values the family models
        return tags

    def _build_model(self, data=None, params=None):
        if self.init_params not in INITIALIZERS:
            raise ValueError(f"init_params must be one of {sorted(INITIALIZERS)}; got "
                             f"{self.init_params!r}.")
        return Mixture(self._component(), self.n_components, init=self.init_params,
                       weight_prior=self.weight_prior)

    def _initializer(self, model, data):
        if self.params_init is None:
            return None
        given = self.params_init

        def start(block, rng):
            return override_params(model.init_params(block, rng), given, model.constraints())

        return start

    @staticmethod
    def _own_attribute(name, value):
        """Whether a component parameter is held in its own ``<name>_`` attribute."""
        return name not in _RESERVED and not isinstance(value, Tree)

    def _publish(self, model, params):
        for name in self.__dict__.pop("_held_names", ()):
            self.__dict__.pop(f"{name}_", None)
        held = [name for name, value in params.components.items()
                if self._own_attribute(name, value)]
        self.weights_ = np.array(params.weights)
        for name in held:
            setattr(self, f"{name}_", np.array(params.components[name]))
        self._held_names = held
        self._components_rest = Tree({name: value for name, value in params.components.items()
                                      if name not in held})
        self._component_order = list(params.components)

    @property
    def components_(self) -> Tree:
        """The component parameters (the ``<name>_`` attributes and the other subtrees).

        Setting it replaces them all (for the parts of a Stacked or Independent component,
        which have no attribute of their own): ``m.components_ = m.components_.replace(...)``.
        """
        if "_component_order" not in self.__dict__:
            raise AttributeError(f"This {type(self).__name__} is not fitted.")
        held = {name: self.__dict__[f"{name}_"] for name in self._held_names}
        rest = self._components_rest
        return Tree({name: held[name] if name in held else rest[name]
                     for name in self._component_order})

    @components_.setter
    def components_(self, value):
        self._publish(None, Tree(weights=self.weights_, components=Tree(value)))

    def _params_from_attributes(self, model, n_features=None):
        if "weights_" not in self.__dict__:
            raise self._not_fitted()
        weights = check_array(self.weights_, "weights_", (self.n_components,), simplex)
        params = Tree(weights=weights, components=self.components_)
        check_params(model.constraints(), params, name="the fitted attributes")
        return params


class MixtureModel(ComponentMixture):
    """A finite mixture of any emkit component(s), fitted by EM; scikit-learn compatible.

    Parameters
    ----------
    component : Component, list or dict of Component, default=None
        One family for every component (``Poisson()``), or one per component
        (``[Gaussian(), Uniform()]``, whose length must equal ``n_components``). None means
        ``Gaussian()`` (full covariances).
    n_components : int, default=1
        Number of mixture components K.
{parameters}
    Attributes
    ----------
{attributes}
    Examples
    --------
    >>> import numpy as np
    >>> from emkit import MixtureModel, Gaussian, Uniform
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 2)), rng.uniform(-8, 8, size=(50, 2))])
    >>> model = MixtureModel([Gaussian(), Uniform()], n_components=2,
    ...                      params_init={{"c1": {{"low": [[-8, -8]], "high": [[8, 8]]}}}},
    ...                      fixed={{"low", "high"}}, random_state=0).fit(X)
    >>> model.weights_.round(1)
    array([0.8, 0.2])
    """

    def __init__(self, component=None, n_components=1, *, weight_prior=None, tol=1e-3,
                 max_iter=100, n_init=1, init_params="kmeans", params_init=None,
                 random_state=None, warm_start=False, verbose=0, verbose_interval=10,
                 progress=None, fixed=None, stopping=None, accelerate=None, n_jobs=None,
                 chunk_size=8192, backend=None):
        self.component = component
        self.n_components = n_components
        self.weight_prior = weight_prior
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.params_init = params_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.progress = progress
        self.fixed = fixed
        self.stopping = stopping
        self.accelerate = accelerate
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size
        self.backend = backend

    def _component(self):
        return Gaussian() if self.component is None else self.component


MixtureModel.__doc__ = MixtureModel.__doc__.format(parameters=MIXTURE_PARAMETERS,
                                                   attributes=MIXTURE_ATTRIBUTES)
