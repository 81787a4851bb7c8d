"""Plots of fitted estimators: clusters, the anatomy, BIC curves, responsibilities, HMM states.

Needs matplotlib (``pip install emkit[plot]``). Every function takes a fitted estimator (or
its history, or a table) and the data as an array or a DataFrame, draws on a given Axes (or
makes a figure) and returns what it drew on, so the plots compose into larger figures.
Titles and axis labels are parameters (``title=``, ``xlabel=``, ``ylabel=``); None keeps
the default, ``""`` removes it.

The estimator-aware functions are :func:`mixture`, :func:`anatomy`, :func:`gap`,
:func:`bic`, :func:`responsibilities` and :func:`hmm_states`; :func:`plot_anatomy`,
:func:`plot_gap`, :func:`plot_mixture_2d` and :func:`plot_demo` are the lower-level (and
older) functions they build on.
"""
from __future__ import annotations

import numpy as np

__all__ = ["anatomy", "bic", "gap", "hmm_states", "largest_gap_window", "mixture",
           "plot_anatomy", "plot_demo", "plot_gap", "plot_mixture_2d", "responsibilities"]

#: Most points drawn in a scatter (a random subset beyond it, drawn with a fixed seed).
MAX_POINTS = 20_000


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError("plotting needs matplotlib: pip install 'emkit[plot]'") from None
    return plt


def _axes(ax):
    return ax if ax is not None else _pyplot().subplots()[1]


def _label(ax, title=None, xlabel=None, ylabel=None):
    """Set the given title and axis labels (None leaves what is there)."""
    if title is not None:
        ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax


def _table(X, feature_names=None):
    """X as a float array and its column names (a DataFrame's, or ``x0, x1, ...``)."""
    columns = getattr(X, "columns", None)
    array = np.asarray(X.to_numpy(dtype=float) if columns is not None else X, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {array.shape}.")
    if feature_names is None:
        feature_names = [str(c) for c in columns] if columns is not None else \
            [f"x{j}" for j in range(array.shape[1])]
    if len(feature_names) != array.shape[1]:
        raise ValueError(f"feature_names has {len(feature_names)} names for X's "
                         f"{array.shape[1]} columns; give one name per column.")
    return array, list(feature_names)


def _subset(n_rows, limit=MAX_POINTS):
    """Indices of at most ``limit`` rows (all rows when there are fewer), in order."""
    if n_rows <= limit:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(0).choice(n_rows, limit, replace=False))


