"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .gaussian import Gaussian

__all__ = ["Gaussian"]
