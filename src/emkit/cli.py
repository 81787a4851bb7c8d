"""The ``emkit`` command: demo, fit, predict, score, sample.

A user error is one clear line on stderr and exit code 2; a traceback appears only with
``--debug``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

__all__ = ["main"]

EXIT_USAGE = 2


class UserError(Exception):
    """An error caused by the command's input, reported as one line."""


def _read_matrix(path, columns=None):
    """Read a table into a float array (n_samples, n_features) from .csv, .npy or .parquet."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"data file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        if columns:
            raise UserError("--columns needs a file with column names (.csv or .parquet)")
        return np.load(path, allow_pickle=False), None
    try:
        import pandas as pd
    except ImportError:
        raise UserError("reading .csv/.parquet needs pandas: pip install 'emkit[io]'") from None
    readers = {".csv": pd.read_csv, ".parquet": pd.read_parquet}
    if suffix not in readers:
        raise UserError(f"unsupported data format {suffix!r}; use .csv, .parquet or .npy")
    frame = readers[suffix](path)
    if columns:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise UserError(f"columns {missing} are not in {path.name}; it has "
                            f"{list(frame.columns)}")
        frame = frame[columns]
    non_numeric = [c for c in frame.columns if frame[c].dtype.kind not in "biuf"]
    if non_numeric:
        raise UserError(f"columns {non_numeric} of {path.name} are not numeric; choose numeric "
                        "columns with --columns")
    return frame.to_numpy(dtype=float), list(map(str, frame.columns))


def _write_rows(array, output, header):
    if output is None:
        np.savetxt(sys.stdout, array, delimiter=",", header=header, comments="", fmt="%.10g")
    else:
        np.savetxt(output, array, delimiter=",", header=header, comments="", fmt="%.10g")
        print(f"wrote {output}", file=sys.stderr)


# -- commands ------------------------------------------------------------------------------
def cmd_demo(args):
    from .datasets import load_old_faithful
    from .estimators import GaussianMixture

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
        from .plot import plot_demo

        print(f"wrote {plot_demo(X, model, args.output)}")


def _estimator_from_args(args):
    from .estimators import GaussianMixture

    return GaussianMixture(
        n_components=args.n_components, covariance_type=args.covariance_type, tol=args.tol,
        max_iter=args.max_iter, n_init=args.n_init, random_state=args.random_state,
        verbose=int(args.verbose), reg_covar=args.reg_covar,
    )


def cmd_fit(args):
    from .persist import save

    X, names = _read_matrix(args.data, args.columns)
    estimator = _estimator_from_args(args).fit(X)
    if not args.quiet:
        print(estimator.history_.to_table())
    print(f"{estimator.n_iter_} iterations, converged={estimator.converged_}, "
          f"log-likelihood {estimator.result_.log_likelihood:.6f}, "
          f"BIC {estimator.bic(X):.3f}")
    json_path, npz_path = save(estimator, args.output)
    print(f"wrote {json_path} and {npz_path}")


def _model_and_data(args):
    from .persist import load

    try:
        estimator = load(args.model)
    except ValueError as error:
        raise UserError(str(error)) from None
    X, _ = _read_matrix(args.data, args.columns)
    return estimator, X


def cmd_predict(args):
    estimator, X = _model_and_data(args)
    if args.proba:
        proba = estimator.predict_proba(X)
        header = ",".join(f"p{k}" for k in range(proba.shape[1]))
        _write_rows(proba, args.output, header)
    else:
        _write_rows(estimator.predict(X)[:, None], args.output, "label")


def cmd_score(args):
    estimator, X = _model_and_data(args)
    scores = estimator.score_samples(X)
    print(f"mean log-likelihood {scores.mean():.6f} over {len(scores)} rows "
          f"(total {scores.sum():.6f})")


def cmd_sample(args):
    from .persist import load

    try:
        estimator = load(args.model)
    except ValueError as error:
        raise UserError(str(error)) from None
    X, labels = estimator.sample(args.n_samples)
    header = ",".join([f"x{j}" for j in range(X.shape[1])] + ["component"])
    _write_rows(np.column_stack([X, labels]), args.output, header)


# -- argument parsing ------------------------------------------------------------------------
def _columns(text):
    return [c.strip() for c in text.split(",") if c.strip()]


def _add_fit_options(parser):
    parser.add_argument("data", help="table to fit (.csv, .parquet or .npy)")
    parser.add_argument("--columns", type=_columns, help="comma-separated column names")
    parser.add_argument("-k", "--n-components", type=int, default=2)
    parser.add_argument("--covariance-type", default="full",
                        choices=["full", "tied", "diag", "spherical"])
    parser.add_argument("--tol", type=float, default=1e-3)
    parser.add_argument("--reg-covar", type=float, default=1e-6)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--n-init", type=int, default=1)
    parser.add_argument("--random-state", type=int, default=None)
    parser.add_argument("-o", "--output", default="emkit-model",
                        help="model file prefix (writes PREFIX.json and PREFIX.npz)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not print the anatomy")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every iteration")


def build_parser():
    """The argument parser of the ``emkit`` command."""
    parser = argparse.ArgumentParser(prog="emkit", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="fit Old Faithful and show the anatomy")
    demo.add_argument("-o", "--output", default="emkit-demo.png", help="figure to write")
    demo.add_argument("--no-plot", action="store_true", help="skip the figure")
    demo.add_argument("--random-state", type=int, default=0)
    demo.set_defaults(run=cmd_demo)

    fit = commands.add_parser("fit", help="fit a Gaussian mixture and save it")
    _add_fit_options(fit)
    fit.set_defaults(run=cmd_fit)

    for name, run, text in (("predict", cmd_predict, "component of each row"),
                            ("score", cmd_score, "log-likelihood of the rows")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("model", help="model prefix written by `emkit fit`")
        sub.add_argument("data", help="table (.csv, .parquet or .npy)")
        sub.add_argument("--columns", type=_columns)
        if name == "predict":
            sub.add_argument("--proba", action="store_true", help="posterior probabilities")
            sub.add_argument("-o", "--output", help="CSV file (default: stdout)")
        sub.set_defaults(run=run)

    sample = commands.add_parser("sample", help="draw from a saved model")
    sample.add_argument("model")
    sample.add_argument("-n", "--n-samples", type=int, default=100)
    sample.add_argument("-o", "--output", help="CSV file (default: stdout)")
    sample.set_defaults(run=cmd_sample)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (UserError, ValueError, TypeError, OSError) as error:
        if args.debug:
            raise
        print(f"emkit {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
