"""
The command line, from Python
=============================

``emkit fit``, ``predict``, ``score`` and ``sample`` on a CSV file, run through
``emkit.cli.main(argv)``, which is what the ``emkit`` command calls (it returns the exit
status).
"""
# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from emkit.cli import main

folder = Path(tempfile.mkdtemp())
rng = np.random.default_rng(0)
data = pd.DataFrame(np.vstack([rng.normal([0, 0], 1, (400, 2)), rng.normal([5, 3], 0.6, (200, 2))]),
                    columns=["x", "y"])
data.to_csv(folder / "data.csv", index=False)

# %%
# Fit a two-component mixture and save it (``model.json`` + ``model.npz``).
status = main(["fit", str(folder / "data.csv"), "-k", "2", "--random-state", "0",
               "-o", str(folder / "model"), "--quiet"])
print("exit status", status, "->", sorted(p.name for p in folder.iterdir()))

# %%
# Predict the component of every row, with the responsibilities.
main(["predict", str(folder / "model"), str(folder / "data.csv"), "--proba",
      "-o", str(folder / "proba.csv")])
print(pd.read_csv(folder / "proba.csv").head(3))
main(["score", str(folder / "model"), str(folder / "data.csv")])

# %%
# A user error is one line on standard error and exit status 2.
print("exit status", main(["score", str(folder / "model"), str(folder / "missing.csv")]))

# %%
# Draw from the saved model.
main(["sample", str(folder / "model"), "-n", "300", "-o", str(folder / "draws.csv")])
draws = pd.read_csv(folder / "draws.csv")
fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(data["x"], data["y"], s=6, alpha=0.4, label="data")
ax.scatter(draws.iloc[:, 0], draws.iloc[:, 1], s=6, label="sampled from the model")
ax.set(xlabel="x", ylabel="y")
ax.legend()
