"""Latent structures: mixtures, hidden Markov models, ..."""
from .mixture import Mixture

__all__ = ["Mixture"]
from .hmm import HMM  # noqa: E402

__all__ += ["HMM"]
