"""Checks of user input that every model shares: arrays, data, parameters, counts.

Every message names the argument, what was expected, what was got and what to do. The checks
of data (:func:`check_finite`, :func:`check_values`) raise a
:class:`~emkit.exceptions.DataError` naming the first offending row, which the engine moves to
the row's place in the whole data when it checks data block by block; a component's or model's
``validate`` should use them.
"""
from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse

from ..exceptions import ROW, DataError
from .constraints import flat_constraints
from .tree import Tree

__all__ = ["MISSING_DATA_REMEDY", "check_X", "check_array", "check_finite", "check_lengths",
           "check_observed_columns", "check_params", "check_possible", "params_problem",
           "check_positive_int", "check_probabilities", "check_support", "check_tol",
           "check_values", "check_weights", "label_codes", "observed_rows_only"]

#: What to do with NaN given to a family without missing-data support.
MISSING_DATA_REMEDY = ("Remove or impute the rows with missing values, or use a family that "
                       "models them (Gaussian, in a mixture or an HMM).")


def check_X(X, *, name="X", allow_nan=False, dtype=np.float64, min_samples=1):
    """Validate a 2-D numeric data matrix and return it as a float array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    name : str
        Argument name used in messages.
    allow_nan : bool
        Whether NaN marks missing values (models with missing-data support).

    Returns
    -------
    ndarray of shape (n_samples, n_features)
    """
    if scipy.sparse.issparse(X):
        raise TypeError(f"{name} is a sparse matrix; emkit needs dense data. Use {name}.toarray().")
    array = _as_array(X)
    if array.dtype.kind in "OUSV":
        try:
            array = array.astype(dtype)
        except ValueError:
            raise ValueError(
                f"{name} must be numeric; got an array of dtype {array.dtype} with values "
                f"such as {array.ravel()[:3].tolist()}. Encode text columns as numbers first."
            ) from None
        except TypeError as error:  # an object that is no number at all (a dict, None)
            raise TypeError(
                f"{name} must be numeric: {error}; got values such as "
                f"{array.ravel()[:3].tolist()}. Encode the column as numbers first."
            ) from None
    if array.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {array.dtype}; "
                         f"pass real values (for example {name}.real).")
    if array.ndim != 2:
        hint = (f" Reshape your data with {name}.reshape(-1, 1) for one feature or "
                f"{name}.reshape(1, -1) for one sample." if array.ndim == 1 else "")
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features); got a {array.ndim}-D array "
            f"of shape {array.shape}.{hint}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {array.shape[0]} sample(s) (shape={array.shape}) while a minimum of "
            f"{min_samples} is required. Pass non-empty data."
        )
    if array.shape[1] < 1:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={array.shape}) while a minimum of 1 is required. "
            "Pass data with at least one column."
        )
    array = np.asarray(array, dtype=dtype)
    check_finite(array, name=name, allow_nan=allow_nan)
    return array


def _as_array(X):
    """X as an array; a pandas object's missing values (``pd.NA``) become NaN."""
    if hasattr(X, "to_numpy") and hasattr(X, "dtypes"):
        try:
            return X.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):  # text columns: reported below
            pass
    return np.asarray(X)


def article(word: str) -> str:
    """"an" before a word that starts with a vowel, else "a"."""
    return "an" if word[:1].upper() in "AEIOU" else "a"


def _first(mask):
    row, column = np.argwhere(mask)[0]
    return int(row), int(column)


def check_finite(X, *, name="X", family=None, allow_nan=False):
    """Raise a DataError at the first NaN or infinite entry of X (NaN allowed if asked).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    name : str
        What holds the values (``"X"``, a file name), for the message.
    family : str, optional
        The family that needs finite values ("Poisson"), for the message.
    allow_nan : bool
        Whether NaN marks missing values (models with missing-data support).
    """
    bad = ~np.isfinite(X)
    if allow_nan:
        bad &= ~np.isnan(X)
    if not bad.any():
        return
    row, column = _first(bad)
    missing = np.isnan(X[row, column])
    what = "NaN" if missing else "infinity"
    owner = f"{article(family)} {family} component" if family else \
        ("this model" if missing else "emkit")
    if missing:
        need, remedy = "has no missing-data support", MISSING_DATA_REMEDY
    else:
        need, remedy = "needs finite values", "Infinite values are never valid; remove them."
    raise DataError(f"{name} column {column} has {what} at row {ROW} ({int(bad.sum())} NaN "
                    f"or infinite entries in all); {owner} {need}. {remedy}", row)


def check_observed_columns(X, family=None, *, name="X"):
    """Raise a ValueError at the first column of X with no observed (non-NaN) value.

    Missing values are latent variables, but a column that is never observed leaves its
    parameters unidentified: no amount of EM can estimate them.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    family : str, optional
        The family being fitted, for the message.
    name : str
    """
    empty = np.flatnonzero(np.all(np.isnan(X), axis=0)) if X.shape[0] else np.zeros(0, int)
    if not empty.size:
        return
    owner = f"{article(family)} {family} component" if family else "the model"
    raise ValueError(f"{name} column {int(empty[0])} has no observed value: all its "
                     f"{X.shape[0]} entries are NaN ({empty.size} such column(s): "
                     f"{empty[:10].tolist()}); {owner} cannot estimate anything about it. "
                     "Remove the column.")


