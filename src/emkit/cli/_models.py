"""The models ``emkit fit --model NAME`` builds, with the options each one takes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._errors import UserError

__all__ = ["MODELS", "ModelSpec", "build_estimator"]

#: Options every model takes (``args`` attribute names).
COMMON = ("n_components", "tol", "max_iter", "n_init", "random_state")


@dataclass(frozen=True)
class ModelSpec:
    """One ``--model`` choice.

    Attributes
    ----------
    name : str
        What ``--model`` takes.
    summary : str
        One line for ``--help``.
    options : tuple of str
        The model's own options beyond :data:`COMMON` (``args`` attribute names).
    hmm : bool
        Whether rows are sequences (``--sequence-column``/``--lengths-column`` apply).
    restarts : bool
        Whether the estimator takes ``--n-init`` and ``--accelerate`` (factor analysis and
        PPCA start from an SVD and take neither).
    """

    name: str
    summary: str
    options: tuple = ()
    hmm: bool = False
    restarts: bool = True


MODELS = {spec.name: spec for spec in (
    ModelSpec("gmm", "Gaussian mixture", ("covariance_type", "reg_covar")),
    ModelSpec("t", "Student-t mixture", ("dof", "reg_covar")),
    ModelSpec("poisson", "Poisson mixture (counts, independent columns)"),
    ModelSpec("binomial", "binomial mixture (successes out of --n-trials)", ("n_trials",)),
    ModelSpec("bernoulli", "Bernoulli mixture (0/1 columns)"),
    ModelSpec("categorical", "categorical mixture (codes 0..C-1)", ("n_categories",)),
    ModelSpec("exponential", "exponential mixture (positive values)"),
    ModelSpec("gamma", "gamma mixture (positive values)"),
    ModelSpec("lognormal", "log-normal mixture (positive values)", ("reg_covar",)),
    ModelSpec("vmf", "von Mises-Fisher mixture (directions: rows of norm 1)"),
    ModelSpec("hmm", "Gaussian HMM", ("covariance_type", "reg_covar"), hmm=True),
    ModelSpec("gmmhmm", "HMM with Gaussian-mixture emissions",
              ("covariance_type", "reg_covar", "n_mix"), hmm=True),
    ModelSpec("poisson-hmm", "Poisson HMM (counts)", hmm=True),
    ModelSpec("categorical-hmm", "categorical HMM (one column of codes 0..C-1)",
              ("n_categories",), hmm=True),
    ModelSpec("fa", "factor analysis (-k factors; diagonal noise)", restarts=False),
    ModelSpec("ppca", "probabilistic PCA (-k factors; isotropic noise)", restarts=False),
    ModelSpec("mfa", "mixture of factor analysers (-k clusters of --n-factors factors)",
              ("n_factors", "reg_covar")),
    ModelSpec("regression", "mixture of regressions of --response on the other columns",
              ("response", "family", "gate")),
)}

#: Every model-specific option, for the check that the chosen model takes it.
SPECIFIC = sorted({option for spec in MODELS.values() for option in spec.options})


def check_options(args, spec):
    """Refuse a model option the chosen model does not take (it would be ignored)."""
    for option in SPECIFIC:
        if getattr(args, option, None) is not None and option not in spec.options:
            takers = [s.name for s in MODELS.values() if option in s.options]
            raise UserError(f"--{option.replace('_', '-')} applies to --model "
                            f"{'|'.join(takers)}, not to --model {spec.name}.")
    if spec.name == "regression" and getattr(args, "response", None) is None:
        raise UserError("--model regression needs --response COLUMN, the column of y (the "
                        "other columns, or --columns, are the covariates).")
    if not spec.restarts:
        for option in ("n_init", "accelerate"):
            if getattr(args, option, None) is not None:
                raise UserError(f"--{option.replace('_', '-')} does not apply to --model "
                                f"{spec.name} (it starts from an SVD); leave it out.")
    if args.n_components is not None and args.n_components < 1:
        raise UserError(f"-k/--n-components must be a positive integer; got "
                        f"{args.n_components}.")


def _max_code(X) -> int:
    """The largest value in X (one pass over a streamed source)."""
    if isinstance(X, np.ndarray):
        return int(np.max(X))
    return int(max(np.max(block.X) for block in X.blocks(1 << 16)))


def _components():
    from .. import components

    return {"exponential": components.Exponential, "gamma": components.Gamma,
            "lognormal": components.LogNormal, "vmf": components.VonMisesFisher}


def _given(args, *names):
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _gaussian_structure(own):
    """``covariance_type=`` for scikit-learn's names, ``model=`` for mclust's ("VVV")."""
    from ..components.gaussian import PARSIMONIOUS

    if own.get("covariance_type") in PARSIMONIOUS:
        own = dict(own, model=own.pop("covariance_type"))
    return own


def build_estimator(args, X):
    """The unfitted estimator ``--model`` and its options describe.

    Parameters
    ----------
    args : argparse.Namespace
    X : ndarray or source
        The data (read once for the number of categories when ``--n-categories`` is not
        given).

    Returns
    -------
    emkit estimator
    """
    from .. import estimators as est

    spec = MODELS[args.model]
    check_options(args, spec)
    k = args.n_components if args.n_components is not None else 2
    run = dict(tol=args.tol, n_init=args.n_init, random_state=args.random_state,
               accelerate=getattr(args, "accelerate", None))
    run = {key: value for key, value in run.items() if value is not None}
    max_iter = args.max_iter if args.max_iter is not None or not spec.restarts else 100
    if max_iter is not None:  # fa, ppca: their own default (1000) unless given
        run["n_iter" if spec.hmm else "max_iter"] = max_iter
    own = _given(args, *spec.options)
    own.pop("response", None)  # a column of the data, not a hyper-parameter
    name = spec.name
    if name in ("categorical", "categorical-hmm") and "n_categories" not in own:
        own["n_categories"] = _max_code(X) + 1
    if name == "gmm":
        return est.GaussianMixture(k, **_gaussian_structure(own), **run)
    if name == "t":
        return est.StudentTMixture(k, **own, **run)
    if name in ("poisson", "bernoulli"):
        cls = est.PoissonMixture if name == "poisson" else est.BernoulliMixture
        return cls(k, **run)
    if name == "binomial":
        if "n_trials" not in own:
            raise UserError("--model binomial needs --n-trials N (the trials behind each "
                            "count).")
        return est.BinomialMixture(k, **own, **run)
    if name == "categorical":
        return est.CategoricalMixture(k, **own, **run)
    if name in _components():
        return est.MixtureModel(_components()[name](**own), k, **run)
    if name == "hmm":
        return est.GaussianHMM(k, **own, **run)
    if name == "gmmhmm":
        return est.GMMHMM(k, **own, **run)
    if name == "poisson-hmm":
        return est.PoissonHMM(k, **run)
    if name in ("fa", "ppca", "mfa", "regression"):
        return _latent_estimator(name, k, own, run)
    n_features = own.pop("n_categories")
    return est.CategoricalHMM(k, n_features=n_features, **run)


def _latent_estimator(name, k, own, run):
    """Factor analysis, PPCA, a mixture of factor analysers or a mixture of regressions."""
    from .. import estimators as est

    if name in ("fa", "ppca"):
        cls = est.FactorAnalysis if name == "fa" else est.PPCA
        return cls(k, **run)
    if name == "mfa":
        return est.MixtureOfFactorAnalyzers(k, **own, **run)
    return est.RegressionMixture(k, **own, **run)
