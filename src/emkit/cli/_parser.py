"""The ``emkit`` command's arguments (argparse), with one-line errors."""
from __future__ import annotations

import argparse
import math

from ..sources.open import FORMATS
from ._errors import UserError
from ._models import MODELS

__all__ = ["build_parser"]

DESCRIPTION = "Fit latent variable models by EM from the command line, with the anatomy of " \
              "every fit."
EPILOG = "Add --debug anywhere for a traceback on errors. Exit codes: 0 done, 2 a user " \
         "error (one line on stderr), 130 interrupted."


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a :class:`UserError` (one line), not usage text."""

    def error(self, message):
        raise UserError(f"{message} (see {self.prog} --help)")


def _columns(text):
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected names or positions such as x,y or 0,1; "
                                         f"got {text!r}")
    return names


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number of seconds above 0; got "
                                         f"{text!r}")
    return value


def _positive_number(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0; got {text!r}")
    return value


def _count(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number; got {text!r}") from None


def _output_options():
    parent = Parser(add_help=False)
    group = parent.add_argument_group("output")
    group.add_argument("-q", "--quiet", action="store_true",
                       help="print nothing but the results (no anatomy, no progress)")
    group.add_argument("--json", action="store_true",
                       help="print the results as JSON on stdout, for scripts")
    return parent


def _data_options(verb, sequences=True):
    parent = Parser(add_help=False)
    parent.add_argument("data", help=f"table to {verb}: .parquet (or a folder of them), .csv, "
                                     ".zarr or .npy; streamed block by block")
    group = parent.add_argument_group("input")
    group.add_argument("--columns", type=_columns, metavar="C1,C2",
                       help="columns of X, by name or position (0,1,...); default: the "
                            "model's features, or every column at fit")
    group.add_argument("--format", choices=sorted(FORMATS),
                       help="file format, when the name does not tell it")
    group.add_argument("--sep", default=",", help="CSV field separator (default ,)")
    group.add_argument("--no-header", action="store_true",
                       help="the CSV file has no header row (columns are x0, x1, ...; it is "
                            "read into memory)")
    group.add_argument("--response", metavar="C",
                       help="regression: the column of y, the response (the other columns, "
                            "or --columns, are the covariates)")
    if sequences:
        group.add_argument("--sequence-column", metavar="C",
                           help="HMMs: column naming each row's sequence (consecutive rows "
                                "with one value form a sequence)")
        group.add_argument("--lengths-column", metavar="C",
                           help="HMMs: column listing the sequences' lengths in its first "
                                "cells (blank after the last)")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster at ADDRESS (tcp://host:8786); its "
                            "workers read the data file")
    group.add_argument("--connect-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                       help="how long to wait for the scheduler (default 10)")
    return parent


def _model_options(k_help="number of components or states (default 2)", k_type=_count):
    parent = Parser(add_help=False)
    group = parent.add_argument_group("model")
    group.add_argument("--model", default="gmm", choices=list(MODELS), metavar="NAME",
                       help="; ".join(f"{s.name}: {s.summary}" for s in MODELS.values()))
    if k_type is _count:
        group.add_argument("-k", "--n-components", type=_count, help=k_help)
    else:
        group.add_argument("-k", "--n-components", dest="n_components_range", default="1:9",
                           help=k_help)
    group.add_argument("--covariance-type", metavar="TYPE",
                       help="gmm, hmm, gmmhmm: full, tied, diag or spherical; gmm also "
                            "mclust's names EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, "
                            "EEV, VEV, EVV, VVV (select: also a comma list, all for the four, "
                            "all-mclust for the fourteen)")
    group.add_argument("--reg-covar", type=_positive_number,
                       help="added to covariance diagonals (default 1e-6)")
    group.add_argument("--dof", type=_positive_number,
                       help="t: fixed degrees of freedom (default: estimated)")
    group.add_argument("--n-trials", type=_count, help="binomial: trials per count")
    group.add_argument("--n-categories", type=_count,
                       help="categorical, categorical-hmm: number of codes (default max + 1)")
    group.add_argument("--n-mix", type=_count, help="gmmhmm: mixture components per state")
    group.add_argument("--n-factors", type=_count,
                       help="mfa: latent factors per cluster (default 1)")
    group.add_argument("--family", choices=("gaussian", "logistic", "poisson"),
                       help="regression: the response's family (default gaussian)")
    group.add_argument("--gate", choices=("constant", "logit"),
                       help="regression: component weights constant, or a multinomial logit "
                            "of the covariates (mixture of experts); default constant")
    run = parent.add_argument_group("run")
    run.add_argument("--tol", type=_positive_number,
                     help="stop when the evidence gains less (the model's default)")
    run.add_argument("--max-iter", type=_count, help="default 100 (fa, ppca: 1000)")
    run.add_argument("--n-init", type=_count, help="restarts, the best kept (default 1)")
    run.add_argument("--accelerate", choices=("squarem",),
                     help="squarem: SQUAREM extrapolation of the EM map (fewer iterations; "
                          "not fa, ppca)")
    run.add_argument("--random-state", type=_count, help="seed, for reproducible fits")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="a line for every iteration on stderr")
    run.add_argument("--no-progress", action="store_true", help="no progress display")
    return parent


def _check_covariance_type(args):
    from ..components.gaussian import PARSIMONIOUS

    allowed = {"full", "tied", "diag", "spherical"}
    value = getattr(args, "covariance_type", None)
    if value is None:
        return
    chosen = value.split(",") if args.command == "select" else [value]
    if args.command == "select" and value in ("all", "all-mclust"):
        chosen = ["VVV"] if value == "all-mclust" else []
    mclust = [v for v in chosen if v in PARSIMONIOUS]
    if mclust and args.model != "gmm":
        raise UserError(f"--covariance-type {value}: mclust's names apply to --model gmm; "
                        f"--model {args.model} takes full, tied, diag or spherical.")
    if mclust and len(mclust) != len(chosen):
        raise UserError(f"--covariance-type {value} mixes mclust's names with scikit-learn's; "
                        "give one kind (e.g. EEE,VVV or full,diag).")
    bad = [v for v in chosen if v not in allowed and v not in PARSIMONIOUS]
    if bad:
        more = ", all, all-mclust or a comma list" if args.command == "select" else ""
        raise UserError(f"--covariance-type must be full, tied, diag or spherical, or an "
                        f"mclust name such as VVV{more}; got {value!r}.")


def _check_checkpoints(args):
    """--checkpoint-every needs --checkpoint; a checkpoint follows plain EM."""
    if args.command != "fit":
        return
    if args.checkpoint_every is not None and args.checkpoint is None:
        raise UserError("--checkpoint-every applies with --checkpoint PATH; add it, or leave "
                        "out --checkpoint-every.")
    if args.accelerate and (args.checkpoint or args.resume):
        raise UserError("--checkpoint and --resume follow plain EM steps, and --accelerate "
                        f"{args.accelerate} keeps state between them that no checkpoint "
                        "holds; leave out --accelerate.")


def _model_file():
    parent = Parser(add_help=False)
    parent.add_argument("model", help="model file written by emkit fit")
    return parent


def _add(commands, name, help_text, parents):
    return commands.add_parser(name, help=help_text, description=help_text, parents=parents,
                               epilog=EPILOG)


def build_parser():
    """The argument parser of the ``emkit`` command.

    Returns
    -------
    argparse.ArgumentParser
    """
    from .. import __version__

    parser = Parser(prog="emkit", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"emkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=Parser)
    out = _output_options()

    fit = _add(commands, "fit", "fit a model to a table and save it",
               [_data_options("fit"), _model_options(), out])
    fit.add_argument("-o", "--output", default="emkit-model", help="model file to write")
    fit.add_argument("--force", action="store_true", help="overwrite an existing model file")
    saved = fit.add_argument_group("checkpoints")
    saved.add_argument("--checkpoint", metavar="PATH",
                       help="write the state of the fit to this file as it runs (atomically), "
                            "to --resume it after a crash; not with --n-init above 1 or "
                            "--accelerate")
    saved.add_argument("--checkpoint-every", type=_count, metavar="N",
                       help="iterations between checkpoints (default 1)")
    saved.add_argument("--resume", metavar="PATH",
                       help="continue the fit saved in this checkpoint, with the data and "
                            "options that wrote it (it may be the --checkpoint file): the "
                            "model equals that of a fit never interrupted")

    select = _add(commands, "select", "fit a grid of K and covariance types, ranked by BIC "
                  "(--model gmm: by emkit.select, the data read into memory, with AIC and ICL)",
                  [_data_options("fit"),
                   _model_options("numbers of components: 1:9, 2,4,8 or 3 (default 1:9)",
                                  k_type=str), out])
    select.add_argument("-o", "--output", help="write the best model to this file")
    select.add_argument("--force", action="store_true", help="overwrite an existing file")
    select.add_argument("--table", metavar="CSV", help="write the BIC table to this CSV")
    select.add_argument("--plot", metavar="PNG", help="draw the BIC curves to this image")
    select.add_argument("--report", metavar="HTML", help="write the best model's report")

    for name, text in (("predict", "the component (or state) of each row"),
                       ("score", "the log-likelihood of the rows")):
        sub = _add(commands, name, text, [_model_file(), _data_options(name), out])
        if name == "predict":
            sub.add_argument("--proba", action="store_true", help="posterior probabilities")
            sub.add_argument("--id-column", metavar="C", help="copy this column to the output")
            sub.add_argument("-o", "--output", help="output .csv or .parquet (default stdout)")

    sample = _add(commands, "sample", "draw rows from a saved model", [_model_file(), out])
    sample.add_argument("-n", "--n-samples", type=_count, default=100)
    sample.add_argument("--random-state", type=_count)
    sample.add_argument("-o", "--output", help="output .csv or .parquet (default stdout)")

    _add(commands, "inspect", "show a saved model's parameters", [_model_file(), out])

    report = _add(commands, "report", "write an HTML report of a model on a table",
                  [_model_file(), _data_options("describe"), out])
    report.add_argument("-o", "--output", default="emkit-report.html", help="HTML file")
    report.add_argument("--bic-table", metavar="CSV", help="a table from emkit select --table")
    report.add_argument("--title", help="the report's title")

    demo = _add(commands, "demo", "fit Old Faithful and show the anatomy", [])
    demo.add_argument("-o", "--output", default="emkit-demo.png", help="figure to write")
    demo.add_argument("--no-plot", action="store_true", help="skip the figure")
    demo.add_argument("--random-state", type=_count, default=0)
    return parser


def parse(argv):
    """Parse ``argv`` (``--debug`` may stand anywhere); returns the Namespace.

    Raises
    ------
    UserError
        For arguments the command does not take, as one line.
    """
    debug = "--debug" in argv
    args = build_parser().parse_args([a for a in argv if a != "--debug"])
    args.debug = debug
    for name in ("quiet", "json"):
        if not hasattr(args, name):
            setattr(args, name, False)
    _check_covariance_type(args)
    _check_checkpoints(args)
    return args
