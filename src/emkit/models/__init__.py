"""Latent structures: mixtures, hidden Markov models, ..."""
from .factor_analysis import FactorAnalysis
from .hmm import HMM
from .mixture import Mixture

__all__ = ["FactorAnalysis", "HMM", "Mixture"]
