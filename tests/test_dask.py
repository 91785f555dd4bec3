"""A grid search over a Pipeline with a learned sampler on a dask.distributed cluster,
through joblib's dask backend (the way scikit-learn users scale out)."""

import joblib
import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from skadvaug import FlowLatentSampler, LatentAdversarialSampler

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize(
    ("sampler", "grid"),
    [
        (
            LatentAdversarialSampler(autoencoder_epochs=2, surrogate_epochs=1, random_state=0),
            {"sampler__scale": [0.5, 1.0]},
        ),
        (FlowLatentSampler(flow_epochs=2, random_state=0), {"sampler__epsilon": [0.25, 0.5]}),
    ],
    ids=["LatentAdversarial", "FlowLatent"],
)
def test_grid_search_on_dask_workers_matches_the_serial_search(dask_client, sampler, grid):
    X, y = make_classification(240, n_features=5, weights=[0.85], random_state=0)
    pipeline = Pipeline([("sampler", sampler), ("model", LogisticRegression())])
    serial = GridSearchCV(pipeline, grid, cv=2, scoring="balanced_accuracy").fit(X, y)
    with distributed.get_task_stream(dask_client) as tasks, joblib.parallel_config(backend="dask"):
        on_dask = GridSearchCV(pipeline, grid, cv=2, scoring="balanced_accuracy", n_jobs=-1)
        on_dask.fit(X, y)
    # the fits ran as tasks on the cluster's workers, not in this process
    assert tasks.data
    assert {task["worker"] for task in tasks.data} <= set(dask_client.scheduler_info()["workers"])
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
