"""What EM climbs: the evidence, or the log-posterior when the model has a prior.

An :class:`Objective` gives its value at some parameters from the E-step there, and the bound
``L(q, theta)`` for the q of an E-step at any ``theta``; the monitor checks that the two agree
after every E-step and that neither falls. A variational objective (an ELBO) plugs in here.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

__all__ = ["Evidence", "LogPosterior", "Objective", "default_objective"]


class Objective(ABC):
    """The quantity EM climbs, and its lower bound."""

    #: What the anatomy's "evidence" column holds, for tables and messages.
    name: str

    @abstractmethod
    def value(self, model, params, estep) -> float:
        """The objective at ``params``, from the E-step (:class:`EStep`) at ``params``."""

    @abstractmethod
    def bound(self, model, params, estep) -> float:
        """``L(q, params)`` for the q behind ``estep`` (computed at any parameters)."""


class Evidence(Objective):
    """``log p(X | theta)``, bounded by ``E_q[log p(X, Z | theta)] + H(q)``."""

    name = "evidence"

    def value(self, model, params, estep):
        return float(estep.loglik)

    def bound(self, model, params, estep):
        return float(model.expected_log_joint(estep.stats, params)) + float(estep.entropy)


class LogPosterior(Evidence):
    """``log p(X | theta) + log p(theta)``: the evidence plus the model's log prior density."""

    name = "log-posterior"

    def value(self, model, params, estep):
        return super().value(model, params, estep) + float(model.log_prior(params))

    def bound(self, model, params, estep):
        return super().bound(model, params, estep) + float(model.log_prior(params))


def default_objective(model, params) -> Objective:
    """The log-posterior for a model with a prior (a non-zero log prior at ``params``),
    else the evidence."""
    return LogPosterior() if float(model.log_prior(params)) != 0.0 else Evidence()
