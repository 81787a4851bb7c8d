"""
Tables of mixed column types
============================

Customers described by two real columns, a category and a count: one mixture whose component
is a Gaussian, a categorical and a Poisson side by side (``Independent``).
"""
# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from emkit import Categorical, Gaussian, Independent, MixtureModel, Poisson

rng = np.random.default_rng(0)
n = 1500
segment = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
table = pd.DataFrame({
    "spend": rng.normal([20.0, 60.0, 40.0], 6.0)[segment] + rng.normal(0, 1, n),
    "tenure": rng.normal([2.0, 8.0, 4.0], 1.0)[segment] + rng.normal(0, 0.3, n),
    "channel": np.array([rng.choice(4, p=p) for p in
                         np.array([[.7, .1, .1, .1], [.1, .7, .1, .1], [.1, .1, .4, .4]])[segment]]),
    "visits": rng.poisson(np.array([1.0, 6.0, 15.0])[segment]),
})
print(table.head())

# %%
# One component per segment: Gaussian (diagonal) on the two real columns, categorical on the
# channel, Poisson on the visits.
model = MixtureModel(Independent([Gaussian("diag"), Categorical(4), Poisson()],
                                 widths=[2, 1, 1]), n_components=3, n_init=3, random_state=0)
model.fit(table.to_numpy(dtype=float))
print("weights", model.weights_.round(3))
print("BIC", round(model.bic(table.to_numpy(dtype=float)), 1))

# %%
# How well the segments are recovered
# -----------------------------------
found = model.predict(table.to_numpy(dtype=float))
crosstab = pd.crosstab(pd.Series(segment, name="true"), pd.Series(found, name="found"))
print(crosstab)
fig, ax = plt.subplots(figsize=(5.5, 4))
ax.scatter(table["spend"], table["visits"], c=found, s=8, cmap="viridis")
ax.set(xlabel="spend", ylabel="visits", title="Segments found from all four columns")
