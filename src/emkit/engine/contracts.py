"""The contracts every part of emkit is built on: Component, LatentModel, Backend.

(The fourth, :class:`~emkit.engine.data.Source` with its :class:`~emkit.engine.data.Block`, is
in :mod:`emkit.engine.data`.) Each contract declares everything the engine and the estimators
call on it, with a default where one follows from the rest: nothing is probed with getattr,
hasattr or inspect. A model written against these contracts gets the whole engine: the
anatomy, restarts, fixed parameters, initialisation from a posterior, validation of every
block, every backend and data source, every driver, and the generic estimator
:class:`emkit.Estimator`.
"""
from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from .arguments import RecordsArguments
from .geometry import n_free_parameters
from .posterior import DiscretePosterior, Posterior
from .tree import Tree
from .validation import MISSING_DATA_REMEDY, article, check_finite

__all__ = ["Backend", "Component", "Densities", "EStep", "LatentModel"]


@dataclass(frozen=True)
class EStep:
    """What one E-step over a block returns; results of blocks add up.

    Parameters
    ----------
    stats : Tree
        Expected sufficient statistics, summed over the block's rows (never averaged).
    loglik : float
        Evidence of the block, ``sum_i w_i log p(x_i | theta)``.
    entropy : float
        Entropy of the posterior over the block's latent variables, ``H(q)``.
    """

    stats: Tree
    loglik: float
    entropy: float

    def __add__(self, other: EStep) -> EStep:
        return EStep(self.stats + other.stats, self.loglik + other.loglik,
                     self.entropy + other.entropy)


class Densities:
    """A component's log densities on a block's rows, with per-row terms worth keeping.

    Parameters
    ----------
    log_prob : ndarray of shape (n_samples, n_components)
        ``log p(x_i | theta_k)``. A model may overwrite it (the mixture kernel does).
    **terms : ndarray
        Per-row quantities that :meth:`Component.stats_from_densities` reuses (log
        factorials, Mahalanobis distances...), by name.
    """

    __slots__ = ("log_prob", "terms")

    def __init__(self, log_prob, **terms):
        self.log_prob, self.terms = log_prob, terms


