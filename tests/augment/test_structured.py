"""The defining behaviours of paper 004's structured perturbations (spec paper004 §3.4)."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn

from skadvaug.augment import structured as S


def _digits(n=64):
    X, y = load_digits(return_X_y=True)
    return (
        torch.as_tensor(X[:n] / 16, dtype=torch.float64).reshape(n, 1, 8, 8),
        torch.as_tensor(y[:n]),
    )


def _sequences(n=64, length=40):
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, length)
    phase = rng.uniform(0, 1, (n, 1, 1))
    X = np.sin(2 * np.pi * (2 * t + phase)) + 0.1 * rng.standard_normal((n, 1, length))
    return torch.as_tensor(X), torch.as_tensor(rng.integers(0, 2, n))


def _smooth_model(data):
    """A fixed small conv net with smooth activations (first-order checks need no kinks)."""
    torch.manual_seed(0)
    conv = nn.Conv2d if data.ndim == 4 else nn.Conv1d
    pool = nn.AdaptiveAvgPool2d(2) if data.ndim == 4 else nn.AdaptiveAvgPool1d(4)
    model = nn.Sequential(
        conv(data.shape[1], 8, 3, padding=1),
        nn.Tanh(),
        conv(8, 8, 3, padding=1),
        nn.Tanh(),
        pool,
        nn.Flatten(),
        nn.Linear(32, 10),
    ).double()
    return model


def _loss_fn(model, y):
    return lambda x: nn.functional.cross_entropy(model(x), y, reduction="none")


def _flow_and_gradient(X, y, model, gamma, **params):
    loss_fn = _loss_fn(model, y)
    grad = S.input_gradient(loss_fn, X)
    return S.adversarial_flow(X, grad, gamma=gamma, **params), grad, loss_fn


DATA = {"image": _digits, "sequence": _sequences}


@pytest.mark.parametrize("kind", DATA)
def test_flow_raises_the_loss_as_its_first_order_prediction(kind):
    """F1/F8: L(warp(x, eps f)) - L(x) ~ eps (1/alpha) d^T A d, per sample."""
    X, y = DATA[kind]()
    model = _smooth_model(X)
    gamma, alpha, eps = (5.0 if kind == "image" else X.shape[-1] / 3), 2.0, 1e-3
    flow, grad, loss_fn = _flow_and_gradient(X, y, model, gamma, alpha=alpha, flow_scale="fixed")
    d = (grad.unsqueeze(2) * S.spatial_gradient(X)).sum(1)
    predicted = eps / alpha * (d * S.smooth(d, gamma)).flatten(1).sum(1)
    actual = (loss_fn(S.warp(X, eps * flow)) - loss_fn(X)).detach()
    assert torch.all(predicted >= 0)
    assert abs(actual.mean() / predicted.mean() - 1) < 0.1
    assert np.corrcoef(actual.numpy(), predicted.numpy())[0, 1] > 0.95


@pytest.mark.parametrize("kind", DATA)
def test_adversarial_flow_beats_a_random_smooth_flow_of_the_same_norm(kind):
    """F2/F8."""
    X, y = DATA[kind]()
    model = _smooth_model(X)
    gamma = 5.0 if kind == "image" else X.shape[-1] / 3
    flow, _, loss_fn = _flow_and_gradient(X, y, model, gamma, max_displacement=0.5)
    random = S.random_smooth_flow(
        X, gamma=gamma, max_displacement=0.5, generator=torch.Generator().manual_seed(0)
    )
    random = random * (flow.flatten(1).norm(dim=1) / random.flatten(1).norm(dim=1)).reshape(
        -1, *[1] * (flow.ndim - 1)
    )
    base = loss_fn(X)
    gain_adversarial = (loss_fn(S.warp(X, flow)) - base).detach()
    gain_random = (loss_fn(S.warp(X, random)) - base).detach()
    assert gain_adversarial.mean() > gain_random.mean()
    assert (gain_adversarial > gain_random).float().mean() >= 0.8


def _high_frequency_share(field, cutoff):
    """Share of a field's DCT energy at frequency indices summing to >= cutoff."""
    axes = S.grid_laplacian_eigs(field.shape[2:])
    if len(axes) == 1:
        spectrum = field @ axes[0][0].T
        index = torch.arange(field.shape[-1])
    else:
        (basis_h, _), (basis_w, _) = axes
        spectrum = basis_h @ field @ basis_w.T
        index = torch.arange(field.shape[-2])[:, None] + torch.arange(field.shape[-1])[None, :]
    energy = spectrum.pow(2)
    return (energy * (index >= cutoff)).flatten(1).sum(1) / energy.flatten(1).sum(1)


