"""Plots of a fit: the anatomy (evidence, bound, KL gap) and 2-D Gaussian mixtures.

Needs matplotlib (``pip install emkit[plot]``). Every function draws on a given Axes (or makes
one) and returns it, so the plots compose into larger figures.
"""
from __future__ import annotations

import numpy as np

__all__ = ["largest_gap_window", "plot_anatomy", "plot_demo", "plot_gap", "plot_mixture_2d"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("plotting needs matplotlib: pip install 'emkit[plot]'") from None
    return plt


def _axes(ax):
    return ax if ax is not None else _pyplot().subplots()[1]


def anatomy_path(history, start=0):
    """The bound's path through the half-steps, for drawing.

    Row t of the history starts at (t, evidence_t) with the gap closed (E-step), the M-step
    moves the bound to (t + 1, bound_m_t), and the next E-step lifts it to the evidence.

    Parameters
    ----------
    history : sequence of IterationRecord
    start : int
        Iteration number of the first row (the x coordinate it starts at).

    Returns
    -------
    x : ndarray of shape (2 * n_rows,)
    bound : ndarray of shape (2 * n_rows,)
    """
    xs, ys = [], []
    for t, row in enumerate(history, start=start):
        xs += [t, t + 1]
        ys += [row.bound_e, row.bound_m]
    return np.array(xs, dtype=float), np.array(ys)


def largest_gap_window(history, width=8):
    """A slice of ``width`` iterations around the largest KL gap (where the anatomy shows)."""
    peak = int(np.argmax(history.column("kl_gap")))
    start = max(0, min(peak - width // 2, len(history) - width))
    return slice(start, start + width)


def plot_anatomy(history, ax=None, iterations=None):
    """Evidence and bound at both half-steps of every iteration.

    The evidence curve passes through log p(X | theta_t); the bound touches it after each
    E-step and lies below it by the KL gap after each M-step: a sawtooth.

    Parameters
    ----------
    history : History
    ax : matplotlib Axes, optional
    iterations : slice, optional
        The rows to draw (default all); see :func:`largest_gap_window`.
    """
    ax = _axes(ax)
    iterations = iterations or slice(0, len(history))
    rows, start = history[iterations], iterations.start or 0
    evidence = [r.evidence for r in rows] + [rows[-1].evidence + rows[-1].change]
    x, bound = anatomy_path(rows, start)
    ax.plot(np.arange(start, start + len(evidence)), evidence, "o-", color="C0",
            label="evidence log p(X|θ)")
    ax.plot(x, bound, "s--", color="C1", ms=4, label="bound L(q, θ)")
    for t, row in enumerate(rows, start=start):
        ax.vlines(t + 1, row.bound_m, row.bound_m + row.kl_gap, color="C3", lw=3, alpha=0.6,
                  label="KL gap, closed by the E-step" if t == start else None)
    ax.set_xlabel("iteration (M-step raises the bound, E-step closes the gap)")
    ax.set_ylabel(history.objective_name)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_gap(history, ax=None):
    """KL gap after each M-step and change in evidence per iteration, on a log scale."""
    ax = _axes(ax)
    t = np.arange(1, len(history) + 1)
    tiny = np.finfo(float).tiny
    ax.semilogy(t, np.maximum(history.column("kl_gap"), tiny), "o-", color="C3",
                label="KL gap after M-step")
    ax.semilogy(t, np.maximum(history.column("change"), tiny), "^-", color="C2",
                label="change in evidence")
    ax.set_xlabel("iteration")
    ax.legend(fontsize="small")
    return ax


def _ellipse(ax, mean, covariance, n_std, **style):
    from matplotlib.patches import Ellipse

    values, vectors = np.linalg.eigh(covariance)
    angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
    width, height = 2 * n_std * np.sqrt(values[::-1])
    ax.add_patch(Ellipse(mean, width, height, angle=angle, fill=False, **style))


def plot_mixture_2d(X, weights, means, covariances, labels=None, ax=None,
                    feature_names=("x0", "x1")):
    """Scatter two features with the fitted components' 1- and 2-sigma ellipses.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, 2)
    covariances : ndarray of shape (n_components, 2, 2)
    labels : ndarray of shape (n_samples,), optional
        Colours the points by component.
    """
    ax = _axes(ax)
    colours = "0.5" if labels is None else [f"C{k}" for k in labels]
    ax.scatter(X[:, 0], X[:, 1], c=colours, s=10, alpha=0.6)
    for k, (mean, cov) in enumerate(zip(means, covariances)):
        for n_std in (1, 2):
            _ellipse(ax, mean, cov, n_std, color=f"C{k}", lw=2 / n_std)
        ax.annotate(f"w={weights[k]:.2f}", mean, ha="center", fontsize="small")
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    return ax


def plot_demo(X, estimator, path, feature_names=("eruption (min)", "waiting (min)")):
    """The demo figure: data with ellipses, the anatomy sawtooth and the gap, saved to path."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    covariances = estimator.model_.component.full_covariances(estimator.params_.components)
    plot_mixture_2d(X, estimator.weights_, estimator.means_, covariances,
                    labels=estimator.predict(X), ax=axes[0], feature_names=feature_names)
    axes[0].set_title("Old Faithful: fitted components")
    history = estimator.history_
    plot_anatomy(history, ax=axes[1], iterations=largest_gap_window(history))
    axes[1].set_title("E-step closes the gap, M-step opens it")
    plot_gap(history, ax=axes[2])
    axes[2].set_title("KL gap and evidence gain per iteration")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
