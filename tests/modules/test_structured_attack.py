"""StructuredAttack: paper 004 perturbations as an augmenter."""

import pytest
import torch
from torch.nn import functional as F

from skadvaug.augment import structured
from skadvaug.modules import CNN2dNet, StructuredAttack


def _batch(n=6):
    generator = torch.Generator().manual_seed(0)
    return torch.rand(n, 1, 8, 8, generator=generator), torch.arange(n) % 3


def _loss_fn(x, y):
    torch.manual_seed(0)
    model = CNN2dNet((1, 8, 8), 3).eval()
    return lambda images: F.cross_entropy(model(images), y, reduction="sum")


@pytest.mark.parametrize("perturbation", StructuredAttack.PERTURBATIONS)
def test_every_transform_keeps_the_shape_and_is_reproducible(perturbation):
    x, y = _batch()
    attack = StructuredAttack(perturbation, magnitude_jitter=(0.5, 1.0), clip=(0, 1))
    loss_fn = _loss_fn(x, y)
    first = attack(x, loss_fn=loss_fn, generator=torch.Generator().manual_seed(1))
    again = attack(x, loss_fn=loss_fn, generator=torch.Generator().manual_seed(1))
    assert first.shape == x.shape
    assert torch.isfinite(first).all()
    torch.testing.assert_close(first, again)
    assert not torch.equal(first, x)
    assert attack.uses_loss == (perturbation != "random_flow")


def test_jitter_makes_copies_of_one_seed_differ():
    x, y = _batch(1)
    seeds, labels = x.repeat(4, 1, 1, 1), y.repeat(4)
    attack = StructuredAttack("flow", magnitude_jitter=(0.5, 1.0))
    out = attack(seeds, loss_fn=_loss_fn(seeds, labels), generator=torch.Generator().manual_seed(0))
    assert len(torch.unique(out.flatten(1), dim=0)) == 4
    plain = StructuredAttack("flow")(seeds, loss_fn=_loss_fn(seeds, labels))
    assert len(torch.unique(plain.flatten(1), dim=0)) == 1  # without jitter: duplicates


def test_fgm_uses_the_pixel_budget_of_the_adversarial_flow():
    x, y = _batch()
    loss_fn = _loss_fn(x, y)
    flowed = StructuredAttack("flow", max_displacement=0.6)(x, loss_fn=loss_fn)
    fgm = StructuredAttack("fgm", max_displacement=0.6)(x, loss_fn=loss_fn)
    torch.testing.assert_close(
        (fgm - x).flatten(1).norm(dim=1), (flowed - x).flatten(1).norm(dim=1), rtol=1e-4, atol=1e-5
    )


def test_recolouring_bases_are_cached_per_sample_and_reused(monkeypatch):
    x, y = _batch()
    attack = StructuredAttack("recolour", n_components=3)
    calls = []
    original = structured.recolour_basis
    monkeypatch.setattr(
        structured,
        "recolour_basis",
        lambda X, *a, **k: calls.append(len(X)) or original(X, *a, **k),
    )
    first = attack(x, loss_fn=_loss_fn(x, y))
    second = attack(x[:3], loss_fn=_loss_fn(x[:3], y[:3]))
    assert calls == [6]
    assert len(attack.basis_cache) == 6
    torch.testing.assert_close(first[:3], second)


def test_recolour_and_fgm_stay_inside_budget_and_clip_over_iterations():
    x, y = _batch()
    loss_fn = _loss_fn(x, y)
    for perturbation in ("recolour", "fgm"):
        out = StructuredAttack(perturbation, n_iter=3, recolour_norm=0.5, clip=(0.0, 1.0))(
            x, loss_fn=loss_fn
        )
        assert out.min() >= 0
        assert out.max() <= 1
    out = StructuredAttack("recolour", n_iter=3, recolour_norm=0.2)(x, loss_fn=loss_fn)
    change = (out - x).flatten(1).norm(dim=1)
    assert torch.all(change <= 0.2 * x.flatten(1).norm(dim=1) + 1e-5)


def test_flat_rows_are_read_with_sample_shape():
    x, y = _batch()
    loss = _loss_fn(x, y)
    flat = StructuredAttack("flow", sample_shape=(1, 8, 8))(
        x.flatten(1), loss_fn=lambda rows: loss(rows.reshape(-1, 1, 8, 8))
    )
    torch.testing.assert_close(flat.reshape(x.shape), StructuredAttack("flow")(x, loss_fn=loss))


def test_tables_without_a_grid_and_missing_losses_are_refused():
    with pytest.raises(ValueError, match="sample_shape"):
        StructuredAttack("flow")(torch.rand(4, 5), loss_fn=lambda v: v.sum(1))
    with pytest.raises(ValueError, match="loss_fn"):
        StructuredAttack("flow")(torch.rand(4, 1, 8))
    assert StructuredAttack("fgm")(torch.rand(4, 5), loss_fn=lambda v: v.sum(1)).shape == (4, 5)
    with pytest.raises(ValueError, match="perturbation"):
        StructuredAttack("warp")
    with pytest.raises(ValueError, match="magnitude_jitter"):
        StructuredAttack("flow", magnitude_jitter=(1.0, 0.5))
    with pytest.warns(UserWarning, match="inverse"):
        StructuredAttack("recolour", weighting="inverse")