# -- the anatomy ---------------------------------------------------------------------------
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
    """A slice of ``width`` iterations around the largest KL gap (where the anatomy shows).

    Parameters
    ----------
    history : History
    width : int

    Returns
    -------
    slice
    """
    peak = int(np.argmax(history.column("kl_gap")))
    start = max(0, min(peak - width // 2, len(history) - width))
    return slice(start, start + width)


def _check_history(history):
    if history is None or len(history) == 0:
        raise ValueError("the fit has no iterations to draw (history is empty); fit with "
                         "max_iter of at least 1.")
    return history


def plot_anatomy(history, ax=None, iterations=None, title=None, xlabel=None, ylabel=None):
    """Evidence and bound at both half-steps of every iteration.

    The evidence curve passes through log p(X | theta_t); the bound touches it after each
    E-step and lies below it by the KL gap after each M-step: a sawtooth.

    Parameters
    ----------
    history : History
    ax : matplotlib Axes, optional
    iterations : slice, optional
        The rows to draw (default all); see :func:`largest_gap_window`.
    title, xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    history = _check_history(history)
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
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(getattr(history, "objective_name", "objective"))
    ax.legend(loc="lower right", fontsize="small")
    return _label(ax, title, xlabel, ylabel)


def plot_gap(history, ax=None, title=None, xlabel=None, ylabel=None):
    """KL gap after each M-step and change in evidence per iteration, on a log scale.

    Parameters
    ----------
    history : History
    ax : matplotlib Axes, optional
    title, xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    history = _check_history(history)
    t = np.arange(1, len(history) + 1)
    tiny = np.finfo(float).tiny
    ax.semilogy(t, np.maximum(history.column("kl_gap"), tiny), "o-", color="C3",
                label="KL gap after M-step")
    ax.semilogy(t, np.maximum(np.abs(history.column("change")), tiny), "^-", color="C2",
                label="|change in evidence|")
    ax.set_xlabel("iteration")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize="small")
    return _label(ax, title, xlabel, ylabel)


def _history(estimator):
    history = getattr(estimator, "history_", None)
    if history is None:
        raise ValueError(f"{type(estimator).__name__} is not fitted (it has no history_); "
                         "call fit first.")
    return history


def anatomy(estimator, ax=None, iterations="largest-gap", title=None, xlabel=None,
            ylabel=None):
    """The anatomy sawtooth of a fitted estimator: evidence, and the bound at both half-steps.

    Parameters
    ----------
    estimator : fitted emkit estimator
    ax : matplotlib Axes, optional
    iterations : "largest-gap", "all" or slice
        The iterations drawn: the 8 around the largest KL gap (default), all, or a slice.
    title, xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib Axes
    """
    history = _check_history(_history(estimator))
    if isinstance(iterations, str):
        if iterations not in ("largest-gap", "all"):
            raise ValueError(f"iterations must be 'largest-gap', 'all' or a slice; got "
                             f"{iterations!r}.")
        iterations = largest_gap_window(history) if iterations == "largest-gap" else None
    return plot_anatomy(history, ax, iterations,
                        title="E-step closes the gap, M-step opens it" if title is None
                        else title, xlabel=xlabel, ylabel=ylabel)


def gap(estimator, ax=None, title=None, xlabel=None, ylabel=None):
    """The KL gap and the change in evidence of every iteration of a fitted estimator.

    Parameters
    ----------
    estimator : fitted emkit estimator
    ax : matplotlib Axes, optional
    title, xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib Axes
    """
    return plot_gap(_history(estimator), ax,
                    title="KL gap and evidence gain per iteration" if title is None else title,
                    xlabel=xlabel, ylabel=ylabel)


# -- Gaussian shapes and mixtures -----------------------------------------------------------
def _ellipse(ax, mean, covariance, n_std, **style):
    from matplotlib.patches import Ellipse

    values, vectors = np.linalg.eigh(covariance)
    angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
    width, height = 2 * n_std * np.sqrt(np.maximum(values[::-1], 0.0))
    ax.add_patch(Ellipse(mean, width, height, angle=angle, fill=False, **style))


_LAYOUTS = ("full", "tied", "diag", "spherical")


def full_covariances(covariances, n_components, n_features, covariance_type=None):
    """Covariances of any scikit-learn layout as full matrices.

    Parameters
    ----------
    covariances : ndarray
        (K, d, d) full, (d, d) tied, (K, d) diagonal or (K,) spherical.
    n_components, n_features : int
    covariance_type : {"full", "tied", "diag", "spherical"}, optional
        The layout; inferred from the shape when that is unambiguous (a (2, 2) array for
        two components in two dimensions may be tied or diagonal: then it must be given).

    Returns
    -------
    ndarray of shape (n_components, n_features, n_features)
    """
    c = np.asarray(covariances, dtype=float)
    k, d = n_components, n_features
    shapes = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}
    if covariance_type is not None and covariance_type not in shapes:
        raise ValueError(f"covariance_type must be one of {_LAYOUTS}; got "
                         f"{covariance_type!r}.")
    matching = [name for name in _LAYOUTS if shapes[name] == c.shape]
    if covariance_type is None and len(matching) > 1:
        raise ValueError(f"covariances of shape {c.shape} may be {' or '.join(matching)} for "
                         f"{k} components in {d} dimensions; pass covariance_type=.")
    layout = covariance_type or (matching[0] if matching else None)
    if layout is None or shapes[layout] != c.shape:
        raise ValueError(f"covariances has shape {c.shape}; expected ({k}, {d}, {d}) full, "
                         f"({d}, {d}) tied, ({k}, {d}) diagonal or ({k},) spherical.")
    if layout == "full":
        return c
    if layout == "tied":
        return np.broadcast_to(c, (k, d, d)).copy()
    if layout == "diag":
        return np.stack([np.diag(row) for row in c])
    return c[:, None, None] * np.eye(d)


