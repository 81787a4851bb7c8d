"""Independent references for fits with missing values: the observed-data log-likelihood of a
Gaussian mixture written with numpy alone, and its direct maximisation by scipy.optimize on a
Cholesky parametrisation (no EM, no emkit code)."""
import numpy as np
from scipy import optimize
from scipy.special import logsumexp


def pattern_groups(X):
    """``[(observed mask, rows)]`` for the distinct NaN patterns of X."""
    groups = {}
    for i, row in enumerate(np.isnan(X)):
        groups.setdefault(tuple(~row), []).append(i)
    return [(np.array(key), np.array(rows)) for key, rows in groups.items()]


def _log_normal(Y, mean, cov):
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, (Y - mean).T)
    return -0.5 * (Y.shape[1] * np.log(2 * np.pi) + 2 * np.log(np.diag(L)).sum()
                   + (z * z).sum(axis=0))


def observed_log_likelihood(X, weights, means, covariances, groups=None):
    """``sum_i log sum_k w_k N(x_io | mu_ko, S_koo)``."""
    table = np.empty((X.shape[0], len(weights)))
    for observed, rows in groups or pattern_groups(X):
        Y = X[np.ix_(rows, observed)]
        for k in range(len(weights)):
            table[rows, k] = np.log(weights[k]) + _log_normal(
                Y, means[k][observed], covariances[k][np.ix_(observed, observed)])
    return float(logsumexp(table, axis=1).sum())


def _unpack(theta, K, D):
    tri = np.tril_indices(D)
    size = len(tri[0])
    logits = np.concatenate([[0.0], theta[:K - 1]])
    weights = np.exp(logits - logsumexp(logits))
    rest = theta[K - 1:]
    means = rest[:K * D].reshape(K, D)
    covariances = []
    for k in range(K):
        L = np.zeros((D, D))
        L[tri] = rest[K * D + k * size:K * D + (k + 1) * size]
        L[np.diag_indices(D)] = np.exp(np.diag(L))
        covariances.append(L @ L.T)
    return weights, means, np.array(covariances)


def _pack(weights, means, covariances):
    D = means.shape[1]
    parts = [np.log(weights[1:] / weights[0]), means.ravel()]
    for cov in covariances:
        L = np.linalg.cholesky(cov)
        L[np.diag_indices(D)] = np.log(np.diag(L))
        parts.append(L[np.tril_indices(D)])
    return np.concatenate(parts)


def direct_mle(X, start):
    """Maximise the observed-data log-likelihood over (weights, means, Cholesky factors).

    Parameters
    ----------
    X : ndarray (n, D) with NaN
    start : (weights (K,), means (K, D), covariances (K, D, D))

    Returns
    -------
    (weights, means, covariances), log-likelihood
    """
    K, D = start[1].shape
    groups = pattern_groups(X)

    def loss(theta):
        return -observed_log_likelihood(X, *_unpack(theta, K, D), groups)

    first = optimize.minimize(loss, _pack(*start), method="BFGS",
                              options=dict(gtol=1e-8, maxiter=10_000))
    polished = optimize.minimize(loss, first.x, method="BFGS", jac="3-point",
                                 options=dict(gtol=1e-9, maxiter=10_000))
    return _unpack(polished.x, K, D), -polished.fun
