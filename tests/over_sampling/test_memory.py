"""``memory``: learned samplers cache their backbone the way scikit-learn's Pipeline does."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.utils._param_validation import InvalidParameterError

from skadvaug import FlowLatentSampler, LatentAdversarialSampler, LearnedViewSampler
from skadvaug.nets import AdversarialAutoencoderNet, ContrastiveNet, LatentAdversarialClassifier
from skadvaug.transformers import FlowTransformer

SMALL = {
    LatentAdversarialSampler: {"autoencoder_epochs": 3, "surrogate_epochs": 2},
    FlowLatentSampler: {"flow_epochs": 3, "surrogate_epochs": 2},
    # the tables read as univariate series of 5 steps
    LearnedViewSampler: {"pretrain_epochs": 2, "batch_size": 16},
}
BACKBONES = {
    LatentAdversarialSampler: AdversarialAutoencoderNet,
    FlowLatentSampler: FlowTransformer,
    LearnedViewSampler: ContrastiveNet,
}
GENERATION_GRIDS = {
    LatentAdversarialSampler: ("scale", [0.05, 0.1, 0.5]),
    FlowLatentSampler: ("epsilon", [0.5, 1.0, 2.0]),
    LearnedViewSampler: ("sampling_strategy", [0.5, 0.8, 1.0]),
}


@pytest.fixture(scope="module")
def data():
    return make_classification(150, n_features=5, weights=[0.8], random_state=0)


def _count_fits(monkeypatch, backbone):
    calls = []
    fit = backbone.fit

    def counting_fit(self, *args, **kwargs):
        calls.append(1)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(backbone, "fit", counting_fit)
    return calls


@pytest.mark.parametrize("sampler", list(SMALL), ids=lambda c: c.__name__)
def test_a_grid_search_trains_the_backbone_once_per_fold(data, sampler, monkeypatch, tmp_path):
    X, y = data
    calls = _count_fits(monkeypatch, BACKBONES[sampler])
    name, values = GENERATION_GRIDS[sampler]
    pipe = make_pipeline(
        sampler(random_state=0, memory=str(tmp_path), **SMALL[sampler]), LogisticRegression()
    )
    step = pipe.steps[0][0]
    search = GridSearchCV(pipe, {f"{step}__{name}": values}, cv=StratifiedKFold(2), refit=False)
    search.fit(X, y)
    assert len(calls) == 2  # one backbone per fold, not one per fold and grid point
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("sampler", list(SMALL), ids=lambda c: c.__name__)
def test_a_cached_backbone_gives_the_output_of_a_trained_one(data, sampler, tmp_path):
    X, y = data
    plain = sampler(random_state=0, **SMALL[sampler]).fit_resample(X, y)
    first = sampler(random_state=0, memory=str(tmp_path), **SMALL[sampler]).fit_resample(X, y)
    cached = sampler(random_state=0, memory=str(tmp_path), **SMALL[sampler]).fit_resample(X, y)
    for result in (first, cached):
        np.testing.assert_array_equal(result[0], plain[0])
        np.testing.assert_array_equal(result[1], plain[1])


def test_other_backbone_parameters_or_data_train_a_new_backbone(data, monkeypatch, tmp_path):
    X, y = data
    calls = _count_fits(monkeypatch, AdversarialAutoencoderNet)
    params = {"random_state": 0, "memory": str(tmp_path), **SMALL[LatentAdversarialSampler]}
    LatentAdversarialSampler(**params).fit_resample(X, y)
    LatentAdversarialSampler(**{**params, "autoencoder_epochs": 4}).fit_resample(X, y)
    LatentAdversarialSampler(**params).fit_resample(X[:-10], y[:-10])
    LatentAdversarialSampler(**{**params, "random_state": 1}).fit_resample(X, y)
    assert len(calls) == 4


def test_memory_must_be_a_folder_or_a_memory_object(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="memory"):
        LatentAdversarialSampler(memory=3).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="memory"):
        LatentAdversarialClassifier(memory=3, max_epochs=1).fit(X.astype(np.float32), y)
