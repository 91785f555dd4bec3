"""
========================================================
A grid search that compares a learned sampler with SMOTE
========================================================

The sampler is a step of an imbalanced-learn ``Pipeline``, so ``GridSearchCV`` tunes it like
any other step, and a list of grids lets one search choose between SMOTE and the latent
adversarial sampler at several perturbation scales. The sampler resamples the training
folds only; every score comes from untouched validation folds.

``memory`` caches the sampler's autoencoder: ``scale`` only acts after it is trained, so
the search trains one autoencoder per fold, not one per fold and scale.
"""

# %%
from tempfile import TemporaryDirectory

import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from skadvaug import LatentAdversarialSampler
from skadvaug.datasets import load_keel

X, y = load_keel("ecoli1")
pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        ("sampler", SMOTE(random_state=0)),
        ("model", LogisticRegression(max_iter=1000)),
    ]
)
cache = TemporaryDirectory()
latent = LatentAdversarialSampler(
    autoencoder_epochs=10, surrogate_epochs=5, memory=cache.name, random_state=0
)
grid = [
    {"sampler": [SMOTE(random_state=0)]},
    {"sampler": [latent], "sampler__scale": [0.5, 2.0]},
]
search = GridSearchCV(
    pipe, grid, scoring="balanced_accuracy", cv=StratifiedKFold(3, shuffle=True, random_state=0)
)
search.fit(X, y)

# %%
results = pd.DataFrame(search.cv_results_)
results["sampler"] = results["param_sampler"].map(lambda s: type(s).__name__)
print(
    results[["sampler", "param_sampler__scale", "mean_test_score", "std_test_score"]]
    .round(3)
    .to_string(index=False)
)
print("best:", type(search.best_params_["sampler"]).__name__, round(search.best_score_, 3))
cache.cleanup()
