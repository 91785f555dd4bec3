"""One behaviour test per flow (zuko's habit): shape, gradients, exact inverse, log-det."""

import pytest
import torch

from skadvaug.modules import (
    ActNorm,
    CouplingFlow1d,
    CouplingFlow2d,
    InvertibleConv1x1,
    TimeSplitCoupling,
    VectorFlow,
)

FLOWS = [
    (VectorFlow, (5,), {}),
    (VectorFlow, (4,), {"n_classes": 3}),
    (VectorFlow, (1,), {}),
    (CouplingFlow1d, (1, 9), {}),
    (CouplingFlow1d, (1, 9), {"coupling": "split"}),
    (CouplingFlow1d, (3, 8), {"n_classes": 2, "coupling": "split"}),
    (CouplingFlow1d, (2, 2), {"coupling": "split"}),
    (CouplingFlow1d, (2, 1), {"coupling": "split"}),
    (CouplingFlow1d, (3, 8), {"n_classes": 2}),
    (CouplingFlow1d, (2, 1), {}),
    (CouplingFlow2d, (1, 4, 4), {}),
    (CouplingFlow2d, (2, 3, 5), {"n_classes": 2}),
]


def _flow(cls, shape, kwargs):
    torch.manual_seed(0)
    flow = cls(shape, n_steps=3, **kwargs)
    x = torch.randn(16, *shape) * 2 + 1
    labels = torch.randint(0, max(kwargs.get("n_classes", 0), 1), (16,))
    flow.train()
    flow(x, labels if "n_classes" in kwargs else None)  # data-dependent ActNorm initialisation
    with torch.no_grad():  # move away from the identity the couplings start at
        for parameter in flow.parameters():
            parameter.add_(0.1 * torch.randn_like(parameter))
    return flow.eval(), x.double().float(), (labels if "n_classes" in kwargs else None)


@pytest.mark.parametrize(("cls", "shape", "kwargs"), FLOWS)
def test_output_shape_and_gradients_reach_every_parameter(cls, shape, kwargs):
    flow, x, labels = _flow(cls, shape, kwargs)
    z, log_det = flow(x, labels)
    assert z.shape == x.shape
    assert log_det.shape == (len(x),)
    flow.log_prob(x, labels).mean().backward()
    for name, parameter in flow.named_parameters():
        assert parameter.grad is not None, name
        assert torch.isfinite(parameter.grad).all(), name


@pytest.mark.parametrize(("cls", "shape", "kwargs"), FLOWS)
def test_inverse_is_exact_in_float32(cls, shape, kwargs):
    flow, x, labels = _flow(cls, shape, kwargs)
    with torch.no_grad():
        z, _ = flow(x, labels)
        assert (flow.inverse(z, labels) - x).abs().max() <= 1e-4
        again, _ = flow(flow.inverse(z, labels), labels)
        assert (again - z).abs().max() <= 1e-4 * max(1.0, z.abs().max().item())


@pytest.mark.parametrize(("cls", "shape", "kwargs"), FLOWS)
def test_log_det_matches_autograd(cls, shape, kwargs):
    flow, x, labels = _flow(cls, shape, kwargs)
    flow = flow.double()
    for i in range(3):
        sample = x[i : i + 1].double()
        label = None if labels is None else labels[i : i + 1]

        def forward(flat, label=label):
            return flow(flat.view(1, *shape), label)[0].flatten()

        jacobian = torch.autograd.functional.jacobian(forward, sample.flatten())
        _, expected = torch.linalg.slogdet(jacobian)
        _, log_det = flow(sample, label)
        torch.testing.assert_close(log_det[0], expected, atol=1e-6, rtol=1e-6)


def test_conditional_flows_depend_on_the_class():
    flow, x, labels = _flow(CouplingFlow1d, (3, 8), {"n_classes": 2})
    with torch.no_grad():
        z0, _ = flow(x, torch.zeros_like(labels))
        z1, _ = flow(x, torch.ones_like(labels))
    assert not torch.allclose(z0, z1)


def test_actnorm_initialises_to_zero_mean_unit_variance():
    norm = ActNorm(3)
    out, _ = norm(torch.randn(500, 3, 7) * torch.tensor([1.0, 5.0, 0.1]).view(1, 3, 1) + 4)
    torch.testing.assert_close(out.mean(dim=(0, 2)), torch.zeros(3), atol=1e-4, rtol=0)
    torch.testing.assert_close(out.std(dim=(0, 2)), torch.ones(3), atol=1e-3, rtol=0)


def test_invertible_1x1_convolution_log_det_is_the_weight_s():
    mix = InvertibleConv1x1(4)
    _, log_det = mix(torch.randn(2, 4, 5))
    expected = torch.linalg.slogdet(mix.weight())[1] * 5
    torch.testing.assert_close(log_det[0], expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("shape", [(20,), (4096, 20), (3, 7, 20)])
def test_the_row_solve_lu_inverse_is_zukos(shape):
    zuko = pytest.importorskip("zuko")
    from skadvaug.modules._zuko import RowSolveLULinearTransform

    generator = torch.Generator().manual_seed(0)
    LU = 0.3 * torch.randn(20, 20, generator=generator) + 2 * torch.eye(20)
    y = torch.randn(*shape, generator=generator)
    ours = RowSolveLULinearTransform(LU)
    x = ours.inv(y)
    assert x.shape == y.shape
    torch.testing.assert_close(x, zuko.transforms.LULinearTransform(LU).inv(y))
    torch.testing.assert_close(ours(x), y)


@pytest.mark.parametrize("length", [7, 8])
def test_time_split_coupling_is_the_checkerboard_coupling_along_time(length):
    """Both parities, odd and even lengths: the unchanged half passes as is, and each
    changed step depends on its two unchanged neighbours, not on itself or other
    changed steps, and not on unchanged steps beyond the two either side that its
    two kernel-3 convolutions reach."""
    torch.manual_seed(0)
    for fixed_start in (0, 1):
        coupling = TimeSplitCoupling(2, fixed_start, hidden_channels=8, kernel_size=3)
        with torch.no_grad():
            for parameter in coupling.parameters():
                parameter.add_(0.3 * torch.randn_like(parameter))
        x = torch.randn(1, 2, length, dtype=torch.float64)
        coupling = coupling.double()
        out, _ = coupling(x)
        assert torch.equal(out[..., fixed_start::2], x[..., fixed_start::2])
        jacobian = torch.autograd.functional.jacobian(
            lambda flat, coupling=coupling: coupling(flat.view(1, 2, length))[0].flatten(),
            x.flatten(),
        ).view(2, length, 2, length)
        reach = 0
        for t in range(1 - fixed_start, length, 2):
            depends_on = {s for s in range(length) if jacobian[:, t, :, s].abs().sum() > 0}
            neighbours = {s for s in (t - 1, t + 1) if 0 <= s < length}
            assert neighbours | {t} <= depends_on
            assert all(s % 2 == fixed_start for s in depends_on - {t})
            reach = max(reach, *(abs(s - t) for s in depends_on))
        assert reach == 5


def test_split_coupling_flow_uses_time_split_couplings_and_checks_its_option():
    assert any(
        isinstance(layer, TimeSplitCoupling)
        for layer in CouplingFlow1d((2, 8), coupling="split").layers
    )
    assert not any(isinstance(layer, TimeSplitCoupling) for layer in CouplingFlow1d((2, 8)).layers)
    with pytest.raises(ValueError, match="coupling must be"):
        CouplingFlow1d((2, 8), coupling="squeeze")
    with pytest.raises(ValueError, match="fixed_start"):
        TimeSplitCoupling(2, fixed_start=2)
