"""The factor analyser component (low-rank-plus-diagonal Gaussian, factors latent)."""
from ._moments import FactorMoments
from .component import MIN_NOISE_VARIANCE, NOISE_MODELS, FactorAnalyzer

__all__ = ["MIN_NOISE_VARIANCE", "NOISE_MODELS", "FactorAnalyzer", "FactorMoments"]
