"""A grid search over a Pipeline with a learned sampler on a Ray cluster, through
joblib's ray backend (the second route scikit-learn users take to scale out)."""

import os

import joblib
import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skadvaug import LatentAdversarialSampler

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_cluster():
    from ray.util.joblib import register_ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}},
    )
    register_ray()
    yield
    ray.shutdown()


def test_grid_search_on_ray_workers_matches_the_serial_search(ray_cluster):
    X, y = make_classification(240, n_features=5, weights=[0.85], random_state=0)
    sampler = LatentAdversarialSampler(autoencoder_epochs=2, surrogate_epochs=1, random_state=0)
    pipeline = Pipeline([("sampler", sampler), ("model", LogisticRegression())])
    grid = {"sampler__scale": [0.5, 1.0]}
    serial = GridSearchCV(pipeline, grid, cv=2, scoring="balanced_accuracy").fit(X, y)
    with joblib.parallel_config(backend="ray"):
        # the backend runs joblib's work in Ray's worker processes, not in this one
        pids = joblib.Parallel(n_jobs=-1)(joblib.delayed(os.getpid)() for _ in range(4))
        on_ray = GridSearchCV(pipeline, grid, cv=2, scoring="balanced_accuracy", n_jobs=-1)
        on_ray.fit(X, y)
    assert os.getpid() not in pids
    np.testing.assert_array_equal(
        on_ray.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
