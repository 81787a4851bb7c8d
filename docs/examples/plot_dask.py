"""
Fitting on a Dask cluster
=========================

The same Gaussian mixture fitted in memory and on a (small, local) Dask cluster: the data are
persisted on the workers once, and each iteration is one E-step task per block, a tree
reduction of the statistics and one compute.
"""
# %%
import time

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster

import emkit

rng = np.random.default_rng(0)
X = np.vstack([rng.normal([-2.0, 0.0], 1.0, (30_000, 2)),
               rng.normal([2.0, 1.0], 0.7, (20_000, 2))])

cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                       dashboard_address=None)
client = Client(cluster)
chunked = da.from_array(X, chunks=(10_000, 2))      # five blocks

start = time.perf_counter()
on_dask = emkit.GaussianMixture(2, tol=1e-6, random_state=0).fit(chunked)
dask_seconds = time.perf_counter() - start
in_memory = emkit.GaussianMixture(2, tol=1e-6, random_state=0).fit(X)
print(f"on Dask: {on_dask.n_iter_} iterations in {dask_seconds:.2f} s")
print("largest difference in the means:", np.abs(on_dask.means_ - in_memory.means_).max())
print("largest difference in the evidence per iteration:",
      np.abs(on_dask.history_.column("evidence") - in_memory.history_.column("evidence")).max())

client.close()
cluster.close()

# %%
# The two anatomies lie on top of each other.
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(in_memory.history_.column("evidence"), "o-", label="in memory")
ax.plot(on_dask.history_.column("evidence"), "x--", label="Dask, 5 blocks")
ax.set(xlabel="iteration", ylabel="evidence", title="The same climb")
ax.legend()
