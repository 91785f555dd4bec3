"""One behaviour test per flow (zuko's habit): shape, gradients, exact inverse, log-det."""

import pytest
import torch

from skadvaug.modules import (
    ActNorm,
    CouplingFlow1d,
    CouplingFlow2d,
    InvertibleConv1x1,
    VectorFlow,
)

FLOWS = [
    (VectorFlow, (5,), {}),
    (VectorFlow, (4,), {"n_classes": 3}),
    (VectorFlow, (1,), {}),
    (CouplingFlow1d, (1, 9), {}),
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
    flow(x, labels if kwargs else None)  # data-dependent ActNorm initialisation
    with torch.no_grad():  # move away from the identity the couplings start at
        for parameter in flow.parameters():
            parameter.add_(0.1 * torch.randn_like(parameter))
    return flow.eval(), x.double().float(), (labels if kwargs else None)


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
