"""Parameter geometry and recentring (issue 8).

The flat unconstrained vector round-trips every shipped model (every component family in a
mixture, and HMMs with structural zeros and fixed paths) to 1e-12; statistics computed at
different parameters combine exactly once recentred, checked against moments computed
directly with numpy.
"""
import numpy as np
import pytest

import emkit
from emkit.engine import Geometry, Moments, recentre
from emkit.engine.constraints import flat_constraints
from emkit.engine.geometry import n_free_parameters
from emkit.models import HMM, Mixture
from registry import COMPONENTS

RNG = np.random.default_rng(0)


def _assert_same_params(got, expected, rtol=1e-12):
    for path, value in expected.paths().items():
        np.testing.assert_allclose(got.get_path(path), value, rtol=rtol, atol=1e-12,
                                   err_msg=path)


@pytest.mark.parametrize("case", COMPONENTS, ids=[c.name for c in COMPONENTS])
def test_every_family_in_a_mixture_round_trips(case):
    k = len(np.asarray(next(iter(case.params.paths().values()))))
    model = Mixture(case.component, k)
    params = emkit.Tree(weights=np.full(k, 1.0 / k), components=case.params)
    geometry = Geometry(model.constraints(), params)
    vector = geometry.flatten(params)
    assert vector.shape == (geometry.size,) and np.all(np.isfinite(vector))
    _assert_same_params(geometry.unflatten(vector), params)
    if "unit_vector" in {c.name for c in flat_constraints(model.constraints()).values()}:
        return  # the sphere has no global chart: its coordinates are normalised back
    moved = vector + RNG.normal(scale=0.1, size=vector.shape)
    np.testing.assert_allclose(geometry.flatten(geometry.unflatten(moved)), moved, rtol=1e-12,
                               atol=1e-12)


def _hmm_params():
    transmat = np.array([[0.7, 0.3, 0.0], [0.0, 0.6, 0.4], [0.0, 0.0, 1.0]])  # left-right
    return emkit.Tree(startprob=np.array([1.0, 0.0, 0.0]), transmat=transmat,
                      emission=emkit.Tree(means=RNG.normal(size=(3, 2)),
                                          covariances=np.stack([np.eye(2) * (i + 1)
                                                                for i in range(3)])))


def test_an_hmm_keeps_its_structural_zeros_and_fixed_paths():
    model = HMM(emkit.Gaussian("full"), 3)
    params = _hmm_params()
    geometry = Geometry(model.constraints(), params, fixed={"emission.means"})
    assert "emission.means" not in geometry.paths
    # allowed entries: start 1 (no free parameter), rows 2 + 2 + 1 (1 + 1 + 0 free);
    # three 2 x 2 covariances, 3 coordinates each; the means are fixed
    assert geometry.size == 0 + 2 + 3 * 3
    vector = geometry.flatten(params)
    _assert_same_params(geometry.unflatten(vector), params)
    far = geometry.unflatten(vector + 3.0)  # an extrapolation keeps the zeros exactly zero
    np.testing.assert_array_equal(far.transmat == 0, params.transmat == 0)
    np.testing.assert_array_equal(far.startprob, params.startprob)
    np.testing.assert_array_equal(far.emission.means, params.emission.means)
    assert np.all(np.isfinite(far.transmat))
    np.testing.assert_allclose(far.transmat.sum(axis=1), 1.0, rtol=1e-14)
    assert model.n_parameters(params) == 2 + 3 * 2 + 3 * 3


def test_free_parameters_leave_out_structural_zeros():
    params = _hmm_params()
    chain = {"startprob": emkit.engine.constraints.simplex,
             "transmat": emkit.engine.constraints.simplex}
    assert n_free_parameters(chain, params) == 0 + (1 + 1 + 0)


def test_a_wrong_vector_length_is_refused():
    params = _hmm_params()
    geometry = Geometry(HMM(emkit.Gaussian("full"), 3).constraints(), params)
    with pytest.raises(ValueError, match=rf"vector must have shape \({geometry.size},\)"):
        geometry.unflatten(np.zeros(3))


# -- recentring -----------------------------------------------------------------------------------
def _direct_moments(X, weights, point, dense=True):
    """sum_i w_ik (x_i - c_k), and the second moments, with numpy alone."""
    diff = X[:, None, :] - point[None]                        # (n, K, D)
    first = np.einsum("nk,nkd->kd", weights, diff)
    if dense:
        second = np.einsum("nk,nkd,nke->kde", weights, diff, diff)
    else:
        second = np.einsum("nk,nkd->kd", weights, diff * diff)
    return weights.sum(axis=0), first, second


