"""Components: families of densities p(x | theta_k), batched over K, one file (or folder) each."""
from .gaussian import Gaussian
from .independent import Independent
from .stacked import Stacked
from .uniform import Uniform

__all__ = ["Gaussian", "Independent", "Stacked", "Uniform"]
