"""scikit-learn compatible estimators built on the engine."""
from .gaussian_mixture import GaussianMixture

__all__ = ["GaussianMixture"]
from .gaussian_hmm import GaussianHMM  # noqa: E402
from .hmm import HMM  # noqa: E402

__all__ += ["GaussianHMM", "HMM"]
from .categorical_hmm import CategoricalHMM  # noqa: E402
from .poisson_hmm import PoissonHMM  # noqa: E402

__all__ += ["CategoricalHMM", "PoissonHMM"]
from .gmm_hmm import GMMHMM  # noqa: E402

__all__ += ["GMMHMM"]
