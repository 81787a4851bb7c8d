"""Latent structures: mixtures, hidden Markov models, mixtures of regressions and experts."""
from .hmm import HMM
from .mixture import Mixture
from .regression import RegressionMixtureModel

__all__ = ["HMM", "Mixture", "RegressionMixtureModel"]
