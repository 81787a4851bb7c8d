"""What each ``emkit`` subcommand does (the parser is in :mod:`emkit.cli._parser`)."""
from __future__ import annotations

import contextlib
import json
import sys

import numpy as np

from ..sources.streaming import StreamingSource
from ._errors import UserError
from ._files import load_model, save_model
from ._models import build_estimator
from ._progress import fit_progress, tracked
from ._table import open_table

__all__ = ["COMMANDS"]

#: Most rows ``emkit sample`` draws in one call (about 1 GB per 12 features).
MAX_SAMPLE_ROWS = 10**7


def _say(args, text):
    """A line for people (stdout), left out with --json or --quiet."""
    if not (args.json or args.quiet):
        print(text)


def _emit_json(args, payload):
    if args.json:
        print(json.dumps(payload, indent=2, default=_jsonable))


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _is_hmm(estimator):
    from ..estimators._hmm_base import HMMEstimator

    return isinstance(estimator, HMMEstimator)


def _sequence_inputs(estimator, table):
    """``lengths=`` for an HMM given arrays; a streamed source carries its own lengths.

    An HMM given no sequence options reads the rows as one sequence.
    """
    if _is_hmm(estimator) and isinstance(table.X, np.ndarray):
        return {"lengths": table.lengths}
    if _is_hmm(estimator) and table.lengths is None:
        table.X = StreamingSource(table.X.reader, lengths=[table.X.n_samples])
        return {}
    if not _is_hmm(estimator) and table.lengths is not None:
        raise UserError("--sequence-column/--lengths-column apply to HMMs; this model is a "
                        f"{type(estimator).__name__}.")
    return {}


def _is_regression(estimator):
    from ..estimators.regression_mixture import RegressionMixture

    return isinstance(estimator, RegressionMixture)


def _is_factor_model(estimator):
    from ..estimators._factor_base import FactorEstimator

    return isinstance(estimator, FactorEstimator)


def _row_inputs(estimator, table, need_response=None):
    """Keyword inputs beside X: an HMM's ``lengths``, a regression's in-memory ``y``.

    ``need_response`` names the command that needs y from a regression mixture (its
    ``--response`` column); a streamed X carries y itself.
    """
    inputs = _sequence_inputs(estimator, table)
    has_response = table.y is not None or (
        not isinstance(table.X, np.ndarray) and "y" in getattr(table.X, "layout", {}))
    if not _is_regression(estimator):
        if has_response:
            raise UserError("--response applies to regression mixtures; this model is a "
                            f"{type(estimator).__name__}.")
        return inputs
    if need_response and not has_response:
        raise UserError(f"{need_response} of a regression mixture needs y: pass --response "
                        "COLUMN naming the response's column in the data.")
    if table.y is not None:
        inputs["y"] = table.y
    return inputs


def _unsupported(what, estimator, remedy=""):
    """The one-line error for a command a kind of model does not support."""
    return UserError(f"{what} is not supported for a {type(estimator).__name__} model"
                     + (f"; {remedy}" if remedy else "."))


@contextlib.contextmanager
def _on_scheduler(args, table):
    """X on the Dask scheduler of ``--scheduler`` (its workers read the file), or as is."""
    if not getattr(args, "scheduler", None):
        yield table.X
        return
    from ..backends.dask_backend import connect

    backend = connect(args.scheduler, timeout=args.connect_timeout)
    try:
        yield backend.prepare(table.X)
    finally:
        backend.client.close()


def _model_columns(estimator):
    names = getattr(estimator, "feature_names_in_", None)
    return None if names is None else [str(name) for name in names]


