"""Validation of ``fit``'s per-row arrays: sample weights and known labels."""
from __future__ import annotations

import numpy as np

from ..engine.validation import check_weights

__all__ = ["check_sample_weight", "label_array"]


def check_sample_weight(sample_weight, n_samples):
    """Return the weights as a new float array of shape (n_samples,), or None.

    Raises
    ------
    ValueError
        If the weights are not one finite, non-negative number per row, or all zero.
    """
    if sample_weight is None:
        return None
    try:
        weights = np.array(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"sample_weight must be numeric; got {sample_weight!r}.") from None
    if weights.shape != (n_samples,):
        raise ValueError(f"sample_weight must have shape (n_samples,) = ({n_samples},), one "
                         f"weight per row of X; got shape {weights.shape}.")
    check_weights(weights)
    if not np.any(weights > 0):
        raise ValueError("sample_weight: every weight is zero; at least one row needs a "
                         "non-zero weight.")
    return weights


def label_array(labels):
    """Known labels as an int64 array (-1 where unknown), or None; checked by the model."""
    if labels is None:
        return None
    array = np.asarray(labels)
    return array.astype(np.int64) if array.dtype.kind in "iu" else array