class Component(RecordsArguments, ABC):
    """A family of densities p(x | theta_k), batched over K components.

    Components are stateless: they hold hyper-parameters only. Parameters are a :class:`Tree`
    whose arrays carry K as their leading axis (shared parameters, such as a tied covariance,
    carry none). ``constraints()`` declares each parameter's set once.
    """

    #: Name of the family, used in error messages ("Gaussian", "Poisson", ...).
    family: str = "component"

    #: Whether NaN entries of X are missing values the family models (as latent variables,
    #: or by leaving them out of a factorised likelihood). Without it NaN is an error.
    supports_missing: bool = False

    @abstractmethod
    def constraints(self) -> dict:
        """Declare the set each parameter lives in.

        Returns
        -------
        dict of str to Constraint
            ``{parameter name: Constraint}`` for every parameter (see
            :mod:`emkit.engine.constraints`).
        """

    @abstractmethod
    def log_prob(self, params: Tree, X: np.ndarray) -> np.ndarray:
        """Log densities of every row under every component.

        Parameters
        ----------
        params : Tree
            The parameters, K leading every array.
        X : ndarray of shape (n_samples, n_features)
            The rows.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            ``log p(x_i | theta_k)``.
        """

    @abstractmethod
    def expected_stats(self, params: Tree, X: np.ndarray, weights: np.ndarray) -> Tree:
        """Weighted sufficient statistics, summed over rows.

        Parameters
        ----------
        params : Tree or None
            The current parameters (a component with its own latent variable does its inner
            E-step here); None when initialising from responsibilities.
        X : ndarray of shape (n_samples, n_features)
            The rows.
        weights : ndarray of shape (n_samples, n_components)
            Responsibilities times sample weights.

        Returns
        -------
        Tree
            Statistics summed over the rows (never averaged), so that the statistics of two
            blocks add up to those of both.
        """

    @abstractmethod
    def m_step(self, stats: Tree, params: Tree | None, fixed=frozenset()) -> Tree:
        """Weighted MLE (or MAP) from summed statistics.

        Parameters
        ----------
        stats : Tree
            Statistics from :meth:`expected_stats`, summed over all the data.
        params : Tree or None
            The current parameters; None at initialisation.
        fixed : frozenset of str, default=frozenset()
            Parameters held at their values in ``params``; the update of the others is
            conditional on them.

        Returns
        -------
        Tree
            The new parameters.
        """

    @abstractmethod
    def expected_log_prob(self, stats: Tree, params: Tree) -> float:
        """The component's part of the bound, computed from the statistics alone.

        For a plain family this is ``sum_i sum_k w_ik log p(x_i | theta_k)``. A component with
        its own latent variable u (Student-t scales, inner mixtures) returns
        ``sum_ik w_ik (E_q[log p(x_i, u | theta_k)] + H(q(u_ik)))`` with q fixed at E-step
        time; it equals the plain sum at the E-step's parameters and is a lower bound
        elsewhere.

        Parameters
        ----------
        stats : Tree
            Statistics from :meth:`expected_stats`.
        params : Tree
            Any parameters (the bound is evaluated there).

        Returns
        -------
        float
        """

    def densities(self, params: Tree, X: np.ndarray) -> Densities:
        """:meth:`log_prob` with the per-row terms :meth:`stats_from_densities` can reuse.

        Models call this, then ``stats_from_densities`` on the same rows, so that work shared
        by the densities and the statistics is done once. By default there is none.

        Parameters
        ----------
        params : Tree
            The parameters.
        X : ndarray of shape (n_samples, n_features)
            The rows.

        Returns
        -------
        Densities
            ``log_prob`` of shape (n_samples, n_components), and the terms.
        """
        return Densities(self.log_prob(params, X))

    def stats_from_densities(self, params: Tree, X: np.ndarray, weights: np.ndarray,
                             densities: Densities) -> Tree:
        """:meth:`expected_stats`, reusing ``densities`` (from :meth:`densities` on these rows).

        ``densities.log_prob`` may have been overwritten by then; only its terms are reused.

        Parameters
        ----------
        params : Tree
            The parameters the densities were computed at.
        X : ndarray of shape (n_samples, n_features)
            The rows.
        weights : ndarray of shape (n_samples, n_components)
            Responsibilities times sample weights.
        densities : Densities
            From :meth:`densities` on the same rows.

        Returns
        -------
        Tree
            As :meth:`expected_stats`.
        """
        return self.expected_stats(params, X, weights)

    def init_params(self, X: np.ndarray, resp: np.ndarray, rng) -> Tree:
        """Starting parameters from data and initial responsibilities.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The data (or the sample of it that initialises the fit).
        resp : ndarray of shape (n_samples, n_components)
            Starting responsibilities times sample weights.
        rng : numpy.random.Generator
            For components whose start is drawn.

        Returns
        -------
        Tree
            The starting parameters (by default the M-step from the weighted statistics).
        """
        return self.m_step(self.expected_stats(None, X, resp), None)

    def validate(self, X: np.ndarray) -> None:
        """Raise ValueError (naming column, row and family) if X is outside the support.

        Runs on every block of data to fit, score or predict; use the checks of
        :mod:`emkit.engine.validation`, whose errors the engine locates in the whole data.
        By default: finite values, NaN allowed where :attr:`supports_missing`.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The rows of one block.
        """
        check_finite(X, family=self.family, allow_nan=self.supports_missing)

    def conditional_moments(self, params: Tree, X: np.ndarray):
        """Means and variances of every entry of X given the row's observed entries, per
        component (for ``impute``); families with :attr:`supports_missing` provide it.

        Parameters
        ----------
        params : Tree
            The component parameters, batched over K.
        X : ndarray of shape (n_samples, n_features)
            The rows, NaN where an entry is missing.

        Returns
        -------
        means, variances : ndarray of shape (n_samples, K, n_features)
            Observed entries as they are (variance 0), missing ones (NaN) at their
            conditional mean and variance under each component.
        """
        raise NotImplementedError(f"{article(self.family)} {self.family} component cannot "
                                  f"impute missing values. {MISSING_DATA_REMEDY}")

    def validate_fit(self, X: np.ndarray) -> None:
        """Checks of training data: the support, and data the family cannot be fitted to.

        A constant column for a Gaussian, say. Runs before fitting, on the data (or on the
        sample of it that initialises the fit).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            The training rows (or their initialisation sample).
        """
        self.validate(X)

    def log_prior(self, params: Tree) -> float:
        """Log prior density of the parameters.

        Parameters
        ----------
        params : Tree
            The parameters.

        Returns
        -------
        float
            ``log p(theta)``; 0 without a prior.
        """
        return 0.0

    def regularisation(self) -> str | None:
        """What regularises the M-step off the bound's maximum.

        The anatomy's warnings name it: such an M-step can lower the bound a little.

        Returns
        -------
        str or None
            For example ``"reg_covar=1e-06"``; None when the M-step is exact.
        """
        return None

    def n_parameters(self, params: Tree) -> int:
        """Number of free parameters, for BIC and AIC.

        Parameters
        ----------
        params : Tree
            Parameters of the shapes to count.

        Returns
        -------
        int
            Counted from the constraints (a simplex of size m has m - 1).
        """
        return n_free_parameters(self.constraints(), params)

    def sample(self, params: Tree, labels: np.ndarray, rng) -> np.ndarray:
        """Draw one observation per entry of ``labels``.

        Parameters
        ----------
        params : Tree
            The parameters.
        labels : ndarray of shape (n_samples,)
            The component of each draw.
        rng : numpy.random.Generator
            The source of randomness.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement sample()")


class LatentModel(RecordsArguments, ABC):
    """A latent variable model p(X, Z | theta): how q(Z) is computed and used.

    A model implements the six abstract methods; the others have defaults built on them.
    The E-step is ``posterior`` then ``expected_stats``; a model may override
    :meth:`e_step` to do both in one pass (the built-in ones do, for speed).
    """

    @abstractmethod
    def constraints(self) -> dict:
        """Declare the set each parameter lives in.

        Returns
        -------
        dict
            Nested ``{name: Constraint or dict}`` mirroring the parameter Tree.
        """

    @abstractmethod
    def init_params(self, data, rng) -> Tree:
        """Initial parameters, a different start for every restart.

        Parameters
        ----------
        data : Block
            In memory: all the data, or a sample of it.
        rng : numpy.random.Generator
            The restart's source of randomness.

        Returns
        -------
        Tree
        """

    @abstractmethod
    def posterior(self, params: Tree, block) -> Posterior:
        """The posterior q(Z) = p(Z | X, params) on a block.

        Parameters
        ----------
        params : Tree
            The parameters.
        block : Block
            The rows.

        Returns
        -------
        Posterior
            A :class:`~emkit.engine.posterior.DiscretePosterior`, ``SequencePosterior`` or
            ``GaussianPosterior``, holding each row's log-likelihood too.
        """

    @abstractmethod
    def expected_stats(self, params: Tree | None, block, posterior: Posterior) -> Tree:
        """Sufficient statistics under ``posterior``, summed over the block's weighted rows.

        Parameters
        ----------
        params : Tree or None
            Those the posterior was computed at (a component with a latent variable of its
            own needs them), or None when initialising from a given posterior.
        block : Block
            The rows.
        posterior : Posterior
            q(Z) on the block.

        Returns
        -------
        Tree
            Statistics summed over rows, so that blocks add up.
        """

    @abstractmethod
    def m_step(self, stats: Tree, params: Tree | None, fixed=frozenset()) -> Tree:
        """``argmax_theta L(q, theta)`` from summed statistics.

        Parameters
        ----------
        stats : Tree
            Statistics summed over all the data.
        params : Tree or None
            The current parameters; None when initialising from a posterior (nothing is
            fixed then).
        fixed : frozenset of str, default=frozenset()
            Dotted paths of parameters held at their values in ``params``.

        Returns
        -------
        Tree
            The new parameters.
        """

    @abstractmethod
    def expected_log_joint(self, stats: Tree, params: Tree) -> float:
        """``E_q[log p(X, Z | theta)]`` from the statistics of q, at any ``params``.

        Parameters
        ----------
        stats : Tree
            Statistics of q.
        params : Tree
            Where to evaluate it.

        Returns
        -------
        float
        """

    # -- built on the above ---------------------------------------------------------------------
    def e_step(self, params: Tree, block) -> EStep:
        """The posterior on a Block, reduced to statistics, evidence and entropy.

        Parameters
        ----------
        params : Tree
            The parameters.
        block : Block
            The rows.

        Returns
        -------
        EStep
            Results of blocks add up.
        """
        q = self.posterior(params, block)
        return EStep(self.expected_stats(params, block, q), q.total_log_likelihood(block),
                     q.total_entropy(block))

    def as_posterior(self, value, block) -> Posterior:
        """A starting posterior given by the user, checked.

        Parameters
        ----------
        value : array-like of shape (n_samples, n_latent) or Posterior
            Non-negative row weights (normalised here), or a Posterior.
        block : Block
            The rows it belongs to.

        Returns
        -------
        Posterior
        """
        if isinstance(value, Posterior):
            return value
        resp = np.asarray(value, dtype=float)
        if resp.ndim != 2 or resp.shape[0] != block.n_samples:
            raise ValueError(f"init: starting responsibilities must have shape (n_samples, "
                             f"n_latent) = ({block.n_samples}, ...), one row per row of the "
                             f"data that starts the fit; got {resp.shape}.")
        bad = ~np.all(np.isfinite(resp) & (resp >= 0), axis=1) | ~(resp.sum(axis=1) > 0)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"init: starting responsibilities must be finite and "
                             f"non-negative, with a positive sum in every row; row {row} is "
                             f"{resp[row].tolist()}.")
        return DiscretePosterior(resp / resp.sum(axis=1, keepdims=True))

    def params_from_posterior(self, data, posterior, rng=None) -> Tree:
        """Parameters from a starting posterior (``fit(..., init=responsibilities)``).

        Parameters
        ----------
        data : Block
            In memory.
        posterior : array-like of shape (n_samples, n_latent) or Posterior
            The starting posterior on ``data``.
        rng : numpy.random.Generator, optional
            For models whose start also draws something.

        Returns
        -------
        Tree
            The M-step from the statistics of ``posterior`` on ``data``.
        """
        stats = self.expected_stats(None, data, self.as_posterior(posterior, data))
        return self.m_step(stats, None)

    def row_log_likelihood(self, params: Tree, block) -> np.ndarray:
        """The log-likelihood of each row.

        Parameters
        ----------
        params : Tree
            The parameters.
        block : Block
            The rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``log p(x_i | params)``; for sequences, per-row predictive terms that sum to each
            sequence's log-likelihood.
        """
        return self.posterior(params, block).row_log_likelihood

    def impute(self, params: Tree, block):
        """Conditional means and variances of the entries of X given each row's observed
        entries, under the model (the posterior mixture of the component conditionals).

        Parameters
        ----------
        params : Tree
            The parameters.
        block : Block
            The rows (``block.X`` of shape (n_samples, n_features), NaN where missing).

        Returns
        -------
        means, variances : ndarray of shape (n_samples, n_features)
            Observed entries as they are (variance 0).
        """
        raise NotImplementedError(f"{type(self).__name__} does not impute missing values")

    def sample(self, params: Tree, n_samples: int, rng, *, lengths=None):
        """Draw data from the model.

        Parameters
        ----------
        params : Tree
            The parameters.
        n_samples : int
            Rows to draw.
        rng : numpy.random.Generator
            The source of randomness.
        lengths : array-like of int, optional
            Splits the rows into independent sequences (models with sequences; others ignore
            it).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        latent : ndarray
            The latent variables that generated each row.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement sample()")

    def n_parameters(self, params: Tree) -> int:
        """Free parameters, for BIC and AIC.

        Counted from the constraints (structural zeros excluded); override where the model
        has invariances that remove more.

        Parameters
        ----------
        params : Tree
            Parameters of the shapes to count.

        Returns
        -------
        int
        """
        return n_free_parameters(self.constraints(), params)

    def log_prior(self, params: Tree) -> float:
        """Log prior density of the parameters.

        Parameters
        ----------
        params : Tree
            The parameters.

        Returns
        -------
        float
            ``log p(theta)``; 0 without a prior.
        """
        return 0.0

    def regularisation(self) -> str | None:
        """What regularises the M-step off the bound's maximum (see Component).

        Returns
        -------
        str or None
        """
        return None

    def validate(self, block) -> None:
        """Raise ValueError if the data cannot be modelled (support, shapes).

        The engine runs it on every block of data to fit, score or predict, and locates its
        errors in the whole data (see :class:`~emkit.exceptions.DataError`). By default:
        finite values (no missing-data support).

        Parameters
        ----------
        block : Block
            The rows of one block.
        """
        check_finite(block.X)

    def validate_fit(self, block) -> None:
        """Checks of training data beyond :meth:`validate`.

        Runs before fitting, on the data (or the sample of it that initialises the fit).

        Parameters
        ----------
        block : Block
            The training rows.
        """
        self.validate(block)