def _rayleigh(field):
    """Dirichlet energy over squared norm (the smoothness of a field), per sample."""
    laplacian = torch.as_tensor(S._grid_laplacian(tuple(field.shape[2:])).toarray())
    flat = field.flatten(2)
    return torch.einsum("nkp,pq,nkq->n", flat, laplacian, flat) / flat.pow(2).sum((1, 2))


@pytest.mark.parametrize("kind", DATA)
def test_flow_is_smoother_than_the_raw_gradient_and_more_so_as_gamma_grows(kind):
    """F3/F8."""
    X, y = DATA[kind]()
    model = _smooth_model(X)
    grad = S.input_gradient(_loss_fn(model, y), X)
    d = (grad.unsqueeze(2) * S.spatial_gradient(X)).sum(1)
    cutoff = 4 if kind == "image" else 8
    shares = []
    for gamma in (1.0, 5.0, 25.0):
        flow = S.adversarial_flow(X, grad, gamma=gamma, flow_scale="fixed")
        assert torch.all(_rayleigh(flow) <= _rayleigh(d) + 1e-12)
        shares.append(_high_frequency_share(flow, cutoff).mean())
    assert shares[1] <= 0.5 * _high_frequency_share(d, cutoff).mean()
    assert shares[0] > shares[1] > shares[2]


def test_gamma_zero_is_the_raw_direction_and_fixed_scale_is_one_over_alpha():
    """F4."""
    X, y = _digits(8)
    model = _smooth_model(X)
    grad = S.input_gradient(_loss_fn(model, y), X)
    d = (grad.unsqueeze(2) * S.spatial_gradient(X)).sum(1)
    flow = S.adversarial_flow(X, grad, gamma=0.0, alpha=2.0, flow_scale="fixed")
    torch.testing.assert_close(flow, -d / 2.0)
    flow_4 = S.adversarial_flow(X, grad, gamma=5.0, alpha=4.0, flow_scale="fixed")
    flow_1 = S.adversarial_flow(X, grad, gamma=5.0, alpha=1.0, flow_scale="fixed")
    torch.testing.assert_close(flow_4 * 4, flow_1)


def test_warp_is_identity_for_zero_flow_a_shift_for_integer_flow_and_follows_the_flow():
    """F5 on images and sequences."""
    image = torch.rand(3, 2, 6, 7, dtype=torch.float64)
    torch.testing.assert_close(S.warp(image, torch.zeros(3, 2, 6, 7)), image)
    shift = torch.zeros(3, 2, 6, 7)
    shift[:, 0] = 2.0  # two pixels along x (the width)
    expected = torch.cat([image[..., :1].expand(-1, -1, -1, 2), image[..., :-2]], dim=-1)
    torch.testing.assert_close(S.warp(image, shift), expected)
    shift = torch.zeros(3, 2, 6, 7)
    shift[:, 1] = -1.0  # one pixel up the height
    expected = torch.cat([image[..., 1:, :], image[..., -1:, :]], dim=-2)
    torch.testing.assert_close(S.warp(image, shift), expected)

    series = torch.zeros(1, 1, 9, dtype=torch.float64)
    series[..., 3] = 1.0
    moved = S.warp(series, torch.full((1, 1, 9), 0.5))
    assert moved[..., 3] == moved[..., 4] == 0.5  # content moves towards +t
    torch.testing.assert_close(S.warp(series, torch.zeros(1, 1, 9)), series)


