"""
=====================================
Real and synthetic sequences overlaid
=====================================

The minority class of a long-tailed GunPoint (aeon's bundled UCR set) and samples that
three samplers make from it: a classic time warp, the structured adversarial sampler's
smooth adversarial time-warp (paper 004) and the latent adversarial sampler (paper 000).
Each panel overlays a few seeds (thin, blue) and synthetic samples (orange).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skadvaug import (
    LatentAdversarialSampler,
    StructuredAdversarialSampler,
    TimeSeriesAugmentationSampler,
)
from skadvaug.datasets import load_ucr, make_long_tailed

X, y = load_ucr("GunPoint", split="train")  # (50, 1, 150)
X, y = make_long_tailed(X, y, imbalance_factor=4, random_state=0)
minority = y == np.unique(y)[-1]  # make_long_tailed thins the last class most
print(X.shape, dict(zip(*np.unique(y, return_counts=True), strict=True)))

samplers = {
    "time warp (classic)": TimeSeriesAugmentationSampler(method="time_warp", random_state=0),
    "structured adversarial flow": StructuredAdversarialSampler(
        surrogate_epochs=20, random_state=0
    ),
    "latent adversarial": LatentAdversarialSampler(
        autoencoder_epochs=30, surrogate_epochs=10, random_state=0
    ),
}

# %%
fig, axes = plt.subplots(1, len(samplers), figsize=(5 * len(samplers), 3.5), sharey=True)
for ax, (name, sampler) in zip(axes, samplers.items(), strict=True):
    X_res, y_res = sampler.fit_resample(X, y)
    for series in X[minority][:5]:
        ax.plot(series[0], c="tab:blue", lw=0.8, alpha=0.7)
    for series in X_res[len(X) :][:5]:
        ax.plot(series[0], c="tab:orange", lw=1.2)
    ax.set_title(name)
    ax.set_xlabel("time step")
axes[0].set_ylabel("value (blue: real, orange: synthetic)")
fig.tight_layout()
plt.show()
