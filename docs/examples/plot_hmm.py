"""
Hidden Markov models: decoding regimes
======================================

A two-state Gaussian HMM fitted to sequences that switch between a calm and a volatile regime;
the decoded state path against the truth.
"""
# %%
# Data: two sequences from a known chain
# --------------------------------------
import matplotlib.pyplot as plt
import numpy as np

import emkit

truth = emkit.GaussianHMM(2, covariance_type="diag")
truth.startprob_ = np.array([1.0, 0.0])
truth.transmat_ = np.array([[0.97, 0.03], [0.05, 0.95]])
truth.means_ = np.array([[0.0], [1.5]])
truth.covars_ = np.array([[0.2], [1.5]])
X, states = truth.sample(800, random_state=0)
lengths = [500, 300]

# %%
# Fit, and compare with the truth
# -------------------------------
hmm = emkit.GaussianHMM(2, n_iter=200, tol=1e-4, n_init=3, random_state=0).fit(X, lengths)
order = np.argsort(hmm.covars_.ravel())                # state 0: the calm one
print("transitions\n", hmm.transmat_[np.ix_(order, order)].round(3))
print("means", hmm.means_.ravel()[order].round(2), "variances", hmm.covars_.ravel()[order].round(2))
_, path = hmm.decode(X, lengths)
decoded = np.argsort(order)[path]
print(f"decoded states agree with the truth on {np.mean(decoded == states):.1%} of the steps")

# %%
# The decoded path
# ----------------
proba = hmm.predict_proba(X, lengths)[:, order[1]]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 4.5), sharex=True)
top.plot(X[:, 0], lw=0.7, color="0.3")
top.axvline(lengths[0], color="k", ls="--", lw=0.8)
top.set(ylabel="x", title="Two sequences (dashed: where the second starts)")
bottom.fill_between(np.arange(len(X)), states, step="mid", alpha=0.3, label="true state")
bottom.plot(proba, lw=0.9, label="P(volatile | X)")
bottom.set(xlabel="step", ylabel="state")
bottom.legend(loc="upper right")
fig.tight_layout()
