"""The latent perturbation module (paper 000, §3.3)."""

import torch
from torch import nn

from skadvaug.modules import LatentPerturbation


def _module(**kwargs):
    torch.manual_seed(0)
    return LatentPerturbation(latent_dim=16, **kwargs)


def test_two_low_rank_affine_maps_without_nonlinearity():
    perturb = _module(noise_dim=100, hidden_dim=100)
    assert perturb.first.in_features == 16 + 100
    assert perturb.first.out_features == 100
    assert perturb.second.out_features == 16
    assert not any(isinstance(m, (nn.ReLU, nn.Tanh, nn.LeakyReLU)) for m in perturb.modules())


def test_direction_is_layer_normalised_without_parameters():
    perturb = _module().eval()
    direction = perturb.direction(torch.randn(64, 16) * 5 + 3)
    torch.testing.assert_close(direction.mean(dim=1), torch.zeros(64), atol=1e-5, rtol=0)
    torch.testing.assert_close(
        direction.var(dim=1, unbiased=False), torch.ones(64), atol=1e-3, rtol=0
    )
    assert not [n for n, _ in perturb.named_parameters() if "norm" in n]


def test_perturbation_is_direction_times_running_std_times_scale():
    perturb = _module(scale=0.3).eval()
    z = torch.randn(8, 16)
    perturb.set_latent_variance(torch.randn(1000, 16) * torch.arange(1.0, 17.0))
    generator = torch.Generator().manual_seed(1)
    delta = perturb(z, generator=generator)
    direction = perturb.direction(z, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(delta, 0.3 * perturb.latent_std() * direction)
    # larger latent spread -> proportionally larger perturbation of that element
    ratio = delta.abs().mean(0) / direction.abs().mean(0)
    assert ratio[-1] > 10 * ratio[0]


def test_affine_weights_are_scale_free():
    perturb = _module().eval()
    z = torch.randn(8, 16)
    before = perturb(z, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        perturb.second.weight.mul_(7.0)
        perturb.second.bias.mul_(7.0)
    after = perturb(z, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(before, after, atol=1e-5, rtol=1e-4)


def test_random_mode_is_rescaled_gaussian_noise():
    perturb = _module(learned=False, scale=0.5).eval()
    perturb.set_latent_variance(torch.full((1000, 16), 2.0) * torch.randn(1000, 16))
    delta = perturb(torch.zeros(20000, 16), generator=torch.Generator().manual_seed(0))
    expected_std = 0.5 * perturb.latent_std()
    torch.testing.assert_close(delta.std(dim=0), expected_std, rtol=0.05, atol=0)


def test_running_variance_updates_only_in_training_mode():
    perturb = _module(momentum=0.5)
    z = torch.randn(256, 16) * 3
    perturb.eval()
    perturb(z)
    torch.testing.assert_close(perturb.running_var, torch.ones(16))
    perturb.train()
    perturb(z)
    expected = 0.5 * torch.ones(16) + 0.5 * z.var(dim=0, unbiased=False)
    torch.testing.assert_close(perturb.running_var, expected)


def test_weight_norm_reparametrises_the_affine_maps():
    perturb = _module(weight_norm=True)
    names = [n for n, _ in perturb.named_parameters()]
    assert any("original0" in n for n in names)
    assert perturb(torch.randn(4, 16)).shape == (4, 16)
