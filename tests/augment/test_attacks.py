"""The one PGD routine (skadvaug/augment/attacks.py)."""

import pytest
import torch

from skadvaug.augment.attacks import ball_projection, pgd, random_ball_start, steepest_direction
from skadvaug.augment.latent_attacks import pgd_latent_attack


def test_a_passed_in_projection_confines_the_attack_to_its_subspace():
    def first_coordinate_only(delta):
        kept = torch.zeros_like(delta)
        kept[:, 0] = delta[:, 0].clamp(-1, 1)
        return kept

    delta = pgd(
        torch.zeros(3, 4),
        lambda v: v.sum(dim=1),
        project=first_coordinate_only,
        direction=torch.sign,
        step_size=0.4,
        n_steps=5,
    )
    assert torch.equal(delta[:, 1:], torch.zeros(3, 3))
    assert torch.allclose(delta[:, 0], torch.ones(3))


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_the_ball_attack_is_pgd_with_the_balls_projection_and_direction(norm):
    z = torch.randn(6, 5)
    weights = torch.randn(5)

    def loss(v):
        return torch.tanh(v @ weights)

    expected = pgd_latent_attack(
        z, loss, 0.5, 0.2, 4, norm, generator=torch.Generator().manual_seed(3)
    )
    start = random_ball_start(z, 0.5, norm, generator=torch.Generator().manual_seed(3))
    got = pgd(
        z,
        loss,
        project=ball_projection(0.5, norm),
        direction=steepest_direction(norm),
        step_size=0.2,
        n_steps=4,
        start=start,
    )
    assert torch.equal(got, expected)


def test_bad_settings_name_themselves():
    with pytest.raises(ValueError, match="norm"):
        ball_projection(1.0, "l1")
    with pytest.raises(ValueError, match="n_steps"):
        pgd(torch.zeros(1, 2), sum, project=abs, direction=abs, step_size=1.0, n_steps=-1)
