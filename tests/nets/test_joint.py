"""The joint base and the declared players (skadvaug/nets/_joint.py, _base.py)."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression
from skadvaug.modules import CNN1dNet, GRUNet
from skadvaug.nets import (
    FlowLatentClassifier,
    FlowLatentRegressor,
    FlowNet,
    LatentAdversarialClassifier,
    OnlineAugmentationClassifier,
)


@pytest.fixture(scope="module")
def table():
    X, y = make_classification(200, n_features=6, weights=[0.8], random_state=0)
    return X.astype(np.float32), y


def _losses_after_one_step(table, perturbation):
    """The network's loss on a fixed augmented batch before and after one joint step."""
    X, y = table
    net = LatentAdversarialClassifier(
        perturbation=perturbation,
        augment_fraction=1.0,
        rare_classes="all",
        max_epochs=1,
        batch_size=len(X),
        augmenter_lr=0.01,
        autoencoder__max_epochs=2,
        random_state=0,
    ).fit(X, y)
    augmenter = net.augmenter_.eval()
    frozen_net = net.module_.eval()
    x, target = torch.as_tensor(X), torch.as_tensor(y)

    def loss():
        with torch.no_grad():
            noise = torch.Generator().manual_seed(0)
            return torch.nn.functional.cross_entropy(
                frozen_net(augmenter(x, generator=noise)), target
            )

    before = loss()
    out = net.module_(net.augmenter_(x, generator=torch.Generator().manual_seed(0)))
    for parameter in net.module_.parameters():
        parameter.requires_grad_(False)  # only the augmenter player moves
    net._step_players(
        torch.nn.functional.cross_entropy(out, target),
        descend=("augmenter",) if perturbation == "anti-adversarial" else (),
        ascend=("augmenter",) if perturbation == "adversarial" else (),
    )
    return before.item(), loss().item()


def test_an_ascending_player_raises_the_loss_and_a_descending_one_lowers_it(table):
    before, after = _losses_after_one_step(table, "adversarial")
    assert after > before
    before, after = _losses_after_one_step(table, "anti-adversarial")
    assert after < before


def test_declared_players_get_their_own_optimizer_and_learning_rate(table):
    X, y = table
    net = LatentAdversarialClassifier(
        max_epochs=1, augmenter_lr=0.02, autoencoder__max_epochs=1, random_state=0
    ).fit(X, y)
    assert net.optimizer_augmenter_.param_groups[0]["lr"] == 0.02
    trained = {id(p) for group in net.optimizer_augmenter_.param_groups for p in group["params"]}
    assert trained == {id(p) for p in net.perturber_.parameters()}  # not the frozen autoencoder
    main = {id(p) for group in net.optimizer_.param_groups for p in group["params"]}
    assert main == {id(p) for p in net.module_.parameters()}


@pytest.mark.parametrize(
    ("net", "param"),
    [
        (OnlineAugmentationClassifier(augment_fraction=1.5), "augment_fraction"),
        (OnlineAugmentationClassifier(oversample_rare=0), "oversample_rare"),
        (LatentAdversarialClassifier(perturbation="sideways"), "perturbation"),
        (FlowLatentClassifier(attack_steps=-1), "attack_steps"),
        (FlowLatentClassifier(rare_classes=3.5), "rare_classes"),
    ],
)
def test_nets_validate_their_parameters_by_declared_constraints(table, net, param):
    X, y = table
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        net.fit(X, y)


def test_a_fitted_backbone_is_reused_as_is(table):
    X, y = table
    flow = FlowNet(max_epochs=2, random_state=0).fit(X)
    state = {k: v.clone() for k, v in flow.module_.state_dict().items()}
    clf = FlowLatentClassifier(flow=flow, max_epochs=1, random_state=0).fit(X, y)
    assert clf.flow_ is flow
    assert all(torch.equal(v, flow.module_.state_dict()[k]) for k, v in state.items())
    assert not any(p.requires_grad for p in flow.module_.parameters())


