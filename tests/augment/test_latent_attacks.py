"""Latent attacks (skadvaug/augment/latent_attacks.py): balls, PGD steps, flow round trip."""

import numpy as np
import pytest
import torch

from skadvaug.augment.latent_attacks import (
    data_range,
    flow_latent_augment,
    local_budget,
    nearest_enemy_distance,
    pgd_latent_attack,
    project,
    random_latent_attack,
)
from skadvaug.modules import VectorFlow


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_projection_clips_linf_and_rescales_l2_only_outside_the_ball():
    delta = torch.tensor([[3.0, -0.2], [0.1, 0.2]])
    torch.testing.assert_close(project(delta, 0.5, "linf"), torch.tensor([[0.5, -0.2], [0.1, 0.2]]))
    l2 = project(delta, 1.0, "l2")
    torch.testing.assert_close(l2[0].norm(), torch.tensor(1.0))
    torch.testing.assert_close(l2[1], delta[1])  # already inside: unchanged


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_random_attack_stays_in_its_ball(norm):
    delta = random_latent_attack(torch.zeros(500, 20), 0.3, norm, generator=_gen())
    size = delta.norm(dim=1) if norm == "l2" else delta.abs().amax(dim=1)
    assert size.max() <= 0.3 + 1e-6


def test_unprojected_random_attack_is_epsilon_times_gaussian():
    delta = random_latent_attack(torch.zeros(20000, 4), 0.25, None, generator=_gen())
    assert delta.std().item() == pytest.approx(0.25, rel=0.02)


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_pgd_stays_in_the_ball_and_beats_random_perturbations(norm):
    torch.manual_seed(0)
    weights = torch.randn(10)

    def loss(v):
        return torch.sin(v @ weights) + 0.5 * (v**2).sum(dim=1)

    z = torch.randn(200, 10)
    epsilon = 0.5 if norm == "l2" else 0.1
    delta = pgd_latent_attack(z, loss, epsilon, epsilon / 2, 10, norm, generator=_gen())
    size = delta.norm(dim=1) if norm == "l2" else delta.abs().amax(dim=1)
    assert size.max() <= epsilon + 1e-5
    random = random_latent_attack(z, epsilon, norm, generator=_gen(1))
    random = project(random * 100, epsilon, norm)  # on the ball's surface, like PGD's end point
    assert (loss(z + delta) - loss(z)).mean() > 3 * (loss(z + random) - loss(z)).mean().abs()


def test_linf_steps_follow_the_gradient_sign():
    z = torch.zeros(1, 3)
    delta = pgd_latent_attack(
        z, lambda v: v @ torch.tensor([2.0, -0.1, 0.0]), 1.0, 0.3, 1, "linf", random_start=False
    )
    torch.testing.assert_close(delta, torch.tensor([[0.3, -0.3, 0.0]]))


def test_zero_steps_return_the_random_start():
    delta = pgd_latent_attack(
        torch.zeros(4, 5), lambda v: v.sum(1), 0.2, 0.1, 0, "linf", generator=_gen(3)
    )
    assert delta.abs().max() <= 0.2
    assert delta.abs().sum() > 0


def test_model_gradients_are_not_accumulated_by_the_attack():
    model = torch.nn.Linear(3, 1)
    pgd_latent_attack(torch.randn(8, 3), lambda v: model(v).squeeze(1), 1.0, 0.5, 3)
    assert all(p.grad is None for p in model.parameters())


