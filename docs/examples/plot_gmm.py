"""
Gaussian mixtures: Old Faithful and the anatomy of the fit
==========================================================

A two-component Gaussian mixture fitted to the Old Faithful eruptions, the clusters it finds,
and the anatomy of the fit: the evidence, the bound after each half-step, and the KL gap.
"""
# %%
# Fit
# ---
# ``GaussianMixture`` takes scikit-learn's arguments. A deliberately poor start (both means at
# the same place) makes the climb long enough to see.
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

import emkit

X = np.asarray(emkit.datasets.load_old_faithful(), dtype=float)
gm = emkit.GaussianMixture(2, means_init=[[3.0, 70.0], [3.1, 71.0]], tol=1e-8,
                           max_iter=200, random_state=0).fit(X)
print(gm.weights_.round(3))
print(gm.means_.round(2))
print(gm.history_)

# %%
# The clusters
# ------------
# Each point is coloured by its most probable component; the ellipses are one and two
# standard deviations of each component.
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.scatter(X[:, 0], X[:, 1], c=gm.predict(X), s=12, cmap="coolwarm")
for mean, cov in zip(gm.means_, gm.covariances_):
    values, vectors = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
    for n_std in (1, 2):
        width, height = 2 * n_std * np.sqrt(values[::-1])
        ax.add_patch(Ellipse(mean, width, height, angle=angle, fill=False, lw=1.2))
ax.set(xlabel="eruption (min)", ylabel="waiting (min)", title="Old Faithful, K = 2")

# %%
# The anatomy
# -----------
# Each iteration's E-step closes the gap (the bound touches the evidence), and its M-step
# raises the bound and opens a new gap. The evidence never falls.
history = gm.history_
t = np.arange(len(history))
fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 6), sharex=True)
top.plot(t, history.column("evidence"), "o-", label="evidence = bound after E")
top.plot(t + 0.5, history.column("bound_m"), "s", label="bound after M")
top.set(ylabel="log-likelihood", title="Evidence and bound per half-step")
top.legend()
bottom.semilogy(t + 0.5, history.column("kl_gap"), "o-")
bottom.set(xlabel="iteration", ylabel="KL gap opened by the M-step")
fig.tight_layout()

# %%
# How many components?
# --------------------
# BIC over K and the covariance structure; the lowest wins.
kinds = ("full", "diag", "spherical")
ks = range(1, 6)
bic = {kind: [emkit.GaussianMixture(k, covariance_type=kind, random_state=0).fit(X).bic(X)
              for k in ks] for kind in kinds}
fig, ax = plt.subplots(figsize=(6, 3.5))
for kind in kinds:
    ax.plot(list(ks), bic[kind], "o-", label=kind)
ax.set(xlabel="K", ylabel="BIC", title="BIC (lower is better)")
ax.legend()
