"""Online augmentation of rare samples (skadvaug/nets/_online.py)."""

import dataclasses

import numpy as np
import pytest
import torch

from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression
from skadvaug.nets import OnlineAugmentationClassifier, OnlineAugmentationRegressor


@pytest.fixture(scope="module")
def sequences():
    return make_imbalanced_sequences(120, n_channels=2, n_timepoints=24, random_state=0)


def test_augmented_rare_samples_are_recorded(sequences):
    X, y = sequences
    net = OnlineAugmentationClassifier(augmentation="time_warp", max_epochs=2, random_state=0)
    net.fit(X, y)
    assert len(net.history[:, "augmented_loss"]) == 2


def test_no_augmentation_is_plain_training_with_optional_oversampling(sequences):
    X, y = sequences
    net = OnlineAugmentationClassifier(
        max_epochs=1, oversample_rare=4, batch_size=1000, random_state=0
    )
    net.fit(X, y)
    assert "augmented_loss" not in net.history[-1]
    assert net.history[-1, "batches", 0, "train_batch_size"] == len(y) + 3 * int(np.sum(y == 1))


def test_augmentation_parameters_reach_the_function(sequences, monkeypatch):
    X, y = sequences
    seen = {}
    from skadvaug.augment import AUGMENTATIONS

    entry = AUGMENTATIONS["window_warp"]

    def spy(X_batch, **kwargs):
        seen.update(kwargs)
        return entry.numpy(X_batch, **kwargs)

    monkeypatch.setitem(AUGMENTATIONS, "window_warp", dataclasses.replace(entry, numpy=spy))
    net = OnlineAugmentationClassifier(
        augmentation="window_warp", augmenter__window_ratio=0.3, max_epochs=1, random_state=0
    ).fit(X, y)
    assert seen["window_ratio"] == 0.3
    assert net.augmenter_.method == "window_warp"


def test_the_old_augmentation_prefix_still_works_with_a_future_warning(sequences):
    X, y = sequences
    with pytest.warns(FutureWarning, match="'augmentation__\\*' was renamed 'augmenter__\\*'"):
        old = OnlineAugmentationClassifier(
            augmentation="window_warp", augmentation__window_ratio=0.3, max_epochs=1
        )
    assert old.get_params()["augmenter__window_ratio"] == 0.3


def test_augmentation_that_does_not_fit_the_data_kind_is_refused():
    X = np.random.RandomState(0).normal(size=(50, 4)).astype(np.float32)
    y = np.repeat([0, 1], [40, 10])
    with pytest.raises(ValueError, match="augmentation='time_warp' needs sequence"):
        OnlineAugmentationClassifier(augmentation="time_warp", max_epochs=1).fit(X, y)


def test_training_is_reproducible(sequences):
    X, y = sequences

    def weights():
        net = OnlineAugmentationClassifier(augmentation="jitter", max_epochs=2, random_state=3)
        return torch.cat([p.flatten() for p in net.fit(X, y).module_.parameters()])

    assert torch.equal(weights(), weights())


def test_regressor_augments_rare_targets():
    X, y = make_sequence_regression(100, n_timepoints=16, random_state=0)
    reg = OnlineAugmentationRegressor(
        augmentation="translation",
        rare_threshold=float(np.quantile(y, 0.9)),
        max_epochs=2,
        random_state=0,
    ).fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert "augmented_loss" in reg.history[-1]
