"""
========================================
Every tabular over-sampler next to SMOTE
========================================

A two-feature problem with 10% minority samples, resampled to balance by SMOTE and by each
skadvaug sampler that takes tables. Grey: the majority class; blue: the real minority
samples; orange: the synthetic ones. SMOTE interpolates on segments between minority
neighbours; the learned samplers move seeds where their backbone (an autoencoder's latent
space, a normalizing flow, a generator trained against a critic) and a surrogate classifier
lead them.

The budgets are cut to a few seconds; the defaults train longer, and the pictures change
with the budget. At these budgets the adversarial samplers show what they are built to
do: the flow sampler's attacks and the worst-case generator (which *raises* its
classifier's loss) put many minority samples where the surrogate classifier is wrong,
inside or next to the majority class, where SMOTE stays between minority neighbours.
Whether that helps a downstream model is what the benchmarks measure.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification

from skadvaug import (
    FlowLatentSampler,
    LatentAdversarialSampler,
    StructuredAdversarialSampler,
    WorstCaseGeneratorSampler,
)

X, y = make_classification(
    n_samples=400,
    n_features=2,
    n_informative=2,
    n_redundant=0,
    n_clusters_per_class=1,
    weights=[0.9],
    class_sep=1.0,
    random_state=3,
)

samplers = {
    "SMOTE": SMOTE(random_state=0),
    "LatentAdversarialSampler": LatentAdversarialSampler(
        autoencoder_epochs=30, surrogate_epochs=10, random_state=0
    ),
    "FlowLatentSampler": FlowLatentSampler(flow_epochs=30, surrogate_epochs=10, random_state=0),
    "WorstCaseGeneratorSampler": WorstCaseGeneratorSampler(game_epochs=60, random_state=0),
    "StructuredAdversarialSampler (fgm)": StructuredAdversarialSampler(
        perturbation="fgm", surrogate_epochs=10, random_state=0
    ),
}

# %%
# Each panel shows the original data and the samples ``fit_resample`` appended (the
# original samples come first, then the synthetic ones).
fig, axes = plt.subplots(1, len(samplers), figsize=(4 * len(samplers), 4), sharey=True)
for ax, (name, sampler) in zip(axes, samplers.items(), strict=True):
    X_res, y_res = sampler.fit_resample(X, y)
    synthetic = X_res[len(X) :]
    ax.scatter(*X[y == 0].T, s=6, c="0.75", label="majority")
    ax.scatter(*X[y == 1].T, s=12, c="tab:blue", label="minority (real)")
    ax.scatter(*synthetic.T, s=8, c="tab:orange", alpha=0.6, label="synthetic")
    ax.set_title(f"{name}\n{np.bincount(y_res)} after resampling", fontsize=9)
axes[0].legend(loc="lower left", fontsize=8)
fig.tight_layout()
plt.show()
