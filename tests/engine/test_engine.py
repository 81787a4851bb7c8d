"""The engine on its own: trees, the loop's options, its live checks, chunking and memory."""
import pickle
import re
import tracemalloc
import warnings

import numpy as np
import pytest

import emkit
from emkit.backends import NumpyBackend
from emkit.engine import EStep, Tree, fit
from emkit.engine import Moments
from emkit.engine.tree import tree_sum
from emkit.exceptions import AnatomyWarning, ConvergenceWarning, NonMonotoneWarning
from conftest import make_blobs


def _mixture(covariance_type="full", k=3):
    return emkit.Mixture(emkit.Gaussian(covariance_type), k)


# -- trees -----------------------------------------------------------------------------------
def _moments(rows, weights, shift):
    diff = rows - shift
    return Moments(weights.sum(keepdims=True), (weights @ diff)[None],
                   (diff.T * weights) @ diff[None], shift[None])


def test_tree_is_immutable_and_adds_leafwise():
    rng = np.random.default_rng(0)
    rows, weights = rng.normal(size=(6, 2)), rng.uniform(size=6)
    a = Tree(x=np.ones(2), sub={"y": np.arange(3.0)},
             moments=_moments(rows[:3], weights[:3], np.array([1.0, 2.0])))
    b = Tree(x=np.full(2, 2.0), sub={"y": np.ones(3)},
             moments=_moments(rows[3:], weights[3:], np.array([1.0, 2.0])))
    total = a + b
    np.testing.assert_array_equal(total.x, [3.0, 3.0])
    np.testing.assert_array_equal(total.get_path("sub.y"), [1.0, 2.0, 3.0])
    whole = _moments(rows, weights, np.array([1.0, 2.0]))
    np.testing.assert_allclose(total.moments.second, whole.second, rtol=1e-14)
    with pytest.raises(ValueError):
        a.x[0] = 5.0
    with pytest.raises(AttributeError):
        a.x = 1
    with pytest.raises(ValueError, match="different entries"):
        a + Tree(x=np.ones(2))


def test_tree_paths_round_trip_and_pickle():
    tree = Tree(weights=np.ones(2) / 2, components={"means": np.zeros((2, 3))})
    assert list(tree.paths()) == ["weights", "components.means"]
    again = Tree.from_paths(tree.paths())
    np.testing.assert_array_equal(again.get_path("components.means"), np.zeros((2, 3)))
    clone = pickle.loads(pickle.dumps(tree))
    np.testing.assert_array_equal(clone.weights, tree.weights)


def test_tree_sum_equals_sequential_sum_for_any_count():
    for n in (1, 2, 3, 7, 16, 33):
        items = [Tree(v=np.array([float(i), 1.0])) for i in range(n)]
        np.testing.assert_array_equal(tree_sum(items).v, [n * (n - 1) / 2, n])


# -- the loop's options ----------------------------------------------------------------------
def test_fixed_weights_stay_at_their_start():
    X = make_blobs(seed=1)
    model = _mixture()
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    result = emkit.fit(model, X, init=start, fixed={"weights"}, max_iter=20)
    np.testing.assert_array_equal(result.params.weights, start.weights)
    assert not np.allclose(result.params.components.means, start.components.means)


def test_fixed_means_give_the_conditional_covariance_update():
    X = make_blobs(seed=1)
    model = _mixture(k=1)
    means = np.array([[1.0, -2.0, 0.5]])
    start = Tree(weights=np.ones(1), components={"means": means,
                                                 "covariances": np.eye(3)[None]})
    result = fit(model, X, init=start, fixed={"components.means"}, max_iter=1)
    expected = (X - means).T @ (X - means) / len(X) + 1e-6 * np.eye(3)
    np.testing.assert_allclose(result.params.components.covariances[0], expected, rtol=1e-10)


def test_callback_can_stop_the_fit():
    seen = []

    def stop_after_two(row, params):
        seen.append(row.iteration)
        return row.iteration == 2

    result = emkit.fit(_mixture(), make_blobs(), callbacks=[stop_after_two], random_state=0,
                       tol=0, max_iter=50)
    assert seen == [1, 2] and result.reason == "callback" and result.n_iter == 2


def test_restarts_keep_the_best_of_the_individual_runs():
    X = make_blobs(seed=5)
    model = emkit.Mixture(emkit.Gaussian("full"), 4, init="random")
    rng = np.random.RandomState(0)
    singles = [fit(model, X, init=model.init_params(emkit.Block(X), rng)).objective
               for _ in range(4)]
    best = emkit.fit(model, X, random_state=np.random.RandomState(0), n_init=4)
    assert best.objective == max(singles)
    assert len(set(np.round(singles, 6))) > 1, "restarts should differ on this data"


def test_init_from_responsibilities():
    X = make_blobs(n_per=60, seed=3)
    resp = np.repeat(np.eye(3), 60, axis=0)
    result = emkit.fit(_mixture(), X, init=resp, max_iter=1, tol=0)
    first = result.history[0]
    assert np.isfinite(first.evidence)
    with pytest.raises(ValueError, match=r"responsibilities must have shape .*\(180, .*\), .*"
                                         r"got \(10, 3\)"):
        emkit.fit(_mixture(), X, init=resp[:10])


def test_convergence_warning_names_the_iteration_limit():
    with pytest.warns(ConvergenceWarning, match=r"stopped at the iteration limit \(2\)"):
        emkit.fit(_mixture(), make_blobs(), max_iter=2, tol=0, random_state=0)


