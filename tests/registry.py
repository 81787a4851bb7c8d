"""The registry of every shipped component and model, shared by the tests that go over them all.

One line per component: a name, the component (regularisers off), parameters for K
components, and the law of component k under those parameters built from scipy.stats alone
(never from emkit). One line per model: a name, the model, and data to run EM on.
To add a family, append a ComponentCase to COMPONENTS (and a ModelCase to MODELS); the
conformance kit (tests/testing/test_conformance.py) and the parameter geometry
(tests/engine/test_geometry.py) then cover it.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from scipy.special import logsumexp

from emkit import priors
from emkit.components import (
    Bernoulli, Beta, Binomial, Categorical, Exponential, FactorAnalyzer, Gamma, Gaussian,
    Independent, LogNormal,
    MixtureEmission, Multinomial, Poisson, Stacked, StudentT, Uniform, VonMisesFisher,
)
from emkit.engine.data import Block
from emkit.engine.tree import Tree
from emkit.models import HMM, FactorAnalysis, Mixture, RegressionMixtureModel
from emkit.testing import Product


@dataclass(frozen=True)
class ComponentCase:
    name: str
    component: object
    params: Tree
    reference: object
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ModelCase:
    name: str
    model: object
    data: object
    options: dict = field(default_factory=dict)


# -- parameters and scipy references shared by several lines --------------------------------
MEANS = np.array([[0.0, 1.0], [3.0, -1.0]])
FULL = np.array([[[1.0, 0.3], [0.3, 2.0]], [[0.5, -0.1], [-0.1, 0.4]]])
DIAG = np.array([[1.0, 2.0], [0.5, 0.4]])
LOW, HIGH = np.array([[-4.0, -3.0], [0.0, 1.0]]), np.array([[4.0, 5.0], [0.5, 3.0]])
PROBS = np.array([[0.2, 0.7, 0.5], [0.6, 0.1, 0.9]])
CATEGORY_PROBS = np.array([[[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]],
                           [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]])


def mvn(mean, cov):
    return stats.multivariate_normal(mean, cov)


def low_rank_plus_diagonal(p, k):
    """The law of factor analyser k: N(mean, W W' + Psi), Psi from one or D variances."""
    loadings = p.loadings[k]
    noise = np.broadcast_to(np.reshape(p.noise_variances, (len(p.means), -1))[k],
                            (loadings.shape[0],))
    return mvn(p.means[k], loadings @ loadings.T + np.diag(noise))


FA_LOADINGS = np.array([[[1.0, 0.0], [0.5, 1.2], [-0.8, 0.3]],
                        [[0.2, -1.0], [1.5, 0.4], [0.0, 0.7]]])
FA_MEANS = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.0]])


def uniform_box(low, high):
    return Product([stats.uniform(lo, hi - lo) for lo, hi in zip(low, high)])


def columns(*laws):
    return Product(list(laws))


def categorical(probs):
    return stats.rv_discrete(values=(np.arange(len(probs)), probs))


class FiniteMixture:
    """A reference finite mixture of scipy laws: logpdf by logsumexp, rvs by ancestral draws."""

    def __init__(self, weights, laws):
        self.weights, self.laws = np.asarray(weights), laws

    def logpdf(self, X):
        return logsumexp([np.log(w) + law.logpdf(X) for w, law in zip(self.weights, self.laws)],
                         axis=0)

    def rvs(self, size, random_state=None):
        rng = np.random.default_rng(random_state)
        which = rng.choice(len(self.weights), size=size, p=self.weights)
        draws = np.stack([np.reshape(law.rvs(size=size, random_state=rng), (size, -1))
                          for law in self.laws])
        return draws[which, np.arange(size)]


def weighted_range(X, weights):
    held = [X[weights[:, k] > 0] for k in range(weights.shape[1])]
    return np.array([h.min(axis=0) for h in held]), np.array([h.max(axis=0) for h in held])


def gaussian_and_box_mle(X, weights):
    """Closed-form weighted MLE of Stacked([Gaussian("full"), Uniform()]), in plain numpy."""
    w = weights[:, 0]
    mean = w @ X / w.sum()
    cov = (w[:, None] * (X - mean)).T @ (X - mean) / w.sum()
    low, high = weighted_range(X, weights[:, 1:])
    return {"c0": {"means": mean[None], "covariances": cov[None]},
            "c1": {"low": low, "high": high}}