def test_flow_round_trip_moves_the_latent_code_by_at_most_epsilon():
    torch.manual_seed(0)
    flow = VectorFlow((6,), n_steps=2).eval()
    x = torch.randn(50, 6)
    x_new = flow_latent_augment(flow, x, attack="random", epsilon=0.4, norm="l2", generator=_gen())
    with torch.no_grad():
        moved = (flow(x_new)[0] - flow(x)[0]).norm(dim=1)
    assert moved.max() <= 0.4 + 1e-4
    assert moved.min() > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"attack": "sideways"}, "attack"),
        ({"attack": "adversarial"}, "loss_fn"),
        ({"attack": "random", "norm": "l1"}, "norm"),
        ({"attack": "random", "clamp": (1.0, 0.0)}, "clamp"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    flow = VectorFlow((3,), n_steps=1).eval()
    with pytest.raises(ValueError, match=match):
        flow_latent_augment(flow, torch.zeros(2, 3), **{"epsilon": 0.1, **kwargs})


class OverflowingFlow(torch.nn.Module):
    """Identity flow whose inverse overflows for codes above 10."""

    def forward(self, x, labels=None):
        return x, torch.zeros(len(x))

    def inverse(self, z, labels=None):
        return torch.where(z > 10, torch.full_like(z, float("inf")), z)


def test_codes_that_decode_to_non_finite_values_fall_back_to_the_input():
    x = torch.tensor([[0.0, 0.0], [20.0, 0.0]])
    x_new = flow_latent_augment(
        OverflowingFlow(), x, attack="random", epsilon=5.0, norm="linf", generator=_gen()
    )
    assert torch.isfinite(x_new).all()
    assert (x_new[0] != x[0]).any()  # decodes fine: perturbed
    assert torch.equal(x_new[1], x[1])  # overflows: left as it was


def test_clamp_bounds_the_decoded_samples_not_the_latent_attack():
    x = torch.full((200, 2), 0.5)
    kwargs = {"attack": "random", "epsilon": 3.0, "norm": "linf"}
    free = flow_latent_augment(OverflowingFlow(), x, generator=_gen(), **kwargs)
    clamped = flow_latent_augment(OverflowingFlow(), x, generator=_gen(), clamp=(0, 1), **kwargs)
    assert free.min() < 0
    assert free.max() > 1
    assert clamped.min() >= 0
    assert clamped.max() <= 1
    assert torch.equal(clamped, free.clamp(0, 1))  # same attack, clipped afterwards


def test_clamp_must_be_a_pair_of_numbers():
    with pytest.raises(TypeError, match="clamp"):
        flow_latent_augment(
            OverflowingFlow(), torch.zeros(2, 2), attack="random", epsilon=0.1, clamp="unit"
        )


def test_data_range_is_per_column_or_per_channel():
    table = np.array([[0.0, 10.0], [2.0, -5.0]])
    low, high = data_range(table)
    np.testing.assert_array_equal(low, [0.0, -5.0])
    np.testing.assert_array_equal(high, [2.0, 10.0])
    series = torch.arange(24.0).reshape(2, 3, 4)  # 2 series, 3 channels, 4 steps
    low, high = data_range(series)
    assert tuple(high.shape) == (3, 1)
    torch.testing.assert_close(low[:, 0], torch.tensor([0.0, 4.0, 8.0]))
    torch.testing.assert_close(high[:, 0], torch.tensor([15.0, 19.0, 23.0]))


def test_clamp_takes_per_channel_bounds():
    x = torch.zeros(3, 2, 5)
    bounds = (np.array([[-0.1], [-1.0]]), np.array([[0.1], [1.0]]))
    out = flow_latent_augment(
        OverflowingFlow(), x, attack="random", epsilon=5.0, generator=_gen(), clamp=bounds
    )
    assert out[:, 0].abs().max() <= 0.1 + 1e-6
    assert out[:, 1].abs().max() <= 1.0 + 1e-6
    assert out[:, 1].abs().max() > 0.1


def test_local_budget_scales_each_seed_by_its_distance_to_the_other_class():
    reference = torch.tensor([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [30.0, 0.0]])
    labels = torch.tensor([0, 0, 1, 2])
    nearest = nearest_enemy_distance(reference, labels, reference, labels)
    np.testing.assert_allclose(nearest.numpy(), [10.0, 9.0, 9.0, 20.0])
    typical = torch.tensor([9.5, 9.0, 20.0])  # each class's median of those
    z = torch.tensor([[1.0, 0.0], [-10.0, 0.0], [12.0, 0.0]])
    seeds = torch.tensor([0, 0, 1])
    delta = torch.randn(3, 2, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    scaled = local_budget(z, delta, seeds, reference, labels, typical)
    # near the other class: shorter; deep in its class: longer; direction kept
    ratio = scaled.norm(dim=1) / delta.norm(dim=1)
    np.testing.assert_allclose(ratio.detach().numpy(), [9 / 9.5, 20 / 9.5, 11 / 9.0], rtol=1e-6)
    cosine = torch.nn.functional.cosine_similarity(scaled, delta, dim=1)
    np.testing.assert_allclose(cosine.detach().numpy(), 1.0, rtol=1e-6)
    scaled.sum().backward()  # a learned perturbation trains through the budget
    assert delta.grad is not None


def test_local_budget_leaves_a_seed_without_another_class_alone():
    reference, labels = torch.tensor([[0.0], [1.0]]), torch.tensor([0, 0])
    nearest = nearest_enemy_distance(reference, labels, reference, labels)
    assert torch.isinf(nearest).all()
    delta = torch.tensor([[0.5]])
    out = local_budget(
        torch.zeros(1, 1), delta, torch.tensor([0]), reference, labels, torch.tensor([float("inf")])
    )
    assert torch.equal(out, delta)


class _IdentityFlow(torch.nn.Module):
    """A flow whose latent space is the input space: the attacks' deltas are visible."""

    def forward(self, x, labels=None):
        return x, torch.zeros(len(x))

    def inverse(self, z, labels=None):
        return z


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_flow_budget_scales_the_random_perturbation_of_each_seed(norm):
    x = torch.zeros(3, 4)
    factors = torch.tensor([0.0, 0.5, 2.0])
    common = {"attack": "random", "epsilon": 0.3, "norm": norm}
    plain = flow_latent_augment(_IdentityFlow(), x, **common, generator=_gen())
    scaled = flow_latent_augment(
        _IdentityFlow(), x, **common, generator=_gen(), budget=lambda z: factors
    )
    torch.testing.assert_close(scaled, plain * factors[:, None])


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_flow_budget_gives_each_seed_its_own_pgd_ball(norm):
    x = torch.zeros(3, 2)
    factors = torch.tensor([0.25, 1.0, 3.0])
    x_new = flow_latent_augment(
        _IdentityFlow(),
        x,
        attack="adversarial",
        epsilon=1.0,
        norm=norm,
        step_size=0.5,
        n_steps=8,
        loss_fn=lambda v: v[:, 0],
        generator=_gen(),
        budget=lambda z: factors,
    )
    # the loss rises along the first axis: each seed ends on the edge of its own ball
    size = x_new.norm(dim=1) if norm == "l2" else x_new.abs().amax(dim=1)
    torch.testing.assert_close(size, factors, atol=1e-4, rtol=0)
    assert torch.all(x_new[:, 0] >= 0.99 * factors)
