"""A user-written latent variable model that is not a mixture: ABO blood-type allele frequencies.

The phenotype (A, B, AB or O) of each person is observed; the genotype behind it is not
(phenotype A is genotype AA or AO). Under Hardy-Weinberg equilibrium with allele frequencies
(p_A, p_B, p_O) the genotype probabilities are products of allele frequencies, and EM
counts alleles in the expected genotypes (the "gene counting" algorithm). Run
``python examples/custom_model.py``; docs/custom-models.md walks through the class.
"""
import numpy as np
from scipy.special import xlogy

import emkit
from emkit.engine import DiscretePosterior, constraints
from emkit.engine.validation import check_values

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
        return DiscretePosterior.from_log_joint(self.log_joint_table(params, block))

    def expected_stats(self, params, block, posterior):  # sums over rows
        return emkit.Tree(genotypes=block.sample_weights() @ posterior.probabilities)

    def m_step(self, stats, params, fixed=frozenset()):
        if "alleles" in fixed:
            return params
        copies = stats.genotypes @ ALLELES
        return emkit.Tree(alleles=copies / copies.sum())

    def expected_log_joint(self, stats, params):
        return float(xlogy(stats.genotypes, np.exp(self.genotype_log_probs(params))).sum())

    def validate(self, block):
        X = block.X
        check_values(X, ~np.isin(X, [0, 1, 2, 3]), "BloodTypes", "phenotype codes 0 to 3",
                     "Code A, B, AB and O as 0, 1, 2 and 3.")

    def sample(self, params, n_samples, rng, *, lengths=None):
        genotypes = rng.choice(6, size=n_samples, p=np.exp(self.genotype_log_probs(params)))
        return PHENOTYPE[genotypes][:, None].astype(float), genotypes


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
