"""Mixtures of regressions and of experts (issue 9): the EM estimate against a direct optimiser
of the likelihood written here from scipy.stats, the anatomy of the GEM steps, the posterior
against enumeration, and the response travelling in the Block on every backend."""
import numpy as np
import pytest
from scipy import optimize, stats
from scipy.special import log_softmax, logsumexp

import emkit
from emkit.backends import DaskBackend, NumpyBackend
from emkit.engine.data import Block
from emkit.engine.tree import Tree
from emkit.models import RegressionMixtureModel
from emkit.models.regression._anchored import Anchored
from emkit.sources import DaskSource, open_source
from emkit.testing.model import check_model

LINES = np.array([[1.0, 2.0], [-1.0, -1.0]])  # (intercept, slope) per component


def _lines(n=600, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 1))
    z = (rng.random(n) < 0.4).astype(int)
    y = LINES[z, 0] + LINES[z, 1] * X[:, 0] + noise * rng.normal(size=n)
    return X, y


def _glm_data(family, n=500, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 1))
    z = rng.random(n) < 0.45
    if family == "logistic":
        eta = np.where(z, 0.5 + 3.0 * X[:, 0], -1.0 - 2.5 * X[:, 0])
        return X, (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    eta = np.where(z, 1.0 + 0.5 * X[:, 0], 2.0 - 0.7 * X[:, 0])
    return X, rng.poisson(np.exp(eta)).astype(float)


def _expert_logpdf(family, eta, y, variance=None):
    """log p(y | eta) for each component column, from scipy.stats."""
    if family == "gaussian":
        return stats.norm.logpdf(y[:, None], eta, np.sqrt(variance))
    if family == "logistic":
        return stats.bernoulli.logpmf(y[:, None], 1 / (1 + np.exp(-eta)))
    return stats.poisson.logpmf(y[:, None], np.exp(eta))


def _direct_log_likelihood(family, gate, X, y, theta, K=2):
    """sum_i log sum_k P(k | x_i) p(y_i | x_i, k), parameters unpacked from a flat vector."""
    design = np.column_stack([np.ones(len(X)), X])
    q = design.shape[1]
    coef, theta = theta[:K * q].reshape(K, q), theta[K * q:]
    variance = None
    if family == "gaussian":
        variance, theta = np.exp(theta[:K]), theta[K:]
    if gate == "constant":
        log_gate = log_softmax(np.concatenate([[0.0], theta]))[None, :]
    else:
        log_gate = log_softmax(design @ np.vstack([np.zeros(q), theta.reshape(K - 1, q)]).T,
                               axis=1)
    return float(np.sum(logsumexp(log_gate + _expert_logpdf(family, design @ coef.T, y,
                                                             variance), axis=1)))


def _flat(params, family, gate):
    parts = [np.ravel(params.experts.coef)]
    if family == "gaussian":
        parts.append(np.log(params.experts.variance))
    if gate == "constant":
        w = np.asarray(params.gate.weights)
        parts.append(np.log(w[1:] / w[0]))
    else:
        parts.append(np.ravel(params.gate.coef))
    return np.concatenate(parts)


# Not logistic experts: a mixture of logistic regressions of a 0/1 response is not identified
# (only P(y = 1 | x) is, Follmann & Lambert 1991), so its likelihood has ridges and no unique
# maximiser to compare with. Their GEM steps are checked by the anatomy test below.
CASES = [("gaussian", "constant"), ("gaussian", "logit"), ("poisson", "constant"),
         ("poisson", "logit")]


def _data_for(family):
    return _lines() if family == "gaussian" else _glm_data(family)


@pytest.mark.parametrize("family, gate", CASES)
def test_em_reaches_the_direct_maximum_of_the_likelihood(family, gate):
    X, y = _data_for(family)
    model = RegressionMixtureModel(2, family=family, gate=gate)
    result = emkit.fit(model, Block(X, y=y), random_state=0, tol=1e-13, max_iter=20000)
    theta = _flat(result.params, family, gate)

    def negative(t):
        return -_direct_log_likelihood(family, gate, X, y, t)

    direct = optimize.minimize(negative, theta, method="BFGS",
                               options={"gtol": 1e-9, "maxiter": 10000})
    assert result.log_likelihood == pytest.approx(-direct.fun, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(theta, direct.x, rtol=1e-6, atol=1e-6)
    # the engine's evidence is the likelihood written above
    assert result.log_likelihood == pytest.approx(
        _direct_log_likelihood(family, gate, X, y, theta), rel=1e-12)


def test_a_mixture_of_regressions_recovers_simulated_lines():
    X, y = _lines(n=3000, seed=3)
    result = emkit.fit(RegressionMixtureModel(2), Block(X, y=y), random_state=0, n_init=2)
    coef = result.params.experts.coef
    np.testing.assert_allclose(coef[np.argsort(coef[:, 0])], LINES[::-1], atol=0.05)
    np.testing.assert_allclose(np.sort(result.params.gate.weights), [0.4, 0.6], atol=0.03)
    np.testing.assert_allclose(result.params.experts.variance, 0.09, rtol=0.15)


def _log_joint(model):
    """log p(y, z | x) of a whole assignment z, written from scipy.stats."""
    def log_joint(params, block, z):
        design = model.design(block.X)
        y = block["y"]
        log_gate = model.gate.log_probs(params.gate, design)
        eta = design @ np.asarray(params.experts.coef).T
        variance = params.experts.get("variance")
        dens = _expert_logpdf(model.family, eta, y, variance)
        rows = np.arange(len(z))
        return float(np.sum(log_gate[rows, z] + dens[rows, z]))
    return log_joint


@pytest.mark.parametrize("family", ["gaussian", "logistic", "poisson"])
@pytest.mark.parametrize("gate", ["constant", "logit"])
def test_the_anatomy_holds_and_the_evidence_never_drops(family, gate):
    """Bound == evidence after every E-step, every (G)EM M-step raises the bound, the
    evidence never drops (the mixture of experts included), and the posterior equals
    enumeration."""
    X, y = _data_for(family)
    model = RegressionMixtureModel(2, family=family, gate=gate)
    block = Block(X, y=y)
    check_model(model, block, n_iter=40, log_joint=_log_joint(model),
                tiny=Block(X[:4], y=y[:4]))


def test_a_mixture_of_experts_gate_follows_the_covariate():
    rng = np.random.default_rng(5)
    X = rng.uniform(-3, 3, (2000, 1))
    z = (rng.random(2000) < 1 / (1 + np.exp(-2.0 * X[:, 0]))).astype(int)
    y = np.where(z == 1, 2.0 + X[:, 0], -2.0 - X[:, 0]) + 0.3 * rng.normal(size=2000)
    result = emkit.fit(RegressionMixtureModel(2, gate="logit"), Block(X, y=y), random_state=0,
                       tol=1e-8, max_iter=1000)
    history = result.history.column("evidence")
    assert np.all(np.diff(history) >= -1e-9 * np.abs(history[1:]))
    slope = result.params.gate.coef[0, 1]  # component 1 against component 0
    first_is_up = result.params.experts.coef[0, 0] > 0
    assert abs(abs(slope) - 2.0) < 0.3 and (slope < 0) == first_is_up


def _backend_data(n=3000):
    X, y = _lines(n=n, seed=7)
    return X, y


def _fit_source(source, backend):
    return emkit.fit(RegressionMixtureModel(2, family="gaussian", gate="logit"), source,
                     init=Tree(gate=Tree(coef=np.array([[0.1, 0.0]])),
                               experts=Tree(coef=np.array([[0.5, 1.0], [-0.5, -0.5]]),
                                            variance=np.array([1.0, 1.0]))),
                     backend=backend, tol=1e-10, max_iter=200)


def test_covariates_and_response_travel_in_the_block_on_every_backend(tmp_path):
    X, y = _backend_data()
    in_memory = _fit_source(Block(X, y=y), NumpyBackend(chunk_size=700, n_jobs=1))
    np.save(tmp_path / "table.npy", np.column_stack([X, y]))
    streamed = _fit_source(open_source(tmp_path / "table.npy", fields={"y": 1}),
                           NumpyBackend(chunk_size=700, n_jobs=1))
    da = pytest.importorskip("dask.array")
    on_dask = _fit_source(DaskSource.from_collection(da.from_array(X, chunks=(700, -1)),
                                                     fields={"y": da.from_array(y, 700)}),
                          DaskBackend())
    for other in (streamed, on_dask):
        assert other.n_iter == in_memory.n_iter
        for path in in_memory.params.paths():
            value = in_memory.params.get_path(path)
            np.testing.assert_allclose(other.params.get_path(path), value, rtol=1e-10,
                                       atol=1e-12)


def test_anchored_statistics_from_different_parameters_do_not_combine():
    a = Anchored(np.zeros(2), value=np.array(1.0))
    with pytest.raises(ValueError, match="different parameters"):
        a + Anchored(np.ones(2), value=np.array(1.0))
    assert (a + a).value == 2.0 and (a * 3).value == 3.0
