"""The ``emkit`` command: demo, fit, predict, score, sample.

A user error is one clear line on stderr and exit code 2; a traceback appears only with
``--debug``.
"""
from __future__ import annotations

import argparse
import importlib.util
import contextlib
import sys
import numpy as np

from .sources.open import FORMATS

__all__ = ["main"]

EXIT_USAGE = 2


class UserError(Exception):
    """An error caused by the command's input, reported as one line."""


@contextlib.contextmanager
def _data_source(args):
    """The rows of ``args.data``: streamed from the file, or placed on a Dask scheduler.

    The file is never loaded whole: the numpy backend reads it block by block on every pass,
    or with ``--scheduler`` the workers read it (the path must be visible to them).
    """
    from .sources import open_source

    source = open_source(args.data, args.columns, format=args.format)
    if not args.scheduler:
        yield source
        return
    from .backends.dask_backend import connect

    backend = connect(args.scheduler, timeout=args.connect_timeout)
    try:
        yield backend.prepare(source)
    finally:
        backend.client.close()


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
        progress=_progress_wanted(args),
    )


def _progress_wanted(args):
    """Bars unless -q or --no-progress; None (none) when rich is not installed."""
    if args.no_progress or args.quiet:
        return False
    return True if importlib.util.find_spec("rich") is not None else None


def cmd_fit(args):
    from .estimators.criteria import bic as information
    from .persist import save

    with _data_source(args) as X:
        estimator = _estimator_from_args(args).fit(X)
    result = estimator.result_  # the BIC from the fit itself: no second pass over the data
    bic = information(result.log_likelihood, estimator.n_parameters(), result.n_samples)
    if not args.quiet:
        print(estimator.history_.to_table())
    print(f"{estimator.n_iter_} iterations, converged={estimator.converged_}, "
          f"log-likelihood {estimator.result_.log_likelihood:.6f}, BIC {bic:.3f}")
    json_path, npz_path = save(estimator, args.output)
    print(f"wrote {json_path} and {npz_path}")


def _load_model(args):
    from .persist import load

    try:
        return load(args.model)
    except ValueError as error:
        raise UserError(str(error)) from None


def cmd_predict(args):
    estimator = _load_model(args)
    with _data_source(args) as X:
        _write_prediction(estimator, X, args)


def _write_prediction(estimator, X, args):
    if args.proba:
        proba = estimator.predict_proba(X)
        header = ",".join(f"p{k}" for k in range(proba.shape[1]))
        _write_rows(proba, args.output, header)
    else:
        _write_rows(estimator.predict(X)[:, None], args.output, "label")


def cmd_score(args):
    estimator = _load_model(args)
    with _data_source(args) as X:
        scores = estimator.score_samples(X)
    print(f"mean log-likelihood {scores.mean():.6f} over {len(scores)} rows "
          f"(total {scores.sum():.6f})")


def cmd_sample(args):
    estimator = _load_model(args)
    X, labels = estimator.sample(args.n_samples)
    header = ",".join([f"x{j}" for j in range(X.shape[1])] + ["component"])
    _write_rows(np.column_stack([X, labels]), args.output, header)


# -- argument parsing ------------------------------------------------------------------------
def _columns(text):
    return [c.strip() for c in text.split(",") if c.strip()]


def _add_data_options(parser, verb):
    parser.add_argument("data", help=f"table to {verb}: .parquet (or a folder of them), .csv, "
                                     ".zarr or .npy; read block by block, never whole")
    parser.add_argument("--columns", type=_columns,
                        help="comma-separated column names (positions for .npy)")
    parser.add_argument("--format", choices=sorted(FORMATS),
                        help="file format, when the name does not tell it")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on the Dask cluster at ADDRESS (tcp://host:8786); its "
                             "workers read the data file")
    parser.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long to wait for the scheduler (default 10)")


def _add_fit_options(parser):
    _add_data_options(parser, "fit")
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
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bars (they are on unless -q)")


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
        _add_data_options(sub, name)
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
    except ImportError as error:
        if args.debug:
            raise
        print(f"emkit {args.command}: error: {error}; install the extras with "
              "pip install 'emkit[all]'", file=sys.stderr)
        return EXIT_USAGE
    except (UserError, ValueError, TypeError, OSError) as error:
        if args.debug:
            raise
        print(f"emkit {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
