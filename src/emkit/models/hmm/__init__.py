"""Hidden Markov models: the model, and inference as pure functions."""
from . import inference
from .model import HMM

__all__ = ["HMM", "inference"]
