"""A latent variable model written only against the contract, for the engine's tests.

Zero-inflated Poisson counts with an exposure per row: a row is a structural zero with
probability ``weights[0]``, else Poisson with rate ``rate * exposure`` (the exposure is a
field of the Block, ``block["exposure"]``, 1 when absent). The latent variable says which.
"""
import numpy as np
from scipy.special import gammaln, xlogy

import emkit
from emkit.engine import DiscretePosterior, constraints
from emkit.engine.validation import check_values


def exposure(block):
    value = block.get("exposure")
    return np.ones(block.n_samples) if value is None else np.asarray(value, dtype=float)


class ZeroInflatedPoisson(emkit.LatentModel):
    """Counts X (n, 1); parameters ``weights`` (2,) (zero, Poisson) and ``rate`` (1,)."""

    def constraints(self):
        return {"weights": constraints.simplex, "rate": constraints.positive}

    def init_params(self, data, rng):
        return emkit.Tree(weights=np.array([0.5, 0.5]),
                          rate=np.array([np.mean(data.X) + rng.uniform(0.5, 1.5)]))

    def log_joint_table(self, params, block):  # log p(x_i, z_i), (n, 2)
        x, mean = block.X[:, 0], params.rate[0] * exposure(block)
        poisson = xlogy(x, mean) - mean - gammaln(x + 1)
        zero = np.where(x == 0, 0.0, -np.inf)
        return np.log(params.weights) + np.column_stack([zero, poisson])

    def posterior(self, params, block):
        return DiscretePosterior.from_log_joint(self.log_joint_table(params, block))

    def expected_stats(self, params, block, posterior):
        w, q = block.sample_weights(), posterior.probabilities
        x = block.X[:, 0]
        t = exposure(block)
        return emkit.Tree(counts=w @ q, events=w @ (q[:, 1] * x), exposure=w @ (q[:, 1] * t),
                          constant=w @ (q[:, 1] * (xlogy(x, t) - gammaln(x + 1))))

    def m_step(self, stats, params, fixed=frozenset()):
        weights = params.weights if "weights" in fixed else stats.counts / stats.counts.sum()
        rate = params.rate if "rate" in fixed else np.array([stats.events / stats.exposure])
        return emkit.Tree(weights=weights, rate=rate)

    def expected_log_joint(self, stats, params):
        rate = params.rate[0]
        return float(xlogy(stats.counts, params.weights).sum() + stats.events * np.log(rate)
                     - rate * stats.exposure + stats.constant)

    def validate(self, block):
        x = block.X
        check_values(x, ~((x >= 0) & (x == np.floor(x))), "ZeroInflatedPoisson",
                     "non-negative integer counts", "Remove the value.")

    def sample(self, params, n_samples, rng, *, lengths=None):
        zero = rng.uniform(size=n_samples) < params.weights[0]
        counts = np.where(zero, 0.0, rng.poisson(params.rate[0], size=n_samples))
        return counts[:, None], (~zero).astype(int)


def direct_mle(x, t=None):
    """The MLE by scipy.optimize on the observed-data log-likelihood: (zero weight, rate)."""
    from scipy import optimize

    t = np.ones_like(x) if t is None else t

    def negative(z):
        pi, rate = 1 / (1 + np.exp(-z[0])), np.exp(z[1])
        mean = rate * t
        poisson = xlogy(x, mean) - mean - gammaln(x + 1)
        zero = np.log(pi + (1 - pi) * np.exp(-mean))
        return -np.sum(np.where(x == 0, zero, np.log(1 - pi) + poisson))

    z = optimize.minimize(negative, np.zeros(2), method="BFGS", tol=1e-12).x
    return 1 / (1 + np.exp(-z[0])), np.exp(z[1]), -negative(z)