# -- fit and select -------------------------------------------------------------------------
def _fit(args, table):
    """Fit the model ``args`` describe; returns it and its BIC row (see :func:`_fit_summary`).

    The log-likelihood is that of the parameters returned, by one more pass over the data
    (the fit's own last value belongs to the parameters before the last M-step).
    """
    estimator = build_estimator(args, table.X)
    progress = fit_progress(args.quiet or args.json, args.verbose, args.no_progress)
    inputs = _row_inputs(estimator, table)
    with progress as tracker, tracked(estimator, tracker), _on_scheduler(args, table) as X:
        estimator.fit(X, **inputs, **_checkpoints(args))
        if _is_hmm(estimator):
            log_likelihood = float(estimator.score(X, **inputs))
        else:
            log_likelihood = float(estimator.score(X, **inputs)) * estimator.result_.n_samples
    return estimator, _fit_summary(estimator, log_likelihood)


def _checkpoints(args):
    """``fit``'s checkpoint arguments from --checkpoint, --checkpoint-every and --resume
    (none for ``emkit select``, which fits a grid)."""
    every = getattr(args, "checkpoint_every", None)
    return {"checkpoint": getattr(args, "checkpoint", None),
            "checkpoint_every": 1 if every is None else every,
            "resume": getattr(args, "resume", None)}


def _fit_summary(estimator, log_likelihood):
    from ..estimators.criteria import bic

    result = estimator.result_
    return {"model": type(estimator).__name__, "n_components": estimator.n_components,
            "n_samples": result.n_samples, "n_iter": estimator.n_iter_,
            "converged": bool(estimator.converged_), "log_likelihood": log_likelihood,
            "n_parameters": estimator.n_parameters(),
            "bic": bic(log_likelihood, estimator.n_parameters(), result.n_samples)}


def cmd_fit(args):
    table = open_table(args)
    estimator, summary = _fit(args, table)
    written = save_model(estimator, args.output, args.force)
    summary["files"] = [str(p) for p in written]
    _say(args, estimator.history_.to_table())
    if not args.json:
        print(f"{summary['n_iter']} iterations, converged={summary['converged']}, "
              f"log-likelihood {summary['log_likelihood']:.6f}, BIC {summary['bic']:.3f}")
        print(f"wrote {' and '.join(summary['files'])}")
    _emit_json(args, summary)


def _grid(args, table, ks, types):
    """``(ranked table, best estimator, structure column)``: ``emkit.select`` for Gaussian
    mixtures in this process, the command's own grid of fits for every other model."""
    from ._select import bic_grid, library_grid

    if args.model == "gmm" and not args.scheduler:
        grid, best = library_grid(args, table.X, ks, types)
        return grid, best, grid.kind

    def fit_one(trial):
        from ..estimators.criteria import aic

        estimator, summary = _fit(trial, table)
        summary["aic"] = aic(summary["log_likelihood"], summary["n_parameters"])
        icl = getattr(estimator, "icl", None)
        if icl is not None and not _is_regression(estimator):
            summary["icl"] = float(icl(table.X, **_row_inputs(estimator, table)))
        else:
            summary["icl"] = np.nan
        return estimator, summary

    args.n_components = ks[0]
    grid, best = bic_grid(fit_one, args, ks, types)
    return grid, best, "covariance_type"


def cmd_select(args):
    from ._select import covariance_types, parse_k_range, wide_table

    table = open_table(args)
    ks = parse_k_range(args.n_components_range)
    types = covariance_types(args.covariance_type, args.model)
    grid, best, kind = _grid(args, table, ks, types)
    if args.table:
        grid.to_csv(args.table, index=False)
    if best is None:
        raise UserError("every fit of the grid failed: " + "; ".join(grid["error"][:3]))
    written = save_model(best, args.output, args.force) if args.output else []
    if args.plot:
        _save_bic_plot(grid, args.plot)
    if args.report:
        _write_report(best, table, args.report, bic_table=grid)
    if args.json:
        _emit_json(args, {"table": grid.to_dict(orient="records"),
                          "best": grid.iloc[0].to_dict(),
                          "files": [str(p) for p in written]})
        return
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"BIC (lower is better) by number of components and {kind}:")
        print(wide_table(grid, kind).round(3).to_string())
        top = grid.iloc[0]
        option = "" if top[kind] == "-" else f"--covariance-type {top[kind]} "
        print(f"\nbest: {option}-k {top['n_components']} (BIC {top['bic']:.3f}); the next: "
              + ", ".join(f"{row[kind]} k={row['n_components']} ({row['bic']:.3f})"
                          for _, row in grid.iloc[1:3].iterrows()))
    for path in [*written, args.table, args.plot, args.report]:
        if path:
            print(f"wrote {path}")


