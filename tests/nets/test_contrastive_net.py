"""LEAVES: learned views against a contrastive encoder (spec paper001 §4)."""

import numpy as np
import pytest
import torch

from skadvaug.datasets import load_ucr
from skadvaug.modules import LearnedViews, NTXentLoss, SmallCNNEncoder1d
from skadvaug.nets import ContrastiveNet

FAST = {"module": SmallCNNEncoder1d, "batch_size": 32, "random_state": 0}


@pytest.fixture(scope="module")
def gunpoint():
    X, _ = load_ucr("GunPoint", split="train")
    return X.astype(np.float32)


def _views_parameters(net):
    return {name: p.detach().clone() for name, p in net.views_.named_parameters()}


def test_views_bounds_hold_for_any_raw_value():
    """B-2."""
    views = LearnedViews()
    with torch.no_grad():
        for parameter in views.parameters():
            parameter.fill_(50.0)
    params = views.effective_params()
    for name in ("jitter_sigma", "scaling_sigma", "magnitude_sigma"):
        assert 0 < params[name] <= 0.05 + 1e-5
    assert sum(params["mixture_weights"]) == pytest.approx(1.0)
    assert max(params["mixture_means"]) <= 1.0
    assert min(params["mixture_scales"]) >= 0.05
    out = views(torch.rand(3, 2, 40))
    assert torch.isfinite(out).all()
    with torch.no_grad():
        for parameter in views.parameters():
            parameter.fill_(-50.0)
    assert torch.isfinite(views(torch.rand(3, 2, 40))).all()  # K clamped to >= 1


def test_every_learned_scalar_gets_a_gradient():
    """B-1: every view parameter but the scaling sigma, which min-max removes (P-3)."""
    views = LearnedViews()
    out = views(torch.rand(6, 2, 40), generator=torch.Generator().manual_seed(0))
    (out * torch.randn_like(out)).sum().backward()
    for name, parameter in views.named_parameters():
        if name != "scaling_raw":
            assert parameter.grad is not None, name
            assert parameter.grad.abs().sum() > 0, name
    views = LearnedViews(output_norm=None)
    out = views(torch.rand(6, 2, 40), generator=torch.Generator().manual_seed(0))
    (out * torch.randn_like(out)).sum().backward()
    assert views.scaling_raw.grad.abs() > 0


def test_nt_xent_equals_the_papers_sum_over_pairs():
    z1, z2 = torch.randn(5, 8), torch.randn(5, 8)
    z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    similarity = torch.exp(z @ z.T / 0.5)
    total = 0.0
    for i in range(10):
        j = (i + 5) % 10
        total -= torch.log(similarity[i, j] / (similarity[i].sum() - similarity[i, i]))
    torch.testing.assert_close(NTXentLoss(0.5)(z1, z2), total / 10)
    with pytest.raises(ValueError, match="at least 2"):
        NTXentLoss()(z1[:1], z2[:1])


def test_one_game_step_lowers_the_loss_for_the_encoder_and_raises_it_for_the_views(gunpoint):
    """B-5: on the same batch and noise; the view optimiser holds the view parameters once,
    and the projection head is trained."""
    net = ContrastiveNet(max_epochs=1, **FAST).fit(gunpoint)
    X = torch.as_tensor(net._prepare(gunpoint[:32]))
    net.module_.train()

    def loss():
        with torch.no_grad():
            return net.contrastive_loss(X, generator=torch.Generator().manual_seed(1)).item()

    view_parameters = [p for group in net.optimizer_views_.param_groups for p in group["params"]]
    assert len(view_parameters) == len({id(p) for p in view_parameters}) == 7
    before = loss()
    head = [p.detach().clone() for p in net.head_.parameters()]
    step = net.contrastive_loss(X, generator=torch.Generator().manual_seed(1))
    net._step_players(step, descend=("module", "head"))
    assert loss() < before
    assert not all(torch.equal(a, b) for a, b in zip(head, net.head_.parameters(), strict=True))
    before = loss()
    step = net.contrastive_loss(X, generator=torch.Generator().manual_seed(1))
    net._step_players(step, descend=(), ascend=("views",))
    assert loss() > before


def test_ascending_on_the_views_with_the_encoder_frozen_raises_nt_xent(gunpoint):
    """B-4: the core of the method; a toy that descends would fail."""
    net = ContrastiveNet(max_epochs=5, view_lr=0.05, temperature=0.5, **FAST).fit(gunpoint)
    X = torch.as_tensor(net._prepare(gunpoint[:64]))
    net.module_.eval()
    net.head_.eval()

    def loss():
        with torch.no_grad():
            return np.mean(
                [
                    net.contrastive_loss(X, generator=torch.Generator().manual_seed(s)).item()
                    for s in range(4)
                ]
            )

    before, start = loss(), net.views_.effective_params()
    for step in range(40):
        batch_loss = net.contrastive_loss(X, generator=torch.Generator().manual_seed(100 + step))
        net._step_players(batch_loss, descend=(), ascend=("views",))
    assert loss() > before
    learned = net.views_.effective_params()
    assert learned["jitter_sigma"] > start["jitter_sigma"]


