"""AdversarialAutoencoderNet: reconstruction + discriminator, TTUR, cost-sensitivity."""

import numpy as np
import pytest
import torch

from skadvaug.nets import AdversarialAutoencoderNet

LOSSES = ["recon_loss", "ae_adversarial_loss", "discriminator_real_loss", "discriminator_fake_loss"]


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    return (rng.normal(size=(256, 8)) @ rng.normal(size=(8, 8))).astype(np.float32)


def _net(**kwargs):
    params = {"max_epochs": 12, "batch_size": 32, "random_state": 0}
    return AdversarialAutoencoderNet(**{**params, **kwargs})


def test_reconstruction_loss_falls_and_every_loss_is_recorded(table):
    history = _net().fit(table).history
    recon = history[:, "recon_loss"]
    assert recon[-1] < 0.2 * recon[0]
    for name in LOSSES:
        assert len(history[:, name]) == 12


def test_sequences_train_the_paper_s_conv_autoencoder():
    rng = np.random.RandomState(0)
    t = np.linspace(0, 2 * np.pi, 32)
    X = np.sin(t[None, None, :] + rng.uniform(0, 6, size=(128, 3, 1))).astype(np.float32)
    net = _net(max_epochs=15).fit(X)
    assert type(net.module_).__name__ == "ConvAutoencoder1d"
    assert net.encode(X).shape == (128, 512)
    recon = net.history[:, "recon_loss"]
    assert recon[-1] < 0.5 * recon[0]
    assert net.decode(net.encode(X)).shape == X.shape


def test_cost_sensitive_discriminator_trusts_real_samples(table):
    # Table 1: with a large cost for calling real samples fake, the discriminator
    # ends with a low loss on real samples and a high one on reconstructions.
    costly = _net(real_cost=5.0).fit(table).history[-1]
    equal = _net(real_cost=1.0).fit(table).history[-1]
    assert costly["discriminator_real_loss"] < 0.5 * equal["discriminator_real_loss"]
    assert costly["discriminator_fake_loss"] > 1.5 * equal["discriminator_fake_loss"]
    assert costly["discriminator_fake_loss"] > costly["discriminator_real_loss"]


def test_fake_cost_zero_makes_the_discriminator_call_everything_real(table):
    last = _net(fake_cost=0.0).fit(table).history[-1]
    assert last["discriminator_real_loss"] < 0.01
    assert last["discriminator_fake_loss"] > 5.0


def test_ttur_gives_the_discriminator_its_own_faster_optimizer(table):
    net = _net(max_epochs=1, lr=1e-3, discriminator_lr=4e-3).fit(table)
    assert net.optimizer_.param_groups[0]["lr"] == 1e-3
    assert net.optimizer_discriminator_.param_groups[0]["lr"] == 4e-3
    generator_params = {id(p) for g in net.optimizer_.param_groups for p in g["params"]}
    assert not generator_params & {id(p) for p in net.discriminator_.parameters()}
    overridden = _net(max_epochs=1, optimizer_discriminator__lr=1e-3).fit(table)
    assert overridden.optimizer_discriminator_.param_groups[0]["lr"] == 1e-3


def test_the_old_discriminator_learning_rate_name_still_works_with_a_future_warning(table):
    with pytest.warns(FutureWarning, match="'lr_discriminator' was renamed 'discriminator_lr'"):
        net = _net(max_epochs=1, lr_discriminator=2e-3).fit(table)
    assert net.optimizer_discriminator_.param_groups[0]["lr"] == 2e-3


def test_no_discriminator_trains_a_plain_autoencoder(table):
    net = _net(discriminator=None, max_epochs=3).fit(table)
    assert not hasattr(net, "discriminator_")
    assert np.allclose(net.history[:, "ae_adversarial_loss"], 0.0)
    np.testing.assert_allclose(
        net.history[:, "train_loss"], net.history[:, "recon_loss"], rtol=1e-5
    )


def test_discriminator_parameters_are_reachable(table):
    net = _net(max_epochs=1, discriminator__hidden=(16, 8, 4), discriminator__dropout=0.1).fit(
        table
    )
    assert net.discriminator_.layers[0].out_features == 16
    assert net.discriminator_.layers[2].p == 0.1


def test_same_seed_same_autoencoder(table):
    first = _net(max_epochs=2).fit(table)
    again = _net(max_epochs=2).fit(table)
    for a, b in zip(first.module_.parameters(), again.module_.parameters(), strict=True):
        assert torch.equal(a, b)
