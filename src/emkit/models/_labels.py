"""Known component labels (semi-supervised fits): validation and the starting point."""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..engine.init import one_hot

__all__ = ["align_to_labels", "check_labels"]


def check_labels(labels, n_samples, n_latent, name="labels"):
    """Check that ``labels`` has one integer in ``[-1, n_latent)`` per row (-1: unknown).

    Parameters
    ----------
    labels : ndarray of shape (n_samples,) or None
    n_samples, n_latent : int
    """
    if labels is None:
        return
    labels = np.asarray(labels)
    if labels.shape != (n_samples,):
        raise ValueError(f"{name} must have shape (n_samples,) = ({n_samples},), one entry per "
                         f"row of X; got shape {labels.shape}.")
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers (a component index, or -1 where unknown); "
                         f"got dtype {labels.dtype}.")
    bad = np.flatnonzero((labels < -1) | (labels >= n_latent))
    if bad.size:
        raise ValueError(
            f"{name} must be -1 (unknown) or a component index in 0 .. {n_latent - 1}; row "
            f"{bad[0]} has {labels[bad[0]]} ({bad.size} rows out of range). Use -1 for rows "
            "whose component is not known."
        )


def align_to_labels(resp, labels):
    """Starting responsibilities that agree with the known labels.

    The columns of ``resp`` (clusters found without the labels) are permuted so that each
    cluster goes to the label it overlaps most (a linear assignment), then labelled rows are
    set one-hot to their label.

    Parameters
    ----------
    resp : ndarray of shape (n_samples, n_latent)
    labels : ndarray of shape (n_samples,), -1 where unknown

    Returns
    -------
    ndarray of shape (n_samples, n_latent)
    """
    known = labels >= 0
    if not np.any(known):
        return resp
    truth = one_hot(labels[known], resp.shape[1])
    clusters, targets = linear_sum_assignment(-(resp[known].T @ truth))
    order = np.empty(resp.shape[1], dtype=int)
    order[targets] = clusters
    aligned = resp[:, order]
    aligned[known] = truth
    return aligned