class Backend(ABC):
    """Where the work on blocks runs: numpy threads in this process, a Dask cluster, ...

    Every function a backend runs is ``fn(params, block)``; it is shipped once per call with
    ``params``. ``progress``, where given, is a
    :class:`~emkit.engine.progress.ProgressTracker` told as each block finishes.
    """

    @abstractmethod
    def prepare(self, data):
        """The data placed where this backend runs; called once per fit.

        Parameters
        ----------
        data : Source, Block or array-like
            The data.

        Returns
        -------
        Source
            (The Dask backend persists it on the cluster once.)
        """

    @abstractmethod
    def map_reduce(self, fn, params, source, *, combine=operator.add, progress=None):
        """Combine ``fn(params, block)`` over the blocks of ``source``.

        Parameters
        ----------
        fn : callable
            ``fn(params, block)``, run once per block.
        params : Tree
            Shipped once per call.
        source : Source
            From :meth:`prepare`.
        combine : callable, default=operator.add
            Associative ``combine(left, right)``; results are combined pairwise in a tree of
            fixed shape, earlier blocks on the left, so the result does not depend on timing.
        progress : ProgressTracker, optional
            Told as each block finishes.

        Returns
        -------
        object
            The combined result.
        """

    @abstractmethod
    def map_blocks(self, fn, params, source, *, progress=None) -> list:
        """``[fn(params, block) for block in source's blocks]``, in block order.

        Parameters
        ----------
        fn : callable
            ``fn(params, block)``.
        params : Tree
            Shipped once per call.
        source : Source
            From :meth:`prepare`.
        progress : ProgressTracker, optional
            Told as each block finishes.

        Returns
        -------
        list
        """

    def map_rows(self, fn, params, source, *, progress=None) -> np.ndarray:
        """Concatenate row outputs ``fn(params, block)`` over the blocks.

        Parameters
        ----------
        fn : callable
            ``fn(params, block)``, returning an array whose first axis is the block's rows.
        params : Tree
            Shipped once per call.
        source : Source
            From :meth:`prepare`.
        progress : ProgressTracker, optional
            Told as each block finishes.

        Returns
        -------
        ndarray of shape (n_samples, ...)
        """
        return np.concatenate(self.map_blocks(fn, params, source, progress=progress))
