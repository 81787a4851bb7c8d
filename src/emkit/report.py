"""An HTML report of a fitted model on a table: one self-contained file, images inlined.

``write_report(estimator, X, "report.html")`` writes a data summary, the fit's anatomy
(table and plots), the fitted parameters, the clusters (or the decoded states of an HMM),
the responsibilities and, when given, the BIC table and curve of a model selection. The
file holds no script and loads nothing: the images are base64 PNG, the style is inline.
``emkit report MODEL DATA -o report.html`` is the command-line entry.

The plots are drawn on a sample of at most ``sample_rows`` rows (whole sequences for an
HMM); the data summary covers every row (one pass over a file).
"""
from __future__ import annotations

import base64
import datetime
import html
import io

import numpy as np

__all__ = ["render_report", "write_report"]

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45;background:#fff}
h1{font-size:1.7em;border-bottom:2px solid #3a6ea5;padding-bottom:.2em}
h2{font-size:1.3em;margin-top:1.8em;color:#3a6ea5}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccd;padding:.25em .6em;text-align:right}
th{background:#eef2f8}
td.text,th.text{text-align:left}
img{max-width:100%;height:auto;border:1px solid #eee;margin:.4em 0}
.meta{color:#555;font-size:.9em}
.note{color:#555;font-size:.9em;max-width:60em}
nav a{margin-right:1em}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;font-size:.85em}
"""


# -- data ------------------------------------------------------------------------------------
def _as_data(X, lengths):
    """``(array or source, feature names or None, lengths)`` of what the caller gave."""
    columns = getattr(X, "columns", None)
    if columns is not None and hasattr(X, "to_numpy"):  # a DataFrame
        return np.asarray(X.to_numpy(dtype=float)), [str(c) for c in columns], lengths
    if hasattr(X, "blocks") and hasattr(X, "head"):  # a source
        names = getattr(X, "feature_names", None) or getattr(X, "columns", None)
        return X, None if names is None else [str(n) for n in names], \
            lengths if lengths is not None else getattr(X, "lengths", None)
    return np.asarray(X, dtype=float), None, lengths


def _sample(data, lengths, n_rows):
    """At most about ``n_rows`` rows in memory (whole sequences) and their lengths."""
    if not isinstance(data, np.ndarray):
        block = data.head(min(n_rows, data.n_samples))
        sample = np.asarray(block.X)
        block_lengths = getattr(block, "lengths", None)
        return sample, None if lengths is None else np.asarray(block_lengths)
    if lengths is None:
        rows = np.arange(len(data)) if len(data) <= n_rows else \
            np.sort(np.random.default_rng(0).choice(len(data), n_rows, replace=False))
        return data[rows], None
    stops = np.cumsum(lengths)
    keep = max(1, int(np.searchsorted(stops, min(n_rows, stops[-1]), side="right")))
    return data[:stops[keep - 1]], np.asarray(lengths[:keep])


def _blocks(data):
    if isinstance(data, np.ndarray):
        yield data
        return
    for block in data.blocks(1 << 16):
        yield np.asarray(block.X)


def column_summary(data):
    """Rows, mean, standard deviation, minimum and maximum of every column (one pass).

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_features) or source

    Returns
    -------
    dict
        ``n_rows`` and arrays of shape (n_features,): ``mean``, ``std``, ``min``, ``max``.
    """
    n, total, squares, low, high = 0, 0.0, 0.0, np.inf, -np.inf
    shift = None
    for X in _blocks(data):
        if len(X) == 0:
            continue
        shift = X[0] if shift is None else shift  # shifted sums: no cancellation
        centred = X - shift
        n += len(X)
        total = total + centred.sum(axis=0)
        squares = squares + (centred ** 2).sum(axis=0)
        low, high = np.minimum(low, X.min(axis=0)), np.maximum(high, X.max(axis=0))
    mean = total / n
    variance = np.maximum(squares / n - mean ** 2, 0.0)
    return {"n_rows": n, "mean": mean + shift, "std": np.sqrt(variance), "min": low,
            "max": high}


# -- html pieces -----------------------------------------------------------------------------
def _e(value) -> str:
    return html.escape(str(value))


def _number(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return _e(value)


def _table(header, rows, text_columns=(0,)) -> str:
    def cell(tag, j, value):
        kind = ' class="text"' if j in text_columns else ""
        shown = _e(value) if j in text_columns or isinstance(value, str) else _number(value)
        return f"<{tag}{kind}>{shown}</{tag}>"

    head = "".join(cell("th", j, name) for j, name in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", j, v) for j, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _png(figure, alt) -> str:
    from .plot import _pyplot

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    _pyplot().close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _pyplot_figure(width, height):
    from .plot import _pyplot

    return _pyplot().subplots(figsize=(width, height))


def _section(anchor, title, body) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


# -- sections --------------------------------------------------------------------------------
def _data_section(summary, names, data_name, lengths):
    rows = [(name, summary["mean"][j], summary["std"][j], summary["min"][j],
             summary["max"][j]) for j, name in enumerate(names)]
    where = f"<p>{_e(data_name)}: " if data_name else "<p>"
    sequences = "" if lengths is None else f" in {len(lengths):,} sequences"
    return _section("data", "Data", f"{where}{summary['n_rows']:,} rows{sequences}, "
                    f"{len(names)} columns.</p>"
                    + _table(["column", "mean", "std", "min", "max"], rows))


def _fit_section(estimator):
    from .estimators.criteria import bic

    result = estimator.result_
    n_parameters = estimator.n_parameters()
    facts = [("model", type(estimator).__name__),
             ("components / states", estimator.n_components),
             ("iterations", estimator.n_iter_), ("converged", bool(estimator.converged_)),
             ("stopped by", result.reason),
             ("log-likelihood", result.log_likelihood),
             ("free parameters", n_parameters),
             ("BIC", bic(result.log_likelihood, n_parameters, result.n_samples))]
    return _section("fit", "Fit", _table(["", "value"], facts))


def _anatomy_section(estimator):
    from . import plot

    history = estimator.history_
    frame = history.to_dataframe()
    shown = frame if len(frame) <= 30 else frame.iloc[list(range(15)) +
                                                      list(range(len(frame) - 15, len(frame)))]
    rows = [tuple(int(v) if j == 0 else v for j, v in enumerate(row))
            for row in shown.itertuples(index=False)]
    cut = "" if len(frame) <= 30 else \
        f"<p class='note'>First and last 15 of {len(frame)} iterations.</p>"
    fig, axes = _pyplot_figure(13, 4.3)
    axes.remove()
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    plot.anatomy(estimator, ax=left)
    plot.gap(estimator, ax=right)
    note = ("<p class='note'>Each iteration's E-step sets the bound L(q, θ) equal to the "
            "evidence log p(X|θ) (the KL gap closes); the M-step raises the bound and opens a "
            "gap KL(q ‖ p(Z|X, θ)) ≥ 0, so the evidence can only rise. The table gives both "
            "half-steps of every iteration.</p>")
    return _section("anatomy", "Anatomy of the fit", note + _png(fig, "anatomy plot") +
                    _table(list(frame.columns), rows, text_columns=()) + cut)


def _parameter_tables(estimator, names):
    from .cli._inspect import describe

    parts = []
    weights = getattr(estimator, "weights_", None)
    if weights is not None:
        parts.append("<h3>Weights</h3>" + _table(
            ["component", "weight"], [(f"{k}", w) for k, w in enumerate(weights)]))
    for path, value in describe(estimator)["parameters"].items():
        array = np.asarray(value)
        if path == "weights":
            continue
        title = f"<h3>{_e(path)} <span class='meta'>shape {array.shape}</span></h3>"
        per_feature = path.rsplit(".", 1)[-1] not in ("transmat", "startprob", "weights")
        if per_feature and array.ndim == 2 and array.shape[1] == len(names or []) \
                and array.shape[1] <= 20:
            parts.append(title + _table(["row"] + list(names),
                                        [(f"{k}", *row) for k, row in enumerate(array)]))
        elif array.ndim <= 2 and array.size <= 400:
            matrix = np.atleast_2d(array)
            parts.append(title + _table(["row"] + [str(j) for j in range(matrix.shape[1])],
                                        [(f"{k}", *row) for k, row in enumerate(matrix)]))
        else:
            text = np.array2string(array, precision=4, suppress_small=True, threshold=200)
            parts.append(title + f"<pre>{_e(text)}</pre>")
    return _section("parameters", "Fitted parameters", "".join(parts))


def _clusters_section(estimator, sample, sample_lengths, names, is_hmm):
    from . import plot

    if is_hmm:
        fig, ax = _pyplot_figure(12, 4)
        plot.hmm_states(estimator, sample, sample_lengths, ax=ax, feature_names=names)
        return _section("states", "Decoded states", _png(fig, "decoded state sequence"))
    if sample.shape[1] > 2:
        d = min(sample.shape[1], 6)
        from .plot import _pyplot

        fig = _pyplot().figure(figsize=(2.4 * d, 2.4 * d))
        plot.mixture(estimator, sample, ax=fig.add_subplot(1, 1, 1), feature_names=names)
    else:
        fig, ax = _pyplot_figure(7.5, 5.5)
        plot.mixture(estimator, sample, ax=ax, feature_names=names,
                     title="Clusters (1- and 2-sigma ellipses where the components have them)")
    return _section("clusters", "Clusters", _png(fig, "cluster plot"))


def _responsibilities_section(estimator, sample, sample_lengths, is_hmm):
    from . import plot

    fig, ax = _pyplot_figure(7.5, 4.5)
    plot.responsibilities(estimator, sample, lengths=sample_lengths if is_hmm else None, ax=ax)
    proba = estimator.predict_proba(sample, sample_lengths) if is_hmm else \
        estimator.predict_proba(sample)
    best = proba.max(axis=1)
    counts = np.bincount(proba.argmax(axis=1), minlength=proba.shape[1])
    rows = [(f"{k}", int(counts[k]), float(proba[:, k].mean()),
             float(np.mean(best[proba.argmax(axis=1) == k])) if counts[k] else np.nan)
            for k in range(proba.shape[1])]
    table = _table(["component", "rows assigned", "mean responsibility",
                    "mean confidence of its rows"], rows)
    return _section("responsibilities", "Responsibilities", _png(fig, "responsibilities")
                    + table)


def _bic_section(bic_table):
    from . import plot

    fig, ax = _pyplot_figure(7.5, 4.5)
    finite = bic_table.dropna(subset=["bic"])
    plot.bic(finite, ax=ax, title="BIC by number of components (lower is better)")
    table = bic_table.assign(error=bic_table["error"].fillna("")) \
        if "error" in bic_table.columns else bic_table
    columns = [c for c in table.columns if c != "error" or (table[c] != "").any()]
    rows = [tuple(row) for row in table[columns].itertuples(index=False)]
    text = tuple(j for j, c in enumerate(columns) if c in ("model", "covariance_type", "error"))
    return _section("selection", "Model selection", _png(fig, "BIC curves") +
                    _table(columns, rows, text_columns=text))


# -- the report ------------------------------------------------------------------------------
def render_report(estimator, X, *, lengths=None, bic_table=None, title=None, data_name=None,
                  feature_names=None, sample_rows=5000) -> str:
    """The report as an HTML string (see :func:`write_report`).

    Parameters
    ----------
    estimator : fitted emkit estimator
        A mixture (any family) or an HMM.
    X : ndarray or DataFrame of shape (n_samples, n_features), or source
        The data (a file opened with :func:`emkit.sources.open_source` is read block by
        block).
    lengths : array-like of shape (n_sequences,), optional
        Sequence lengths for an HMM (a source carries its own).
    bic_table : DataFrame, optional
        A model-selection table (``emkit select --table``): columns ``n_components``,
        ``bic`` and optionally ``covariance_type``; adds a "Model selection" section.
    title : str, optional
        Default ``"emkit report: <estimator class>"``.
    data_name : str, optional
        Where the data came from, shown in the data summary.
    feature_names : sequence of str, optional
        Column names; a DataFrame's, the source's or the model's by default, else
        ``x0, x1, ...``.
    sample_rows : int, default=5000
        Most rows drawn in the plots.

    Returns
    -------
    str
        A self-contained HTML document (styles inline, figures as embedded PNGs).
    """
    from . import __version__
    from .estimators._hmm_base import HMMEstimator

    data, names, lengths = _as_data(X, lengths)
    names = list(feature_names or names or getattr(estimator, "feature_names_in_", None)
                 or [f"x{j}" for j in range(_width(data))])
    names = [str(n) for n in names]
    is_hmm = isinstance(estimator, HMMEstimator)
    summary = column_summary(data)
    sample, sample_lengths = _sample(data, lengths if is_hmm else None, sample_rows)
    sample = _named(estimator, sample)
    title = title or f"emkit report: {type(estimator).__name__}"
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = [_data_section(summary, names, data_name, lengths if is_hmm else None),
                _fit_section(estimator), _anatomy_section(estimator),
                _parameter_tables(estimator, names),
                _clusters_section(estimator, sample, sample_lengths, names, is_hmm),
                _responsibilities_section(estimator, sample, sample_lengths, is_hmm)]
    anchors = [("data", "Data"), ("fit", "Fit"), ("anatomy", "Anatomy"),
               ("parameters", "Parameters"),
               ("states" if is_hmm else "clusters", "States" if is_hmm else "Clusters"),
               ("responsibilities", "Responsibilities")]
    if bic_table is not None and len(bic_table):
        sections.append(_bic_section(bic_table))
        anchors.append(("selection", "Selection"))
    nav = "<nav>" + "".join(f'<a href="#{a}">{_e(t)}</a>' for a, t in anchors) + "</nav>"
    plotted = f"Plots use {len(sample):,} of the {summary['n_rows']:,} rows."
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{_e(title)}</h1><p class='meta'>emkit {_e(__version__)}, {stamp}. "
            f"{plotted}</p>{nav}{''.join(sections)}</body></html>\n")


def _named(estimator, sample):
    """The sample as a DataFrame with the model's feature names, when it has them."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None or len(names) != sample.shape[1]:
        return sample
    import pandas as pd

    return pd.DataFrame(sample, columns=list(names))


def _width(data):
    return data.shape[1] if isinstance(data, np.ndarray) else data.n_features


def write_report(estimator, X, path, *, lengths=None, bic_table=None, title=None,
                 data_name=None, feature_names=None, sample_rows=5000):
    """Write an HTML report of a fitted estimator on data.

    Parameters
    ----------
    estimator : fitted emkit estimator
        A mixture (any family) or an HMM.
    X : ndarray or DataFrame of shape (n_samples, n_features), or source
        The data (a file opened with :func:`emkit.sources.open_source` is read block by
        block).
    path : str or Path
        The HTML file to write.
    lengths : array-like of shape (n_sequences,), optional
        Sequence lengths for an HMM (a source carries its own).
    bic_table : DataFrame, optional
        A model-selection table (``emkit select --table``): columns ``n_components``,
        ``bic`` and optionally ``covariance_type``.
    title : str, optional
    data_name : str, optional
        Where the data came from, shown in the data summary.
    feature_names : sequence of str, optional
        Column names; a DataFrame's, the source's or the model's by default.
    sample_rows : int
        Most rows drawn in the plots.

    Returns
    -------
    path
    """
    text = render_report(estimator, X, lengths=lengths, bic_table=bic_table, title=title,
                         data_name=data_name, feature_names=feature_names,
                         sample_rows=sample_rows)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