@pytest.mark.parametrize("shape", [(8, 11), (150,), (1, 5), (1,)])
def test_dct_smoothing_equals_the_dense_inverse(shape):
    """F6."""
    field = torch.randn(2, len(shape), *shape, dtype=torch.float64)
    dense = S.dense_smoothing_operator(shape, 5.0)
    expected = (field.flatten(2) @ dense.T).reshape(field.shape)
    torch.testing.assert_close(S.smooth(field, 5.0), expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("kind", DATA)
@pytest.mark.parametrize("flow_scale", ["max", "rms", "fixed"])
def test_displacement_bound_holds(kind, flow_scale):
    """F7/F8: no displacement exceeds the bound ("max" reaches it)."""
    X, y = DATA[kind]()
    grad = S.input_gradient(_loss_fn(_smooth_model(X), y), X) * 1e3
    bound = torch.linspace(0.1, 1.0, len(X), dtype=torch.float64)
    flow = S.adversarial_flow(X, grad, flow_scale=flow_scale, max_displacement=bound)
    largest = flow.norm(dim=1).flatten(1).amax(1)
    if flow_scale == "rms":
        rms = flow.norm(dim=1).flatten(1).pow(2).mean(1).sqrt()
        torch.testing.assert_close(rms, bound)
    else:
        assert torch.all(largest <= bound + 1e-6)
    if flow_scale == "max":
        torch.testing.assert_close(largest, bound)


def test_default_budgets_and_zero_gradients():
    image, series = torch.rand(2, 3, 10, 20), torch.rand(2, 1, 100)
    assert S.default_max_displacement(image) == pytest.approx(1.0)
    assert S.default_max_displacement(series) == pytest.approx(3.0)
    assert S.default_gamma(image) == 5.0
    assert S.default_gamma(series) == pytest.approx(100 / 3)
    flow = S.adversarial_flow(series, torch.zeros_like(series))
    assert torch.all(flow == 0)  # no gradient, no displacement (and no NaN)


# ------------------------------------------------------------------- recolour
def _colour_images(n=16):
    """Smooth random colour images with a few sharp edges."""
    generator = torch.Generator().manual_seed(0)
    base = S.smooth(torch.rand(n, 3, 8, 8, generator=generator, dtype=torch.float64), 2.0)
    mask = torch.zeros(n, 1, 8, 8, dtype=torch.float64)
    mask[..., 2:6, 3:7] = 1.0
    return (base + 0.5 * mask).clamp(0, 1)


def _edge_mask(X, share=0.3):
    magnitude = S.spatial_gradient(X).pow(2).sum((1, 2)).flatten(1)
    threshold = magnitude.quantile(1 - share, dim=1, keepdim=True)
    return magnitude >= threshold


def _jaccard(a, b):
    return ((a & b).sum(1) / (a | b).sum(1)).double()


@pytest.mark.parametrize("make", [_colour_images, lambda: _digits(16)[0]])
def test_recolouring_raises_the_loss_and_keeps_the_edges(make):
    """R1-R3: <g, dz> >= 0; small linearised edge change; edge masks kept."""
    X = make()
    y = torch.arange(len(X)) % 10
    model = _smooth_model(X)
    grad = S.input_gradient(_loss_fn(model, y), X)
    basis, values = S.recolour_basis(X, 4)
    direction = S.recolour_direction(grad, basis)
    assert torch.all((direction * grad).flatten(1).sum(1) >= -1e-12)

    edges = S.edge_operator(X)
    ratios = []
    for i, operator in enumerate(edges):
        change, raw = direction[i].flatten().numpy(), grad[i].flatten().numpy()
        relative = np.linalg.norm(operator @ change) / max(np.linalg.norm(change), 1e-30)
        ratios.append(relative / (np.linalg.norm(operator @ raw) / np.linalg.norm(raw)))
    assert np.median(ratios) < 0.1

    recoloured = S.recolour(X, grad, basis, norm=0.3)
    raw_step = S.fgm_l2(X, grad, 0.3 * X.flatten(1).norm(dim=1))
    kept, kept_raw = (_jaccard(_edge_mask(X), _edge_mask(Z)).mean() for Z in (recoloured, raw_step))
    assert kept >= 0.9
    assert kept > kept_raw


def test_recolouring_basis_is_orthonormal_model_free_and_safe_on_constant_images():
    """R4/R5."""
    X = torch.cat([_digits(4)[0], torch.full((1, 1, 8, 8), 0.5, dtype=torch.float64)])
    basis, values = S.recolour_basis(X, 3)
    gram = basis.transpose(1, 2) @ basis
    torch.testing.assert_close(gram, torch.eye(3, dtype=gram.dtype).expand_as(gram))
    assert torch.all(values[:, :-1] <= values[:, 1:])
    again, _ = S.recolour_basis(X, 3)  # depends on the data only
    torch.testing.assert_close(
        basis @ basis.transpose(1, 2), again @ again.transpose(1, 2), atol=1e-8, rtol=0
    )
    grad = torch.randn_like(X)
    assert torch.isfinite(S.recolour(X, grad, basis)).all()


@pytest.mark.parametrize("make", [_colour_images, lambda: _digits(2)[0]])
def test_sparse_and_dense_eigensolvers_agree(make, monkeypatch):
    # k=3: colour images have a 3-fold smallest eigenvalue (a constant shift per
    # channel), so a smaller k would pick an arbitrary part of it
    X = make()[:2]
    dense, dense_values = S.recolour_basis(X, 3)
    monkeypatch.setattr(S, "_DENSE_EIGH_LIMIT", 10)
    sparse, sparse_values = S.recolour_basis(X, 3)
    torch.testing.assert_close(dense_values, sparse_values, atol=1e-9, rtol=1e-6)
    torch.testing.assert_close(
        dense @ dense.transpose(1, 2), sparse @ sparse.transpose(1, 2), atol=1e-6, rtol=0
    )


def test_inverse_weighting_warns_and_other_operators_run():
    """R6, and the two other readings of M^-1."""
    X = _digits(2)[0]
    basis, values = S.recolour_basis(X, 2)
    with pytest.warns(UserWarning, match="inverse"):
        S.recolour_direction(torch.randn_like(X), basis, values, weighting="inverse")
    for operator in ("pinv", "ridge"):
        basis, values = S.recolour_basis(X, 2, operator=operator)
        assert basis.shape == (2, 64, 2)
        assert torch.isfinite(basis).all()
    pinv_values = S.recolour_basis(X, 2, operator="pinv")[1]
    assert torch.all(pinv_values > 1e-8)  # the smallest *nonzero* eigenvalues


def test_sequences_recolour_and_warp():
    X, y = _sequences(8)
    X = torch.cat([X, X.flip(-1)], dim=1)  # two channels
    model = _smooth_model(X)
    grad = S.input_gradient(_loss_fn(model, y), X)
    basis, _ = S.recolour_basis(X, 2)
    assert basis.shape == (8, 80, 2)
    out = S.recolour(X, grad, basis, norm=0.1)
    change = (out - X).flatten(1).norm(dim=1)
    torch.testing.assert_close(change, 0.1 * X.flatten(1).norm(dim=1))


def test_recolour_clips_and_fgm_has_its_budget():
    X, y = _digits(8)
    grad = S.input_gradient(_loss_fn(_smooth_model(X), y), X)
    basis, _ = S.recolour_basis(X, 2)
    assert S.recolour(X, grad, basis, norm=2.0, clip=(0, 1)).min() >= 0
    budget = torch.linspace(0.1, 1, 8, dtype=torch.float64)
    torch.testing.assert_close((S.fgm_l2(X, grad, budget) - X).flatten(1).norm(dim=1), budget)


def test_input_gradient_leaves_parameter_gradients_alone():
    X, y = _digits(4)
    model = _smooth_model(X)
    S.input_gradient(_loss_fn(model, y), X)
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: S.smooth(torch.zeros(2, 5), 1.0), "field must be"),
        (lambda: S.smooth(torch.zeros(2, 1, 5), -1.0), "gamma must be"),
        (lambda: S.warp(torch.zeros(2, 1, 5), torch.zeros(2, 2, 5)), "flow must have shape"),
        (lambda: S.adversarial_flow(torch.zeros(2, 1, 5), torch.zeros(2, 1, 4)), "grad must"),
        (
            lambda: S.adversarial_flow(torch.zeros(2, 1, 5), torch.zeros(2, 1, 5), alpha=0),
            "alpha",
        ),
        (
            lambda: S.adversarial_flow(
                torch.zeros(2, 1, 5), torch.zeros(2, 1, 5), flow_scale="mean"
            ),
            "flow_scale",
        ),
        (lambda: S.recolour_basis(torch.zeros(2, 1, 5), 6), "n_components"),
        (lambda: S.recolour_basis(torch.zeros(2, 1, 5), operator="inv"), "photometric"),
        (lambda: S.edge_operator(torch.zeros(2, 1, 5), eps=0), "eps"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
