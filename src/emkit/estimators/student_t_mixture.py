"""``StudentTMixture``: a mixture of multivariate Student-t components (robust to outliers)."""
from ..components import StudentT
from .family import family_mixture

__all__ = ["StudentTMixture"]

StudentTMixture = family_mixture(StudentT, __name__, examples="""\
    >>> import numpy as np
    >>> from emkit import StudentTMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.standard_t(3, (200, 2)), rng.standard_t(3, (100, 2)) + 8])
    >>> model = StudentTMixture(2, random_state=0).fit(X)
    >>> np.sort(model.weights_).round(2), model.dofs_.shape
    (array([0.34, 0.66]), (2,))
""")
