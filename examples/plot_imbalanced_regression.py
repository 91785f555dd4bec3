"""
=============================================
Imbalanced regression with ``rare_threshold``
=============================================

Sequences whose continuous target is skewed: large values are rare (the setting of
paper 000). With ``rare_threshold`` the samplers treat targets above it as the rare group,
generate rare samples (each keeps the target of its seed) and ``"auto"`` balances the rare
and common groups. The macro-averaged error of :func:`skadvaug.metrics.macro_averaged_error`
weighs the rare and the common group equally; a plain mean error hides the rare group.

A synthetic sample keeps its seed's target, so the augmentation must keep the target
valid: here the target is the exponential of the level of the series' last quarter, which
jitter keeps and a time warp would move.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

from skadvaug import Flatten, LatentAdversarialSampler, TimeSeriesAugmentationSampler
from skadvaug.datasets import make_sequence_regression
from skadvaug.metrics import macro_averaged_error

X, y = make_sequence_regression(n_samples=400, n_timepoints=32, random_state=0)
threshold = float(np.quantile(y, 0.9))
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)


def regressor():
    return HistGradientBoostingRegressor(random_state=0)


models = {
    "no resampling": make_pipeline(Flatten(), regressor()),
    "jitter": make_pipeline(
        TimeSeriesAugmentationSampler(method="jitter", rare_threshold=threshold, random_state=0),
        Flatten(),
        regressor(),
    ),
    "latent adversarial": make_pipeline(
        LatentAdversarialSampler(
            rare_threshold=threshold, autoencoder_epochs=10, surrogate_epochs=5, random_state=0
        ),
        Flatten(),
        regressor(),
    ),
}

# %%
rows = []
for name, model in models.items():
    prediction = model.fit(X_train, y_train).predict(X_test)
    rmse = mean_squared_error(y_test, prediction) ** 0.5
    macro = macro_averaged_error(y_test, prediction, rare_threshold=threshold)
    rows.append((name, rmse, macro))
    print(f"{name:20s} RMSE {rmse:.3f}   macro RMSE (rare and common equally) {macro:.3f}")

# %%
fig, ax = plt.subplots(figsize=(6, 3))
names, rmse, macro = zip(*rows, strict=True)
positions = np.arange(len(names))
ax.bar(positions - 0.2, rmse, width=0.4, label="RMSE")
ax.bar(positions + 0.2, macro, width=0.4, label="macro RMSE")
ax.set_xticks(positions, names)
ax.set_ylabel("error on the test set (lower is better)")
ax.legend()
fig.tight_layout()
plt.show()
