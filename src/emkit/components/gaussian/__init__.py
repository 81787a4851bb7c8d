"""The Gaussian component and its covariance structures.

``STRUCTURES`` maps each ``covariance_type`` to its structure (shape and constraint of the
``covariances`` parameter, conversions to full matrices and to scikit-learn's precision
factors); the Gaussian estimators use it to read and publish their attributes.
``PARSIMONIOUS`` maps each of the 14 volume/shape/orientation models (mclust's names, "EII"
to "VVV") to its structure; a ``Gaussian(covariance_type=...)`` takes either.
"""
from .component import Gaussian
from .parsimonious import PARSIMONIOUS
from .prior import HmmlearnGaussianPrior
from .structures import STRUCTURES

__all__ = ["Gaussian", "HmmlearnGaussianPrior", "PARSIMONIOUS", "STRUCTURES"]
