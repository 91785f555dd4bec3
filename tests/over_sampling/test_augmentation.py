"""TimeSeriesAugmentationSampler (skadvaug/over_sampling/_augmentation.py)."""

from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skadvaug import Flatten, TimeSeriesAugmentationSampler
from skadvaug.augment import AUGMENTATIONS
from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression

SEQUENCE_METHODS = sorted(AUGMENTATIONS)


@pytest.fixture
def sequences():
    return make_imbalanced_sequences(n_samples=120, n_channels=2, n_timepoints=40, random_state=0)


@pytest.mark.parametrize("method", SEQUENCE_METHODS)
def test_every_method_oversamples_sequences_to_balance(sequences, method):
    X, y = sequences
    X_res, y_res = TimeSeriesAugmentationSampler(method=method, random_state=0).fit_resample(X, y)
    assert X_res.shape[1:] == X.shape[1:]
    counts = Counter(y_res)
    assert counts[0] == counts[1] == Counter(y)[0]
    synthetic = X_res[len(X) :]
    assert not any(np.allclose(s, x) for s in synthetic[:10] for x in X)


@pytest.mark.parametrize("method", SEQUENCE_METHODS)
def test_deterministic_for_a_given_random_state(sequences, method):
    X, y = sequences
    first = TimeSeriesAugmentationSampler(method=method, random_state=7).fit_resample(X, y)[0]
    again = TimeSeriesAugmentationSampler(method=method, random_state=7).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)


def test_zero_sigma_jitter_copies_seeds_and_sigma_scales_the_change(sequences):
    X, y = sequences
    copies = TimeSeriesAugmentationSampler(method="jitter", sigma=0.0, random_state=0).fit_resample(
        X, y
    )[0]
    minority = X[y == 1].reshape(int((y == 1).sum()), -1)
    for row in copies[len(X) :].reshape(len(copies) - len(X), -1):
        assert np.any(np.all(row == minority, axis=1))

    def mean_distance(sigma):
        X_res = TimeSeriesAugmentationSampler(
            method="jitter", sigma=sigma, random_state=0
        ).fit_resample(X, y)[0]
        return np.abs(X_res[len(X) :] - copies[len(X) :]).mean()

    assert mean_distance(0.3) == pytest.approx(10 * mean_distance(0.03), rel=0.05)


def test_method_parameters_reach_the_augmentation(sequences):
    X, y = sequences
    sampler = TimeSeriesAugmentationSampler(method="permutation", max_segments=2, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    # two segments: every synthetic series is a rotation of a minority series
    minority = X[y == 1]
    for synthetic in X_res[len(X) :][:10]:
        assert any(
            np.allclose(synthetic, np.roll(seed, shift, axis=-1))
            for seed in minority
            for shift in (0, 20)
        )


@pytest.mark.parametrize(
    ("method", "ok"),
    [
        ("jitter", True),
        ("scaling", True),
        ("translation", False),
        ("time_warp", False),
        ("permutation", False),
    ],
)
def test_tables_accept_only_per_value_methods(method, ok):
    X = np.random.RandomState(0).normal(size=(50, 4))
    y = np.repeat([0, 1], [40, 10])
    sampler = TimeSeriesAugmentationSampler(method=method, random_state=0)
    if ok:
        assert sampler.fit_resample(X, y)[0].shape == (80, 4)
    else:
        with pytest.raises(
            ValueError,
            match=f"method='{method}' needs .*sequence data but X is tabular.*'jitter', 'scaling'",
        ):
            sampler.fit_resample(X, y)


def test_scaling_on_tables_draws_one_factor_per_feature():
    X = np.ones((50, 4))
    y = np.repeat([0, 1], [40, 10])
    X_res, _ = TimeSeriesAugmentationSampler(
        method="scaling", sigma=0.2, random_state=0
    ).fit_resample(X, y)
    synthetic = X_res[50:]
    assert np.all(synthetic.std(axis=1) > 0)  # features scaled independently


@pytest.mark.parametrize(
    ("method", "ok"), [("translation", True), ("jitter", True), ("window_slice", False)]
)
def test_images_accept_per_channel_methods(method, ok):
    X = np.random.RandomState(0).normal(size=(30, 2, 6, 6))
    y = np.repeat([0, 1], [20, 10])
    sampler = TimeSeriesAugmentationSampler(method=method, random_state=0)
    if ok:
        X_res, _ = sampler.fit_resample(X, y)
        assert X_res.shape == (40, 2, 6, 6)
        if method == "translation":
            shift = (
                X_res[30:]
                - X[y == 1][
                    np.argmin(
                        np.abs((X_res[30:, None] - X[None, y == 1]).std(axis=(2, 3, 4))), axis=1
                    )
                ]
            )
            np.testing.assert_allclose(shift.std(axis=(2, 3)), 0.0, atol=1e-12)
    else:
        with pytest.raises(ValueError, match="needs sequence"):
            sampler.fit_resample(X, y)


def test_continuous_targets_are_oversampled_with_their_seed_targets():
    X, y = make_sequence_regression(n_samples=150, random_state=0)
    threshold = float(np.quantile(y, 0.9))
    sampler = TimeSeriesAugmentationSampler(
        method="magnitude_warp", rare_threshold=threshold, random_state=0
    )
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold)
    assert set(y_res[len(y) :]) <= set(y[y > threshold])


def test_clone_keeps_parameters():
    sampler = TimeSeriesAugmentationSampler(
        method="window_warp", warp_scales=(0.25, 4.0), random_state=3
    )
    assert clone(sampler).get_params() == sampler.get_params()


def test_pipeline_with_flatten_under_parallel_grid_search(sequences):
    X, y = sequences
    pipeline = make_pipeline(
        TimeSeriesAugmentationSampler(random_state=0), Flatten(), LogisticRegression(max_iter=200)
    )
    search = GridSearchCV(
        pipeline,
        {"timeseriesaugmentationsampler__method": ["jitter", "time_warp", "window_slice"]},
        scoring="balanced_accuracy",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=2,
        error_score="raise",
    )
    search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 3
    assert np.all(np.isfinite(scores))
    sampler = search.best_estimator_.named_steps["timeseriesaugmentationsampler"]
    assert dict(sampler.sampling_strategy_) == {1: int(np.sum(y == 0) - np.sum(y == 1))}
    assert search.predict(X).shape == y.shape
