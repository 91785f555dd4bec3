"""The discriminator that sharpens the autoencoder's reconstructions (paper 000, §3.2)."""

import math

from torch import nn

from .._docs import cites

__all__ = ["Discriminator"]


@cites("kim2021")
class Discriminator(nn.Module):
    """Four affine layers with dropout between them; outputs one logit per sample.

    Kim et al. (2021), §3.4: "The discriminator for the autoencoder consists of
    four affine layers. Between each affine transformations dropout with 0.4
    probability was applied." Samples of any shape are flattened first.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    hidden : sequence of int, default=(256, 128, 64)
        Widths of the three hidden layers.
    dropout : float, default=0.4
        Dropout probability between the affine layers.
    negative_slope : float, default=0.2
        Slope of the leaky ReLUs.

    %(references)s

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import Discriminator
    >>> Discriminator((6, 32))(torch.zeros(5, 6, 32)).shape
    torch.Size([5, 1])
    """

    def __init__(self, input_shape, hidden=(256, 128, 64), dropout=0.4, negative_slope=0.2):
        super().__init__()
        widths = [math.prod(input_shape), *hidden]
        layers = []
        for width_in, width_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [
                nn.Linear(width_in, width_out),
                nn.LeakyReLU(negative_slope),
                nn.Dropout(dropout),
            ]
        layers.append(nn.Linear(widths[-1], 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.flatten(1))
