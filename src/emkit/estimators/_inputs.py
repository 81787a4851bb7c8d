"""Input handling shared by the scikit-learn facades: arrays, feature counts and names.

Messages follow scikit-learn's wording where users already know it (feature names, feature
counts), so that code and tests written for scikit-learn estimators keep working.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..engine.validation import check_X

__all__ = ["check_names", "feature_names", "record_features", "validate_fit_input",
           "validate_predict_input"]

_MAX_NAMES_SHOWN = 5


def feature_names(X):
    """Column names of a DataFrame-like X as an object array, or None.

    Names are used only when every column name is a string.
    """
    columns = getattr(X, "columns", None)
    if columns is None or len(columns) == 0:
        return None
    names = np.asarray(list(columns), dtype=object)
    kinds = {type(name) for name in names}
    if kinds == {str}:
        return names
    if str in kinds:
        raise TypeError(
            "Feature names are only supported if all input features have string names, but "
            f"X has column names of types {sorted(k.__name__ for k in kinds)}. Convert them "
            "all to strings with X.columns = X.columns.astype(str)."
        )
    return None


def _listing(names):
    shown = [f"- {name}\n" for name in names[:_MAX_NAMES_SHOWN]]
    return "".join(shown) + ("- ...\n" if len(names) > _MAX_NAMES_SHOWN else "")


def check_names(estimator, given):
    """Check column names ``given`` (ndarray of str or None) against those seen in ``fit``."""
    fitted = getattr(estimator, "feature_names_in_", None)
    owner = type(estimator).__name__
    if fitted is None and given is None:
        return
    if fitted is None:
        warnings.warn(f"X has feature names, but {owner} was fitted without feature names")
        return
    if given is None:
        warnings.warn(f"X does not have valid feature names, but {owner} was fitted with "
                      "feature names")
        return
    if len(fitted) == len(given) and np.all(fitted == given):
        return
    unseen = sorted(set(given) - set(fitted))
    missing = sorted(set(fitted) - set(given))
    message = "The feature names should match those that were passed during fit.\n"
    if unseen:
        message += "Feature names unseen at fit time:\n" + _listing(unseen)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + _listing(missing)
    if not unseen and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def validate_fit_input(X, *, allow_nan=False):
    """Validate X for ``fit``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    names : ndarray of str or None
        The column names, to record with :func:`record_features` once the fit succeeds.
    """
    names = feature_names(X)
    return check_X(X, allow_nan=allow_nan), names


def record_features(estimator, n_features, names):
    """Set ``n_features_in_`` and ``feature_names_in_`` after a successful fit."""
    estimator.n_features_in_ = int(n_features)
    if names is not None:
        estimator.feature_names_in_ = names
    else:
        estimator.__dict__.pop("feature_names_in_", None)


def validate_predict_input(estimator, X, *, allow_nan=False):
    """Validate X for a method of a fitted estimator (same features as in ``fit``)."""
    check_names(estimator, feature_names(X))
    array = check_X(X, allow_nan=allow_nan)
    if array.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {array.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input. Pass data with the columns used "
            "in fit."
        )
    return array
