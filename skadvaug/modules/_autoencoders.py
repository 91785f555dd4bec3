"""Autoencoders per data kind; each exposes ``encode`` (to a flat latent) and ``decode``.

Every module takes the shape of one sample, ``input_shape``, first, so a net can
build it from the data it is fitted on.
"""

import math

from torch import nn
from torch.nn import functional as F

from .._docs import cites

__all__ = ["ConvAutoencoder1d", "ConvAutoencoder2d", "MLPAutoencoder"]


def _padded(size, factor):
    return max(factor, math.ceil(size / factor) * factor)


class _ConvAutoencoder(nn.Module):
    """Shared body of the 1-D and 2-D convolutional autoencoders.

    Encoder: ``len(channels)`` convolutions with kernel 4, stride 2, padding 1,
    batch norm after all but the first, leaky ReLU between layers. Decoder: a
    kernel-1 transposed convolution to ``decoder_width`` channels, then one
    transposed convolution (kernel 4, stride 2, padding 1) per encoder layer back
    to the input channels, batch norm after all but the first (Kim et al. 2021,
    §3.4). Inputs are padded (edge values) to a multiple of ``2 ** depth`` per
    spatial axis and outputs cropped back, so any size works.
    """

    _conv = _conv_t = _norm = None  # set by subclasses
    _pad_mode = "replicate"

    def __init__(self, input_shape, channels, decoder_width, negative_slope):
        super().__init__()
        if len(channels) < 1:
            raise ValueError("channels must name at least one encoder layer.")
        self.input_shape = tuple(int(s) for s in input_shape)
        n_channels, *spatial = self.input_shape
        factor = 2 ** len(channels)
        self.padded_shape = tuple(_padded(s, factor) for s in spatial)
        self.latent_shape = (channels[-1], *(s // factor for s in self.padded_shape))
        self.latent_dim = math.prod(self.latent_shape)

        encoder, in_channels = [], n_channels
        for i, out_channels in enumerate(channels):
            encoder.append(self._conv(in_channels, out_channels, 4, 2, 1))
            if i > 0:
                encoder.append(self._norm(out_channels))
            if i < len(channels) - 1:
                encoder.append(nn.LeakyReLU(negative_slope))
            in_channels = out_channels
        self.encoder = nn.Sequential(*encoder)

        decoder = [self._conv_t(channels[-1], decoder_width, 1), nn.LeakyReLU(negative_slope)]
        widths = [*reversed(channels[1:]), n_channels]
        in_channels = decoder_width
        for i, out_channels in enumerate(widths):
            decoder += [self._conv_t(in_channels, out_channels, 4, 2, 1), self._norm(out_channels)]
            if i < len(widths) - 1:
                decoder.append(nn.LeakyReLU(negative_slope))
            in_channels = out_channels
        self.decoder = nn.Sequential(*decoder)

    def _pad(self, x):
        pad = []
        for size, target in zip(reversed(x.shape[2:]), reversed(self.padded_shape), strict=True):
            pad += [0, target - size]
        return F.pad(x, pad, mode=self._pad_mode) if any(pad) else x

    def encode(self, x):
        """``(n, *input_shape)`` -> flat latent ``(n, latent_dim)``."""
        return self.encoder(self._pad(x)).flatten(1)

    def decode(self, z):
        """Flat latent ``(n, latent_dim)`` -> ``(n, *input_shape)``."""
        out = self.decoder(z.view(-1, *self.latent_shape))
        crop = tuple(slice(0, s) for s in self.input_shape[1:])
        return out[(Ellipsis, *crop)]

    def forward(self, x):
        return self.decode(self.encode(x))


@cites("kim2021")
class ConvAutoencoder1d(_ConvAutoencoder):
    """Conv1d autoencoder for sequences ``(n, channels, timepoints)`` (Kim et al. 2021, §3.4).

    With the defaults and 32 time steps the latent is 256 channels x 2 steps =
    512 values, as in the paper.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_timepoints)``.
    channels : sequence of int, default=(64, 64, 128, 256)
        Output channels of the encoder layers.
    decoder_width : int, default=500
        Channels of the decoder's kernel-1 first layer.
    negative_slope : float, default=0.2
        Slope of the leaky ReLUs.

    %(references)s

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ConvAutoencoder1d
    >>> ae = ConvAutoencoder1d((6, 32))
    >>> ae.latent_dim, ae(torch.zeros(4, 6, 32)).shape
    (512, torch.Size([4, 6, 32]))
    """

    _conv, _conv_t, _norm = nn.Conv1d, nn.ConvTranspose1d, nn.BatchNorm1d

    def __init__(
        self, input_shape, channels=(64, 64, 128, 256), decoder_width=500, negative_slope=0.2
    ):
        if len(input_shape) != 2:
            raise ValueError(f"input_shape must be (n_channels, n_timepoints); got {input_shape}.")
        super().__init__(input_shape, channels, decoder_width, negative_slope)


class ConvAutoencoder2d(_ConvAutoencoder):
    """Conv2d autoencoder for images ``(n, channels, height, width)``.

    The 2-D counterpart of :class:`ConvAutoencoder1d` (same layer pattern).

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, height, width)``.
    channels : sequence of int, default=(32, 64, 128)
        Output channels of the encoder layers.
    decoder_width : int, default=256
        Channels of the decoder's kernel-1 first layer.
    negative_slope : float, default=0.2
        Slope of the leaky ReLUs.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ConvAutoencoder2d
    >>> ConvAutoencoder2d((1, 8, 8))(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 1, 8, 8])
    """

    _conv, _conv_t, _norm = nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d

    def __init__(self, input_shape, channels=(32, 64, 128), decoder_width=256, negative_slope=0.2):
        if len(input_shape) != 3:
            raise ValueError(f"input_shape must be (n_channels, height, width); got {input_shape}.")
        super().__init__(input_shape, channels, decoder_width, negative_slope)


class MLPAutoencoder(nn.Module):
    """Fully connected autoencoder for tables ``(n, n_features)``.

    Encoder: linear layers of ``hidden`` widths with batch norm and leaky ReLU,
    then a linear map to ``latent_dim``; the decoder mirrors it. The default
    latent is half the number of features (at most 64): smaller than the input,
    so the autoencoder cannot just copy it (Kim et al. 2021, §3.1).

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_features,)``.
    hidden : sequence of int, default=(128, 64)
        Widths of the hidden layers of the encoder.
    latent_dim : int, default=None
        Size of the latent; ``None`` gives ``min(64, ceil(n_features / 2))``.
    negative_slope : float, default=0.2
        Slope of the leaky ReLUs.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import MLPAutoencoder
    >>> ae = MLPAutoencoder((20,))
    >>> ae.latent_dim, ae.encode(torch.zeros(3, 20)).shape
    (10, torch.Size([3, 10]))
    """

    def __init__(self, input_shape, hidden=(128, 64), latent_dim=None, negative_slope=0.2):
        super().__init__()
        if len(input_shape) != 1:
            raise ValueError(f"input_shape must be (n_features,); got {input_shape}.")
        self.input_shape = (int(input_shape[0]),)
        n_features = self.input_shape[0]
        if latent_dim is None:
            latent_dim = min(64, math.ceil(n_features / 2))
        self.latent_dim = int(latent_dim)

        def stack(widths):
            layers = []
            for width_in, width_out in zip(widths[:-2], widths[1:-1], strict=True):
                layers += [
                    nn.Linear(width_in, width_out),
                    nn.BatchNorm1d(width_out),
                    nn.LeakyReLU(negative_slope),
                ]
            layers.append(nn.Linear(widths[-2], widths[-1]))
            return nn.Sequential(*layers)

        self.encoder = stack([n_features, *hidden, self.latent_dim])
        self.decoder = stack([self.latent_dim, *reversed(hidden), n_features])

    def encode(self, x):
        return self.encoder(x.flatten(1))

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))
