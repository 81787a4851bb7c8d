"""Latent structures: mixtures, hidden Markov models, factor models, mixtures of regressions
and experts."""
from .factor_analysis import FactorAnalysis
from .hmm import HMM
from .mixture import Mixture
from .regression import RegressionMixtureModel

__all__ = ["FactorAnalysis", "HMM", "Mixture", "RegressionMixtureModel"]