def _two_gaussian_points(dense):
    covariance_type = "full" if dense else "diag"
    covariances = np.stack([np.eye(2), 2 * np.eye(2)]) if dense else np.ones((2, 2))
    return [emkit.Tree(means=RNG.normal(scale=3, size=(2, 2)), covariances=covariances)
            for _ in range(2)], emkit.Gaussian(covariance_type)


@pytest.mark.parametrize("dense", [True, False])
def test_gaussian_statistics_at_two_points_combine_exactly(dense):
    (first, second), gaussian = _two_gaussian_points(dense)
    X, W = RNG.normal(size=(300, 2)) + 10.0, RNG.dirichlet(np.ones(2), 300)
    part_a = gaussian.expected_stats(first, X[:120], W[:120])
    part_b = gaussian.expected_stats(second, X[120:], W[120:])
    total = (part_a + part_b).moments  # taken about the first point
    n, m1, m2 = _direct_moments(X, W, first.means, dense)
    for got, expected in ((total.n, n), (total.first, m1), (total.second, m2)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    moved = recentre(part_a, onto=part_b).moments
    n, m1, m2 = _direct_moments(X[:120], W[:120], second.means, dense)
    np.testing.assert_allclose(moved.first, m1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(moved.second, m2, rtol=1e-12)
    np.testing.assert_array_equal(moved.shift, second.means)


def test_statistics_at_two_points_can_be_averaged_with_weights():
    (first, second), gaussian = _two_gaussian_points(True)
    X, W = RNG.normal(size=(200, 2)), RNG.dirichlet(np.ones(2), 200)
    s1, s2 = gaussian.expected_stats(first, X, W), gaussian.expected_stats(second, X, W)
    mixed = (0.9 * s1 + 0.1 * s2).moments
    n, m1, m2 = _direct_moments(X, W, first.means)
    np.testing.assert_allclose(mixed.n, n, rtol=1e-12)
    np.testing.assert_allclose(mixed.second, m2, rtol=1e-12)
    np.testing.assert_allclose(mixed.first, m1, rtol=1e-12, atol=1e-12)


def test_student_t_statistics_recentre_exactly():
    t = emkit.StudentT()
    points = [emkit.Tree(means=RNG.normal(scale=2, size=(2, 2)),
                         scales=np.stack([np.eye(2), np.diag([2.0, 0.5])]),
                         dofs=np.array([3.0, 7.0])) for _ in range(2)]
    X, W = RNG.standard_t(4, size=(250, 2)), RNG.dirichlet(np.ones(2), 250)
    part_a, part_b = t.expected_stats(points[0], X[:100], W[:100]), t.expected_stats(
        points[1], X[100:], W[100:])

    def scale_weights(params, rows):  # E[u] under each point's own parameters, by numpy
        diff = rows[:, None, :] - params.means[None]                     # (n, K, D)
        distances = np.einsum("nkd,kde,nke->nk", diff, np.linalg.inv(params.scales), diff)
        return (params.dofs + 2) / (params.dofs + distances)

    weights = np.vstack([W[:100] * scale_weights(points[0], X[:100]),
                         W[100:] * scale_weights(points[1], X[100:])])
    total = (part_a + part_b).moments
    n, m1, m2 = _direct_moments(X, weights, points[0].means)
    np.testing.assert_allclose(total.n, n, rtol=1e-12)
    np.testing.assert_allclose(total.first, m1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(total.second, m2, rtol=1e-12)
    moved = recentre(part_a, onto=part_b).moments
    _, m1, m2 = _direct_moments(X[:100], weights[:100], points[1].means)
    np.testing.assert_allclose(moved.second, m2, rtol=1e-12)


def test_lognormal_statistics_at_two_points_combine_exactly():
    lognormal = emkit.LogNormal()
    points = [emkit.Tree(means=RNG.normal(size=(2, 3)), variances=np.ones((2, 3)))
              for _ in range(2)]
    X, W = np.exp(RNG.normal(size=(200, 3))), RNG.dirichlet(np.ones(2), 200)
    total = (lognormal.expected_stats(points[0], X[:80], W[:80])
             + lognormal.expected_stats(points[1], X[80:], W[80:]))
    n, m1, m2 = _direct_moments(np.log(X), W, points[0].means, dense=False)
    np.testing.assert_allclose(total.moments.second, m2, rtol=1e-12)
    np.testing.assert_allclose(total.moments.first, m1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(total.log_x, W.T @ np.log(X).sum(axis=1), rtol=1e-12)


def test_moments_of_different_kinds_do_not_add():
    dense = Moments(np.ones(1), np.zeros((1, 2)), np.zeros((1, 2, 2)), np.zeros((1, 2)))
    diagonal = Moments(np.ones(1), np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="cannot add Moments"):
        dense + diagonal
