"""The augmenter contract (skadvaug/modules/_augmenters.py)."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from skadvaug.augment import AUGMENTATIONS
from skadvaug.modules import (
    Augmenter,
    ClassicAugmenter,
    FlowLatentAttack,
    LatentAugmenter,
    MLPAutoencoder,
    VectorFlow,
)


def _generator(seed=0):
    return torch.Generator().manual_seed(seed)


def _augmenters():
    torch.manual_seed(0)
    return [
        LatentAugmenter(MLPAutoencoder(input_shape=(6,), latent_dim=3), scale=0.1),
        FlowLatentAttack(VectorFlow(input_shape=(6,), n_steps=2), attack="random"),
        ClassicAugmenter("jitter", sigma=0.1),
        ClassicAugmenter("scaling", sigma=0.1),
    ]


@pytest.mark.parametrize("augmenter", _augmenters(), ids=lambda a: type(a).__name__)
def test_every_augmenter_maps_seeds_to_samples_of_their_shape_reproducibly(augmenter):
    x = torch.randn(5, 6)
    assert isinstance(augmenter, Augmenter)
    augmenter.eval()
    first = augmenter(x, generator=_generator())
    again = augmenter(x, generator=_generator())
    assert first.shape == x.shape
    assert torch.equal(first, again)
    assert not torch.equal(first, augmenter(x, generator=_generator(1)))


def test_frozen_backbones_stay_in_eval_mode_and_untrained():
    autoencoder = MLPAutoencoder(input_shape=(6,), latent_dim=3)
    augmenter = LatentAugmenter(autoencoder, scale=0.1).train()
    assert not autoencoder.training
    assert augmenter.perturbation.training
    augmenter(torch.randn(8, 6)).pow(2).sum().backward()
    assert all(p.grad is None for p in autoencoder.parameters())
    assert all(p.grad is not None for p in augmenter.perturbation.parameters())


def test_the_flow_attack_ascends_the_loss_it_is_given():
    torch.manual_seed(0)
    flow = VectorFlow(input_shape=(4,), n_steps=2)
    attack = FlowLatentAttack(flow, attack="adversarial", epsilon=0.5, attack_steps=5).eval()
    assert attack.uses_loss
    x = torch.randn(32, 4)
    weights = torch.randn(4)

    def loss_fn(x_new):
        return x_new @ weights

    pushed = attack(x, loss_fn=loss_fn, generator=_generator())
    assert (pushed @ weights).mean() > (x @ weights).mean()
    with pytest.raises(ValueError, match="loss_fn"):
        attack(x)


def test_a_conditional_flow_attack_needs_labels():
    attack = FlowLatentAttack(VectorFlow((3,), n_steps=1, n_classes=2), conditional=True)
    with pytest.raises(ValueError, match="labels y"):
        attack(torch.randn(4, 3))


def test_classic_augmenter_uses_the_torch_form_where_there_is_one():
    x = torch.zeros(2000, 1, 10)
    jittered = ClassicAugmenter("jitter", sigma=0.2)(x, generator=_generator())
    assert jittered.std().item() == pytest.approx(0.2, rel=0.05)
    assert AUGMENTATIONS["time_warp"].torch is None
    x = torch.randn(3, 2, 30)
    warped = ClassicAugmenter("time_warp", sigma=0.2)(x, generator=_generator())
    assert warped.shape == x.shape
    assert warped.dtype == x.dtype
    assert not torch.equal(warped, x)


def test_classic_augmenter_reads_tables_as_one_step_series():
    x = torch.ones(4, 5)
    scaled = ClassicAugmenter("scaling", sigma=0.1)(x, generator=_generator())
    assert scaled.shape == (4, 5)
    with pytest.raises(ValueError, match="method must be one of"):
        ClassicAugmenter("rotate")


def test_the_flow_attack_keeps_non_finite_decodings_at_their_seed():
    class Exploding(VectorFlow):
        def inverse(self, z, y=None):
            return torch.full_like(z, float("inf"))

    x = torch.randn(3, 2)
    out = FlowLatentAttack(Exploding((2,), n_steps=1), attack="random")(x)
    np.testing.assert_array_equal(out.numpy(), x.numpy())


def test_cross_entropy_attack_loss_is_a_valid_loss_fn():
    torch.manual_seed(0)
    network = torch.nn.Linear(4, 2)
    attack = FlowLatentAttack(VectorFlow((4,), n_steps=1), epsilon=0.3).eval()
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    out = attack(x, loss_fn=lambda x_new: F.cross_entropy(network(x_new), y))
    assert F.cross_entropy(network(out), y) > F.cross_entropy(network(x), y)


def test_flow_attack_shrinks_its_latent_perturbation_exactly():
    from skadvaug.modules import FlowLatentAttack, VectorFlow

    torch.manual_seed(0)
    flow = VectorFlow(input_shape=(4,), n_steps=2)
    attack = FlowLatentAttack(flow, attack="random", epsilon=1.0)
    x = torch.randn(6, 4)
    x_new = attack(x, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        z, z_new = flow(x)[0], flow(x_new)[0]
        half = flow(attack.shrink(x, x_new, 0.5))[0]
    torch.testing.assert_close(half - z, 0.5 * (z_new - z), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(attack.shrink(x, x_new, 0.0), x, atol=1e-4, rtol=1e-4)


def test_residual_latent_augmenter_moves_the_seed_by_the_decoded_perturbation():
    from skadvaug.modules import LatentAugmenter, MLPAutoencoder

    torch.manual_seed(0)
    autoencoder = MLPAutoencoder(input_shape=(6,), latent_dim=3)
    x = torch.randn(5, 6)
    still = LatentAugmenter(autoencoder, residual=True, scale=0.0, learned=False)
    torch.testing.assert_close(still(x), x)  # no perturbation: the seed itself
    direct = LatentAugmenter(autoencoder, scale=0.0, learned=False)
    assert not torch.allclose(direct(x), x)  # the paper's decoding: the reconstruction
    moved = LatentAugmenter(autoencoder, residual=True, scale=0.5, learned=False).eval()
    decoded = LatentAugmenter(autoencoder, scale=0.5, learned=False).eval()
    with torch.no_grad():
        reconstruction = autoencoder.decode(autoencoder.encode(x))
    noise = torch.Generator().manual_seed(1)
    expected = x + decoded(x, generator=noise) - reconstruction
    torch.testing.assert_close(moved(x, generator=torch.Generator().manual_seed(1)), expected)