def plot_mixture_2d(X, weights, means, covariances, labels=None, ax=None,
                    feature_names=None, title=None, xlabel=None, ylabel=None,
                    covariance_type=None):
    """Scatter two features with the fitted components' 1- and 2-sigma ellipses.

    Parameters
    ----------
    X : ndarray or DataFrame of shape (n_samples, 2)
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, 2)
    covariances : ndarray
        Any layout: (K, 2, 2) full, (2, 2) tied, (K, 2) diagonal or (K,) spherical.
    labels : ndarray of shape (n_samples,), optional
        Colours the points by component.
    ax : matplotlib Axes, optional
    feature_names : sequence of 2 str, optional
        Axis labels; a DataFrame's column names by default.
    title, xlabel, ylabel : str, optional
    covariance_type : {"full", "tied", "diag", "spherical"}, optional
        The layout of ``covariances``, when its shape does not tell it.

    Returns
    -------
    matplotlib Axes
    """
    X, names = _table(X, feature_names)
    means = np.asarray(means, dtype=float)
    covariances = full_covariances(covariances, len(means), X.shape[1], covariance_type)
    ax = _axes(ax)
    rows = _subset(len(X))
    colours = "0.5" if labels is None else [f"C{k % 10}" for k in np.asarray(labels)[rows]]
    ax.scatter(X[rows, 0], X[rows, 1], c=colours, s=10, alpha=0.6, linewidths=0)
    for k, (mean, cov) in enumerate(zip(means, covariances)):
        for n_std in (1, 2):
            _ellipse(ax, mean, cov, n_std, color=f"C{k % 10}", lw=2 / n_std)
        ax.annotate(f"w={weights[k]:.2f}", mean, ha="center", fontsize="small")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    return _label(ax, title, xlabel, ylabel)


def gaussian_shapes(estimator):
    """Means and full covariance (or scale) matrices of a fitted mixture's components.

    Parameters
    ----------
    estimator : fitted emkit mixture estimator

    Returns
    -------
    (means, covariances) : ndarrays of shapes (K, d) and (K, d, d), or None
        None when the components have no mean and covariance (Poisson, Gamma, ...). For a
        Student-t mixture the covariances are the scale matrices.
    """
    model, params = getattr(estimator, "model_", None), getattr(estimator, "params_", None)
    component = getattr(model, "component", None)
    components = getattr(params, "components", None)
    if component is None or components is None or "means" not in components:
        return None
    means = np.asarray(components.means, dtype=float)
    if hasattr(component, "full_covariances"):
        return means, np.asarray(component.full_covariances(components), dtype=float)
    if "scales" in components:
        return means, np.asarray(components.scales, dtype=float)
    return None


def _weights(estimator):
    weights = getattr(estimator, "weights_", None)
    if weights is None:
        raise ValueError(f"{type(estimator).__name__} has no weights_: mixture() draws a "
                         "fitted mixture (for an HMM use emkit.plot.hmm_states).")
    return np.asarray(weights)


