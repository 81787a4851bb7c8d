"""``StudentTMixture``: a mixture of multivariate Student-t components (robust to outliers)."""
from ..components import StudentT
from .family import family_mixture

__all__ = ["StudentTMixture"]

StudentTMixture = family_mixture(StudentT, __name__)