def test_augment_attacks_true_labels_only_when_given(table):
    X, y = table
    clf = FlowLatentClassifier(
        attack_labels="true", max_epochs=1, flow__max_epochs=1, random_state=0
    ).fit(X, y)
    assert clf.augment(X[:5], y[:5]).shape == (5, 6)
    with pytest.raises(ValueError, match="pass y"):
        clf.augment(X[:5])
    predicted = FlowLatentClassifier(max_epochs=1, flow__max_epochs=1, random_state=0).fit(X, y)
    assert predicted.augment(X[:5]).shape == (5, 6)


def test_flow_latent_regressor_trains_on_attacked_rare_targets_and_augments():
    X, y = make_sequence_regression(n_samples=80, random_state=0)
    threshold = float(np.quantile(y, 0.8))
    reg = FlowLatentRegressor(
        rare_threshold=threshold, max_epochs=2, flow__max_epochs=2, random_state=0
    ).fit(X, y)
    assert reg.predict(X[:4]).shape == (4,)
    assert len(reg.history[:, "augmented_loss"]) == 2
    generator = torch.Generator().manual_seed(0)
    new = reg.augment(X[:6], y[:6], generator=generator)
    assert new.shape == X[:6].shape
    assert np.isfinite(new).all()
    with pytest.raises(ValueError, match="continuous targets"):
        FlowLatentRegressor(conditional=True, rare_threshold=threshold, max_epochs=1).fit(X, y)


def test_renamed_net_parameters_keep_working_with_a_future_warning(table):
    X, y = table
    clf = FlowLatentClassifier(n_steps=1, max_epochs=1, flow__max_epochs=1, random_state=0)
    with pytest.warns(FutureWarning, match="'n_steps' was renamed 'attack_steps'"):
        clf.fit(X, y)
    assert clf.augmenter_.attack_steps == 1
    with pytest.warns(FutureWarning, match="'lr_perturber' was renamed 'augmenter_lr'"):
        net = LatentAdversarialClassifier(
            lr_perturber=0.03, max_epochs=1, autoencoder__max_epochs=1, random_state=0
        ).fit(X, y)
    assert net.optimizer_augmenter_.param_groups[0]["lr"] == 0.03
    with pytest.warns(FutureWarning, match="'perturber__\\*' was renamed 'augmenter__\\*'"):
        net = LatentAdversarialClassifier(perturber__noise_dim=7)
    assert net.get_params()["augmenter__noise_dim"] == 7


def test_integer_and_boolean_features_train_as_float(table):
    X, y = table
    counts = np.rint(X * 10).astype(np.int64)
    net = OnlineAugmentationClassifier(max_epochs=2, random_state=0).fit(counts, y)
    float_net = OnlineAugmentationClassifier(max_epochs=2, random_state=0).fit(
        counts.astype(np.float32), y
    )
    np.testing.assert_allclose(net.predict_proba(counts), float_net.predict_proba(counts))
    flags = OnlineAugmentationClassifier(max_epochs=1, random_state=0).fit(X > 0, y)
    assert flags.predict(X > 0).shape == y.shape


def test_partial_fit_continues_the_fitted_net_with_its_rare_samples(table):
    X, y = table
    net = OnlineAugmentationClassifier(augmentation="jitter", max_epochs=2, random_state=0)
    net.partial_fit(X, y)  # an unfitted net is fitted
    assert len(net.history) == 2
    weights = [p.detach().clone() for p in net.module_.parameters()]
    encoder = net.label_encoder_
    net.partial_fit(X, y)
    assert len(net.history) == 4
    assert net.label_encoder_ is encoder
    trained = net.module_.parameters()
    assert any(not torch.equal(a, b) for a, b in zip(weights, trained, strict=True))
    assert "augmented_loss" in net.history[-1]  # rare samples were augmented again
    with pytest.raises(ValueError, match="rare_mask"):
        net.partial_fit(X, y, rare_mask=np.ones(3, dtype=bool))


def _kept(clf, X, X_new, y):
    """Whether each augmented sample keeps its seed's class in the network's eyes."""
    x, x_new, target = (torch.as_tensor(a) for a in (X, X_new, clf._known_targets(y)))
    with torch.no_grad():
        return clf._keeps_label(x_new, target, clf._belief(x, target)).numpy()