def _like_fit(estimator, grid):
    """Grid points as the estimator was fitted: a DataFrame when it has feature names."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None or len(names) != grid.shape[1]:
        return grid
    import pandas as pd

    return pd.DataFrame(grid, columns=list(names))


def _mixture_1d(estimator, X, name, ax):
    """A histogram with the mixture's density and its weighted components."""
    x = X[:, 0]
    integer = np.all(np.equal(np.mod(x, 1), 0)) and np.ptp(x) < 200
    if integer:
        bins = np.arange(x.min() - 0.5, x.max() + 1.5)
        grid = np.arange(x.min(), x.max() + 1)
    else:
        bins = min(80, max(10, int(np.sqrt(len(x)))))
        pad = 0.05 * (np.ptp(x) or 1.0)
        grid = np.linspace(x.min() - pad, x.max() + pad, 400)
    try:
        density = np.exp(estimator.score_samples(_like_fit(estimator, grid[:, None])))
    except ValueError:  # the padding left the family's support (Gamma below 0, say)
        grid = grid[(grid >= x.min()) & (grid <= x.max())]
        density = np.exp(estimator.score_samples(_like_fit(estimator, grid[:, None])))
    ax.hist(x, bins=bins, density=True, color="0.8", label="data")
    parts = estimator.predict_proba(_like_fit(estimator, grid[:, None])) * density[:, None]
    style = "o-" if integer else "-"
    for k in range(parts.shape[1]):
        ax.plot(grid, parts[:, k], style, color=f"C{k % 10}", ms=3, lw=1.2,
                label=f"component {k} (w={_weights(estimator)[k]:.2f})")
    ax.plot(grid, density, style, color="k", ms=3, lw=1.8, label="mixture")
    ax.set_xlabel(name)
    ax.set_ylabel("probability" if integer else "density")
    ax.legend(fontsize="small")
    return ax


def _contours(estimator, X, ax, i, j):
    """Density contours of a 2-D mixture with no Gaussian shape (Poisson, Gamma, ...)."""
    lo, hi = X[:, [i, j]].min(axis=0), X[:, [i, j]].max(axis=0)
    pad = 0.05 * np.where(hi > lo, hi - lo, 1.0)
    gx, gy = (np.linspace(lo[d] - pad[d], hi[d] + pad[d], 120) for d in range(2))
    mx, my = np.meshgrid(gx, gy)
    grid = np.column_stack([mx.ravel(), my.ravel()])
    try:
        log_density = estimator.score_samples(_like_fit(estimator, grid)).reshape(mx.shape)
    except ValueError:  # a grid point outside the support (non-integer counts, say)
        return
    finite = np.isfinite(log_density)
    if finite.sum() > 3:
        levels = np.unique(np.quantile(log_density[finite], [0.5, 0.75, 0.9, 0.97]))
        if len(levels) > 1:
            ax.contour(mx, my, np.where(finite, log_density, np.nan), levels=levels,
                       colors="k", linewidths=0.8, alpha=0.7)


def _scatter_pair(estimator, X, labels, names, shapes, ax, i, j):
    rows = _subset(len(X))
    ax.scatter(X[rows, i], X[rows, j], c=[f"C{k % 10}" for k in labels[rows]], s=8,
               alpha=0.5, linewidths=0)
    if shapes is not None:
        means, covariances = shapes
        for k in range(len(means)):
            sub = covariances[k][np.ix_([i, j], [i, j])]
            for n_std in (1, 2):
                _ellipse(ax, means[k, [i, j]], sub, n_std, color=f"C{k % 10}", lw=2 / n_std)
    elif X.shape[1] == 2:
        _contours(estimator, X, ax, i, j)
    ax.set_xlabel(names[i])
    ax.set_ylabel(names[j])


def _pair_grid(estimator, X, labels, names, shapes, fig):
    d = X.shape[1]
    axes = fig.subplots(d, d, squeeze=False)
    for i in range(d):
        for j in range(d):
            ax = axes[i, j]
            if i == j:
                for k in np.unique(labels):
                    ax.hist(X[labels == k, i], bins=30, color=f"C{k % 10}", alpha=0.5)
                ax.set_xlabel(names[i])
            else:
                _scatter_pair(estimator, X, labels, names, shapes, ax, j, i)
            if i < d - 1:
                ax.set_xlabel("")
            if j > 0:
                ax.set_ylabel("")
    return axes


