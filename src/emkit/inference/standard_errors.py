"""Standard errors of fitted parameters: :func:`standard_errors` and its result.

The observed information (:mod:`.information`) is inverted in the flat unconstrained
coordinates and carried to the parameters by the delta method; or the parameters are
bootstrapped (:mod:`.bootstrap`). The result maps each parameter to an array of standard
errors of its shape, and says whether the fit had converged and whether the information was
positive definite (a saddle or boundary point otherwise, with the direction named).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..exceptions import ConvergenceWarning, warn
from . import _differences as differences
from .bootstrap import bootstrap_draws
from .information import METHODS, observed_information

__all__ = ["StandardErrors", "standard_errors"]

#: Eigenvalues of the information below this fraction of the largest count as not positive.
DEFINITE_TOLERANCE = 1e-9


class StandardErrors(dict):
    """``{parameter name: array of standard errors of its shape}``, with what qualifies them.

    Parameters
    ----------
    errors : dict
        ``{parameter name: ndarray}``, the standard errors, each of its parameter's shape
        (NaN where not defined).
    estimates : dict
        ``{parameter name: ndarray}``, the estimates, by the same names and shapes.
    method : {"louis", "numerical", "bootstrap"}
        How the errors were computed.
    converged : bool
        Whether the fit had converged.
    positive_definite : bool or None, default=None
        Whether the observed information was positive definite (None for the bootstrap).
    direction : str or None, default=None
        Where it was not: its smallest eigenvalue's eigen-direction, named by the flat
        unconstrained coordinates that dominate it.
    information : ndarray of shape (n_free, n_free) or None, default=None
        The observed information in the flat unconstrained coordinates (``n_free`` of them).

    Attributes
    ----------
    estimates : dict
        The parameters, by the same names.
    method : str
    converged : bool
        Whether the fit they describe had converged (standard errors of a non-converged fit
        describe no maximum).
    positive_definite : bool or None
        Whether the observed information was positive definite (None for the bootstrap).
    direction : str or None
        Where it was not: the eigen-direction of its smallest eigenvalue, by parameter entry.
    information : ndarray or None
        The observed information in the flat unconstrained coordinates.
    """

    def __init__(self, errors, estimates, method, converged, positive_definite=None,
                 direction=None, information=None):
        super().__init__(errors)
        self.estimates, self.method, self.converged = estimates, method, converged
        self.positive_definite, self.direction = positive_definite, direction
        self.information = information

    def renamed(self, names) -> StandardErrors:
        """The same errors under other names (``{old: new}``), e.g. fitted attributes.

        Parameters
        ----------
        names : dict
            ``{current name: new name}``, with an entry for every name of this mapping.

        Returns
        -------
        StandardErrors
            The errors and estimates under the new names; ``method``, ``converged``,
            ``positive_definite``, ``direction`` and ``information`` unchanged.
        """
        return StandardErrors({names[k]: v for k, v in self.items()},
                              {names[k]: v for k, v in self.estimates.items()}, self.method,
                              self.converged, self.positive_definite, self.direction,
                              self.information)

    def summary(self, level=0.95) -> pd.DataFrame:
        """Estimates, standard errors and normal ``level`` confidence intervals, one row per
        parameter entry (``parameter``, ``index``).

        Parameters
        ----------
        level : float, default=0.95
            Coverage of the intervals ``estimate -/+ z * std_error``, with ``z`` the normal
            quantile at ``(1 + level) / 2``.

        Returns
        -------
        pandas.DataFrame
            One row per entry of every parameter, indexed by (``parameter``, ``index``),
            ``index`` the entry's position within its array (``"[0, 1]"``; empty for a
            scalar). Columns ``estimate``, ``std_error``, ``ci_<lower>``, ``ci_<upper>``
            (``ci_0.025`` and ``ci_0.975`` for ``level=0.95``). ``attrs`` holds ``method``,
            ``converged`` and ``positive_definite``.
        """
        z = norm.ppf(0.5 + level / 2)
        rows = []
        for name, errors in self.items():
            estimate = np.asarray(self.estimates[name], dtype=float)
            for index in np.ndindex(estimate.shape):
                value, error = estimate[index], np.asarray(errors)[index]
                rows.append((name, str(list(index)) if index else "", value, error,
                             value - z * error, value + z * error))
        lower, upper = f"ci_{(1 - level) / 2:.3g}", f"ci_{(1 + level) / 2:.3g}"
        table = pd.DataFrame(rows, columns=["parameter", "index", "estimate", "std_error",
                                            lower, upper])
        table.attrs.update(method=self.method, converged=self.converged,
                           positive_definite=self.positive_definite)
        return table.set_index(["parameter", "index"])


def _natural(geometry, vector):
    """The parameter leaves at ``vector``, flattened and concatenated."""
    params = geometry.unflatten(vector)
    return np.concatenate([np.ravel(params.get_path(path)) for path in geometry.paths])


def _split(geometry, flat):
    """``{path: array of the leaf's shape}`` from values concatenated over the leaves."""
    out, start = {}, 0
    for path in geometry.paths:
        shape = np.shape(geometry.reference.get_path(path))
        size = int(np.prod(shape, dtype=np.int64))
        out[path] = flat[start:start + size].reshape(shape)
        start += size
    return out


def _direction(geometry, vector):
    """Name the flat coordinates that dominate an eigenvector ("components.means[1]: 0.7")."""
    names = geometry.coordinate_names()
    order = np.argsort(-np.abs(vector))[:3]
    return ", ".join(f"{names[j]}: {vector[j]:+.3g}" for j in order)


def _check_definite(geometry, information):
    values, vectors = np.linalg.eigh(information)
    if values[0] > DEFINITE_TOLERANCE * max(values[-1], 0.0) and values[0] > 0:
        return True, None
    direction = _direction(geometry, vectors[:, 0])
    warn(f"the observed information is not positive definite (smallest eigenvalue "
         f"{values[0]:.3g}): the parameters may be a saddle or boundary point, not a maximum. "
         f"Eigen-direction (unconstrained coordinates): {direction}. Standard errors along it "
         "are not defined (NaN).", ConvergenceWarning)
    return False, direction


def _delta_method(geometry, information):
    """Standard errors of the natural parameters: sqrt diag(J I^-1 J')."""
    centre = geometry.flatten(geometry.reference)
    J = differences.jacobian(lambda v: _natural(geometry, v), centre)
    covariance = J @ np.linalg.pinv(information, hermitian=True) @ J.T
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.where(np.diag(covariance) >= 0, np.diag(covariance), np.nan))


