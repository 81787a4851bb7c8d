"""A user-written latent variable model that is not a mixture: ABO blood-type allele frequencies.

The phenotype (A, B, AB or O) of each person is observed; the genotype behind it is not
(phenotype A is genotype AA or AO). Under Hardy-Weinberg equilibrium with allele frequencies
(p_A, p_B, p_O) the genotype probabilities are products of allele frequencies, and EM
counts alleles in the expected genotypes (the "gene counting" algorithm). Run
``python examples/custom_model.py``; docs/custom-models.md walks through the class.
"""
import numpy as np
from scipy.special import logsumexp, xlogy

import emkit
from emkit.engine import EStep, constraints

#            genotypes:   AA  AO  BB  BO  AB  OO
ALLELES = np.array([[2, 0, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [1, 1, 0], [0, 0, 2]])
PHENOTYPE = np.array([0, 0, 1, 1, 2, 3])     # the blood type each genotype shows: A B AB O
LOG_ORDERS = np.log([1, 2, 1, 2, 2, 1])      # a heterozygote arises in two orders


class BloodTypes(emkit.LatentModel):
    """Phenotype codes X (n, 1) in {0: A, 1: B, 2: AB, 3: O}; parameters ``alleles`` (3,)."""

    def constraints(self):
        return {"alleles": constraints.simplex}

    def init_params(self, data, rng):
        return emkit.Tree(alleles=rng.dirichlet(np.ones(3)))

    def genotype_log_probs(self, params):  # (6,)
        return LOG_ORDERS + ALLELES @ np.log(params.alleles)

    def log_joint_table(self, params, block):  # log p(x_i, genotype g), (n, 6)
        shown = PHENOTYPE == block.X[:, :1].astype(int)
        return np.where(shown, self.genotype_log_probs(params), -np.inf)

    def posterior(self, params, block):
        table = self.log_joint_table(params, block)
        return np.exp(table - logsumexp(table, axis=1, keepdims=True))

    def e_step(self, params, block):
        table, weights = self.log_joint_table(params, block), block.sample_weights()
        q = self.posterior(params, block)
        return EStep(stats=emkit.Tree(genotypes=weights @ q),
                     loglik=float(weights @ logsumexp(table, axis=1)),
                     entropy=float(-np.sum(weights[:, None] * xlogy(q, q))))

    def m_step(self, stats, params, fixed=frozenset()):
        if "alleles" in fixed:
            return params
        copies = stats.genotypes @ ALLELES
        return emkit.Tree(alleles=copies / copies.sum())

    def expected_log_joint(self, stats, params):
        return float(xlogy(stats.genotypes, np.exp(self.genotype_log_probs(params))).sum())


#: Phenotype counts (A, B, AB, O) of 521 people, an illustrative sample.
COUNTS = np.array([186.0, 38.0, 13.0, 284.0])


def main():
    data = emkit.Block(np.arange(4.0)[:, None], weights=COUNTS)
    result = emkit.fit(BloodTypes(), data, n_init=3, random_state=0, tol=1e-12, max_iter=500)
    print("allele frequencies (A, B, O):", result.params.alleles.round(4))
    print(result.history)
    return result


if __name__ == "__main__":
    main()
