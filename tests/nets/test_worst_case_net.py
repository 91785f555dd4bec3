"""The three-player worst-case game (paper 002; spec paper002 §4, B-1 to B-5)."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.neighbors import NearestNeighbors
from torch import nn

from skadvaug.datasets import make_sequence_regression
from skadvaug.nets import WorstCaseGeneratorClassifier, WorstCaseGeneratorRegressor
from skadvaug.nets._worst_case import gradient_penalty


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(300, centers=[[-1.5, 0], [1.5, 0], [0, 2]], cluster_std=0.7, random_state=0)
    return X.astype(np.float32), y


SMALL = {"hidden": 32, "latent_dim": 4, "batch_size": 32, "random_state": 0}


def _initialized(X, y, **params):
    # on the CPU: the tests below hand the players tensors of their own
    net = WorstCaseGeneratorClassifier(max_epochs=0, device="cpu", **{**SMALL, **params})
    net.fit(X, y)
    torch.manual_seed(0)
    return net


def _parameters(module):
    return [p.detach().clone() for p in module.parameters()]


def _unchanged(before, module):
    return all(torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def test_each_player_moves_its_own_objective_with_the_others_frozen(blobs):
    """B-1: a G step raises lambda * D + C's loss on G's samples, a C step lowers that
    loss, a D step raises the real-minus-fake gap; nobody else moves."""
    X, y = blobs
    net = _initialized(X, y, epsilon=0.5)
    real, labels = torch.as_tensor(X[:64]), torch.as_tensor(y[:64])
    z = torch.randn(64, net.latent_dim)
    generate = net.augmenter_.generator

    def generator_objective():
        fake = generate(z, labels)
        return (
            net.critic_(fake, labels).mean() / 0.5 + net.get_loss(net.module_(fake), labels)
        ).item()

    frozen = _parameters(net.critic_), _parameters(net.module_)
    before = generator_objective()
    loss, _ = net._generator_loss(generate(z, labels), labels)
    net._step_players(loss, descend=("augmenter",))
    assert generator_objective() > before
    assert _unchanged(frozen[0], net.critic_)
    assert _unchanged(frozen[1], net.module_)

    fake = generate(z, labels).detach()
    before = net.get_loss(net.module_(fake), labels).item()
    frozen = _parameters(generate), _parameters(net.critic_)
    loss = net._classifier_loss(net.module_(real), labels, fake, labels)
    net._step_players(loss, descend=("module",))
    assert net.get_loss(net.module_(fake), labels).item() < before
    assert _unchanged(frozen[0], generate)
    assert _unchanged(frozen[1], net.critic_)

    def gap():
        return (net.critic_(real, labels).mean() - net.critic_(fake, labels).mean()).item()

    before = gap()
    frozen = _parameters(generate), _parameters(net.module_)
    loss, _, _ = net._critic_loss(real, fake, labels)
    net._step_players(loss, descend=("critic",))
    assert gap() > before
    assert _unchanged(frozen[0], generate)
    assert _unchanged(frozen[1], net.module_)


def test_epsilon_zero_takes_the_classifier_out_of_the_generator_update(blobs):
    """B-1: with epsilon = 0, G's gradient does not depend on C."""
    X, y = blobs
    net = _initialized(X, y, epsilon=0.0)
    z, labels = torch.randn(32, net.latent_dim), torch.as_tensor(y[:32])
    generate = net.augmenter_.generator

    def generator_gradient():
        generate.zero_grad()
        loss, _ = net._generator_loss(generate(z, labels), labels)
        loss.backward()
        return [p.grad.clone() for p in generate.parameters()]

    first = generator_gradient()
    for parameter in net.module_.parameters():
        nn.init.normal_(parameter)  # another classifier
    for a, b in zip(first, generator_gradient(), strict=True):
        torch.testing.assert_close(a, b)


def test_larger_epsilon_gives_harder_samples_further_from_the_data(blobs):
    """B-2 / B-3: with the same frozen reference classifier, samples of generators
    trained at a larger epsilon have a higher loss and lie further from the real
    samples of their class; the critic's distance estimate grows too."""
    X, y = blobs
    reference = LogisticRegression().fit(X, y)
    labels = np.repeat([0, 1, 2], 200)
    results = {}
    for epsilon in (0.0, 2.0):
        net = WorstCaseGeneratorClassifier(
            epsilon=epsilon,
            max_epochs=120,
            generator_lr=1e-3,
            critic_lr=1e-3,
            lr_decay="none",
            warmup_fraction=0.3,
            **SMALL,
        ).fit(X, y)
        samples = net.sample(labels, generator=torch.Generator().manual_seed(0))
        distance = np.mean(
            [
                NearestNeighbors(n_neighbors=1)
                .fit(X[y == c])
                .kneighbors(samples[labels == c])[0]
                .mean()
                for c in range(3)
            ]
        )
        results[epsilon] = (
            log_loss(labels, reference.predict_proba(samples), labels=[0, 1, 2]),
            distance,
            np.mean(net.history[-10:, "distance_estimate"]),
        )
    assert results[2.0][0] > results[0.0][0]
    assert results[2.0][1] > results[0.0][1]
    assert results[2.0][2] > results[0.0][2]


def test_gradient_penalty_vanishes_for_a_unit_lipschitz_linear_critic():
    """B-4: per-sample interpolates; a linear critic with a unit-norm weight has
    gradient norm 1 everywhere, so its penalty is 0, and 3 for norm 2 ... (norm-1)^2."""
    weight = torch.randn(5)

    def critic(x, y):
        return x @ (weight / weight.norm())

    real, fake = torch.randn(16, 5), torch.randn(16, 5)
    labels = torch.zeros(16, dtype=torch.long)
    assert gradient_penalty(critic, real, fake, labels).item() == pytest.approx(0, abs=1e-10)
    assert gradient_penalty(
        lambda x, y: 3 * critic(x, y), real, fake, labels
    ).item() == pytest.approx(4.0)