COMPONENTS = [
    ComponentCase("gaussian-full", Gaussian("full", reg_covar=0.0),
                  Tree(means=MEANS, covariances=FULL),
                  lambda p, k: mvn(p.means[k], p.covariances[k])),
    ComponentCase("gaussian-tied", Gaussian("tied", reg_covar=0.0),
                  Tree(means=MEANS, covariances=FULL[0]),
                  lambda p, k: mvn(p.means[k], p.covariances)),
    ComponentCase("gaussian-diag", Gaussian("diag", reg_covar=0.0),
                  Tree(means=MEANS, covariances=DIAG),
                  lambda p, k: mvn(p.means[k], np.diag(p.covariances[k]))),
    ComponentCase("gaussian-spherical", Gaussian("spherical", reg_covar=0.0),
                  Tree(means=MEANS, covariances=np.array([1.5, 0.3])),
                  lambda p, k: mvn(p.means[k], p.covariances[k] * np.eye(2))),
    ComponentCase("uniform", Uniform(), Tree(low=LOW, high=HIGH),
                  lambda p, k: uniform_box(p.low[k], p.high[k]),
                  {"mle": lambda X, w: dict(zip(("low", "high"), weighted_range(X, w)))}),
    ComponentCase("independent-gaussians", Independent([Gaussian("full", reg_covar=0.0),
                                                        Gaussian("diag", reg_covar=0.0)],
                                                       widths=[2, 1]),
                  Tree(c0=Tree(means=MEANS, covariances=FULL),
                       c1=Tree(means=np.array([[5.0], [-2.0]]),
                               covariances=np.array([[0.7], [2.0]]))),
                  lambda p, k: Product([mvn(p.c0.means[k], p.c0.covariances[k]),
                                        stats.norm(p.c1.means[k, 0],
                                                   np.sqrt(p.c1.covariances[k, 0]))],
                                       widths=[2, 1])),
    ComponentCase("stacked-gaussians", Stacked([Gaussian("full", reg_covar=0.0),
                                                Gaussian("diag", reg_covar=0.0)]),
                  Tree(c0=Tree(means=MEANS[:1], covariances=FULL[:1]),
                       c1=Tree(means=MEANS[1:], covariances=DIAG[1:])),
                  lambda p, k: (mvn(p.c0.means[0], p.c0.covariances[0]) if k == 0 else
                                mvn(p.c1.means[0], np.diag(p.c1.covariances[0])))),
    ComponentCase("stacked-gaussian-and-uniform",
                  Stacked([Gaussian("full", reg_covar=0.0), Uniform()]),
                  Tree(c0=Tree(means=MEANS[:1], covariances=FULL[:1]),
                       c1=Tree(low=LOW[:1], high=HIGH[:1])),
                  lambda p, k: (mvn(p.c0.means[0], p.c0.covariances[0]) if k == 0 else
                                uniform_box(p.c1.low[0], p.c1.high[0])),
                  {"mle": gaussian_and_box_mle}),
    ComponentCase("bernoulli", Bernoulli(), Tree(probs=PROBS),
                  lambda p, k: columns(*[stats.bernoulli(q) for q in p.probs[k]])),
    ComponentCase("bernoulli-beta-prior", Bernoulli(prior=priors.Beta(2.0, 3.0)),
                  Tree(probs=PROBS),
                  lambda p, k: columns(*[stats.bernoulli(q) for q in p.probs[k]])),
    ComponentCase("binomial", Binomial(8), Tree(probs=PROBS),
                  lambda p, k: columns(*[stats.binom(8, q) for q in p.probs[k]])),
    ComponentCase("binomial-trials-per-column", Binomial([4, 10, 1]), Tree(probs=PROBS),
                  lambda p, k: columns(*[stats.binom(n, q) for n, q in zip([4, 10, 1],
                                                                           p.probs[k])])),
    ComponentCase("binomial-trials-per-column-beta-prior",
                  Binomial([4, 10, 1], prior=priors.Beta(3.0, 1.5)), Tree(probs=PROBS),
                  lambda p, k: columns(*[stats.binom(n, q) for n, q in zip([4, 10, 1],
                                                                           p.probs[k])])),
    ComponentCase("categorical", Categorical(3), Tree(probs=CATEGORY_PROBS),
                  lambda p, k: columns(*[categorical(q) for q in p.probs[k]])),
    ComponentCase("categorical-dirichlet-prior",
                  Categorical(3, prior=priors.Dirichlet([1.5, 1.0, 3.0])),
                  Tree(probs=CATEGORY_PROBS),
                  lambda p, k: columns(*[categorical(q) for q in p.probs[k]])),
    ComponentCase("multinomial", Multinomial(n_trials=12), Tree(probs=CATEGORY_PROBS[:, 0]),
                  lambda p, k: stats.multinomial(12, p.probs[k])),
    ComponentCase("multinomial-dirichlet-prior",
                  Multinomial(n_trials=12, prior=priors.Dirichlet([2.0, 1.0, 4.0])),
                  Tree(probs=CATEGORY_PROBS[:, 0]),
                  lambda p, k: stats.multinomial(12, p.probs[k])),
    ComponentCase("poisson", Poisson(), Tree(rates=np.array([[0.5, 4.0], [3.0, 12.0]])),
                  lambda p, k: columns(*[stats.poisson(r) for r in p.rates[k]])),
    ComponentCase("poisson-gamma-prior", Poisson(prior=priors.Gamma(3.0, 0.5)),
                  Tree(rates=np.array([[0.5, 4.0], [3.0, 12.0]])),
                  lambda p, k: columns(*[stats.poisson(r) for r in p.rates[k]])),
    ComponentCase("exponential", Exponential(), Tree(rates=np.array([[0.5, 2.0], [3.0, 0.2]])),
                  lambda p, k: columns(*[stats.expon(scale=1 / r) for r in p.rates[k]])),
    ComponentCase("exponential-gamma-prior", Exponential(prior=priors.Gamma(2.0, 1.0)),
                  Tree(rates=np.array([[0.5, 2.0], [3.0, 0.2]])),
                  lambda p, k: columns(*[stats.expon(scale=1 / r) for r in p.rates[k]])),
    ComponentCase("gamma", Gamma(), Tree(shapes=np.array([[0.8, 3.0], [5.0, 1.5]]),
                                         rates=np.array([[1.0, 2.0], [0.5, 4.0]])),
                  lambda p, k: columns(*[stats.gamma(a, scale=1 / b)
                                         for a, b in zip(p.shapes[k], p.rates[k])])),
    ComponentCase("lognormal", LogNormal(reg_covar=0.0),
                  Tree(means=MEANS, variances=np.array([[0.5, 1.0], [0.2, 0.3]])),
                  lambda p, k: columns(*[stats.lognorm(np.sqrt(v), scale=np.exp(m))
                                         for m, v in zip(p.means[k], p.variances[k])])),
    ComponentCase("beta", Beta(), Tree(a=np.array([[0.7, 2.0], [5.0, 1.5]]),
                                       b=np.array([[1.3, 2.0], [1.0, 6.0]])),
                  lambda p, k: columns(*[stats.beta(a, b) for a, b in zip(p.a[k], p.b[k])])),
    ComponentCase("von-mises-fisher", VonMisesFisher(),
                  Tree(mean_directions=np.array([[1.0, 0, 0], [0, 0.6, 0.8]]),
                       concentrations=np.array([4.0, 15.0])),
                  lambda p, k: stats.vonmises_fisher(p.mean_directions[k],
                                                     p.concentrations[k])),
    ComponentCase("student-t", StudentT(reg_covar=0.0),
                  Tree(means=MEANS, scales=FULL, dofs=np.array([3.0, 8.0])),
                  lambda p, k: stats.multivariate_t(p.means[k], p.scales[k], df=p.dofs[k]),
                  {"inner_latent": True}),
    ComponentCase("mixture-emission", MixtureEmission(Gaussian("full", reg_covar=0.0), 2),
                  Tree(weights=np.array([[0.3, 0.7], [0.5, 0.5]]),
                       components=Tree(means=np.vstack([MEANS, MEANS + 2.0]),
                                       covariances=np.concatenate([FULL, FULL[::-1]]))),
                  lambda p, k: FiniteMixture(p.weights[k], [
                      mvn(p.components.means[2 * k + m], p.components.covariances[2 * k + m])
                      for m in range(2)]),
                  {"inner_latent": True}),
    ComponentCase("factor-analyzer", FactorAnalyzer(2, reg_covar=0.0),
                  Tree(means=FA_MEANS, loadings=FA_LOADINGS,
                       noise_variances=np.array([[0.5, 1.0, 0.3], [0.2, 0.4, 0.8]])),
                  low_rank_plus_diagonal, {"inner_latent": True}),
    ComponentCase("factor-analyzer-isotropic", FactorAnalyzer(1, "isotropic", reg_covar=0.0),
                  Tree(means=FA_MEANS, loadings=FA_LOADINGS[:, :, :1],
                       noise_variances=np.array([0.5, 0.3])),
                  low_rank_plus_diagonal, {"inner_latent": True}),
    # -- add further families here: ComponentCase(name, component, params, reference) ------
]


