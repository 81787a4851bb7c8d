"""hmmlearn-style inputs of the HMM facades: sequences, letter codes and Dirichlet priors.

hmmlearn names parameters by letters (``params="stmc"``); emkit names them (``fixed=
{"transmat"}``). The facades accept both, and this module does the translation once.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..priors import Dirichlet

__all__ = ["as_sequences", "fixed_from_codes", "letters", "prior_from_hmmlearn"]


def as_sequences(X, lengths):
    """Return ``(X, lengths)`` for X given as one array plus lengths or as a list of arrays.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or list of such arrays
        A list (or tuple) whose items are all 2-D is a list of sequences.
    lengths : array-like of shape (n_sequences,) or None
        Only with a single array; None means one sequence.

    Returns
    -------
    X : array-like of shape (n_samples, n_features)
    lengths : ndarray of shape (n_sequences,), or None (validated later against X)
    """
    if isinstance(X, (list, tuple)) and len(X) > 0 and all(np.ndim(s) == 2 for s in X):
        if lengths is not None:
            raise ValueError("lengths must be None when X is a list of sequences (their "
                             "lengths are read from the arrays); got both.")
        return np.concatenate([np.asarray(s) for s in X]), np.array([len(s) for s in X])
    return X, lengths


def letters(value, name, codes):
    """The set of letters in an hmmlearn code string, each checked against ``codes``."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string of parameter codes such as "
                         f"{''.join(codes)!r}; got {value!r}.")
    unknown = sorted(set(value) - set(codes))
    if unknown:
        described = ", ".join(f"{c!r} ({p})" for c, p in codes.items())
        raise ValueError(f"{name}={value!r} contains unknown code(s) {unknown}; the codes "
                         f"are {described}.")
    return set(value)


def fixed_from_codes(params, codes, fixed):
    """emkit's named fixed set: the codes missing from ``params`` plus ``fixed``."""
    updated = letters(params, "params", codes)
    names = {name for code, name in codes.items() if code not in updated}
    if fixed is not None:
        names |= {fixed} if isinstance(fixed, str) else set(fixed)
    return names


def prior_from_hmmlearn(value, name, n_rows, n_states):
    """A Dirichlet prior from hmmlearn's float or array concentration (or a Dirichlet).

    Parameters
    ----------
    value : float, array-like of shape (n_states,) or (n_rows, n_states), Dirichlet or None
        1 (hmmlearn's default) is the flat prior and returns None.
    n_rows : int
        1 for the start vector, n_states for the transition matrix (one prior per row).

    Returns
    -------
    None, Dirichlet or tuple of Dirichlet (one per row)
    """
    if value is None or isinstance(value, Dirichlet):
        return value
    array = np.asarray(value, dtype=float) if not isinstance(value, numbers.Real) \
        else np.asarray(float(value))
    if array.ndim == 0 or array.shape == (n_states,):
        expected = None
    elif n_rows > 1 and array.shape == (n_rows, n_states):
        expected = None
    else:
        expected = f"a float, shape ({n_states},)" + (
            f" or ({n_rows}, {n_states})" if n_rows > 1 else "")
    if expected or not np.all(np.isfinite(array)) or np.any(array < 1):
        raise ValueError(
            f"{name} must be {expected or 'Dirichlet concentrations >= 1'}; got "
            f"{value!r}. emkit's priors need concentrations >= 1 (a finite mode); use 1.0 for "
            "none."
        )
    if np.all(array == 1.0):
        return None
    if array.ndim == 2:
        return tuple(Dirichlet(row) for row in array)
    return Dirichlet(array)
