"""Small downstream networks per data kind: surrogates and benchmark models.

Each takes ``input_shape`` (one sample) and ``n_outputs`` (classes, or 1 for
regression) and returns ``(n, n_outputs)`` logits / predictions.
"""

import math

from torch import nn

from .._docs import cites

__all__ = ["CNN1dNet", "CNN2dNet", "GRUNet", "MLPNet"]


class MLPNet(nn.Module):
    """Multilayer perceptron on flattened samples.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    n_outputs : int
        Output size.
    hidden : sequence of int, default=(64, 64)
        Hidden widths.
    dropout : float, default=0.0
        Dropout after each hidden layer.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import MLPNet
    >>> MLPNet((5,), 3)(torch.zeros(2, 5)).shape
    torch.Size([2, 3])
    """

    def __init__(self, input_shape, n_outputs, hidden=(64, 64), dropout=0.0):
        super().__init__()
        widths = [math.prod(input_shape), *hidden]
        layers = []
        for width_in, width_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Linear(width_in, width_out), nn.ReLU(), nn.Dropout(dropout)]
        layers.append(nn.Linear(widths[-1], n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X.flatten(1))


@cites("kim2021")
class GRUNet(nn.Module):
    """GRU over the time axis of ``(n, channels, timepoints)``, linear head on the last state.

    The defaults are paper 000's prediction model (§4.2): two layers of 15 units.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_timepoints)``.
    n_outputs : int
        Output size.
    hidden_size : int, default=15
        Units per layer.
    num_layers : int, default=2
        Stacked GRU layers.

    %(references)s

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import GRUNet
    >>> GRUNet((6, 32), 1)(torch.zeros(4, 6, 32)).shape
    torch.Size([4, 1])
    """

    def __init__(self, input_shape, n_outputs, hidden_size=15, num_layers=2):
        super().__init__()
        self.gru = nn.GRU(input_shape[0], hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, n_outputs)

    def forward(self, X):
        output, _ = self.gru(X.transpose(1, 2))
        return self.head(output[:, -1])


class _CNN(nn.Module):
    _conv = _norm = _pool = None

    def __init__(self, input_shape, n_outputs, channels, kernel_size):
        super().__init__()
        layers, in_channels = [], input_shape[0]
        for out_channels in channels:
            layers += [
                self._conv(in_channels, out_channels, kernel_size, padding=kernel_size // 2),
                self._norm(out_channels),
                nn.ReLU(),
            ]
            in_channels = out_channels
        layers.append(self._pool(1))
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(in_channels, n_outputs)

    def forward(self, X):
        return self.head(self.features(X).flatten(1))


class CNN1dNet(_CNN):
    """1-D CNN for sequences: conv-BN-ReLU blocks, global average pooling, linear head.

    The fully convolutional baseline of Wang et al. (2017) in small.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_timepoints)``.
    n_outputs : int
        Output size.
    channels : sequence of int, default=(32, 64, 32)
        Channels of the convolution blocks.
    kernel_size : int, default=5
        Kernel size.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import CNN1dNet
    >>> CNN1dNet((2, 50), 3)(torch.zeros(4, 2, 50)).shape
    torch.Size([4, 3])
    """

    _conv, _norm, _pool = nn.Conv1d, nn.BatchNorm1d, nn.AdaptiveAvgPool1d

    def __init__(self, input_shape, n_outputs, channels=(32, 64, 32), kernel_size=5):
        super().__init__(input_shape, n_outputs, channels, kernel_size)


class CNN2dNet(_CNN):
    """Small 2-D CNN for images: conv-BN-ReLU blocks, global average pooling, linear head.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, height, width)``.
    n_outputs : int
        Output size.
    channels : sequence of int, default=(32, 64)
        Channels of the convolution blocks.
    kernel_size : int, default=3
        Kernel size.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import CNN2dNet
    >>> CNN2dNet((1, 8, 8), 10)(torch.zeros(4, 1, 8, 8)).shape
    torch.Size([4, 10])
    """

    _conv, _norm, _pool = nn.Conv2d, nn.BatchNorm2d, nn.AdaptiveAvgPool2d

    def __init__(self, input_shape, n_outputs, channels=(32, 64), kernel_size=3):
        super().__init__(input_shape, n_outputs, channels, kernel_size)
