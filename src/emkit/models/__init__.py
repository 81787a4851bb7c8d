"""Latent structures: mixtures, hidden Markov models, ..."""
from .hmm import HMM
from .mixture import Mixture

__all__ = ["HMM", "Mixture"]
