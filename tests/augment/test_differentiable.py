"""Differentiable torch forms (skadvaug/augment/differentiable.py)."""

import numpy as np
import pytest
import torch

from skadvaug.augment import differentiable
from skadvaug.augment._classic import _spline_basis

FUNCTIONS = [differentiable.jitter, differentiable.scaling, differentiable.magnitude_warp]


def _generator(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_reaches_sigma_and_matches_finite_differences(function):
    x = torch.randn(4, 2, 30, dtype=torch.float64, generator=_generator(1))
    sigma = torch.tensor(0.2, dtype=torch.float64, requires_grad=True)

    def loss(s):
        return function(x, s, generator=_generator(0)).pow(2).sum()

    loss(sigma).backward()
    assert sigma.grad is not None
    assert sigma.grad.abs() > 0
    assert torch.autograd.gradcheck(lambda s: loss(s), (sigma,))


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_per_channel_sigma_gets_per_channel_gradients(function):
    x = torch.randn(4, 3, 30, generator=_generator(1)) + 2.0
    sigma = torch.full((3, 1), 0.1, requires_grad=True)
    function(x, sigma, generator=_generator(0)).pow(2).sum().backward()
    assert sigma.grad.shape == (3, 1)
    assert torch.all(sigma.grad.abs() > 0)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_zero_sigma_is_the_identity_and_shape_device_dtype_are_kept(function):
    x = torch.randn(3, 2, 16)
    out = function(x, 0.0, generator=_generator())
    assert out.shape == x.shape
    assert out.dtype == x.dtype
    assert out.device == x.device
    torch.testing.assert_close(out, x)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_generator_makes_draws_reproducible(function):
    x = torch.randn(3, 2, 16)
    torch.testing.assert_close(
        function(x, 0.3, generator=_generator(5)), function(x, 0.3, generator=_generator(5))
    )


def test_jitter_noise_has_std_sigma():
    x = torch.zeros(100, 3, 100)
    assert differentiable.jitter(x, 0.4, generator=_generator()).std().item() == pytest.approx(
        0.4, rel=0.02
    )


def test_scaling_uses_one_factor_per_channel():
    ratio = differentiable.scaling(torch.ones(50, 3, 20), 0.2, generator=_generator())
    torch.testing.assert_close(ratio, ratio[:, :, :1].expand_as(ratio))


def test_magnitude_warp_draws_from_the_numpy_version_s_spline_family():
    curve = (
        differentiable.magnitude_warp(
            torch.ones(20, 2, 50, dtype=torch.float64), 0.3, n_knots=4, generator=_generator()
        )
        .reshape(-1, 50)
        .T.numpy()
    )
    basis = _spline_basis(50, 4)
    knots, *_ = np.linalg.lstsq(basis, curve, rcond=None)
    np.testing.assert_allclose(basis @ knots, curve, atol=1e-10)


def test_non_tensor_input_is_refused():
    with pytest.raises(ValueError, match="3-D torch tensor"):
        differentiable.jitter(np.zeros((2, 1, 5)), 0.1)
