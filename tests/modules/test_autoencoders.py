"""Autoencoders, discriminator and networks (skadvaug/modules)."""

import pytest
import torch
from torch import nn

from skadvaug.modules import (
    CNN1dNet,
    CNN2dNet,
    ConvAutoencoder1d,
    ConvAutoencoder2d,
    Discriminator,
    GRUNet,
    MLPAutoencoder,
    MLPNet,
)

AUTOENCODERS = [
    (ConvAutoencoder1d, (6, 32)),
    (ConvAutoencoder1d, (2, 37)),  # not a multiple of 16: padded and cropped
    (ConvAutoencoder1d, (1, 7)),
    (ConvAutoencoder2d, (1, 8, 8)),
    (ConvAutoencoder2d, (3, 10, 13)),
    (MLPAutoencoder, (20,)),
    (MLPAutoencoder, (1,)),
]


@pytest.mark.parametrize(("cls", "shape"), AUTOENCODERS)
def test_autoencoder_round_trip_shapes_and_gradients(cls, shape):
    torch.manual_seed(0)
    ae = cls(shape)
    x = torch.randn(4, *shape)
    z = ae.encode(x)
    assert z.shape == (4, ae.latent_dim)
    out = ae.decode(z)
    assert out.shape == x.shape
    ((out - x) ** 2).mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in ae.parameters())


def test_conv1d_autoencoder_follows_paper_000_section_3_4():
    ae = ConvAutoencoder1d((6, 32))
    convs = [m for m in ae.encoder if isinstance(m, nn.Conv1d)]
    assert [c.out_channels for c in convs] == [64, 64, 128, 256]
    assert all((c.kernel_size, c.stride, c.padding) == ((4,), (2,), (1,)) for c in convs)
    # batch norm after every encoder layer but the first
    assert sum(isinstance(m, nn.BatchNorm1d) for m in ae.encoder) == 3
    assert not isinstance(ae.encoder[1], nn.BatchNorm1d)
    deconvs = [m for m in ae.decoder if isinstance(m, nn.ConvTranspose1d)]
    assert [d.out_channels for d in deconvs] == [500, 256, 128, 64, 6]
    assert deconvs[0].kernel_size == (1,)
    assert all((d.kernel_size, d.stride) == ((4,), (2,)) for d in deconvs[1:])
    assert sum(isinstance(m, nn.BatchNorm1d) for m in ae.decoder) == 4
    # 32 time steps -> 2 latent steps x 256 channels = 512 values (paper)
    assert ae.latent_shape == (256, 2)
    assert ae.latent_dim == 512


def test_mlp_autoencoder_latent_is_smaller_than_the_input():
    assert MLPAutoencoder((20,)).latent_dim == 10
    assert MLPAutoencoder((500,)).latent_dim == 64
    assert MLPAutoencoder((20,), latent_dim=3).encode(torch.zeros(2, 20)).shape == (2, 3)


def test_discriminator_has_four_affine_layers_with_dropout_between():
    disc = Discriminator((6, 32))
    linear = [m for m in disc.layers if isinstance(m, nn.Linear)]
    dropout = [m for m in disc.layers if isinstance(m, nn.Dropout)]
    assert len(linear) == 4
    assert len(dropout) == 3
    assert all(d.p == 0.4 for d in dropout)
    assert linear[0].in_features == 6 * 32
    assert disc(torch.zeros(5, 6, 32)).shape == (5, 1)


def test_gru_surrogate_is_the_papers_prediction_model():
    net = GRUNet((6, 32), 1)
    assert net.gru.num_layers == 2
    assert net.gru.hidden_size == 15
    assert net(torch.zeros(3, 6, 32)).shape == (3, 1)


@pytest.mark.parametrize(
    ("cls", "shape"),
    [
        (MLPNet, (7,)),
        (MLPNet, (2, 9)),
        (GRUNet, (3, 20)),
        (CNN1dNet, (3, 20)),
        (CNN2dNet, (1, 8, 8)),
    ],
)
def test_networks_map_samples_to_outputs(cls, shape):
    net = cls(shape, 4)
    out = net(torch.randn(5, *shape))
    assert out.shape == (5, 4)
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