def observed_rows_only(X, *, name="X"):
    """The rows of X that observe at least one value, and a warning if some observe none.

    A row whose every entry is missing (NaN) carries no information about the parameters; it
    is dropped from a fit, with a warning that says how many.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    name : str

    Returns
    -------
    ndarray of bool, shape (n_samples,), or None
        Which rows to keep; None when every row observes something (nothing dropped).
    """
    from ..exceptions import MissingDataWarning, warn

    from .missing import has_missing

    if X.shape[1] == 0 or not has_missing(X):
        return None
    keep = ~np.all(np.isnan(X), axis=1)
    if keep.all():
        return None
    dropped = int(np.sum(~keep))
    if not keep.any():
        raise ValueError(f"{name} has no observed value: all its {X.size} entries are NaN. "
                         "Pass data with observed values.")
    warn(f"{dropped} row(s) of {name} (of {X.shape[0]}) have no observed value (every entry "
         f"is NaN), the first at row {int(np.flatnonzero(~keep)[0])}; they carry no "
         "information and were dropped from the fit.", MissingDataWarning)
    return keep


def check_values(X, bad, family, expected, remedy, *, name="X"):
    """Raise a DataError at the first entry of X where ``bad`` is true (outside the support).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    bad : ndarray of bool, same shape
    family : str
    expected : str or callable
        What the family needs (``"values > 0"``), or ``expected(column) -> str``.
    remedy : str
        What the user can do.
    name : str
        What holds the values, for the message.
    """
    if not np.any(bad):
        return
    row, column = _first(bad)
    need = expected(column) if callable(expected) else expected
    raise DataError(f"{name} column {column} has value {float(X[row, column])!r} at row {ROW}; "
                    f"{article(family)} {family} component needs {need}. {remedy}", row)


def check_weights(weights, *, name="sample_weight"):
    """Raise a DataError at the first sample weight that is not finite and non-negative.

    Parameters
    ----------
    weights : ndarray of shape (n_samples,) or None
        None (every row weighs 1) passes.
    name : str
        The argument's name, for the message.
    """
    if weights is None:
        return
    weights = np.asarray(weights, dtype=float)
    bad = ~(np.isfinite(weights) & (weights >= 0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"{name} must be finite and non-negative; row {ROW} has "
                        f"{float(weights[row])!r}. Use 0 to leave a row out.", row)
    with np.errstate(over="ignore"):
        total = float(np.sum(weights))
    if not np.isfinite(total):
        raise ValueError(f"{name} sums to {total!r} (its largest value is "
                         f"{float(np.max(weights))!r}), beyond float64. Divide the weights by "
                         "their maximum: only their ratios matter to the fitted parameters.")


def label_codes(values, *, name="labels"):
    """Known labels read as numbers (a file column) as int64 codes; NaN means unknown (-1).

    Raises
    ------
    DataError
        At the first value that is not an integer.
    """
    values = np.asarray(values, dtype=float)
    known = ~np.isnan(values)
    bad = known & (values != np.round(values))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"{name} must hold integer codes (-1 or NaN where unknown); row {ROW} "
                        f"has {float(values[row])!r}.", row)
    return np.where(known, values, -1.0).astype(np.int64)


def check_support(X, family, inside, expected, remedy, *, allow_nan=False):
    """Raise a DataError at the first entry of X that is not finite or not in the support.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    family : str
    inside : callable
        ``inside(X)``: a boolean array of X's shape, True where a value is allowed.
    expected : str
        The support in words (``"values > 0"``).
    remedy : str
        What the user can do.
    allow_nan : bool, default=False
        Whether NaN marks missing values (families with missing-data support).
    """
    check_finite(X, family=family, allow_nan=allow_nan)
    outside = ~inside(X)
    if allow_nan:
        outside &= ~np.isnan(X)
    check_values(X, outside, family, expected, remedy)