def _blobs(n_per=60, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.multivariate_normal(m, c, n_per) for m, c in zip(MEANS, FULL)])


def _with_background(seed=1):
    rng = np.random.default_rng(seed)
    return np.vstack([_blobs(80, seed)[:80], rng.uniform(LOW[0], HIGH[0], size=(30, 2))])


def _labelled(seed=2):
    X = _blobs(60, seed)
    labels = np.full(X.shape[0], -1)
    labels[[1, 2, 70]] = [0, 0, 1]
    return Block(X, weights=np.random.default_rng(seed).uniform(0.5, 2.0, X.shape[0]),
                 labels=labels)


def _counts(seed=3):
    rng = np.random.default_rng(seed)
    rates = np.array([[1.0, 6.0], [8.0, 2.0]])
    return rng.poisson(rates[rng.integers(0, 2, 120)]).astype(float)


def _sequences(seed=4):
    rng = np.random.default_rng(seed)
    states = np.repeat(rng.integers(0, 2, 12), 5)
    X = MEANS[states] + rng.normal(size=(60, 2))
    return Block(X, lengths=np.array([20, 25, 15]))


def _count_sequences(seed=5):
    rng = np.random.default_rng(seed)
    states = (np.arange(40) % 20 >= 8).astype(int)
    return Block(rng.poisson(np.array([1.0, 6.0])[states])[:, None].astype(float),
                 lengths=np.array([20, 20]))


