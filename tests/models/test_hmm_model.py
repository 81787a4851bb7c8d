"""The HMM LatentModel on the engine: anatomy, structure, fixed parameters, chunking, data."""
import warnings

import numpy as np
import pytest
from scipy import stats

from emkit import AnatomyWarning, Block, Gaussian, Tree
from emkit.backends import NumpyBackend
from emkit.engine.em import fit
from emkit.models import HMM
from emkit.priors import Dirichlet

hmm = pytest.importorskip("hmmlearn.hmm")

TRANSMAT = np.array([[0.85, 0.1, 0.05], [0.1, 0.8, 0.1], [0.05, 0.15, 0.8]])
MEANS = np.array([[0.0, 0.0], [3.0, 3.0], [-3.0, 3.0]])


def _truth(covariance_type="diag"):
    covariances = {"diag": np.ones((3, 2)), "full": np.array([np.eye(2)] * 3),
                   "spherical": np.ones(3), "tied": np.eye(2)}[covariance_type]
    return Tree(startprob=np.full(3, 1 / 3), transmat=TRANSMAT,
                emission=Tree(means=MEANS, covariances=covariances))


def _data(lengths=(200, 300, 100), seed=0):
    model = HMM(Gaussian("diag"), 3)
    X, states = model.sample(_truth(), int(np.sum(lengths)), np.random.RandomState(seed),
                             lengths=list(lengths))
    return Block(X, lengths=np.array(lengths)), states


def _start(covariance_type="diag", transmat=None):
    params = _truth(covariance_type)
    emission = params.emission.replace(means=MEANS + 0.7)
    return params.replace(emission=emission,
                          transmat=np.full((3, 3), 1 / 3) if transmat is None else transmat)


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_anatomy_bound_equals_evidence_and_never_drops(covariance_type):
    block, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", AnatomyWarning)
        result = fit(HMM(Gaussian(covariance_type), 3), block, init=_start(covariance_type),
                        tol=0, max_iter=15)
    history = result.history
    np.testing.assert_allclose(history.column("bound_e"), history.column("evidence"),
                               rtol=1e-10)
    assert np.all(history.column("bound_m") >= history.column("bound_e") - 1e-9)
    assert np.all(history.column("kl_gap") >= -1e-9)
    assert np.all(history.column("change") >= -1e-9)


def test_entropy_is_the_entropy_of_the_path_posterior_not_a_rearranged_bound():
    # a wrong emission statistic must open a gap between bound and evidence
    block, _ = _data()
    model = HMM(Gaussian("diag"), 3)
    params = _start()
    estep = model.e_step(params, block)
    broken = estep.stats.replace(transitions=estep.stats.transitions * 1.01)
    right = model.expected_log_joint(estep.stats, params) + estep.entropy
    wrong = model.expected_log_joint(broken, params) + estep.entropy
    assert right == pytest.approx(estep.loglik, rel=1e-12)
    assert abs(wrong - estep.loglik) > 1.0


def test_evidence_equals_hmmlearn_score():
    block, _ = _data()
    params = _start("full")
    reference = hmm.GaussianHMM(3, "full", init_params="")
    reference.startprob_, reference.transmat_ = params.startprob, params.transmat
    reference.means_, reference.covars_ = params.emission.means, params.emission.covariances
    estep = HMM(Gaussian("full"), 3).e_step(params, block)
    assert estep.loglik == pytest.approx(reference.score(block.X, block.lengths), rel=1e-12)


def test_long_well_separated_sequence_scores_without_underflow():
    n_steps = 100_000
    truth = _truth().replace(emission=Tree(means=MEANS * 10, covariances=np.ones((3, 2))))
    model = HMM(Gaussian("diag"), 3)
    X, states = model.sample(truth, n_steps, np.random.RandomState(0))
    block = Block(X, lengths=np.array([n_steps]))
    posterior = model.forward_backward(truth, block)
    reference = hmm.GaussianHMM(3, "diag", init_params="")
    reference.startprob_, reference.transmat_ = truth.startprob, truth.transmat
    reference.means_, reference.covars_ = truth.emission.means, truth.emission.covariances
    assert np.isfinite(posterior.log_likelihood)
    assert posterior.log_likelihood == pytest.approx(reference.score(X), rel=1e-10)
    assert posterior.n_log_space == 0
    np.testing.assert_array_equal(posterior.state_posteriors.argmax(axis=1), states)
    np.testing.assert_array_equal(model.decode(truth, block).states, states)


def test_chunks_and_threads_give_the_same_statistics():
    block, _ = _data(lengths=(50,) * 12)
    model, params = HMM(Gaussian("full"), 3), _start("full")
    one = NumpyBackend(chunk_size=10**6, n_jobs=1).map_reduce(model.e_step, params,
                                                                 _as_source(block))
    many = NumpyBackend(chunk_size=60, n_jobs=2).map_reduce(model.e_step, params,
                                                               _as_source(block))
    assert many.loglik == pytest.approx(one.loglik, rel=1e-12)
    assert many.entropy == pytest.approx(one.entropy, rel=1e-12)
    np.testing.assert_allclose(many.stats.transitions, one.stats.transitions, rtol=1e-12)


def _as_source(block):
    from emkit.engine.data import InMemory

    return InMemory(block)


