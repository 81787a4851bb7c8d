"""The compiled Gaussian and mixture kernels against direct scipy/numpy references.

The kernels work on blocks of rows (``block_rows(n_features)`` of them), so the sizes here
straddle a block boundary, and they must give the same numbers for any memory layout of X.
"""
import numpy as np
import pytest
from scipy import linalg, special, stats

from emkit.components.gaussian import _kernels
from emkit.engine.responsibilities import responsibilities

SIZES = [(1, 1, 1), (_kernels.block_rows(3) - 1, 3, 4), (_kernels.block_rows(10) + 1, 10, 2),
         (3 * _kernels.block_rows(40) + 5, 40, 3)]


def _problem(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * 2.0 + 30.0  # far from the origin: centring matters
    means = X[rng.integers(0, n, k)] + rng.standard_normal((k, d))
    mixing = rng.standard_normal((k, d, d))
    covariances = mixing @ np.swapaxes(mixing, 1, 2) + np.eye(d)
    return rng, X, means, covariances


def _dense_factor(covariances):
    chol = np.stack([linalg.cholesky(c, lower=True) for c in covariances])
    factors = np.stack([linalg.solve_triangular(c, np.eye(len(c)), lower=True) for c in chol])
    return chol, factors


@pytest.mark.parametrize("n, d, k", SIZES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_log_densities_match_scipy(n, d, k, order):
    rng, X, means, covariances = _problem(n, d, k)
    X = np.asarray(X, order=order)
    expected = np.stack([stats.multivariate_normal(m, c).logpdf(X).reshape(n)
                         for m, c in zip(means, covariances)], axis=1)
    _, factors = _dense_factor(covariances)
    out = np.empty((n, k))
    _kernels.dense_log_prob(X, means, factors, np.log(np.einsum("kjj->kj", factors)).sum(1),
                            out)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-10)

    variances = rng.uniform(0.5, 3.0, (k, d))
    expected = np.stack([stats.multivariate_normal(m, np.diag(v)).logpdf(X).reshape(n)
                         for m, v in zip(means, variances)], axis=1)
    roots = 1.0 / np.sqrt(variances)
    _kernels.diag_log_prob(X, means, roots, np.log(roots).sum(1), out)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("n, d, k", SIZES)
def test_scatters_match_centred_sums(n, d, k):
    rng, X, shift, _ = _problem(n, d, k)
    W = rng.uniform(0.0, 1.0, (n, k))
    W[:, 0] = 0.0  # a component with no weight at all
    W[: min(n, _kernels.block_rows(d)), -1] = 0.0  # and one with none in the first block
    diff = X[:, None, :] - shift[None]  # (n, K, D)
    expected = (W.sum(0), np.einsum("nk,nka->ka", W, diff),
                np.einsum("nk,nka,nkb->kab", W, diff, diff))
    dense = (np.zeros(k), np.zeros((k, d)), np.zeros((k, d, d)))
    diag = (np.zeros(k), np.zeros((k, d)), np.zeros((k, d)))
    for _ in range(2):  # the kernels add into their outputs
        _kernels.dense_scatter(X, W, shift, *dense)
        _kernels.diag_scatter(X, W, shift, *diag)
    scale = max(1.0, float(np.max(np.abs(expected[2]))))
    for got, want in zip(dense, expected):
        np.testing.assert_allclose(got, 2 * want, rtol=1e-12, atol=1e-12 * scale)
    for got, want in zip(diag, expected[:2] + (np.einsum("kaa->ka", expected[2]),)):
        np.testing.assert_allclose(got, 2 * want, rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_array_equal(dense[2], np.swapaxes(dense[2], 1, 2))


@pytest.mark.parametrize("d", [1, 2, 7, 30])
def test_lower_triangular_inverse(d):
    _, _, _, covariances = _problem(10, d, 3)
    chol, expected = _dense_factor(covariances)
    got = _kernels.lower_triangular_inverse(chol)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert np.all(np.triu(got, 1) == 0.0)


@pytest.mark.parametrize("k", [1, 2, 5, 16])
def test_responsibilities_match_logsumexp(k):
    rng = np.random.default_rng(k)
    n = 300
    table = rng.standard_normal((n, k)) * 20.0 - 50.0
    log_weights = np.log(rng.dirichlet(np.ones(k)))
    if k > 2:
        log_weights[1] = -np.inf  # a component with weight 0
    sample_weights = rng.uniform(0.0, 2.0, n)
    sample_weights[::7] = 0.0
    labels = np.full(n, -1)
    labels[::5] = rng.integers(0, k, labels[::5].size)
    labels[labels == 1] = -1 if k > 2 else 1

    joint = table + log_weights
    row_loglik = special.logsumexp(joint, axis=1)
    resp = np.exp(joint - row_loglik[:, None])
    known = labels >= 0
    row_loglik[known] = joint[known, labels[known]]
    resp[known] = np.eye(k)[labels[known]]
    entropy = -special.xlogy(resp, resp).sum(axis=1)

    out, got_rows, counts = table.copy(), np.empty(n), np.empty(k)
    loglik, got_entropy = responsibilities(out, log_weights, sample_weights, labels, got_rows,
                                           counts)
    weighted = resp * sample_weights[:, None]
    np.testing.assert_allclose(out, weighted, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(got_rows, row_loglik, rtol=1e-13)
    np.testing.assert_allclose(counts, weighted.sum(0), rtol=1e-12)
    np.testing.assert_allclose(loglik, sample_weights @ row_loglik, rtol=1e-13)
    np.testing.assert_allclose(got_entropy, sample_weights @ entropy, rtol=1e-11, atol=1e-12)


def test_a_zero_weight_row_that_no_component_explains_contributes_nothing():
    table = np.array([[-np.inf, -np.inf], [-1.0, -2.0]])
    out, rows, counts = table.copy(), np.empty(2), np.empty(2)
    loglik, entropy = responsibilities(out, np.log([0.5, 0.5]), np.array([0.0, 1.0]),
                                       np.array([-1, -1]), rows, counts)
    expected = special.logsumexp(np.log(0.5) + table[1])
    assert np.all(np.isfinite(out)) and np.all(out[0] == 0.0)
    assert loglik == pytest.approx(expected) and np.isfinite(entropy)
    np.testing.assert_allclose(counts, out[1])
