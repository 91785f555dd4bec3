"""StructuredAdversarialSampler (paper 004; spec §3.4, S1-S5)."""

import pickle
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from torch.nn import functional as F

from skadvaug import Flatten, StructuredAdversarialSampler
from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression
from skadvaug.modules import StructuredAttack

FAST = {"surrogate_epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    keep = np.flatnonzero((y < 2) | (np.arange(len(y)) % 10 == 0))[:240]
    X, y = X[keep] / 16, (y[keep] < 2).astype(int)
    return X.reshape(-1, 1, 8, 8), y


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    sampler = StructuredAdversarialSampler(**FAST)
    return sampler, *sampler.fit_resample(X, y)


def test_originals_first_counts_and_seed_labels(fitted, digits):
    """S1."""
    X, y = digits
    sampler, X_res, y_res = fitted
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    counts = Counter(y_res.tolist())
    assert counts[0] == counts[1] == max(Counter(y.tolist()).values())
    minority = int(np.argmin(np.bincount(y)))
    assert sampler.sampling_strategy_ == {minority: counts[minority] - np.sum(y == minority)}
    assert np.all(y_res[len(y) :] == minority)
    np.testing.assert_array_equal(y[sampler.seed_indices_], y_res[len(y) :])
    change = (X_res[len(X) :] - X[sampler.seed_indices_]).reshape(len(sampler.seed_indices_), -1)
    np.testing.assert_allclose(sampler.perturbation_norms_, np.linalg.norm(change, axis=1))
    assert np.all(sampler.perturbation_norms_ > 0)


def test_copies_raise_the_surrogate_loss_more_than_random_flows(digits):
    """S2: adversarial copies have a higher surrogate loss than their seeds and than
    random smooth flows of the same budget through the same surrogate (on average)."""
    X, y = digits
    sampler = StructuredAdversarialSampler(magnitude_jitter=None, **FAST)
    sampler.fit_resample(X, y)
    net = sampler.surrogate_
    seeds = sampler._standardize(X)
    labels = torch.as_tensor(net.label_encoder_.transform(y))

    def loss(Z):
        net.module_.eval()
        with torch.no_grad():
            logits = net.module_(torch.as_tensor(Z, dtype=torch.float32))
        return F.cross_entropy(logits, labels, reduction="none").numpy()

    adversarial = loss(net.augment(seeds, y))
    net.augmenter_ = StructuredAttack("random_flow")  # same default budget
    random = loss(net.augment(seeds, y, generator=torch.Generator().manual_seed(0)))
    assert adversarial.mean() > loss(seeds).mean()
    assert adversarial.mean() > random.mean()
    assert np.mean(adversarial > random) > 0.8


@pytest.mark.parametrize(
    ("shape", "params"),
    [((1, 24), {}), ((2, 6, 7), {"perturbation": "both", "n_components": 3}), ((3, 16), {})],
)
def test_shapes_are_kept_for_sequences_and_images(shape, params):
    """S3."""
    rng = np.random.default_rng(0)
    X = rng.random((50, *shape))
    y = np.r_[np.zeros(40, int), np.ones(10, int)]
    X_res, y_res = StructuredAdversarialSampler(**params, **FAST).fit_resample(X, y)
    assert X_res.shape == (80, *shape)
    assert np.isfinite(X_res).all()


def test_tables_need_a_shape_or_fgm(digits):
    X, y = digits
    flat = X.reshape(len(X), -1)
    with pytest.raises(ValueError, match="shape="):
        StructuredAdversarialSampler(**FAST).fit_resample(flat, y)
    X_res, _ = StructuredAdversarialSampler(shape=(1, 8, 8), **FAST).fit_resample(flat, y)
    assert X_res.shape[1] == 64
    X_res, _ = StructuredAdversarialSampler(perturbation="fgm", **FAST).fit_resample(flat, y)
    assert X_res.shape[1] == 64
    with pytest.raises(ValueError, match="shape must be"):
        StructuredAdversarialSampler(shape=(1, 7, 7), **FAST).fit_resample(flat, y)
    with pytest.raises(ValueError, match="shape is for 2-D"):
        StructuredAdversarialSampler(shape=(1, 8, 8), **FAST).fit_resample(X, y)


def test_image_rows_keep_their_pixel_range(digits):
    X, y = digits
    flat = X.reshape(len(X), -1)
    for perturbation in ("recolour", "fgm"):
        X_res, _ = StructuredAdversarialSampler(
            perturbation=perturbation, shape=(1, 8, 8), recolour_norm=0.5, **FAST
        ).fit_resample(flat, y)
        assert X_res.min() >= -1e-6
        assert X_res.max() <= 1 + 1e-6


def test_deterministic_no_duplicates_and_picklable(fitted, digits):
    """S4."""
    X, y = digits
    _, X_res, _ = fitted
    again, _ = StructuredAdversarialSampler(**FAST).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, again)
    synthetic = X_res[len(X) :].reshape(len(X_res) - len(X), -1)
    assert len(np.unique(synthetic, axis=0)) == len(synthetic)
    restored = pickle.loads(pickle.dumps(fitted[0]))
    assert restored.surrogate_.augmenter_.perturbation == "flow"


def test_clone_and_params_round_trip_and_init_does_no_work():
    """S5."""
    sampler = StructuredAdversarialSampler(perturbation="recolour", gamma=2.0, shape=(1, 8, 8))
    clone_ = clone(sampler)
    assert clone_.get_params() == sampler.get_params()
    assert not hasattr(sampler, "surrogate_")


def test_in_a_pipeline_with_a_grid_search_over_the_budget():
    X, y = make_imbalanced_sequences(n_samples=90, n_timepoints=24, random_state=0)
    pipeline = make_pipeline(
        StructuredAdversarialSampler(**FAST), Flatten(), LogisticRegression(max_iter=200)
    )
    search = GridSearchCV(
        pipeline, {"structuredadversarialsampler__max_displacement": [0.3, 1.0]}, cv=2
    )
    search.fit(X, y)
    assert search.best_params_["structuredadversarialsampler__max_displacement"] in (0.3, 1.0)


def test_continuous_targets():
    X, y = make_sequence_regression(n_samples=60, random_state=0)
    threshold = float(np.quantile(y, 0.8))
    sampler = StructuredAdversarialSampler(rare_threshold=threshold, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape[1:] == X.shape[1:]
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold)
    assert np.all(y_res[len(y) :] > threshold)


def test_random_flow_trains_no_surrogate(digits):
    X, y = digits
    sampler = StructuredAdversarialSampler(perturbation="random_flow", random_state=0)
    sampler.fit_resample(X, y)
    assert len(sampler.history_["surrogate"]) == 0


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"perturbation": "warp"}, "perturbation"),
        ({"gamma": -1.0}, "gamma"),
        ({"flow_scale": "mean"}, "flow_scale"),
        ({"n_iter": 0}, "n_iter"),
        ({"magnitude_jitter": (1.0, 0.5)}, "magnitude_jitter"),
    ],
)
def test_bad_parameters_are_named(digits, params, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        StructuredAdversarialSampler(**params, **FAST).fit_resample(X, y)
