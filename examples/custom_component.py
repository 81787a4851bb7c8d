"""A user-written component: independent Rayleigh features, fitted as a mixture by emkit.

Run ``python examples/custom_component.py``. The class below is what docs/custom-models.md
shows; everything else (the mixture, the anatomy, restarts, fixed parameters, the
scikit-learn estimator) comes from emkit.
"""
import numpy as np

import emkit
from emkit.engine import constraints
from emkit.engine.validation import check_support


class Rayleigh(emkit.Component):
    """p(x | s) = prod_d x_d / s_d^2 exp(-x_d^2 / (2 s_d^2)), x_d >= 0; ``scales`` (K, D)."""

    family = "Rayleigh"

    def constraints(self):
        return {"scales": constraints.positive}

    def log_prob(self, params, X):  # (n_samples, K)
        var = params.scales ** 2
        return np.log(X).sum(1)[:, None] - np.log(var).sum(1) - 0.5 * X ** 2 @ (1 / var).T

    def expected_stats(self, params, X, weights):  # sums over rows, never means
        return emkit.Tree(n=weights.sum(0), squares=weights.T @ X ** 2,
                          logs=weights.T @ np.log(X))

    def m_step(self, stats, params, fixed=frozenset()):
        if "scales" in fixed:
            return params
        return emkit.Tree(scales=np.sqrt(stats.squares / (2 * stats.n[:, None] + 1e-300)))

    def expected_log_prob(self, stats, params):
        var = params.scales ** 2
        return float(stats.logs.sum() - stats.n @ np.log(var).sum(1)
                     - 0.5 * np.sum(stats.squares / var))

    def validate(self, X):  # errors name the column and the row, wherever X streams from
        check_support(X, "Rayleigh", lambda v: v >= 0, "values >= 0", "Remove negative values.")

    def sample(self, params, labels, rng):
        return rng.rayleigh(params.scales[labels])


def main():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.rayleigh([1.0, 3.0], size=(300, 2)), rng.rayleigh([5.0, 0.5], (200, 2))])
    model = emkit.MixtureModel(Rayleigh(), n_components=2, n_init=3, random_state=0).fit(X)
    print("weights", model.weights_.round(3))
    print("scales\n", model.scales_.round(3))
    print(model.history_)
    return model


if __name__ == "__main__":
    main()
