"""Joint latent adversarial training (skadvaug/nets/_latent_adversarial.py)."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from torch.nn import functional as F

from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression
from skadvaug.nets import LatentAdversarialClassifier, LatentAdversarialRegressor


@pytest.fixture(scope="module")
def table():
    X, y = make_classification(
        240, n_features=10, n_informative=5, weights=[0.8], class_sep=1.0, random_state=0
    )
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32), y


def _classifier(**kwargs):
    params = {"max_epochs": 30, "autoencoder__max_epochs": 30, "scale": 0.5, "random_state": 0}
    return LatentAdversarialClassifier(**{**params, **kwargs})


def _surrogate_losses(net, X, y):
    """Surrogate loss on learned perturbations and on random ones of the same norm."""
    Z, delta = net.perturbations(X, generator=torch.Generator().manual_seed(0))
    random = np.random.RandomState(0).normal(size=Z.shape) * net.perturber_.latent_std().numpy()
    random *= np.linalg.norm(delta, axis=1, keepdims=True) / np.linalg.norm(
        random, axis=1, keepdims=True
    )
    target = torch.as_tensor(net.label_encoder_.transform(y))
    losses = {}
    for name, shift in (("learned", delta), ("random", random.astype(np.float32))):
        logits = net.forward(net.autoencoder_.decode(Z + shift))
        losses[name] = F.cross_entropy(logits, target).item()
    return losses


@pytest.mark.parametrize("seed", [0, 1])
def test_adversarial_perturbations_raise_the_loss_more_than_random_ones(table, seed):
    X, y = table
    net = _classifier(random_state=seed).fit(X, y)
    losses = _surrogate_losses(net, X[y == 1], y[y == 1])
    assert losses["learned"] > 1.1 * losses["random"]


@pytest.mark.parametrize("seed", [0, 1])
def test_anti_adversarial_perturbations_lower_the_loss(table, seed):
    X, y = table
    net = _classifier(perturbation="anti-adversarial", random_state=seed).fit(X, y)
    losses = _surrogate_losses(net, X[y == 1], y[y == 1])
    assert losses["learned"] < 0.9 * losses["random"]


def test_random_mode_does_not_train_the_perturbation_module(table):
    X, y = table
    net = _classifier(perturbation="random", max_epochs=1, autoencoder__max_epochs=2).fit(X, y)
    assert not net.perturber_.learned
    before = [p.clone() for p in net.perturber_.parameters()]
    net.partial_fit({"X": X, "rare": y == 1}, y)
    assert "augmented_loss" in net.history[-1]
    assert all(torch.equal(a, b) for a, b in zip(before, net.perturber_.parameters(), strict=True))


def test_adversarial_mode_does_train_the_perturbation_module(table):
    X, y = table
    net = _classifier(max_epochs=1, autoencoder__max_epochs=2).fit(X, y)
    before = [p.clone() for p in net.perturber_.parameters()]
    net.partial_fit({"X": X, "rare": y == 1}, y)
    assert not all(
        torch.equal(a, b) for a, b in zip(before, net.perturber_.parameters(), strict=True)
    )


def test_autoencoder_is_frozen_during_the_joint_phase(table):
    X, y = table
    net = _classifier(max_epochs=1, autoencoder__max_epochs=2).fit(X, y)
    before = [p.clone() for p in net.autoencoder_.module_.parameters()]
    net.partial_fit({"X": X, "rare": y == 1}, y)
    after = list(net.autoencoder_.module_.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_only_rare_samples_are_augmented(table):
    X, y = table
    none_rare = _classifier(max_epochs=2, autoencoder__max_epochs=2).fit(
        X, y, rare_mask=np.zeros(len(y), bool)
    )
    assert "augmented_loss" not in none_rare.history[-1]
    rare = _classifier(max_epochs=2, autoencoder__max_epochs=2).fit(X, y)
    assert "augmented_loss" in rare.history[-1]


def test_oversample_rare_feeds_rare_samples_more_often(table):
    X, y = table
    net = _classifier(max_epochs=1, autoencoder__max_epochs=1, oversample_rare=4, batch_size=1000)
    net.fit(X, y)
    assert net.history[-1, "batches", 0, "train_batch_size"] == len(y) + 3 * int(np.sum(y == 1))


def test_history_records_augmented_and_training_losses(table):
    X, y = table
    net = _classifier(max_epochs=4, autoencoder__max_epochs=2).fit(X, y)
    assert len(net.history[:, "augmented_loss"]) == 4
    assert len(net.autoencoder_.history[:, "recon_loss"]) == 2


def test_classifier_predicts_original_labels_and_learns(table):
    X, y = table
    labels = np.where(y == 1, "rare", "common")
    net = _classifier().fit(X, labels)
    assert set(net.predict(X)) <= {"rare", "common"}
    assert list(net.classes_) == ["common", "rare"]
    assert net.predict_proba(X).shape == (len(X), 2)
    assert np.mean(net.predict(X) == labels) > 0.85


def test_usable_as_the_last_step_of_a_pipeline():
    X, y = make_imbalanced_sequences(120, n_timepoints=16, noise=0.5, random_state=0)
    pipeline = make_pipeline(
        FunctionTransformer(lambda A: A * 1.0),
        LatentAdversarialClassifier(max_epochs=8, autoencoder__max_epochs=5, random_state=0),
    )
    scores = cross_val_score(pipeline, X, y, cv=3, scoring="balanced_accuracy")
    assert np.all(np.isfinite(scores))


def test_regressor_augments_targets_above_the_threshold():
    X, y = make_sequence_regression(160, n_timepoints=16, random_state=0)
    threshold = float(np.quantile(y, 0.9))
    reg = LatentAdversarialRegressor(
        rare_threshold=threshold, max_epochs=5, autoencoder__max_epochs=3, random_state=0
    )
    reg.fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert "augmented_loss" in reg.history[-1]


def test_regressor_needs_a_threshold():
    X, y = make_sequence_regression(40, n_timepoints=16, random_state=0)
    with pytest.raises(ValueError, match="rare_threshold"):
        LatentAdversarialRegressor(max_epochs=1).fit(X, y)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("perturbation", "sideways"),
        ("scale", -1.0),
        ("augment_fraction", 1.5),
        ("oversample_rare", 0),
    ],
)
def test_bad_settings_are_named(table, param, value):
    X, y = table
    with pytest.raises(ValueError, match=param):
        _classifier(**{param: value}).fit(X, y)