def mixture(estimator, X, ax=None, feature_names=None, title=None, xlabel=None,
            ylabel=None, max_features=6):
    """The data with a fitted mixture: clusters, shapes or densities.

    One feature: a histogram with the mixture density and its weighted components. Two:
    a scatter coloured by component with 1- and 2-sigma ellipses (Gaussian and Student-t
    mixtures, every covariance type) or density contours (other families). More: a pair
    plot of the first ``max_features`` features, with the ellipses projected.

    Parameters
    ----------
    estimator : fitted emkit mixture estimator
        Anything with ``weights_``, ``predict``, ``predict_proba`` and ``score_samples``.
    X : ndarray or DataFrame of shape (n_samples, n_features)
    ax : matplotlib Axes, optional
        For one or two features; a pair plot fills ``ax.figure`` (a new figure by default).
    feature_names : sequence of str, optional
        A DataFrame's column names, else the model's ``feature_names_in_``, else x0, x1...
    title, xlabel, ylabel : str, optional
    max_features : int

    Returns
    -------
    matplotlib Axes, or ndarray of Axes of shape (d, d) for a pair plot
    """
    if feature_names is None and getattr(X, "columns", None) is None:
        feature_names = getattr(estimator, "feature_names_in_", None)
        if feature_names is not None:
            feature_names = [str(name) for name in feature_names]
    array, names = _table(X, feature_names)
    weights = _weights(estimator)
    labels = np.asarray(estimator.predict(X))
    if array.shape[1] == 1:
        return _label(_mixture_1d(estimator, array, names[0], _axes(ax)), title, xlabel,
                      ylabel)
    shapes = gaussian_shapes(estimator)
    if array.shape[1] == 2:
        ax = _axes(ax)
        if shapes is not None:
            plot_mixture_2d(array, weights, *shapes, labels=labels, ax=ax, feature_names=names)
        else:
            _scatter_pair(estimator, array, labels, names, None, ax, 0, 1)
        return _label(ax, title, xlabel, ylabel)
    d = min(array.shape[1], max_features)
    shapes = None if shapes is None else (shapes[0][:, :d], shapes[1][:, :d, :d])
    fig = ax.figure if ax is not None else _pyplot().figure(figsize=(2.6 * d, 2.6 * d))
    if ax is not None:
        ax.remove()
    axes = _pair_grid(estimator, array[:, :d], labels, names[:d], shapes, fig)
    if title is not None:
        fig.suptitle(title)
    return axes


# -- selection, responsibilities and states --------------------------------------------------
def _group_column(table):
    for name in ("covariance_type", "model"):
        if name in table.columns:
            return name
    return None


