"""Players of the three-player worst-case game (paper 002): conditional generator and critic.

Both condition on the target: a class label (one-hot, ``n_classes > 0``) or a
continuous target value (``n_classes=0``). Tables get multilayer perceptrons
(spec paper002 §1.4); sequences and images get small convolutional players whose
size follows the input shape (any length or image size).
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._augmenters import Augmenter

__all__ = ["ConditionalCritic", "ConditionalGeneration", "ConditionalGenerator"]


def _condition(y, n_classes, like):
    """One-hot classes, or the continuous target as one column."""
    if n_classes:
        return F.one_hot(y.long(), n_classes).to(like.dtype)
    return y.to(like.dtype).reshape(len(y), -1)


class ConditionalGenerator(nn.Module):
    """``G(z, y)``: a sample of the data's shape for noise ``z`` and target ``y``.

    Tables: ``[z, c(y)] -> hidden -> ReLU -> hidden -> ReLU -> d`` (spec
    paper002 §1.4). Sequences / images: ``[z, c(y)]`` -> a linear map to a
    coarse ``(hidden / 4)``-channel grid at a quarter of the resolution, two
    nearest-neighbour upsamplings each followed by a convolution and ReLU,
    resized to the exact length / size, then a 1x1 convolution to the data's
    channels. The output passes a sigmoid and is mapped to ``[low, high]``
    (``output_low``/``output_high``, per channel; default ``[0, 1]``), so
    every generated value lies in the training data's range.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    n_classes : int
        Number of classes (one-hot condition), or 0 for a continuous target.
    latent_dim : int, default=32
        Size of the noise ``z``.
    hidden : int, default=256
        Width of the hidden layers (channels of the finest conv layer x 4).
    output_low, output_high : array-like or None, default=None
        Per-channel bounds (broadcast against one sample).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ConditionalGenerator
    >>> G = ConditionalGenerator((1, 8, 8), n_classes=10, latent_dim=16)
    >>> G(torch.randn(5, 16), torch.arange(5)).shape
    torch.Size([5, 1, 8, 8])
    """

    def __init__(
        self, input_shape, n_classes, latent_dim=32, hidden=256, output_low=None, output_high=None
    ):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.n_classes = int(n_classes)
        self.latent_dim = int(latent_dim)
        n_in = self.latent_dim + (self.n_classes or 1)
        low = torch.zeros(1) if output_low is None else torch.as_tensor(output_low).float()
        high = torch.ones(1) if output_high is None else torch.as_tensor(output_high).float()
        self.register_buffer("output_low", low)
        self.register_buffer("output_high", high)
        if len(self.input_shape) == 1:
            self.body = nn.Sequential(
                nn.Linear(n_in, hidden),
                nn.ReLU(),
                nn.Linear(hidden, hidden),
                nn.ReLU(),
                nn.Linear(hidden, self.input_shape[0]),
            )
            return
        channels, *grid = self.input_shape
        conv = nn.Conv1d if len(grid) == 1 else nn.Conv2d
        width = max(8, hidden // 4)
        self.coarse = [max(1, math.ceil(size / 4)) for size in grid]
        self.project = nn.Linear(n_in, width * math.prod(self.coarse))
        self.width = width
        self.up = nn.ModuleList(
            [conv(width, width, 3, padding=1), conv(width, width // 2, 3, padding=1)]
        )
        self.out = conv(width // 2, channels, 1)

    def forward(self, z, y):
        h = torch.cat([z, _condition(y, self.n_classes, z)], dim=1)
        if len(self.input_shape) == 1:
            h = self.body(h)
        else:
            h = F.relu(self.project(h)).reshape(len(z), self.width, *self.coarse)
            for layer in self.up:
                h = F.relu(layer(F.interpolate(h, scale_factor=2, mode="nearest")))
            h = self.out(F.interpolate(h, size=self.input_shape[1:], mode="nearest"))
        return self.output_low + (self.output_high - self.output_low) * torch.sigmoid(h)


class ConditionalCritic(nn.Module):
    """``D(x, y)``: a real-valued score of sample ``x`` under target ``y``.

    No batch normalisation (it would couple the samples of a batch and break
    the per-sample gradient penalty of WGAN-GP). Tables:
    ``[x, c(y)] -> hidden -> LeakyReLU(0.2) -> hidden -> LeakyReLU(0.2) -> 1``.
    Sequences / images: the condition is broadcast as extra input channels,
    two stride-2 convolutions with LeakyReLU, global average pooling, then a
    linear layer on ``[features, c(y)]``.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    n_classes : int
        Number of classes (one-hot condition), or 0 for a continuous target.
    hidden : int, default=256
        Width of the hidden layers (channels of the last conv layer x 4).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ConditionalCritic
    >>> ConditionalCritic((3, 40), n_classes=0)(torch.randn(4, 3, 40), torch.randn(4)).shape
    torch.Size([4])
    """

    def __init__(self, input_shape, n_classes, hidden=256):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.n_classes = int(n_classes)
        n_condition = self.n_classes or 1
        if len(self.input_shape) == 1:
            self.body = nn.Sequential(
                nn.Linear(self.input_shape[0] + n_condition, hidden),
                nn.LeakyReLU(0.2),
                nn.Linear(hidden, hidden),
                nn.LeakyReLU(0.2),
                nn.Linear(hidden, 1),
            )
            return
        channels, *grid = self.input_shape
        conv = nn.Conv1d if len(grid) == 1 else nn.Conv2d
        width = max(8, hidden // 4)
        self.features = nn.Sequential(
            conv(channels + n_condition, width // 2, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            conv(width // 2, width, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
        )
        self.head = nn.Linear(width + n_condition, 1)

    def forward(self, x, y):
        condition = _condition(y, self.n_classes, x)
        if len(self.input_shape) == 1:
            return self.body(torch.cat([x.flatten(1), condition], dim=1)).squeeze(1)
        maps = condition.reshape(*condition.shape, *[1] * (x.ndim - 2)).expand(-1, -1, *x.shape[2:])
        features = self.features(torch.cat([x, maps], dim=1)).flatten(2).mean(2)
        return self.head(torch.cat([features, condition], dim=1)).squeeze(1)


class ConditionalGeneration(Augmenter):
    """A conditional generator as an augmenter: ``G(z, y)`` for each seed's target.

    The seeds' values are not used, only their targets ``y`` (required) and
    their number; ``z ~ N(0, I)`` is drawn from ``generator``. The generator is
    trained (it is a player of the game), so the output keeps its graph.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ConditionalGeneration, ConditionalGenerator
    >>> generate = ConditionalGeneration(ConditionalGenerator((4,), n_classes=2, latent_dim=8))
    >>> generate(torch.zeros(3, 4), torch.tensor([0, 1, 1])).shape
    torch.Size([3, 4])
    """

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        if y is None:
            raise ValueError("ConditionalGeneration needs the targets y to condition on.")
        z = torch.randn(
            len(x), self.generator.latent_dim, generator=generator, dtype=x.dtype, device=x.device
        )
        return self.generator(z, y).reshape(x.shape)