def standard_errors(result, data, model, *, method="louis", fixed=(), backend=None,
                    n_bootstrap=200, bootstrap="nonparametric", random_state=None,
                    **fit_options) -> StandardErrors:
    """Standard errors of a fit's parameters, for any model.

    Parameters
    ----------
    result : FitResult
        The fit (``emkit.fit``), or any object with ``params`` and ``converged``.
    data : array of shape (n_samples, n_features), Block or source
        The data it was fitted to.
    model : LatentModel
    method : {"louis", "numerical", "bootstrap"}, default="louis"
        See :mod:`emkit.inference.information`; "bootstrap" refits to resampled data.
    fixed : iterable of str
        Parameters held fixed in the fit (they get no standard error).
    backend : Backend, optional
        Where the E-steps and the bootstrap fits run.
    n_bootstrap : int, default=200
    bootstrap : {"nonparametric", "parametric"}, default="nonparametric"
    random_state : int, RandomState or None
    **fit_options
        Passed to each bootstrap fit (``tol``, ``max_iter``).

    Returns
    -------
    StandardErrors
        ``{dotted parameter path: standard errors (its shape)}``; a ConvergenceWarning is
        issued (and ``converged`` is False) for a fit that had not converged.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    converged = bool(result.converged)
    if not converged:
        warn("standard errors of a fit that has not converged: the parameters are not a "
             "maximum, so the standard errors describe no estimator. Fit to convergence "
             "first (more iterations or a smaller tol).", ConvergenceWarning)
    params = result.params
    if method == "bootstrap":
        draws, paths = bootstrap_draws(model, params, data, n_bootstrap, bootstrap, fixed,
                                       backend, random_state, fit_options)
        errors = {path: np.std(draws[path], axis=0, ddof=1) for path in paths}
        return StandardErrors(errors, {p: params.get_path(p) for p in paths}, method,
                              converged)
    geometry, information = observed_information(model, params, data, method, fixed=fixed,
                                                 backend=backend)
    definite, direction = _check_definite(geometry, information)
    errors = _split(geometry, _delta_method(geometry, information))
    return StandardErrors(errors, {p: params.get_path(p) for p in geometry.paths}, method,
                          converged, definite, direction, information)