def _regression(family="gaussian", seed=6):
    """Covariates X and a response y from two regression lines (the field "y")."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (120, 1))
    eta = np.where(rng.random(120) < 0.5, 1.0 + X[:, 0], -0.5 - X[:, 0])
    y = eta + 0.3 * rng.normal(size=120) if family == "gaussian" else \
        rng.poisson(np.exp(eta)).astype(float)
    return Block(X, y=y)


def hmm_log_joint(emission_log_density):
    """``log p(X, Z = z)`` of a single-sequence HMM with scipy emission densities."""
    def log_joint(params, block, z):
        with np.errstate(divide="ignore"):
            log_a, log_pi = np.log(params.transmat), np.log(params.startprob)
        emission = emission_log_density(params.emission, block.X)
        return float(log_pi[z[0]] + np.sum(log_a[z[:-1], z[1:]])
                     + np.sum(emission[np.arange(len(z)), z]))

    return log_joint


def _gaussian_diag_emission(p, X):
    return np.column_stack([stats.multivariate_normal(m, np.diag(v)).logpdf(X)
                            for m, v in zip(p.means, p.covariances)])


def _poisson_emission(p, X):
    return np.column_stack([stats.poisson(r[0]).logpmf(X[:, 0]) for r in p.rates])


MODELS = [
    ModelCase("mixture-gaussian-full", Mixture(Gaussian("full"), 2), _blobs()),
    ModelCase("mixture-gaussian-tied-3", Mixture(Gaussian("tied"), 3), _blobs()),
    ModelCase("mixture-weight-prior",
              Mixture(Gaussian("diag"), 2, weight_prior=priors.Dirichlet(3.0)), _blobs()),
    ModelCase("mixture-weights-and-labels", Mixture(Gaussian("full"), 2), _labelled()),
    ModelCase("mixture-gaussian-uniform-background", Mixture([Gaussian(), Uniform()], 2),
              _with_background(), {"fixed": ("low", "high")}),
    ModelCase("mixture-independent", Mixture(Independent([Gaussian("spherical"), Gaussian()],
                                                         widths=[1, 1]), 2), _blobs()),
    ModelCase("mixture-poisson", Mixture(Poisson(), 2), _counts()),
    ModelCase("mixture-mixed-table", Mixture(Independent([Gaussian("diag"), Poisson()],
                                                         widths=[1, 1]), 2),
              np.column_stack([_blobs()[:, :1], _counts()[:, :1]])),
    ModelCase("hmm-gaussian", HMM(Gaussian("diag"), 2), _sequences(),
              {"tiny": Block(_sequences().X[:6], lengths=np.array([6])),
               "log_joint": hmm_log_joint(_gaussian_diag_emission)}),
    ModelCase("hmm-poisson-left-right", HMM(Poisson(), 2), _count_sequences(),
              {"params": Tree(startprob=np.array([1.0, 0.0]),
                              transmat=np.array([[0.9, 0.1], [0.0, 1.0]]),
                              emission=Tree(rates=np.array([[1.0], [6.0]]))),
               "tiny": Block(_count_sequences().X[:6], lengths=np.array([6])),
               "log_joint": hmm_log_joint(_poisson_emission)}),
    ModelCase("mixture-of-factor-analyzers", Mixture(FactorAnalyzer(1), 2), _blobs()),
    ModelCase("factor-analysis", FactorAnalysis(1), _blobs(), {"log_joint": False}),
    ModelCase("ppca-random-start", FactorAnalysis(1, noise="isotropic", init="random"),
              _blobs(), {"log_joint": False}),
    ModelCase("regression-mixture-of-experts", RegressionMixtureModel(2, gate="logit"),
              _regression(), {"log_joint": False}),
    ModelCase("regression-mixture-poisson", RegressionMixtureModel(2, family="poisson"),
              _regression("poisson"), {"log_joint": False}),
    # -- add further models here: ModelCase(name, model, data) ------------------------------
]
