"""Online EM (Cappé and Moulines) and incremental EM (Neal and Hinton), issue 10.

Online EM over shuffled minibatches reaches within 1e-3 per-sample log-likelihood of batch EM
on a mixture and an HMM (as a driver of ``fit``, from a streamed file, and through
``partial_fit``); incremental EM's anatomy passes every live check and it reaches batch EM's
optimum; the running statistics combine exactly (checked against numpy)."""
import warnings

import numpy as np
import pytest

import emkit
from emkit.engine import EStep, Moments
from emkit.engine.online import IncrementalEM, OnlineEM, blend
from emkit.exceptions import AnatomyWarning, NonMonotoneWarning
from emkit.sources import open_source

PER_SAMPLE = 1e-3


def gaussian_blobs(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal([0.0, 0.0], 1.0, (n // 2, 2)),
                      rng.normal([3.0, 1.0], [1.0, 0.5], (n - n // 2, 2))])


def hmm_sequences(n_sequences=80, length=50, seed=1):
    rng = np.random.default_rng(seed)
    transmat, means = np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([[0.0], [2.5]])
    rows, state = [], 0
    for _ in range(n_sequences):
        state = rng.integers(2)
        for _ in range(length):
            rows.append(rng.normal(means[state], 1.0))
            state = rng.choice(2, p=transmat[state])
    return np.array(rows), np.full(n_sequences, length)


def _strict():
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error", NonMonotoneWarning)
    warnings.simplefilter("error", AnatomyWarning)
    return context


def _batch(model, data, start):
    return emkit.fit(model, data, init=start, tol=1e-10, max_iter=2000)


@pytest.fixture(scope="module")
def mixture_case():
    X = gaussian_blobs()
    model = emkit.Mixture(emkit.Gaussian("full"), 2)
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    return X, model, start, _batch(model, X, start)


@pytest.fixture(scope="module")
def hmm_case():
    X, lengths = hmm_sequences()
    data = emkit.Block(X, lengths=lengths)
    model = emkit.HMM(emkit.Gaussian("diag"), 2)
    start = model.init_params(data, np.random.RandomState(0))
    return data, model, start, _batch(model, data, start)


@pytest.mark.parametrize("case", ["mixture_case", "hmm_case"])
def test_online_em_on_shuffled_minibatches_nears_batch_em(case, request):
    data, model, start, batch = request.getfixturevalue(case)
    driver = OnlineEM(batch_size=200, n_epochs=4, random_state=0)
    context = _strict()
    online = emkit.fit(model, data, init=start, max_iter=10_000, driver=driver)
    context.__exit__(None, None, None)
    n = batch.n_samples
    assert online.reason == "epochs" and not online.converged
    assert set(online.history.column("kind")) == {"online"}
    assert abs(online.log_likelihood - batch.log_likelihood) / n < PER_SAMPLE
    assert online.log_likelihood <= batch.log_likelihood + 1e-9 * n  # batch EM is the optimum


def test_online_em_streams_a_file(mixture_case, tmp_path):
    X, model, start, batch = mixture_case
    np.save(tmp_path / "rows.npy", X[np.random.default_rng(5).permutation(len(X))])
    source = open_source(tmp_path / "rows.npy")
    online = emkit.fit(model, source, init=start, max_iter=10_000,
                       driver=OnlineEM(batch_size=250, n_epochs=4, shuffle=False))
    assert abs(online.log_likelihood - batch.log_likelihood) / len(X) < PER_SAMPLE


def test_partial_fit_over_a_stream_of_minibatches_nears_batch_em(mixture_case, hmm_case):
    X, _, _, _ = mixture_case
    batch = emkit.GaussianMixture(2, tol=1e-10, max_iter=2000, random_state=0).fit(X)
    online = emkit.GaussianMixture(2, random_state=0)
    rng = np.random.default_rng(2)
    for _ in range(3):
        order = rng.permutation(len(X))
        for start in range(0, len(X), 200):
            online.partial_fit(X[order[start:start + 200]])
    assert abs(online.score(X) - batch.score(X)) < PER_SAMPLE
    assert online.n_iter_ == online.n_evaluations_ == 60
    data, _, _, _ = hmm_case
    lengths = data.lengths
    batch = emkit.GaussianHMM(2, n_iter=2000, tol=1e-8, random_state=0).fit(data.X, lengths)
    online = emkit.GaussianHMM(2, random_state=0)
    sequences = np.split(data.X, np.cumsum(lengths)[:-1])
    for _ in range(4):
        for group in np.array_split(rng.permutation(len(sequences)), 10):
            online.partial_fit(np.vstack([sequences[s] for s in group]),
                               lengths[group])
    n = len(data.X)
    assert abs(online.score(data.X, lengths) - batch.score(data.X, lengths)) / n < PER_SAMPLE


@pytest.mark.parametrize("case", ["mixture_case", "hmm_case"])
def test_incremental_em_is_monotone_in_its_free_energy_and_reaches_batch_em(case, request):
    data, model, start, batch = request.getfixturevalue(case)
    context = _strict()
    result = emkit.fit(model, data, init=start, tol=1e-10, max_iter=5000,
                       driver=IncrementalEM(batch_size=500))
    context.__exit__(None, None, None)
    history = result.history
    assert result.converged and set(history.column("kind")) == {"incremental"}
    free_energy = history.column("evidence")
    assert np.all(np.diff(free_energy) >= -1e-9 * np.abs(free_energy[1:]))
    assert np.all(history.column("kl_gap") >= -1e-9 * np.abs(free_energy))
    assert np.all(free_energy <= result.log_likelihood + 1e-9 * abs(result.log_likelihood))
    assert result.log_likelihood == pytest.approx(batch.log_likelihood, rel=1e-8)


def test_the_running_statistics_combine_moments_taken_about_different_points():
    rng = np.random.default_rng(0)
    X1, X2 = rng.normal(5.0, 2.0, (50, 3)), rng.normal(-3.0, 1.0, (70, 3))
    w1, w2 = rng.uniform(0.5, 1.5, 50), rng.uniform(0.5, 1.5, 70)

    def moments(X, w, shift):
        centred = X - shift
        return emkit.Tree(m=Moments(np.array([w.sum()]), (w @ centred)[None],
                                    np.einsum("i,ij,ik->jk", w, centred, centred)[None],
                                    shift[None]))

    running = EStep(moments(X1, w1, np.array([4.0, 6.0, 5.0])), -10.0, 2.0)
    fresh = EStep(moments(X2, w2, np.array([-3.0, -2.0, -4.0])), -20.0, 4.0)
    mixed = blend(running, fresh, 0.3)
    about_origin = mixed.stats.m.about(np.zeros((1, 3)))[0]
    expected = 0.7 * np.einsum("i,ij,ik->jk", w1, X1, X1) + 0.3 * np.einsum(
        "i,ij,ik->jk", w2, X2, X2)
    np.testing.assert_allclose(about_origin, expected, rtol=1e-12)
    np.testing.assert_allclose(mixed.stats.m.n, 0.7 * w1.sum() + 0.3 * w2.sum())
    assert (mixed.loglik, mixed.entropy) == pytest.approx((-13.0, 2.6))


def test_partial_fit_refuses_a_minibatch_of_another_width():
    X = gaussian_blobs(200)
    model = emkit.GaussianMixture(2, random_state=0).partial_fit(X)
    before = model.means_.copy()
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is expecting "
                                         r"2 features as input \(as fitted by fit or "
                                         r"partial_fit\)"):
        model.partial_fit(np.hstack([X, X[:, :1]]))
    np.testing.assert_array_equal(model.means_, before)
    hmm = emkit.GaussianHMM(2, random_state=0).partial_fit(X[:100], [50, 50])
    with pytest.raises(ValueError, match="X has 1 features, but GaussianHMM is expecting 2"):
        hmm.partial_fit(X[:100, :1], [50, 50])


@pytest.mark.parametrize("bad, message", [
    (dict(alpha=0.5), r"alpha must be in \(0.5, 1\]"),
    (dict(alpha=1.2), r"alpha must be in \(0.5, 1\]"),
    (dict(t0=-1.0), "t0 must be a finite number >= 0"),
])
def test_step_sizes_outside_the_theory_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        OnlineEM(**bad)
    with pytest.raises(ValueError, match=message):
        emkit.GaussianMixture(2).partial_fit(gaussian_blobs(100), **bad)
