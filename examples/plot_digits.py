"""
===================================
Real and synthetic digits, as grids
===================================

scikit-learn's 8x8 digits made long-tailed (imbalance factor 10), as images of shape
``(n, 1, 8, 8)``. The rarest class (9) is shown as it is, then as the structured
adversarial sampler (paper 004) perturbs seeds of it against a small CNN: a smooth
adversarial displacement field (a warp), an edge-preserving recolouring, and the random
smooth warp of the same size (the ablation without the model's gradient).

(The worst-case generator of paper 002 also makes images, but its generator needs about
10,000 critic steps before its samples carry their class: minutes, not the seconds of
this gallery. ``benchmarks/results/paper002/generator.md`` measures it.)
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skadvaug import StructuredAdversarialSampler
from skadvaug.datasets import make_long_tailed

digits = load_digits()
X = (digits.images / 16.0)[:, None].astype(np.float32)  # (1797, 1, 8, 8) in [0, 1]
X, y = make_long_tailed(X, digits.target, imbalance_factor=10, random_state=0)
print(X.shape, np.bincount(y))

# %%
# Each sampler trains its small CNN surrogate on the data, then perturbs seeds of class 9
# until it has 12 more samples (imbalanced-learn's dict: the class's count after
# resampling).
wanted = {9: int((y == 9).sum()) + 12}
samplers = {
    name: StructuredAdversarialSampler(
        perturbation=perturbation, sampling_strategy=wanted, surrogate_epochs=10, random_state=0
    )
    for name, perturbation in [
        ("adversarial warp", "flow"),
        ("edge-preserving recolouring", "recolour"),
        ("random smooth warp", "random_flow"),
    ]
}
rows = {"real (class 9)": X[y == 9][:12]}
for name, sampler in samplers.items():
    X_res, y_res = sampler.fit_resample(X, y)
    rows[name] = X_res[len(X) :]

fig, axes = plt.subplots(len(rows), 12, figsize=(12, 1.2 * len(rows) + 0.5))
for row, (name, images) in zip(axes, rows.items(), strict=True):
    for ax, image in zip(row, images, strict=True):
        ax.imshow(image[0], cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
fig.tight_layout()
plt.show()
