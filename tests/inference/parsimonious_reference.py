"""An independent parametrisation of the 14 parsimonious models, for direct optimisation.

``Sigma_k = lambda_k D_k diag(A_k) D_k'`` with log-volumes, log-shapes summing to zero and
orientations ``expm`` of skew-symmetric matrices; each letter of the model's name says whether
the part is shared (E), per component (V) or the identity (I).
"""
import numpy as np
from scipy.linalg import expm
from scipy.special import logsumexp

MODELS = ["EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
          "EVV", "VVV"]


def _copies(letter, k):
    return {"E": 1, "V": k, "I": 0}[letter]


def sizes(model, k, d):
    """Unconstrained sizes of (volume, shape, orientation) blocks."""
    volume, shape, orientation = model
    return (_copies(volume, k), _copies(shape, k) * (d - 1),
            _copies(orientation, k) * d * (d - 1) // 2)


def _rotation(theta, d):
    if d == 2:
        c, s = np.cos(theta[0]), np.sin(theta[0])
        return np.array([[c, -s], [s, c]])
    skew = np.zeros((d, d))
    skew[np.triu_indices(d, 1)] = theta
    return expm(skew - skew.T)


def covariances(model, vector, k, d):
    """Covariances (k, d, d) from the unconstrained vector of the covariance part."""
    nv, ns, no = sizes(model, k, d)
    logv, logs, rot = np.split(np.asarray(vector, float), [nv, nv + ns])
    volumes = np.exp(np.broadcast_to(logv, (k,))) if nv else np.ones(k)
    shapes = np.zeros((k, d))
    if ns:
        free = np.broadcast_to(logs.reshape(-1, d - 1), (k, d - 1))
        shapes[:, :-1] = free
        shapes[:, -1] = -free.sum(axis=1)
    per = d * (d - 1) // 2
    rotations = [np.eye(d)] * k if not no else \
        [_rotation(rot.reshape(-1, per)[min(j, no // per - 1)], d) for j in range(k)]
    return np.stack([volumes[j] * rotations[j] @ np.diag(np.exp(shapes[j])) @ rotations[j].T
                     for j in range(k)])


def unpack(model, vector, k, d):
    """(weights, means, covariances) from the full vector (logits, means, covariance part)."""
    logits = np.append(vector[:k - 1], 0.0)
    weights = np.exp(logits - logsumexp(logits))
    means = vector[k - 1:k - 1 + k * d].reshape(k, d)
    return weights, means, covariances(model, vector[k - 1 + k * d:], k, d)


def log_likelihood(model, vector, X, k):
    weights, means, covs = unpack(model, vector, k, X.shape[1])
    table = np.column_stack([_log_normal(X, means[j], covs[j]) for j in range(k)])
    return float(logsumexp(table + np.log(weights), axis=1).sum())


def _log_normal(X, mean, cov):
    """Normal log density by a Cholesky factor (as scipy's, checked in the tests)."""
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, (X - mean).T)
    return -0.5 * (z * z).sum(axis=0) - np.log(np.diag(chol)).sum() \
        - 0.5 * X.shape[1] * np.log(2 * np.pi)
