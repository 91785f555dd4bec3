"""The online form of paper 004: StructuredAdversarialClassifier / Regressor (spec §3.4, C1-C5)."""

import numpy as np
import pytest
import torch
from scipy.stats import binom
from sklearn.datasets import load_digits
from torch.nn import functional as F

from skadvaug.augment import structured
from skadvaug.datasets import make_sequence_regression
from skadvaug.modules import CNN2dNet, StructuredAttack
from skadvaug.nets import (
    OnlineAugmentationClassifier,
    StructuredAdversarialClassifier,
    StructuredAdversarialRegressor,
)

# on the CPU: the tests compare with tensors of their own
BUDGET = {"max_epochs": 2, "batch_size": 32, "random_state": 0, "device": "cpu"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:120] / 16).reshape(-1, 1, 8, 8).astype(np.float32), y[:120]


def test_no_augmentation_equals_the_plain_classifier(digits):
    """C1."""
    X, y = digits
    module = {"module": CNN2dNet, "module__channels": (8,)}
    structured_net = StructuredAdversarialClassifier(augment_fraction=0.0, **module, **BUDGET)
    plain = OnlineAugmentationClassifier(**module, **BUDGET)
    structured_net.fit(X, y)
    plain.fit(X, y)
    for a, b in zip(structured_net.module_.parameters(), plain.module_.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_the_attack_uses_the_current_network_in_eval_mode_and_keeps_its_statistics(
    digits, monkeypatch
):
    """C2 and C3: the gradient is autograd of the current module's loss on that batch,
    batch norm's running statistics are untouched and train mode comes back."""
    X, y = digits
    net = StructuredAdversarialClassifier(augment_fraction=1.0, **BUDGET)
    original = structured.input_gradient
    checked = []
    X_all, y_all = torch.as_tensor(X), torch.as_tensor(y)

    def spy(loss_fn, x):
        module = net.module_
        assert not module.training
        buffers = [b.clone() for b in module.buffers()]
        gradient = original(loss_fn, x)
        for before, after in zip(buffers, module.buffers(), strict=True):
            torch.testing.assert_close(before, after)
        index = torch.cdist(x.flatten(1), X_all.flatten(1)).argmin(1)
        labels = torch.as_tensor(net.label_encoder_.transform(y_all[index].numpy()))
        seeds = x.detach().requires_grad_(True)
        F.cross_entropy(module(seeds), labels, reduction="sum").backward()
        torch.testing.assert_close(gradient, seeds.grad)
        module.zero_grad()
        checked.append(len(x))
        return gradient

    monkeypatch.setattr(structured, "input_gradient", spy)
    net.fit(X, y)
    assert sum(checked) == 2 * len(X)

    modes = []
    net.module_.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    net.set_params(max_epochs=1, warm_start=True).fit(X, y)
    # per batch: the attack's forward and this test's in eval, then training in train mode
    assert modes == [False, False, True] * int(np.ceil(len(X) / 32))


def test_augmented_share_is_augment_fraction(digits, monkeypatch):
    """C4: the number of replaced samples is within a binomial 99% interval."""
    X, y = digits
    counts = []
    original = StructuredAttack.forward

    def count(self, x, *args, **kwargs):
        counts.append(len(x))
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(StructuredAttack, "forward", count)
    epochs, p = 4, 0.3
    StructuredAdversarialClassifier(augment_fraction=p, **{**BUDGET, "max_epochs": epochs}).fit(
        X, y
    )
    trials = epochs * len(X)
    low, high = binom.interval(0.99, trials, p)
    assert low <= sum(counts) <= high


def test_prediction_is_deterministic_and_not_augmented(digits):
    """C5."""
    X, y = digits
    net = StructuredAdversarialClassifier(**BUDGET).fit(X, y)
    np.testing.assert_array_equal(net.predict_proba(X), net.predict_proba(X))
    net.module_.eval()
    with torch.no_grad():
        direct = torch.softmax(net.module_(torch.as_tensor(X)), dim=1).numpy()
    np.testing.assert_allclose(net.predict_proba(X), direct, rtol=1e-5, atol=1e-6)


def test_same_seed_same_weights(digits):
    X, y = digits
    first = StructuredAdversarialClassifier(perturbation="both", **BUDGET).fit(X, y)
    second = StructuredAdversarialClassifier(perturbation="both", **BUDGET).fit(X, y)
    for a, b in zip(first.module_.parameters(), second.module_.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_base_augmentation_applies_to_the_whole_batch_after_the_attack(digits):
    X, y = digits
    seen = []

    def base(batch):
        seen.append(len(batch))
        return batch

    StructuredAdversarialClassifier(base_augmentation=base, **BUDGET).fit(X, y)
    assert sum(seen) == 2 * len(X)
    net = StructuredAdversarialClassifier(base_augmentation="jitter", **BUDGET).fit(X, y)
    assert net.base_augmenter_.method == "jitter"


def test_targeted_attack_moves_towards_the_most_confident_wrong_class(digits):
    X, y = digits
    net = StructuredAdversarialClassifier(augment_fraction=0.0, targeted=True, **BUDGET)
    net.set_params(max_epochs=10).fit(X, y)
    proba = net.predict_proba(X)
    wrong = proba.copy()
    wrong[np.arange(len(y)), net.label_encoder_.transform(y)] = -1
    target = wrong.argmax(1)
    moved = net.augment(X, y)
    after = net.predict_proba(moved)
    rows = np.arange(len(y))
    assert np.mean(after[rows, target] > proba[rows, target]) > 0.9


def test_flat_rows_with_sample_shape_and_clear_errors(digits):
    X, y = digits
    flat = X.reshape(len(X), -1)
    net = StructuredAdversarialClassifier(sample_shape=(1, 8, 8), **BUDGET).fit(flat, y)
    assert net.augment(flat[:5], y[:5]).shape == (5, 64)
    with pytest.raises(ValueError, match="sample_shape"):
        StructuredAdversarialClassifier(**BUDGET).fit(flat, y)
    with pytest.raises(ValueError, match="holds 49 values"):
        StructuredAdversarialClassifier(sample_shape=(1, 7, 7), **BUDGET).fit(flat, y)
    with pytest.raises(ValueError, match="perturbation"):
        StructuredAdversarialClassifier(perturbation="warp", **BUDGET).fit(X, y)


def test_regressor_attacks_rare_targets_and_refuses_targeted():
    X, y = make_sequence_regression(n_samples=60, random_state=0)
    threshold = float(np.quantile(y, 0.8))
    reg = StructuredAdversarialRegressor(rare_threshold=threshold, **BUDGET).fit(X, y)
    assert reg.predict(X[:4]).shape == (4,)
    moved = reg.augment(X[:6], y[:6])
    assert moved.shape == (6, *X.shape[1:])
    assert not np.allclose(moved, X[:6])
    with pytest.raises(ValueError, match="targeted"):
        StructuredAdversarialRegressor(rare_threshold=threshold, targeted=True, **BUDGET).fit(X, y)