def test_js_critic_step_raises_its_log_likelihood(blobs):
    """B-5."""
    X, y = blobs
    net = _initialized(X, y, distance="js")
    real, labels = torch.as_tensor(X[:64]), torch.as_tensor(y[:64])
    fake = net.augmenter_.generator(torch.randn(64, net.latent_dim), labels).detach()

    def log_likelihood():
        real_score, fake_score = net.critic_(real, labels), net.critic_(fake, labels)
        return (
            torch.nn.functional.logsigmoid(real_score).mean()
            + torch.nn.functional.logsigmoid(-fake_score).mean()
        ).item()

    before = log_likelihood()
    loss, _, penalty = net._critic_loss(real, fake, labels)
    assert penalty.item() == 0
    net._step_players(loss, descend=("critic",))
    assert log_likelihood() > before


def test_history_records_every_player_and_the_samples_stay_in_range(blobs):
    X, y = blobs
    net = WorstCaseGeneratorClassifier(max_epochs=3, **SMALL).fit(X, y)
    for key in ("critic_loss", "generator_loss", "classifier_loss", "distance_estimate"):
        assert len(net.history[:, key]) == 3
    samples = net.sample(np.arange(3).repeat(50))
    assert samples.shape == (150, 2)
    assert np.all(samples >= X.min(0) - 1e-5)
    assert np.all(samples <= X.max(0) + 1e-5)
    assert net.predict(X[:5]).shape == (5,)
    # the learning rates decayed linearly to 0
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0, abs=1e-12)


def test_same_seed_same_game(blobs):
    X, y = blobs
    first = WorstCaseGeneratorClassifier(max_epochs=2, **SMALL).fit(X, y)
    second = WorstCaseGeneratorClassifier(max_epochs=2, **SMALL).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    np.testing.assert_array_equal(
        first.sample([0, 1], generator=torch.Generator().manual_seed(0)),
        second.sample([0, 1], generator=torch.Generator().manual_seed(0)),
    )


@pytest.mark.parametrize("shape", [(2, 20), (1, 6, 6)])
def test_sequences_and_images_get_convolutional_players(shape):
    rng = np.random.default_rng(0)
    X = rng.random((40, *shape)).astype(np.float32)
    y = np.repeat([0, 1], 20)
    net = WorstCaseGeneratorClassifier(max_epochs=2, **SMALL).fit(X, y)
    assert any(isinstance(m, (nn.Conv1d, nn.Conv2d)) for m in net.critic_.modules())
    assert net.sample([0, 1, 1]).shape == (3, *shape)


def test_regressor_conditions_on_the_target_value():
    X, y = make_sequence_regression(n_samples=60, random_state=0)
    threshold = float(np.quantile(y, 0.8))
    reg = WorstCaseGeneratorRegressor(rare_threshold=threshold, max_epochs=2, **SMALL).fit(X, y)
    assert reg.predict(X[:3]).shape == (3,)
    assert reg.sample(y[:4]).shape == (4, *X.shape[1:])


def test_bad_parameters_are_named(blobs):
    X, y = blobs
    for params, match in (({"distance": "kl"}, "distance"), ({"epsilon": -1.0}, "epsilon")):
        with pytest.raises(ValueError, match=match):
            WorstCaseGeneratorClassifier(max_epochs=1, **params).fit(X, y)


def test_a_short_last_batch_does_not_shrink_the_generated_batches(blobs, monkeypatch):
    """With 33 samples and batches of 32, the last real batch holds one sample; the
    generator and classifier steps still see batch_size generated samples."""
    X, y = blobs
    sizes = []
    original = WorstCaseGeneratorClassifier._generator_loss

    def spy(self, generated, targets, **kwargs):
        sizes.append(len(generated))
        return original(self, generated, targets, **kwargs)

    monkeypatch.setattr(WorstCaseGeneratorClassifier, "_generator_loss", spy)
    WorstCaseGeneratorClassifier(max_epochs=5, n_critic=1, **SMALL).fit(X[:33], y[:33])
    assert sizes
    assert set(sizes) == {32}


@pytest.mark.parametrize(("budget", "steps"), [({"max_epochs": 2}, 20), ({"max_steps": 7}, 7)])
def test_the_learning_rates_decay_to_zero_over_the_steps_the_fit_takes(blobs, budget, steps):
    X, y = blobs  # 300 samples: 10 batches of 32 per epoch
    net = WorstCaseGeneratorClassifier(**{"max_epochs": 5, **SMALL, **budget}).fit(X, y)
    assert net.n_critic_steps_ == net.critic_steps_ == steps
    assert all(group["lr"] == 0.0 for group in net.optimizer_critic_.param_groups)


@pytest.mark.parametrize(("mode", "n_steps"), [("every_batch", 30), ("per_generator_step", 6)])
def test_the_classifier_steps_on_every_batch_or_once_per_generator_step(blobs, mode, n_steps):
    X, y = blobs
    net = WorstCaseGeneratorClassifier(
        max_epochs=3, classifier_steps=mode, warmup_fraction=0.0, device="cpu", **SMALL
    ).fit(X, y)
    batches = [batch for epoch in net.history[:, "batches"] for batch in epoch]
    assert (net.critic_steps_, net.generator_steps_) == (30, 6)  # 3 epochs of 10 batches
    assert sum("classifier_loss" in batch for batch in batches) == n_steps
