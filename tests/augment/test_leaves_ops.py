"""LEAVES' differentiable permutation and time distortion (spec paper001 §4, B-1 to B-3)."""

import pytest
import torch

from skadvaug.augment import differentiable as D


def _generator(seed=0):
    return torch.Generator().manual_seed(seed)


def test_permutation_shuffles_whole_chunks_of_every_channel_alike():
    x = torch.randn(50, 3, 60)
    out = D.permutation(x, 5.0, generator=_generator())
    torch.testing.assert_close(out.sort(-1).values, x.sort(-1).values)
    # the same shuffle for every channel: channel 1 - channel 0 is shuffled alike
    order = [torch.nonzero(x[i, 0] == out[i, 0][:, None])[:, 1] for i in range(5)]
    for i, index in enumerate(order):
        torch.testing.assert_close(out[i, 1], x[i, 1, index])


def test_segment_orders_shuffle_whole_chunks_with_the_remainder_as_one_more():
    counts = torch.tensor([1, 2, 3, 4, 7, 10])  # length 10: chunk sizes 10, 5, 3, 2, 1, 1
    index = D._segment_orders(10, counts, _generator(), "cpu")
    for row, count in zip(index.tolist(), counts.tolist(), strict=True):
        assert sorted(row) == list(range(10))
        size = 10 // count
        chunks = [list(range(start, min(start + size, 10))) for start in range(0, 10, size)]
        rebuilt, position = [], 0
        while position < 10:  # read the row back chunk by chunk
            chunk = next(c for c in chunks if c[0] == row[position])
            assert row[position : position + len(chunk)] == chunk
            rebuilt.append(chunk)
            position += len(chunk)
        assert sorted(rebuilt) == chunks
    assert index[0].tolist() == list(range(10))  # one chunk: unchanged


def test_segment_orders_draw_every_order_of_the_chunks_alike():
    index = D._segment_orders(6, torch.full((6000,), 3), _generator(), "cpu")
    orders, counts = torch.unique(index[:, ::2], dim=0, return_counts=True)
    assert len(orders) == 6  # 3 chunks of 2 steps: 3! orders
    assert counts.min() > 850
    assert counts.max() < 1150


def test_permutation_gradient_with_respect_to_x_is_exact():
    """B-1: the reference backward re-applies the forward permutation (wrong unless
    it is an involution); an index gather is exact, so gradcheck passes."""
    x = torch.randn(4, 2, 30, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: D.permutation(v, 5.0, generator=_generator(3)), (x,))


def test_segment_count_gets_the_reference_surrogate_gradient_or_none():
    x = torch.randn(8, 1, 40)
    weights = torch.randn(8, 1, 40)
    n_segments = torch.tensor(5.0, requires_grad=True)
    (D.permutation(x, n_segments, generator=_generator()) * weights).sum().backward()
    uniform = torch.rand(8, generator=_generator())
    expected = (uniform * weights.mean(dim=(1, 2))).sum()  # d drawn/dK = u, times mean grad
    torch.testing.assert_close(n_segments.grad, expected)
    n_segments.grad = None
    out = D.permutation(x, n_segments, generator=_generator(), segment_grad="none")
    assert not out.requires_grad
    with pytest.raises(ValueError, match="n_segments"):
        D.permutation(x, 0.5)


def _inverse_cdf(u, logits, means, scales):
    low, high = torch.full_like(u, -20.0), torch.full_like(u, 20.0)
    for _ in range(200):
        middle = (low + high) / 2
        below = D.mixture_cdf(middle, logits, means, scales)[0] < u
        low, high = torch.where(below, middle, low), torch.where(below, high, middle)
    return (low + high) / 2


def test_mixture_samples_carry_the_implicit_reparameterisation_gradient():
    """B-1: dx/dtheta = -(dF/dtheta)/p(x) equals the derivative of F^-1(u) at fixed u."""
    logits = torch.tensor([0.2, -0.1, 0.4], dtype=torch.float64, requires_grad=True)
    means = torch.tensor([-0.5, 0.1, 0.6], dtype=torch.float64, requires_grad=True)
    scales = torch.tensor([0.3, 0.5, 0.2], dtype=torch.float64, requires_grad=True)
    drawn = D.mixture_rsample((6,), logits, means, scales, generator=_generator())
    u = D.mixture_cdf(drawn.detach(), logits, means, scales)[0].detach()
    values = [logits, means, scales]
    for index, parameter in enumerate(values):
        for j in range(3):
            (gradient,) = torch.autograd.grad(drawn.sum(), parameter, retain_graph=True)
            step = torch.zeros(3, dtype=torch.float64)
            step[j] = 1e-5
            with torch.no_grad():
                plus = [v + step if i == index else v for i, v in enumerate(values)]
                minus = [v - step if i == index else v for i, v in enumerate(values)]
                numeric = (_inverse_cdf(u, *plus) - _inverse_cdf(u, *minus)).sum() / 2e-5
            assert gradient[j].item() == pytest.approx(numeric.item(), rel=1e-3, abs=1e-6)


def test_resampling_on_the_identity_grid_is_exact_and_monotone_grids_stay_in_range():
    """B-3."""
    x = torch.randn(3, 2, 25)
    identity = torch.linspace(-1, 1, 25).expand(3, -1)
    torch.testing.assert_close(D.resample_time(x, identity), x)
    out = D.time_distortion(
        x,
        torch.zeros(4),
        torch.linspace(-0.5, 0.5, 4),
        torch.full((4,), 0.7),
        generator=_generator(),
    )
    low, high = x.amin(-1, keepdim=True), x.amax(-1, keepdim=True)
    assert torch.all(out >= low - 1e-6)
    assert torch.all(out <= high + 1e-6)
    assert not torch.allclose(out, x)


def test_a_narrow_component_at_zero_reads_the_centre_of_the_series():
    x = torch.linspace(0, 1, 41).reshape(1, 1, 41).repeat(2, 3, 1)
    out = D.time_distortion(
        x, torch.zeros(1), torch.zeros(1), torch.full((1,), 1e-4), generator=_generator()
    )
    torch.testing.assert_close(out, torch.full_like(x, 0.5), atol=1e-3, rtol=0)


def test_time_distortion_passes_gradients_to_every_mixture_parameter():
    x = torch.randn(4, 2, 30)
    parameters = [
        torch.zeros(3, requires_grad=True),
        torch.tensor([-0.5, 0.0, 0.5], requires_grad=True),
        torch.full((3,), 0.7, requires_grad=True),
    ]
    (
        D.time_distortion(x, *parameters, generator=_generator()) * torch.randn(4, 2, 30)
    ).sum().backward()
    for parameter in parameters:
        assert torch.isfinite(parameter.grad).all()
        assert parameter.grad.abs().sum() > 0
