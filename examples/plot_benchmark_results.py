"""
=============================
Reading the benchmark results
=============================

Every benchmark suite commits one row per data set, method, model and fold in
``benchmarks/results/<suite>/results.csv``; the summaries and the benchmark page are
generated from these files. This example reads the ``keel`` suite (imbalanced KEEL tables)
and plots, per method, the gain in balanced accuracy over SMOTE on each data set (mean over
the four models and the folds where both ran).
"""

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

try:
    HERE = Path(__file__).resolve().parent
except NameError:  # run interactively from the examples folder
    HERE = Path.cwd()
results = pd.read_csv(HERE.parent / "benchmarks" / "results" / "keel" / "results.csv")
results = results[results["status"] == "ok"]
print(results.groupby("method")["dataset"].nunique().rename("data sets").to_string())

# %%
# Mean balanced accuracy per data set and method, then the difference to SMOTE on the
# folds both ran.
keys = ["dataset", "model", "repeat", "fold"]
smote = results[results["method"] == "SMOTE"].set_index(keys)["balanced_accuracy"]
scores = results.set_index(keys)
scores = scores.assign(gain=scores["balanced_accuracy"] - smote.reindex(scores.index))
gain = scores.dropna(subset=["gain"]).groupby(["method", "dataset"])["gain"].mean()
order = gain.groupby("method").median().sort_values().index.drop("SMOTE")

fig, ax = plt.subplots(figsize=(7, 0.32 * len(order) + 1))
ax.boxplot([gain[method].to_numpy() for method in order], vert=False, showfliers=False)
ax.set_yticks(range(1, len(order) + 1), order, fontsize=8)
ax.axvline(0, c="k", lw=0.8)
ax.set_xlabel("balanced accuracy minus SMOTE's, per data set")
fig.tight_layout()
plt.show()