def bic(table, ax=None, criterion="bic", title=None, xlabel=None, ylabel=None):
    """BIC against the number of components, one line per covariance type (as mclust).

    Parameters
    ----------
    table : DataFrame
        One row per fitted model, with columns ``n_components``, ``bic`` (or the named
        ``criterion``) and optionally ``covariance_type`` (or ``model``) for the lines.
        What ``emkit select`` writes. Lower is better; the best model is circled.
    ax : matplotlib Axes, optional
    criterion : str
        The column to draw.
    title, xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib Axes
    """
    missing = [c for c in ("n_components", criterion) if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; it has {list(table.columns)}. "
                         "Pass the table emkit select makes.")
    ax = _axes(ax)
    group = _group_column(table)
    groups = table.groupby(group, sort=False) if group else [("", table)]
    markers = "osD^vP*X"
    for i, (name, rows) in enumerate(groups):
        rows = rows.sort_values("n_components")
        ax.plot(rows["n_components"], rows[criterion], marker=markers[i % len(markers)],
                label=str(name) if group else None, color=f"C{i % 10}")
    finite = table[np.isfinite(table[criterion].astype(float))]
    if len(finite):
        best = finite.loc[finite[criterion].astype(float).idxmin()]
        ax.plot(best["n_components"], best[criterion], "o", ms=16, mfc="none", mec="k",
                label="best")
    ax.set_xlabel("number of components")
    ax.set_ylabel(f"{criterion.upper()} (lower is better)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize="small", title=group)
    return _label(ax, title, xlabel, ylabel)


def _posteriors(estimator, X, lengths=None):
    if lengths is not None:
        return np.asarray(estimator.predict_proba(X, lengths))
    return np.asarray(estimator.predict_proba(X))


def responsibilities(estimator, X, lengths=None, ax=None, title=None, xlabel=None,
                     ylabel=None, max_rows=2000):
    """The posterior probability of each component (or state) for each row, as an image.

    Rows are sorted by their most likely component, then by its probability, so that
    confident and uncertain rows show as bands.

    Parameters
    ----------
    estimator : fitted emkit estimator with ``predict_proba``
    X : ndarray or DataFrame of shape (n_samples, n_features)
    lengths : array-like of shape (n_sequences,), optional
        For HMMs.
    ax : matplotlib Axes, optional
    title, xlabel, ylabel : str, optional
    max_rows : int
        At most this many rows are drawn (a fixed random subset beyond it).

    Returns
    -------
    matplotlib Axes
    """
    proba = _posteriors(estimator, X, lengths)
    proba = proba[_subset(len(proba), max_rows)]
    best = proba.argmax(axis=1)
    order = np.lexsort((-proba[np.arange(len(proba)), best], best))
    ax = _axes(ax)
    image = ax.imshow(proba[order], aspect="auto", interpolation="nearest", cmap="viridis",
                      vmin=0, vmax=1)
    ax.figure.colorbar(image, ax=ax, label="responsibility")
    ax.set_xticks(range(proba.shape[1]))
    ax.set_xlabel("component")
    ax.set_ylabel(f"rows ({len(proba)}, sorted by component)")
    return _label(ax, "Responsibilities p(z = k | x)" if title is None else title, xlabel,
                  ylabel)


def hmm_states(estimator, X, lengths=None, ax=None, feature=0, feature_names=None,
               title=None, xlabel=None, ylabel=None, max_rows=5000):
    """A feature over time, coloured by the decoded (Viterbi) state of each row.

    Parameters
    ----------
    estimator : fitted emkit HMM estimator
    X : ndarray or DataFrame of shape (n_samples, n_features)
    lengths : array-like of shape (n_sequences,), optional
        Sequence boundaries are drawn as dashed lines.
    ax : matplotlib Axes, optional
    feature : int or str
        The column drawn (position, or name for a DataFrame).
    feature_names : sequence of str, optional
    title, xlabel, ylabel : str, optional
    max_rows : int
        Only the first ``max_rows`` rows are drawn.

    Returns
    -------
    matplotlib Axes
    """
    array, names = _table(X, feature_names)
    j = names.index(feature) if isinstance(feature, str) else int(feature)
    states = np.asarray(estimator.predict(X, lengths) if lengths is not None
                        else estimator.predict(X))
    n = min(len(array), max_rows)
    t = np.arange(n)
    ax = _axes(ax)
    ax.plot(t, array[:n, j], color="0.6", lw=0.8, zorder=1)
    for k in np.unique(states[:n]):
        mask = states[:n] == k
        ax.scatter(t[mask], array[:n, j][mask], s=10, color=f"C{k % 10}", label=f"state {k}",
                   zorder=2, linewidths=0)
    if lengths is not None:
        for edge in np.cumsum(np.asarray(lengths))[:-1]:
            if edge < n:
                ax.axvline(edge, color="k", ls="--", lw=0.8)
    ax.set_xlabel("row (time)")
    ax.set_ylabel(names[j])
    ax.legend(fontsize="small", ncol=min(4, len(np.unique(states[:n]))))
    return _label(ax, "Decoded states (Viterbi)" if title is None else title, xlabel, ylabel)


def plot_demo(X, estimator, path, feature_names=("eruption (min)", "waiting (min)"),
              title="Old Faithful: fitted components"):
    """The demo figure: data with ellipses, the anatomy sawtooth and the gap, saved to path.

    Parameters
    ----------
    X : ndarray or DataFrame of shape (n_samples, 2)
    estimator : fitted Gaussian mixture
    path : str or Path
    feature_names : sequence of 2 str
    title : str
        Title of the data panel.

    Returns
    -------
    path
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    mixture(estimator, X, ax=axes[0], feature_names=feature_names, title=title)
    anatomy(estimator, ax=axes[1])
    gap(estimator, ax=axes[2])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
