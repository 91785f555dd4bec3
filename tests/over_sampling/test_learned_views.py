"""LearnedViewSampler (paper 001's views as an oversampler; an extension)."""

from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression

from skadvaug import Flatten, LearnedViewSampler
from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression

FAST = {"pretrain_epochs": 2, "random_state": 0}


@pytest.fixture(scope="module")
def sequences():
    return make_imbalanced_sequences(n_samples=100, n_channels=2, n_timepoints=32, random_state=0)


def test_counts_order_and_each_view_in_its_seeds_range(sequences):
    X, y = sequences
    sampler = LearnedViewSampler(**FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    assert len(set(Counter(y_res.tolist()).values())) == 1
    seeds = X[sampler.seed_indices_]
    synthetic = X_res[len(X) :]
    assert np.all(synthetic >= seeds.min(-1, keepdims=True) - 1e-5)
    assert np.all(synthetic <= seeds.max(-1, keepdims=True) + 1e-5)
    assert not np.allclose(synthetic, seeds)
    assert set(sampler.learned_params_) >= {"jitter_sigma", "n_segments"}


def test_deterministic_pipeline_and_regression(sequences):
    X, y = sequences
    first, _ = LearnedViewSampler(**FAST).fit_resample(X, y)
    second, _ = LearnedViewSampler(**FAST).fit_resample(X, y)
    np.testing.assert_array_equal(first, second)
    pipe = make_pipeline(LearnedViewSampler(**FAST), Flatten(), LogisticRegression(max_iter=300))
    assert pipe.fit(X, y).predict(X[:2]).shape == (2,)
    X, y = make_sequence_regression(n_samples=60, random_state=0)
    threshold = float(np.quantile(y, 0.8))
    _, y_res = LearnedViewSampler(rare_threshold=threshold, **FAST).fit_resample(X, y)
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold)


def test_tables_are_refused_with_a_clear_error(sequences):
    X, y = sequences
    with pytest.raises(ValueError, match="augments sequences"):
        LearnedViewSampler(**FAST).fit_resample(X[:, 0], y)