def test_preserve_labels_shrinks_every_perturbation_that_changes_the_class(table):
    X, y = table
    params = {
        "epsilon": 4.0,
        "attack_labels": "true",
        "max_epochs": 5,
        "flow__max_epochs": 3,
        "random_state": 0,
        "device": "cpu",  # the test's generators are the CPU's
    }
    plain = FlowLatentClassifier(**params).fit(X, y)
    keeping = FlowLatentClassifier(preserve_labels=True, **params).fit(X, y)
    minority = y == 1
    noise = torch.Generator().manual_seed(0)
    flipped = ~_kept(
        plain, X[minority], plain.augment(X[minority], y[minority], noise), y[minority]
    )
    assert flipped.mean() > 0.3  # a 4-ball attack carries many samples across
    noise = torch.Generator().manual_seed(0)
    X_new = keeping.augment(X[minority], y[minority], noise)
    assert _kept(keeping, X[minority], X_new, y[minority]).all()
    moved = np.abs(X_new - X[minority]).max(axis=1) > 1e-4
    assert moved.mean() > 0.3  # shrunk, not all dropped back to the seeds
    keeping.set_params(attack_labels="predicted")
    with pytest.raises(ValueError, match="needs the seeds' y"):
        keeping.augment(X[:3])


def test_preserve_labels_needs_classes():
    X, y = make_sequence_regression(n_samples=40, random_state=0)
    with pytest.raises(ValueError, match="regressor"):
        FlowLatentRegressor(
            preserve_labels=True, rare_threshold=float(np.median(y)), max_epochs=1
        ).fit(X, y)


def test_balanced_class_weight_weighs_the_loss_as_scikit_learn(table):
    X, y = table
    clf = LatentAdversarialClassifier(
        class_weight="balanced", max_epochs=1, autoencoder__max_epochs=1, random_state=0
    ).fit(X, y)
    expected = len(y) / (2 * np.bincount(y))
    np.testing.assert_allclose(clf.criterion_.weight.numpy(), expected, rtol=1e-6)
    assert (
        LatentAdversarialClassifier(max_epochs=1, autoencoder__max_epochs=1)
        .fit(X, y)
        .criterion_.weight
        is None
    )


def test_preserve_labels_keeps_the_graph_to_a_learning_augmenter(table):
    X, y = table
    net = LatentAdversarialClassifier(
        preserve_labels=True, scale=3.0, max_epochs=1, autoencoder__max_epochs=1, random_state=0
    ).fit(X, y)
    x, target = torch.as_tensor(X[:64]), torch.as_tensor(y[:64])
    net.augmenter_.train()
    X_new = net._augment_batch(x, target, torch.Generator().manual_seed(0))
    net.get_loss(net.module_(X_new), target).backward()
    gradients = [p.grad for p in net.augmenter_.perturbation.parameters() if p.requires_grad]
    assert gradients
    assert all(g is not None and g.abs().sum() > 0 for g in gradients)


@pytest.mark.parametrize(
    ("module", "device", "cudnn"),
    [
        (GRUNet, "cuda", False),  # cuDNN's RNN has no backward in evaluation mode
        (GRUNet, "cpu", True),
        (CNN1dNet, "cuda", True),
    ],
)
def test_a_recurrent_network_is_attacked_without_cudnn_on_cuda(module, device, cudnn, monkeypatch):
    X, y = make_imbalanced_sequences(40, n_channels=2, n_timepoints=8, random_state=0)
    net = OnlineAugmentationClassifier(
        module, augmentation="jitter", max_epochs=1, random_state=0
    ).fit(X, y)
    monkeypatch.setattr(net, "_device", lambda: device)
    before, was_training = torch.backends.cudnn.enabled, net.module_.training
    with net._network_in_eval():
        assert torch.backends.cudnn.enabled is (cudnn and before)
        assert not net.module_.training
    assert torch.backends.cudnn.enabled is before
    assert net.module_.training is was_training
