"""``emkit.RegressionMixture``: mixtures of linear regressions, of GLMs, and of experts."""
from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from ..engine.constraints import positive, simplex
from ..engine.tree import Tree
from ..engine.validation import check_array, check_X
from ..models.regression import RegressionMixtureModel
from ..models.regression.experts import EXPERT_FAMILIES
from ._density import posterior_probabilities, row_log_likelihood
from ._mixture_base import MixtureEstimator
from ._base import RESUMES_FROM_CHECKPOINT, documents_checkpoints

__all__ = ["RegressionMixture"]


def _mixture_mean(model, params, block):
    """``E[y | x_i]`` of a block's rows, shape (n_rows,) (a pass's task)."""
    return model.predict_mean(params, block.X)


class RegressionMixture(MixtureEstimator):
    """A mixture of K regressions of ``y`` on ``X`` fitted by EM; optionally, of experts.

    ``p(y | x) = sum_k P(z = k | x) p(y | x, beta_k)``, with Gaussian (linear regression),
    logistic or Poisson experts, and component probabilities that are constant (a mixture of
    regressions) or a multinomial logit of ``x`` (``gate="logit"``: a mixture of experts).

    Parameters
    ----------
    n_components : int, default=1
        Number of components K.
    family : {"gaussian", "logistic", "poisson"}, default="gaussian"
        The experts' family: ``y | x, k ~ N(x . beta_k, variance_k)``, ``Bernoulli(expit(x .
        beta_k))`` or ``Poisson(exp(x . beta_k))``.
    gate : {"constant", "logit"}, default="constant"
        Constant component weights, or weights ``softmax(x . gamma_k)`` depending on x.
    fit_intercept : bool, default=True
        Fit an intercept in every expert (and in the gate).
    reg_variance : float, default=0.0
        Added to the Gaussian experts' variances after each update, against collapse.
    tol : float, default=1e-3
        Convergence threshold on the change of the per-sample log-likelihood.
    max_iter : int, default=100
        Most EM iterations per initialisation.
    n_init : int, default=1
        Number of initialisations; the best fit is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How starting responsibilities are drawn, from the rows of ``[X, y]``.
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
        Start the next ``fit`` from this fit's parameters.
    verbose : int, default=0
    verbose_interval : int, default=10
    progress : bool or None, default=None
    fixed : set of str, default=None
        Parameters held at their starting values, by dotted path (``"experts.variance"``,
        ``"gate.weights"``).
    stopping : StoppingRule or list of them, default=None
    accelerate : {None, "squarem"}, default=None
        ``"squarem"`` accelerates EM by SQUAREM; None is plain EM.
    n_jobs : int, default=None
    chunk_size : int, default=8192
    backend : Backend, default=None

    Attributes
    ----------
    coef_ : ndarray of shape (n_components, n_features)
        Each expert's slopes.
    intercept_ : ndarray of shape (n_components,)
        Each expert's intercept (zeros without ``fit_intercept``).
    variance_ : ndarray of shape (n_components,)
        Gaussian experts' noise variances (only for ``family="gaussian"``).
    weights_ : ndarray of shape (n_components,)
        Component weights (only for ``gate="constant"``).
    gate_coef_ : ndarray of shape (n_components, n_features)
        The gate's slopes (``gate="logit"``); the first component's are zero (reference).
    gate_intercept_ : ndarray of shape (n_components,)
        The gate's intercepts (``gate="logit"``); the first is zero.
    params_ : emkit.Tree
        Every parameter: ``gate`` and ``experts``.
    converged_, n_iter_, lower_bound_, lower_bounds_, history_, n_features_in_
        As for :class:`~emkit.GaussianMixture`.

    Notes
    -----
    For Gaussian experts with constant weights each M-step is exact. For GLM experts and the
    logit gate it is one step on a certified curvature bound, a generalised EM step that
    still raises the bound (see :class:`~emkit.models.RegressionMixtureModel`). The response
    and covariates travel together in every data block, so the fit runs in memory, on Dask
    (``fit(dask_X, dask_y)``) and on files (``open_source(path, columns, fields={"y":
    "y"})``).

    Examples
    --------
    >>> import numpy as np
    >>> from emkit import RegressionMixture
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-3, 3, size=(600, 1))
    >>> line = rng.random(600) < 0.5
    >>> y = np.where(line, 1 + 2 * X[:, 0], -1 - X[:, 0]) + rng.normal(0, 0.3, 600)
    >>> model = RegressionMixture(2, random_state=0).fit(X, y)
    >>> order = np.argsort(model.intercept_)
    >>> model.intercept_[order].round(1), model.coef_[order, 0].round(1)
    (array([-1.,  1.]), array([-1.,  2.]))
    """

    def __init__(self, n_components=1, *, family="gaussian", gate="constant",
                 fit_intercept=True, reg_variance=0.0, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False, verbose=0,
                 verbose_interval=10, progress=None, fixed=None, stopping=None,
                 accelerate=None, n_jobs=None, chunk_size=8192, backend=None):
        self.n_components = n_components
        self.family = family
        self.gate = gate
        self.fit_intercept = fit_intercept
        self.reg_variance = reg_variance
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
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

    # -- the model -------------------------------------------------------------------------
    def _build_model(self, data=None, params=None):
        from ..engine.init import INITIALIZERS

        if self.init_params not in INITIALIZERS:
            raise ValueError(f"init_params must be one of {sorted(INITIALIZERS)}; got "
                             f"{self.init_params!r}.")
        return RegressionMixtureModel(self.n_components, family=self.family, gate=self.gate,
                                      fit_intercept=self.fit_intercept, init=self.init_params,
                                      reg_variance=self.reg_variance)

    def _initializer(self, model, data):
        return None

    def _start(self, model, data):
        if self._continues() and "model_" in self.__dict__ and \
                len(self.coef_) != self.n_components:
            raise ValueError(
                f"warm_start=True continues the previous fit (n_components={len(self.coef_)}),"
                f" but n_components={self.n_components}. Set warm_start=False to start afresh.")
        return super(MixtureEstimator, self)._start(model, data)

    def _check_hyper_parameters(self, n_samples):
        if self.family not in EXPERT_FAMILIES:
            raise ValueError(f"family must be one of {sorted(EXPERT_FAMILIES)}; got "
                             f"{self.family!r}.")
        super()._check_hyper_parameters(n_samples)

    # -- attributes <-> parameters ---------------------------------------------------------------
    def _with_intercept(self, intercept, slopes):
        return np.column_stack([intercept, slopes]) if self.fit_intercept else slopes

    def _publish(self, model, params):
        for name in ("variance_", "weights_", "gate_coef_", "gate_intercept_"):
            self.__dict__.pop(name, None)
        coef = np.asarray(params.experts.coef)
        if self.fit_intercept:
            self.intercept_, self.coef_ = coef[:, 0].copy(), coef[:, 1:].copy()
        else:
            self.intercept_, self.coef_ = np.zeros(len(coef)), coef.copy()
        if "variance" in params.experts:
            self.variance_ = np.array(params.experts.variance)
        if "weights" in params.gate:
            self.weights_ = np.array(params.gate.weights)
        else:
            gate = np.vstack([np.zeros((1, coef.shape[1])), np.asarray(params.gate.coef)])
            if self.fit_intercept:
                self.gate_intercept_, self.gate_coef_ = gate[:, 0].copy(), gate[:, 1:].copy()
            else:
                self.gate_intercept_, self.gate_coef_ = np.zeros(len(gate)), gate.copy()

    def _params_from_attributes(self, model, n_features=None):
        if "coef_" not in self.__dict__:
            raise self._not_fitted()
        k = model.n_components
        n_features = np.shape(self.coef_)[-1] if n_features is None else n_features
        coef = check_array(self.coef_, "coef_", (k, n_features))
        intercept = check_array(self.intercept_, "intercept_", (k,))
        experts = Tree(coef=self._with_intercept(intercept, coef))
        if model.family == "gaussian":
            experts = experts.replace(variance=check_array(
                self.__dict__.get("variance_"), "variance_", (k,), positive))
        if model.gate_name == "constant":
            gate = Tree(weights=check_array(self.__dict__.get("weights_"), "weights_", (k,),
                                            simplex))
        else:
            slopes = check_array(self.__dict__.get("gate_coef_"), "gate_coef_", (k, n_features))
            gate_intercept = check_array(self.__dict__.get("gate_intercept_"),
                                         "gate_intercept_", (k,))
            full = self._with_intercept(gate_intercept, slopes)
            gate = Tree(coef=full[1:] - full[:1])
        return Tree(gate=gate, experts=experts)

    @property
    def params_(self):
        """Every fitted parameter as a Tree: ``gate`` and ``experts``."""
        return self._fitted_params()

    # -- fit and use ----------------------------------------------------------------------------
    @documents_checkpoints(RESUMES_FROM_CHECKPOINT)
    def fit(self, X, y=None, *, sample_weight=None, labels=None, checkpoint=None,
            checkpoint_every=1, resume=None):
        """Estimate the parameters by EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
            The covariates. A source from :func:`emkit.sources.open_source` carries the
            response as its field ``"y"`` (``fields={"y": column}``).
        y : array-like of shape (n_samples,), Dask array, or None
            The response (None only for a source that carries it).
        sample_weight : array-like of shape (n_samples,), optional
        labels : array-like of int of shape (n_samples,), optional
            Known components of some rows, -1 for the others.
        {checkpoint parameters}

        Returns
        -------
        self
        """
        return self._fit(X, sample_weight=sample_weight, labels=labels, y=y,
                         checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume)

    def fit_predict(self, X, y=None, *, sample_weight=None, labels=None, checkpoint=None,
                    checkpoint_every=1, resume=None):
        """Fit, then return each row's most probable component given x and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
            The covariates.
        y : array-like of shape (n_samples,), Dask array, or None
            The response (None only for a source that carries it).
        sample_weight : array-like of shape (n_samples,), optional
        labels : array-like of int of shape (n_samples,), optional
            Known components of some rows, -1 for the others.
        checkpoint, checkpoint_every, resume : optional
            Checkpoints of the fit, and resuming one, as in ``fit``.

        Returns
        -------
        ndarray of int of shape (n_samples,)
            ``argmax_k P(z = k | x_i, y_i)`` under the fitted parameters.
        """
        fitted = self.fit(X, y, sample_weight=sample_weight, labels=labels,
                          checkpoint=checkpoint, checkpoint_every=checkpoint_every,
                          resume=resume)
        return fitted.predict_component(X, y)

    def predict(self, X):
        """The mixture's mean response ``E[y | x] = sum_k P(z=k | x) E[y | x, k]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._map_rows(X, _mixture_mean)

    def predict_proba(self, X, y=None):
        """The components' posterior probabilities given x and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : array-like of shape (n_samples,) or None (a source carrying the response)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        return self._map_rows(X, posterior_probabilities, y=y)

    def predict_component(self, X, y=None):
        """The most probable component of each row given x and y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : array-like of shape (n_samples,) or None (a source carrying the response)

        Returns
        -------
        ndarray of int of shape (n_samples,)
            ``argmax_k P(z = k | x_i, y_i)``.
        """
        return self.predict_proba(X, y).argmax(axis=1)

    def gate_proba(self, X):
        """``P(z = k | x)`` before seeing y, shape (n_samples, n_components).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            The gate's probabilities: ``weights_`` on every row for ``gate="constant"``,
            ``softmax(gate_intercept_ + x_i . gate_coef_)`` for ``gate="logit"``. Each row
            sums to one.
        """
        model, params = self._current(self.__dict__.get("n_features_in_"))
        return model.component_probabilities(params, check_X(X))

    def score_samples(self, X, y=None):
        """``log p(y_i | x_i)`` of each row, shape (n_samples,).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : array-like of shape (n_samples,) or None (a source carrying the response)

        Returns
        -------
        ndarray of shape (n_samples,)
            ``log sum_k P(z = k | x_i) p(y_i | x_i, k)``.
        """
        return self._map_rows(X, row_log_likelihood, y=y)

    def score(self, X, y=None):
        """Mean ``log p(y_i | x_i)`` over the rows (a float).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : array-like of shape (n_samples,) or None (a source carrying the response)

        Returns
        -------
        float
            ``sum_i log p(y_i | x_i) / n_samples`` (higher is better).
        """
        total, n_samples = self._total_log_likelihood(X, y=y)
        return total / n_samples

    def sample(self, X, random_state=None):
        """Draw a component and a response for each row of covariates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        random_state : int, RandomState instance or None, default=None
            None uses the estimator's ``random_state``.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        labels : ndarray of shape (n_samples,)
        """
        model, params = self._current(self.__dict__.get("n_features_in_"))
        rng = check_random_state(self.random_state if random_state is None else random_state)
        return model.sample_response(params, check_X(X), rng)

    def bic(self, X, y=None):
        """Bayesian information criterion, ``-2 log L + n_parameters log n`` (lower is
        better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : array-like of shape (n_samples,) or None

        Returns
        -------
        float
            ``-2 sum_i log p(y_i | x_i) + n_parameters log n_samples``.
        """
        return self._bic(X, y=y)

    def aic(self, X, y=None):
        """Akaike information criterion, ``-2 log L + 2 n_parameters`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), Dask collection or source
        y : array-like of shape (n_samples,) or None

        Returns
        -------
        float
            ``-2 sum_i log p(y_i | x_i) + 2 n_parameters``.
        """
        return self._aic(X, y=y)
