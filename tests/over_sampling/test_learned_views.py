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


def test_2d_input_is_read_as_univariate_series(sequences):
    X, y = sequences
    X_2d = X[:, 0]
    X_res, _ = LearnedViewSampler(**FAST).fit_resample(X_2d, y)
    X_res_3d, _ = LearnedViewSampler(**FAST).fit_resample(X_2d[:, None, :], y)
    assert X_res.ndim == 2
    np.testing.assert_array_equal(X_res, X_res_3d[:, 0])


def test_images_and_one_step_series_are_refused_with_a_clear_error(sequences):
    X, y = sequences
    with pytest.raises(ValueError, match="works on series"):
        LearnedViewSampler(**FAST).fit_resample(np.stack([X, X], axis=1), y)
    with pytest.raises(ValueError, match="at least 2 time steps"):
        LearnedViewSampler(**FAST).fit_resample(X[:, :, :1], y)


@pytest.mark.parametrize(
    ("n_samples", "budget"),
    [
        (640, (100, None, 128)),  # 5 batches: 100 epochs, the cap (small series sets)
        (6_400, (10, None, 128)),  # 50 batches: the 500 steps as whole epochs
        (128_000, (1, 250, 256)),  # 1,000 batches: 500 steps' worth of samples, batches x2
    ],
)
def test_auto_pretraining_is_500_steps_whatever_the_data_size(n_samples, budget):
    sampler = LearnedViewSampler(random_state=0)
    sampler._resolve_device()
    X = np.zeros((n_samples, 1, 4), dtype=np.float32)
    net = sampler._make_net(X, np.zeros(n_samples), random_state=np.random.RandomState(0))
    assert (net.max_epochs, net.max_steps, net.batch_size) == budget
