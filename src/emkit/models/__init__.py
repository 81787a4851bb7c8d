"""Latent structures: mixtures, hidden Markov models, ..."""
from .mixture import Mixture

__all__ = ["Mixture"]