def _save_bic_plot(grid, path):
    from ..plot import _pyplot, bic

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    bic(grid.dropna(subset=["bic"]), ax=ax, title="BIC by number of components")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- using a model ----------------------------------------------------------------------------
def _open_for(args, estimator):
    table = open_table(args, _model_columns(estimator))
    width = getattr(estimator, "n_features_in_", None)
    if width is not None and len(table.columns) != width:
        raise UserError(f"the model has {width} features but {len(table.columns)} columns "
                        f"were selected from {table.path} ({','.join(table.columns[:8])}); "
                        f"pass --columns with {width} columns.")
    return table


def _write_frame(frame, output, args):
    if output is None:
        frame.to_csv(sys.stdout, index=False, float_format="%.10g")
        return
    if str(output).lower().endswith((".parquet", ".pq")):
        frame.to_parquet(output, index=False)
    else:
        frame.to_csv(output, index=False, float_format="%.10g")
    if not args.quiet:
        print(f"wrote {output} ({len(frame)} rows)", file=sys.stderr)


def cmd_predict(args):
    import pandas as pd

    estimator = load_model(args.model)
    table = _open_for(args, estimator)
    if args.proba and _is_factor_model(estimator):
        raise _unsupported("predict --proba", estimator, "predict without --proba writes "
                           "the factor scores E[z | x].")
    inputs = _row_inputs(estimator, table, "predict --proba" if args.proba else None)
    with _on_scheduler(args, table) as X:
        if args.proba:
            values = estimator.predict_proba(X, **inputs)
            frame = pd.DataFrame(values, columns=[f"p{k}" for k in range(values.shape[1])])
        else:
            frame = _predictions(estimator, X, inputs)
    if table.ids is not None:
        frame.insert(0, table.id_name, table.ids)
    _write_frame(frame, args.output, args)


def _predictions(estimator, X, inputs):
    """What ``predict`` writes without ``--proba``: a label or state per row, a regression
    mixture's mean response E[y | x] (and its component when y is given), or factor scores.
    """
    import pandas as pd

    if _is_factor_model(estimator):
        scores = estimator.transform(X)
        return pd.DataFrame(scores, columns=[f"f{q}" for q in range(scores.shape[1])])
    if _is_regression(estimator):
        frame = pd.DataFrame({"prediction": estimator.predict(X)})
        if "y" in inputs or not isinstance(X, np.ndarray) and "y" in X.layout:
            frame["component"] = estimator.predict_component(X, **inputs)
        return frame
    name = "state" if _is_hmm(estimator) else "label"
    return pd.DataFrame({name: estimator.predict(X, **inputs)})


def cmd_score(args):
    estimator = load_model(args.model)
    table = _open_for(args, estimator)
    inputs = _row_inputs(estimator, table, "score")
    with _on_scheduler(args, table) as X:
        if _is_hmm(estimator):
            total = float(estimator.score(X, **inputs))
            n_rows = len(X) if isinstance(X, np.ndarray) else X.n_samples
        else:
            scores = estimator.score_samples(X, **inputs)
            total, n_rows = float(np.sum(scores)), len(scores)
    if np.isnan(total):
        raise UserError(f"the log-likelihood of {table.path} is NaN: some row is outside what "
                        "the model can evaluate; check the data for extreme values.")
    payload = {"n_rows": n_rows, "total_log_likelihood": total,
               "mean_log_likelihood": total / n_rows}
    if table.lengths is not None:
        payload["n_sequences"] = len(table.lengths)
    if args.json:
        _emit_json(args, payload)
        return
    print(f"mean log-likelihood {payload['mean_log_likelihood']:.6f} over {n_rows} rows "
          f"(total {total:.6f})")