def check_positive_int(value, name, *, minimum=1, maximum=None, maximum_name=None):
    """Validate an integer argument in ``[minimum, maximum]`` and return it as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{name}={value} must be <= {maximum_name or maximum} ({maximum}). "
            f"Use at most {maximum} or provide more data."
        )
    return int(value)


def check_tol(tol, name="tol"):
    """Validate a non-negative tolerance and return it as float."""
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not np.isfinite(tol) \
            or tol < 0:
        raise ValueError(f"{name} must be a non-negative number; got {tol!r}. Use e.g. 1e-3.")
    return float(tol)


def check_params(constraints: dict, params: Tree, *, name="params") -> None:
    """Check that every leaf of ``params`` named in ``constraints`` lies in its set.

    Parameters
    ----------
    constraints : dict
        ``{name: Constraint or nested dict}`` as returned by ``model.constraints()``.
    params : Tree
    name : str
        Argument name used in messages.
    """
    found = params_problem(constraints, params)
    if found is not None:
        raise ValueError(f"{name}: {found[1]}. Pass valid starting values.")


def params_problem(constraints: dict, params: Tree):
    """The first leaf of ``params`` outside the set ``constraints`` declare for it.

    Parameters
    ----------
    constraints : dict
        ``{name: Constraint or nested dict}`` as returned by ``model.constraints()``.
    params : Tree

    Returns
    -------
    (str, str) or None
        ``(dotted path, what is wrong in words)``, or None when every leaf is in its set.
    """
    leaves = params.paths() if isinstance(params, Tree) else {}
    for path, constraint in flat_constraints(constraints).items():
        if path not in leaves:
            return path, f"missing the parameter {path!r}; it has {sorted(leaves)}"
        problem = constraint.problem(leaves[path])
        if problem:
            return path, f"parameter {path!r} must be {constraint.name}, but {problem}"
    return None


def check_possible(row_loglik, X, sample_weights=None) -> None:
    """Raise :class:`DataError` at the first counted row of zero probability.

    A posterior (responsibilities, state probabilities) is undefined for a row the model gives
    probability zero; its score is -inf, but fitting or predicting it is an error.

    Parameters
    ----------
    row_loglik : ndarray of shape (n_samples,)
        ``log p(x_i)`` (-inf for an impossible row; NaN for the rows of a sequence after one).
    X : ndarray of shape (n_samples, n_features)
        The rows (their size goes into the message).
    sample_weights : ndarray of shape (n_samples,), optional
        Rows of weight 0 do not count.
    """
    impossible = np.isneginf(row_loglik)
    if sample_weights is not None:
        impossible &= np.asarray(sample_weights) != 0
    if not impossible.any():
        return
    row = int(np.argmax(impossible))
    largest = float(np.max(np.abs(X[row]))) if np.size(X[row]) else 0.0
    raise DataError(
        f"row {ROW} has probability zero under the model (log density -inf): it lies outside "
        f"every component's support, or so far from the parameters (largest |value| "
        f"{largest:.3g}) that its distance overflows float64. Its score is -inf; to fit or "
        "predict it, drop it or rescale the data (standardise the columns).", row)


def check_lengths(lengths, n_samples, *, name="lengths"):
    """Validate sequence lengths against the number of rows.

    Parameters
    ----------
    lengths : array-like of shape (n_sequences,) or None
        None means one sequence of all ``n_samples`` rows.
    n_samples : int

    Returns
    -------
    ndarray of shape (n_sequences,), int64
    """
    if lengths is None:
        return np.array([n_samples], dtype=np.int64)
    array = np.asarray(lengths)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of positive integers, one "
                         f"per sequence; got an array of shape {array.shape}.")
    if array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)) \
            or not np.all(array == np.round(array)):
        raise ValueError(f"{name} must hold integers (rows per sequence); got "
                         f"{array[:5].tolist()}{'...' if array.size > 5 else ''}.")
    bad = np.flatnonzero(array <= 0)
    if bad.size:
        raise ValueError(
            f"{name} must be positive: every sequence needs at least one row; "
            f"{name}[{bad[0]}] = {array[bad[0]]} ({bad.size} such entries). Remove empty "
            "sequences from lengths."
        )
    total = int(array.sum())
    if total != n_samples:
        raise ValueError(
            f"{name} must sum to the number of rows of X ({n_samples}); got {name} summing to "
            f"{total} over {array.size} sequences. Pass one length per sequence, in the "
            "order the sequences are stacked in X."
        )
    return array.astype(np.int64)


def check_array(value, name, shape, constraint=None, *, remedy="Pass valid starting values."):
    """Validate a user-given parameter array: numeric, of ``shape``, inside ``constraint``.

    Parameters
    ----------
    value : array-like
    name : str
        Argument or attribute name used in messages (``"means_init"``, ``"lambdas_"``).
    shape : tuple of int
        The expected shape.
    constraint : Constraint, optional
        The set the values must lie in; without one they need only be finite.
    remedy : str
        What to do, appended to the message.

    Returns
    -------
    ndarray of the given shape, float64
    """
    from .constraints import real

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array of shape {tuple(shape)}; got "
                         f"{value!r}. {remedy}") from None
    if array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got {array.shape}. {remedy}")
    constraint = constraint or real
    problem = constraint.problem(array)
    if problem:
        raise ValueError(f"{name} must be {constraint.name}, but {problem}. {remedy}")
    return array


def check_probabilities(value, name, shape):
    """Validate probability vectors (the last axis sums to 1) of a given shape.

    The simplex constraint's check (:func:`check_array` with ``constraints.simplex``), with
    advice on zeros and normalising.

    Returns
    -------
    ndarray of the given shape, float64
    """
    from .constraints import simplex

    return check_array(value, name, shape, simplex,
                       remedy="Use 0 for a forbidden entry and divide each vector by its sum.")