def test_history_transform_and_reproducibility(gunpoint):
    """B-8 and B-10."""
    first = ContrastiveNet(max_epochs=2, **FAST).fit(gunpoint)
    second = ContrastiveNet(max_epochs=2, **FAST).fit(gunpoint)
    assert len(first.history) == 2
    assert set(first.history[-1, "view_params"]) >= {"jitter_sigma", "mixture_means"}
    features = first.transform(gunpoint)
    assert features.shape == (len(gunpoint), 128)
    np.testing.assert_array_equal(features, first.transform(gunpoint))  # no augmentation
    np.testing.assert_array_equal(features, second.transform(gunpoint))
    assert first.views_.effective_params() == second.views_.effective_params()
    with pytest.raises(ValueError, match="sequences"):
        ContrastiveNet(max_epochs=1, **FAST).fit(gunpoint[:, 0])


def test_classifier_reuses_a_pretraining_and_fine_tunes_fully_or_linearly(gunpoint):
    from skadvaug.datasets import load_ucr as _load
    from skadvaug.nets import ContrastiveClassifier
    from skadvaug.transformers import ContrastiveEncoder

    X, y = _load("GunPoint", split="train")
    encoder = ContrastiveEncoder(encoder="small_cnn", max_epochs=2, batch_size=32, random_state=0)
    encoder.fit(X)
    pretrained = [p.detach().clone() for p in encoder.net_.module_.parameters()]
    results = {}
    for finetune in ("full", "linear"):
        clf = ContrastiveClassifier(encoder, finetune=finetune, max_epochs=3, random_state=0)
        clf.fit(X, y)
        assert clf.pretrained_ is encoder.net_  # no second pre-training
        tuned = list(clf.module_.encoder.parameters())
        results[finetune] = all(torch.equal(a, b) for a, b in zip(pretrained, tuned, strict=True))
        assert set(clf.predict(X)) <= set(np.unique(y))
    assert results == {"full": False, "linear": True}
    # the reused encoder itself is never modified
    for a, b in zip(pretrained, encoder.net_.module_.parameters(), strict=True):
        assert torch.equal(a, b)


def test_jitter_and_magnitude_sigmas_rise_during_the_game():
    """B-6, the paper's Fig. 5: 30 epochs (60 steps of 100) on GunPoint's 200 series."""
    X = np.concatenate(
        [load_ucr("GunPoint", split=split)[0] for split in ("train", "test")]
    ).astype(np.float32)
    net = ContrastiveNet(
        SmallCNNEncoder1d,
        batch_size=100,
        max_epochs=30,
        view_lr=0.05,
        temperature=0.5,
        random_state=0,
    ).fit(X)
    trajectory = net.history[:, "view_params"]
    for name in ("jitter_sigma", "magnitude_sigma"):
        assert trajectory[-1][name] > 0.035 > trajectory[0][name]


def test_partial_fit_continues_pretraining_on_scaled_series(gunpoint):
    net = ContrastiveNet(max_epochs=1, **FAST).partial_fit(gunpoint)  # fits a new net
    views = net.views_.effective_params()
    net.partial_fit(gunpoint * 100.0 + 5.0)  # min-max scaled like fit's data
    assert len(net.history) == 2
    assert net.views_.effective_params() != views
    assert np.isfinite(net.history[-1, "train_loss"])
    with pytest.raises(ValueError, match="shape"):
        net.partial_fit(gunpoint[:, :, :100])


def test_fit_scales_the_series_once_and_partial_fit_scales_its_own(gunpoint, monkeypatch):
    from skadvaug.nets import _contrastive

    calls = []
    original = _contrastive.minmax_per_channel

    def counting(X):
        calls.append(len(X))
        return original(X)

    monkeypatch.setattr(_contrastive, "minmax_per_channel", counting)
    net = ContrastiveNet(max_epochs=1, **FAST).fit(gunpoint)
    assert calls == [len(gunpoint)]
    net.partial_fit(gunpoint[:20] * 3.0)
    assert calls == [len(gunpoint), 20]


def test_classifier_with_memory_pretrains_once_for_any_fine_tuning(tmp_path, monkeypatch):
    from skadvaug.datasets import load_ucr as _load
    from skadvaug.modules import SmallCNNEncoder1d
    from skadvaug.nets import ContrastiveClassifier, ContrastiveNet

    X, y = _load("GunPoint", split="train")
    fits = []
    fit = ContrastiveNet.fit
    monkeypatch.setattr(
        ContrastiveNet, "fit", lambda self, *a, **k: fits.append(1) or fit(self, *a, **k)
    )
    params = {"pretrain__max_epochs": 2, "pretrain__batch_size": 32, "random_state": 0}
    predictions = []
    for finetune in ("full", "linear", "full"):
        clf = ContrastiveClassifier(
            SmallCNNEncoder1d, finetune=finetune, max_epochs=2, memory=str(tmp_path), **params
        )
        predictions.append(clf.fit(X, y).predict_proba(X))
    assert len(fits) == 1
    np.testing.assert_array_equal(predictions[0], predictions[2])