def cmd_sample(args):
    import pandas as pd

    if not 1 <= args.n_samples <= MAX_SAMPLE_ROWS:
        raise UserError(f"-n/--n-samples must be between 1 and {MAX_SAMPLE_ROWS:,} rows per "
                        f"call; got {args.n_samples:,}. Draw a large sample in several calls "
                        "with different --random-state values.")
    estimator = load_model(args.model)
    if _is_regression(estimator):
        raise _unsupported("sample", estimator, "a regression mixture draws y given "
                           "covariates: call RegressionMixture.sample(X) from Python.")
    if not hasattr(estimator, "sample"):
        raise _unsupported("sample", estimator)
    if _is_hmm(estimator):
        X, states = estimator.sample(args.n_samples, random_state=args.random_state)
        label = "state"
    else:
        if args.random_state is not None:
            estimator.random_state = args.random_state
        X, states = estimator.sample(args.n_samples)
        label = "component"
    names = _model_columns(estimator) or [f"x{j}" for j in range(np.shape(X)[1])]
    frame = pd.DataFrame(np.asarray(X), columns=names)
    frame[label] = np.asarray(states)
    _write_frame(frame, args.output, args)


def cmd_inspect(args):
    from ._inspect import describe, render

    description = describe(load_model(args.model))
    if args.json:
        _emit_json(args, description)
    else:
        print(render(description))


def _write_report(estimator, table, path, bic_table=None, title=None):
    from ..report import write_report

    write_report(estimator, table.X, path, lengths=table.lengths, bic_table=bic_table,
                 title=title, data_name=table.path,
                 feature_names=table.columns if table.named else None)


def cmd_report(args):
    estimator = load_model(args.model)
    if _is_factor_model(estimator) or _is_regression(estimator):
        raise _unsupported("report", estimator, "emkit inspect shows its parameters and "
                           "emkit score its log-likelihood.")
    table = _open_for(args, estimator)
    bic_table = None
    if args.bic_table:
        import pandas as pd

        from ..sources._paths import existing_path

        bic_table = pd.read_csv(existing_path(args.bic_table))
    _write_report(estimator, table, args.output, bic_table=bic_table, title=args.title)
    if not args.json:
        print(f"wrote {args.output}")
    _emit_json(args, {"report": str(args.output)})


def cmd_demo(args):
    from ..datasets import load_old_faithful
    from ..estimators import GaussianMixture

    X = load_old_faithful()
    # A random start (rather than k-means) leaves visible gaps for the anatomy to show.
    model = GaussianMixture(n_components=2, covariance_type="full", tol=1e-10, max_iter=500,
                            init_params="random", random_state=args.random_state).fit(X)
    print("Old Faithful (272 eruptions: minutes of eruption, minutes of waiting), "
          "2-component full-covariance Gaussian mixture\n")
    print(model.history_.to_table())
    print(f"\n{model.n_iter_} iterations, converged={model.converged_}, "
          f"log-likelihood {model.result_.log_likelihood:.6f}")
    for k in range(2):
        print(f"component {k}: weight {model.weights_[k]:.4f}, mean "
              f"{np.array2string(model.means_[k], precision=4)}")
    if not args.no_plot:
        from ..plot import plot_demo

        print(f"wrote {plot_demo(X, model, args.output)}")


COMMANDS = {"fit": cmd_fit, "select": cmd_select, "predict": cmd_predict, "score": cmd_score,
            "sample": cmd_sample, "inspect": cmd_inspect, "report": cmd_report,
            "demo": cmd_demo}