# -- live checks on broken models ------------------------------------------------------------
class _Broken(emkit.LatentModel):
    """Wraps a mixture and breaks one of its steps."""

    def __init__(self, inner, break_m_step=False, entropy_offset=0.0):
        self.inner, self.break_m_step, self.entropy_offset = inner, break_m_step, entropy_offset

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def init_params(self, data, rng):
        return self.inner.init_params(data, rng)

    def e_step(self, params, block):
        e = self.inner.e_step(params, block)
        return EStep(e.stats, e.loglik, e.entropy + self.entropy_offset)

    def m_step(self, stats, params, fixed=frozenset()):
        new = self.inner.m_step(stats, params, fixed)
        if self.break_m_step:
            comps = new.components.replace(means=new.components.means + 3.0)
            new = new.replace(components=comps)
        return new

    def expected_log_joint(self, stats, params):
        return self.inner.expected_log_joint(stats, params)

    def posterior(self, params, block):
        return self.inner.posterior(params, block)

    def expected_stats(self, params, block, posterior):
        return self.inner.expected_stats(params, block, posterior)

    def constraints(self):
        return self.inner.constraints()


def test_a_bad_m_step_raises_warnings_with_both_values():
    model = _Broken(_mixture(), break_m_step=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emkit.fit(model, make_blobs(), random_state=0, max_iter=3, tol=0)
    messages = [str(w.message) for w in caught if w.category is NonMonotoneWarning]
    assert any(re.search(r"M-step lowered the bound from -\d+\.\d+ to -\d+", m)
               for m in messages)
    assert any(re.search(r"evidence decreased from -\d+\.\d+ to -\d+", m) for m in messages)


def test_a_wrong_entropy_breaks_the_bound_identity():
    model = _Broken(_mixture(), entropy_offset=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(AnatomyWarning, match="does not equal the evidence"):
            emkit.fit(model, make_blobs(), random_state=0, max_iter=2, tol=0)


# -- chunks, threads, memory -----------------------------------------------------------------
@pytest.mark.parametrize("chunk_size, n_jobs", [(7, 1), (100, 2), (1000, 2), (10_000, 1)])
def test_results_do_not_depend_on_chunking_or_threads(chunk_size, n_jobs):
    X = make_blobs(n_per=300, seed=9)
    model = _mixture("diag")
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    reference = fit(model, X, init=start, backend=NumpyBackend(len(X), 1), max_iter=5, tol=0)
    result = fit(model, X, init=start, backend=NumpyBackend(chunk_size, n_jobs), max_iter=5, tol=0)
    for path, leaf in reference.params.paths().items():
        np.testing.assert_allclose(result.params.get_path(path), leaf, rtol=1e-11)
    np.testing.assert_allclose(result.history.column("evidence"),
                               reference.history.column("evidence"), rtol=1e-12)


def test_peak_memory_is_independent_of_n_samples_times_k():
    n, k = 100_000, 16
    X = np.random.RandomState(0).randn(n, 2)
    model = emkit.Mixture(emkit.Gaussian("diag"), k)
    start = model.init_params(emkit.Block(X[:2000]), np.random.RandomState(0))
    tracemalloc.start()
    fit(model, X, init=start, backend=NumpyBackend(chunk_size=1024, n_jobs=1), max_iter=2, tol=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * n * k * 8, f"peak {peak} bytes suggests an (n_samples, K) array"


def test_fit_validates_the_data_through_the_model():
    X = make_blobs(seed=2)
    X[:, 1] = 4.0
    with pytest.raises(ValueError, match="X column 1 is constant"):
        emkit.fit(_mixture(), X)


def test_fit_resolves_parameter_names():
    X = make_blobs(seed=1)
    model = _mixture()
    start = model.init_params(emkit.Block(X), np.random.RandomState(0))
    result = fit(model, X, init=start, fixed={"means"}, max_iter=2)
    np.testing.assert_array_equal(result.params.components.means, start.components.means)


class _ViewComponent(emkit.Component):
    """log p(x | k) stored in the columns of X itself: log_prob returns a view of X."""

    def constraints(self):
        return {}

    def log_prob(self, params, X):
        return X

    def expected_stats(self, params, X, weights):
        return Tree(n=weights.sum(0), table=np.sum(weights * X))

    def m_step(self, stats, params, fixed=frozenset()):
        return Tree()

    def expected_log_prob(self, stats, params):
        return float(stats.table)


def test_a_component_returning_a_view_of_x_does_not_see_x_overwritten():
    X = np.log(np.random.RandomState(0).dirichlet(np.ones(2), 20))
    original = X.copy()
    result = fit(emkit.Mixture(_ViewComponent(), 2), X,
                 init=Tree(weights=np.array([0.3, 0.7]), components=Tree()), max_iter=3)
    np.testing.assert_array_equal(X, original)
    assert result.n_iter == 3


def test_tree_keeps_frozen_leaves_without_a_copy_and_copies_writable_ones():
    writable = np.arange(4.0)
    tree = Tree(a=writable)
    assert tree.a is not writable and not np.shares_memory(tree.a, writable)
    again = Tree(a=tree.a, b=tree.a[1:])
    assert again.a is tree.a and np.shares_memory(again.b, tree.a)
    tricky = np.arange(3.0)
    view = tricky[:]
    view.flags.writeable = False  # read-only, but its base can still change
    assert not np.shares_memory(Tree(v=view).v, tricky)
    assert tree.replace(c=np.ones(2)).a is tree.a


def test_callbacks_see_the_step_that_converges():
    seen = []
    result = emkit.fit(_mixture(), make_blobs(), random_state=0, tol=1e-2,
                       callbacks=[lambda row, params: seen.append(row.iteration)])
    assert result.converged and seen == list(range(1, result.n_iter + 1))
