"""The Gaussian component and its covariance structures."""
from .component import Gaussian

__all__ = ["Gaussian"]
