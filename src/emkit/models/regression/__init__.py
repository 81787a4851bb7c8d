"""Mixtures of regressions (GLM experts) and of experts (a multinomial-logit gate)."""
from .experts import LinearExperts, LogisticExperts, PoissonExperts
from .gates import ConstantGate, LogitGate
from .model import RegressionMixtureModel

__all__ = ["ConstantGate", "LinearExperts", "LogisticExperts", "LogitGate", "PoissonExperts",
           "RegressionMixtureModel"]
