"""The three contracts every part of emkit is built on: Component, LatentModel, Backend.

A model written against these contracts gets the whole engine: the anatomy, restarts, fixed
parameters, every backend (numpy chunks, Dask) and every data source.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .arguments import RecordsArguments
from .tree import Tree

__all__ = ["Backend", "Component", "EStep", "LatentModel"]


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


class Component(RecordsArguments, ABC):
    """A family of densities p(x | theta_k), batched over K components.

    Components are stateless: they hold hyper-parameters only. Parameters are a :class:`Tree`
    whose arrays carry K as their leading axis (shared parameters, such as a tied covariance,
    carry none). ``constraints()`` declares each parameter's set once.
    """

    #: Name of the family, used in error messages ("Gaussian", "Poisson", ...).
    family: str = "component"

    @abstractmethod
    def constraints(self) -> dict:
        """Return ``{parameter name: Constraint}`` for every free parameter."""

    @abstractmethod
    def log_prob(self, params: Tree, X: np.ndarray) -> np.ndarray:
        """Log densities. X (n_samples, n_features) -> (n_samples, n_components)."""

    @abstractmethod
    def expected_stats(self, params: Tree, X: np.ndarray, weights: np.ndarray) -> Tree:
        """Weighted sufficient statistics, summed over rows.

        ``weights`` has shape (n_samples, n_components): responsibilities times sample weights.
        ``params`` are the current parameters (a component with its own latent variable does
        its inner E-step here).
        """

    @abstractmethod
    def m_step(self, stats: Tree, params: Tree | None, fixed=frozenset()) -> Tree:
        """Weighted MLE (or MAP) from summed statistics.

        ``fixed`` names parameters held at their values in ``params``; the update of the
        other parameters is conditional on them.
        """

    @abstractmethod
    def expected_log_prob(self, stats: Tree, params: Tree) -> float:
        """The component's part of the bound, computed from the statistics alone.

        For a plain family this is ``sum_i sum_k w_ik log p(x_i | theta_k)``. A component with
        its own latent variable u (Student-t scales, inner mixtures) returns
        ``sum_ik w_ik (E_q[log p(x_i, u | theta_k)] + H(q(u_ik)))`` with q fixed at E-step
        time; it equals the plain sum at the E-step's parameters and is a lower bound
        elsewhere.
        """

    def init_params(self, X: np.ndarray, resp: np.ndarray, rng) -> Tree:
        """Parameters from data and initial responsibilities of shape (n_samples, K)."""
        return self.m_step(self.expected_stats(None, X, resp), None)

    def validate(self, X: np.ndarray) -> None:
        """Raise ValueError (naming column and family) if X is outside the support.

        Runs on data to fit and on data to score or predict.
        """

    def validate_fit(self, X: np.ndarray) -> None:
        """Checks of training data: the support, and data the family cannot be fitted to
        (a constant column for a Gaussian, say). Runs before fitting only."""
        self.validate(X)

    def log_prior(self, params: Tree) -> float:
        """Log prior density of the parameters (0 without a prior)."""
        return 0.0

    def regularisation(self) -> str | None:
        """What regularises the M-step off the bound's maximum (``"reg_covar=1e-06"``), or
        None. The anatomy's warnings name it: such an M-step can lower the bound a little."""
        return None

    def n_parameters(self, params: Tree) -> int:
        """Number of free parameters, for BIC and AIC."""
        constraints = self.constraints()
        return sum(constraints[name].n_free(np.shape(params[name])) for name in constraints)

    def sample(self, params: Tree, labels: np.ndarray, rng) -> np.ndarray:
        """Draw one observation per entry of ``labels`` (component indices), shape (n, d)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement sample()")


class LatentModel(ABC):
    """A latent variable model p(X, Z | theta): how q(Z) is computed and used."""

    @abstractmethod
    def init_params(self, data, rng) -> Tree:
        """Initial parameters from an in-memory Block (a sample of the data)."""

    @abstractmethod
    def e_step(self, params: Tree, block) -> EStep:
        """Posterior q(Z) = p(Z | X, theta) on a Block, reduced to statistics."""

    @abstractmethod
    def m_step(self, stats: Tree, params: Tree, fixed=frozenset()) -> Tree:
        """argmax_theta L(q, theta) from summed statistics; ``fixed`` are dotted paths."""

    @abstractmethod
    def expected_log_joint(self, stats: Tree, params: Tree) -> float:
        """``E_q[log p(X, Z | theta)]`` from the statistics of q, at any ``params``."""

    @abstractmethod
    def posterior(self, params: Tree, block) -> np.ndarray:
        """Posterior over the latent variables of each row, shape (n_samples, n_latent)."""

    @abstractmethod
    def constraints(self) -> dict:
        """Nested ``{name: Constraint or dict}`` mirroring the parameter Tree."""

    def log_prior(self, params: Tree) -> float:
        """Log prior density of the parameters (0 without a prior)."""
        return 0.0

    def regularisation(self) -> str | None:
        """What regularises the M-step off the bound's maximum, or None (see Component)."""
        return None

    def validate(self, block) -> None:
        """Raise ValueError if the data cannot be modelled (support, shapes).

        Runs on data to fit and on data to score or predict.
        """

    def validate_fit(self, block) -> None:
        """Checks of training data beyond :meth:`validate`; runs before fitting only."""
        self.validate(block)

    def n_parameters(self, params: Tree) -> int:
        """Number of free parameters, for BIC and AIC."""
        raise NotImplementedError(f"{type(self).__name__} does not implement n_parameters()")


class Backend(Protocol):
    """Where the E-step runs.

    Optional: ``prepare(source) -> source``, called once per fit to place the data where the
    backend runs (the Dask backend persists it); and a ``progress`` keyword of ``map_reduce``,
    an object whose ``advance(n_rows)`` the backend calls as each block's E-step finishes.
    """

    def map_reduce(self, e_step, params: Tree, data) -> EStep:
        """Apply ``e_step(params, block)`` to every block of ``data`` and sum the results."""