def test_zero_transitions_stay_zero_under_a_prior_and_prior_is_tracked():
    transmat = np.array([[0.7, 0.3, 0.0], [0.0, 0.6, 0.4], [0.3, 0.0, 0.7]])
    block, _ = _data()
    model = HMM(Gaussian("diag"), 3, transmat_prior=Dirichlet(2.0))
    result = fit(model, block, init=_start(transmat=transmat), tol=0, max_iter=8)
    assert np.all(result.params.transmat[transmat == 0] == 0)
    expected_prior = sum(stats.dirichlet([2.0, 2.0]).logpdf(row[row > 0])
                         for row in result.params.transmat)
    assert model.log_prior(result.params) == pytest.approx(expected_prior, rel=1e-12)
    assert result.history.objective_name == "log-posterior"
    np.testing.assert_allclose(result.history.column("bound_e"),
                               result.history.column("evidence"), rtol=1e-10)
    assert np.all(result.history.column("change") >= -1e-9)


def test_chain_update_keeps_tiny_counts_relative_and_fills_an_empty_row():
    from emkit.models.hmm.chain import MarkovChain

    start_counts = np.array([2.4e-34, 0.75, 0.25])
    transitions = np.array([[3.0, 1e-30, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    flat_start, flat_transmat = MarkovChain().m_step(start_counts, transitions, None)
    # flat prior: the MLE, counts over their total, to the last bits even for 1e-34
    np.testing.assert_allclose(flat_start, start_counts / start_counts.sum(), rtol=1e-15,
                               atol=0.0)
    np.testing.assert_allclose(flat_transmat[[0, 2]], transitions[[0, 2]] / [[5.0], [3.0]],
                               rtol=1e-15, atol=0.0)
    np.testing.assert_allclose(flat_transmat[1], 1.0 / 3.0)  # a state never left: uniform
    prior_start, _ = MarkovChain(Dirichlet(2.0)).m_step(start_counts, transitions, None)
    np.testing.assert_allclose(prior_start, (start_counts + 1.0) / 4.0, rtol=1e-15)


def test_fixed_parameters_by_name():
    block, _ = _data()
    start = _start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit(HMM(Gaussian("diag"), 3), block, init=start, fixed={"transmat", "means"},
                     max_iter=5)
    np.testing.assert_array_equal(result.params.transmat, start.transmat)
    np.testing.assert_array_equal(result.params.emission.means, start.emission.means)
    assert not np.array_equal(result.params.startprob, start.startprob)


def test_sequence_weight_equals_repeating_the_sequence():
    block, _ = _data(lengths=(120, 80))
    model, params = HMM(Gaussian("diag"), 3), _start()
    weights = np.repeat([2.0, 1.0], [120, 80])
    weighted = model.e_step(params, Block(block.X, weights=weights, lengths=block.lengths))
    repeated_X = np.concatenate([block.X[:120], block.X])
    repeated = model.e_step(params, Block(repeated_X, lengths=np.array([120, 120, 80])))
    assert weighted.loglik == pytest.approx(repeated.loglik, rel=1e-12)
    assert weighted.entropy == pytest.approx(repeated.entropy, rel=1e-12)
    np.testing.assert_allclose(weighted.stats.emission.moments.first,
                               repeated.stats.emission.moments.first,
                               rtol=1e-10, atol=1e-10)


def test_known_states_clamp_the_posterior():
    block, states = _data(lengths=(60,))
    labels = np.full(60, -1)
    labels[10:20] = 2
    posterior = HMM(Gaussian("diag"), 3).posterior(_start(), Block(block.X, labels=labels,
                                                                    lengths=block.lengths))
    np.testing.assert_array_equal(posterior.probabilities[10:20, 2], 1.0)


def test_weights_must_be_constant_within_a_sequence():
    block, _ = _data(lengths=(10, 20))
    weights = np.ones(30)
    weights[3] = 2.0
    with pytest.raises(ValueError, match="same weight"):
        HMM(Gaussian("diag"), 3).validate(Block(block.X, weights=weights,
                                                lengths=block.lengths))


def test_default_initialisation_recovers_the_states():
    block, states = _data(lengths=(300, 300))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit(HMM(Gaussian("diag"), 3), block, random_state=0, tol=1e-6, max_iter=100)
    order = np.argsort(result.params.emission.means[:, 0])
    np.testing.assert_allclose(result.params.emission.means[order], MEANS[np.argsort(
        MEANS[:, 0])], atol=0.3)
    np.testing.assert_allclose(result.params.transmat[np.ix_(order, order)],
                               TRANSMAT[np.ix_(np.argsort(MEANS[:, 0]),
                                               np.argsort(MEANS[:, 0]))], atol=0.1)


def test_data_without_lengths_is_refused_with_the_remedy():
    block, _ = _data()
    with pytest.raises(ValueError, match=r"Block\(X, lengths=\[n_samples\]\)"):
        fit(HMM(Gaussian("diag"), 3), block.X, init=_start(), max_iter=1)


def test_start_vector_of_the_wrong_size_is_refused():
    block, _ = _data()
    with pytest.raises(ValueError, match=r"params.startprob must have shape \(3,\)"):
        HMM(Gaussian("diag"), 3).e_step(_start().replace(startprob=np.ones(2) / 2), block)
