"""Exactly invertible normalizing flows for every data kind (paper 003).

Every flow maps a sample ``x`` of shape ``input_shape`` to a latent ``z`` of the
same size under a standard normal base and offers::

    z, log_det = flow(x, y)        # forward, log|det dz/dx| per sample
    x = flow.inverse(z, y)         # exact inverse
    flow.log_prob(x, y)            # log-likelihood per sample

``y`` is the class of each sample when the flow is class-conditional
(``n_classes > 0``, the paper's FashionMNIST set-up) and ``None`` otherwise.

- :class:`VectorFlow` (tables) is built from zuko's transforms: zuko is a
  well-kept flow library and covers vectors fully.
- :class:`CouplingFlow1d` / :class:`CouplingFlow2d` (sequences / images) are
  written here because zuko has no convolutional couplings: steps of Glow's
  activation normalisation, invertible 1x1 convolution (LU-parametrised) and an
  affine coupling whose scale and shift come from a small convolutional network
  (Kingma & Dhariwal 2018), alternating over time steps / pixels as RealNVP's
  checkerboard masks do so that single-channel data of any length couples too
  (Dinh et al. 2017); along time the coupling's network can run on the
  unchanged half only (:class:`TimeSplitCoupling`, ``coupling="split"``).

References
----------
.. [1] D. P. Kingma and P. Dhariwal, "Glow: Generative flow with invertible 1x1
   convolutions", NeurIPS 2018.
.. [2] L. Dinh, J. Sohl-Dickstein and S. Bengio, "Density estimation using Real
   NVP", ICLR 2017.
.. [3] O. K. Yüksel, S. U. Stich, M. Jaggi and T. Chavdarova, "Semantic
   perturbations with normalizing flows for improved generalization", ICCV 2021.
"""

import math
import warnings
from numbers import Integral

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "ActNorm",
    "AffineCoupling",
    "CouplingFlow1d",
    "CouplingFlow2d",
    "InvertibleConv1x1",
    "TimeSplitCoupling",
    "VectorFlow",
]

_LOG_2PI = math.log(2 * math.pi)


def standard_normal_log_prob(z):
    """Log-density of ``z`` under ``N(0, I)``, summed over all but the first axis."""
    return -0.5 * (z.pow(2) + _LOG_2PI).flatten(1).sum(dim=1)


def _spatial_size(x):
    return math.prod(x.shape[2:]) if x.ndim > 2 else 1


def _per_channel(v, x):
    return v.view(1, -1, *([1] * (x.ndim - 2)))


class ActNorm(nn.Module):
    """Per-channel affine ``y = (x + bias) * exp(log_scale)`` (Glow).

    The first batch seen in training mode initialises it so that its output has
    zero mean and unit variance per channel.

    Parameters
    ----------
    n_channels : int
        Channels (dimension 1 of the input).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ActNorm
    >>> y, log_det = ActNorm(3)(torch.randn(8, 3, 5) * 4 + 2)
    >>> y.shape, log_det.shape
    (torch.Size([8, 3, 5]), torch.Size([8]))
    """

    def __init__(self, n_channels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n_channels))
        self.log_scale = nn.Parameter(torch.zeros(n_channels))
        self.register_buffer("initialized", torch.tensor(False))

    @torch.no_grad()
    def _initialize(self, x):
        dims = [d for d in range(x.ndim) if d != 1]
        self.bias.copy_(-x.mean(dim=dims))
        self.log_scale.copy_(-torch.log(x.std(dim=dims) + 1e-6))
        self.initialized.fill_(True)

    def forward(self, x, y=None):
        if self.training and not self.initialized:
            self._initialize(x)
        out = (x + _per_channel(self.bias, x)) * _per_channel(self.log_scale.exp(), x)
        log_det = self.log_scale.sum() * _spatial_size(x)
        return out, log_det.expand(x.shape[0])

    def inverse(self, z, y=None):
        return z * _per_channel((-self.log_scale).exp(), z) - _per_channel(self.bias, z)


class InvertibleConv1x1(nn.Module):
    """Invertible channel mixing ``W x`` with ``W = P L (U + diag(sign * exp(log_s)))`` (Glow).

    The LU parametrisation makes ``log|det W| = sum(log_s)`` cheap; ``W`` starts
    as a random rotation.

    Parameters
    ----------
    n_channels : int
        Channels to mix.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import InvertibleConv1x1
    >>> mix = InvertibleConv1x1(4)
    >>> x = torch.randn(2, 4, 6)
    >>> torch.allclose(mix.inverse(mix(x)[0]), x, atol=1e-5)
    True
    """

    def __init__(self, n_channels):
        super().__init__()
        rotation, _ = torch.linalg.qr(torch.randn(n_channels, n_channels))
        P, L, U = torch.linalg.lu(rotation)
        diagonal = torch.diagonal(U)
        self.register_buffer("permutation", P)
        self.register_buffer("sign", torch.sign(diagonal))
        self.register_buffer("lower_mask", torch.tril(torch.ones(n_channels, n_channels), -1))
        self.lower = nn.Parameter(L)
        self.upper = nn.Parameter(torch.triu(U, 1))
        self.log_s = nn.Parameter(torch.log(diagonal.abs()))

    def weight(self):
        eye = torch.eye(self.lower.shape[0], device=self.lower.device, dtype=self.lower.dtype)
        lower = self.lower * self.lower_mask + eye
        upper = self.upper * self.lower_mask.T + torch.diag(self.sign * self.log_s.exp())
        return self.permutation @ lower @ upper

    def forward(self, x, y=None):
        out = torch.einsum("ij,bj...->bi...", self.weight(), x)
        log_det = self.log_s.sum() * _spatial_size(x)
        return out, log_det.expand(x.shape[0])

    def inverse(self, z, y=None):
        weight_inverse = torch.linalg.inv(self.weight().double()).to(z.dtype)
        return torch.einsum("ij,bj...->bi...", weight_inverse, z)


def _coupling_network(conv, n_channels, n_classes, hidden_channels, kernel_size):
    """The couplings' conditioner: convolutions to a raw scale and shift per channel,
    the last layer at zero so that a coupling starts as the identity."""
    padding = kernel_size // 2
    net = nn.Sequential(
        conv(n_channels + n_classes, hidden_channels, kernel_size, padding=padding),
        nn.ReLU(),
        conv(hidden_channels, hidden_channels, 1),
        nn.ReLU(),
        conv(hidden_channels, 2 * n_channels, kernel_size, padding=padding),
    )
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


class AffineCoupling(nn.Module):
    """Masked affine coupling ``y = m*x + (1-m)*(x * s(m*x) + t(m*x))``.

    ``m`` is a fixed binary mask over (channel, time / pixel) positions; the
    scale ``s = sigmoid(h + 2)`` (Glow's stable form) and shift ``t`` come from a
    convolutional network fed with the masked input and, when conditional, a
    one-hot class map. The last layer starts at zero, so the coupling starts as
    the identity.

    Parameters
    ----------
    mask : torch.Tensor of shape input_shape
        1 where values pass unchanged and condition the others.
    hidden_channels : int, default=64
        Width of the conditioner network.
    n_classes : int, default=0
        Classes conditioned on (0: unconditional).
    kernel_size : int, default=3
        Kernel of the conditioner's outer convolutions.
    """

    def __init__(self, mask, hidden_channels=64, n_classes=0, kernel_size=3):
        super().__init__()
        self.register_buffer("mask", mask.float())
        self.n_classes = n_classes
        conv = nn.Conv1d if mask.ndim == 2 else nn.Conv2d
        self.net = _coupling_network(conv, mask.shape[0], n_classes, hidden_channels, kernel_size)

    def _scale_shift(self, x_masked, y):
        inputs = x_masked
        if self.n_classes:
            one_hot = F.one_hot(y.long(), self.n_classes).to(x_masked.dtype)
            maps = one_hot.view(*one_hot.shape, *([1] * (x_masked.ndim - 2)))
            inputs = torch.cat([x_masked, maps.expand(-1, -1, *x_masked.shape[2:])], dim=1)
        raw_scale, shift = self.net(inputs).chunk(2, dim=1)
        log_scale = F.logsigmoid(raw_scale + 2.0)
        free = 1.0 - self.mask
        return log_scale * free, shift * free

    def forward(self, x, y=None):
        log_scale, shift = self._scale_shift(x * self.mask, y)
        return x * log_scale.exp() + shift, log_scale.flatten(1).sum(dim=1)

    def inverse(self, z, y=None):
        log_scale, shift = self._scale_shift(z * self.mask, y)
        return (z - shift) * (-log_scale).exp()


class TimeSplitCoupling(nn.Module):
    """Affine coupling of alternate time steps of a sequence.

    The values at every other time step pass unchanged and set the scale and
    shift of the steps between them: the transformation of
    :class:`AffineCoupling` with a checkerboard mask along time, but the
    conditioner network runs on the unchanged half only, so it does about half
    the arithmetic and each kernel spans twice the time (RealNVP's squeeze, done
    without reshaping so that sequences of any length couple). The last layer
    starts at zero, so the coupling starts as the identity.

    Parameters
    ----------
    n_channels : int
        Channels of the sequence.
    fixed_start : {0, 1}
        First time step that passes unchanged (then every second one).
    hidden_channels : int, default=64
        Width of the conditioner network.
    n_classes : int, default=0
        Classes conditioned on (0: unconditional).
    kernel_size : int, default=3
        Kernel of the conditioner's outer convolutions, over the unchanged steps.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import TimeSplitCoupling
    >>> coupling = TimeSplitCoupling(2, fixed_start=1)
    >>> x = torch.randn(4, 2, 7)
    >>> y, log_det = coupling(x)
    >>> bool(torch.equal(y[..., 1::2], x[..., 1::2])), log_det.shape
    (True, torch.Size([4]))
    """

    def __init__(self, n_channels, fixed_start, hidden_channels=64, n_classes=0, kernel_size=3):
        super().__init__()
        if fixed_start not in (0, 1):
            raise ValueError(f"fixed_start must be 0 or 1; got {fixed_start}.")
        self.fixed_start = int(fixed_start)
        self.n_classes = n_classes
        self.net = _coupling_network(nn.Conv1d, n_channels, n_classes, hidden_channels, kernel_size)

    def _scale_shift(self, fixed, y, n_free):
        # Output i must sit between the unchanged steps around free step i: when the
        # unchanged steps start at 1, free step 2i lies between unchanged i-1 and i.
        inputs = F.pad(fixed, (1, 0)) if self.fixed_start else fixed
        if self.n_classes:
            one_hot = F.one_hot(y.long(), self.n_classes).to(fixed.dtype)
            inputs = torch.cat([inputs, one_hot[..., None].expand(-1, -1, inputs.shape[-1])], 1)
        raw_scale, shift = self.net(inputs)[..., :n_free].chunk(2, dim=1)
        return F.logsigmoid(raw_scale + 2.0), shift

    def _merge(self, fixed, free):
        out = fixed.new_empty(*fixed.shape[:-1], fixed.shape[-1] + free.shape[-1])
        out[..., self.fixed_start :: 2] = fixed
        out[..., 1 - self.fixed_start :: 2] = free
        return out

    def forward(self, x, y=None):
        fixed, free = x[..., self.fixed_start :: 2], x[..., 1 - self.fixed_start :: 2]
        log_scale, shift = self._scale_shift(fixed, y, free.shape[-1])
        out = self._merge(fixed, free * log_scale.exp() + shift)
        return out, log_scale.flatten(1).sum(dim=1)

    def inverse(self, z, y=None):
        fixed, free = z[..., self.fixed_start :: 2], z[..., 1 - self.fixed_start :: 2]
        log_scale, shift = self._scale_shift(fixed, y, free.shape[-1])
        return self._merge(fixed, (free - shift) * (-log_scale).exp())


def _checkerboard(shape, parity):
    grids = torch.meshgrid(*[torch.arange(s) for s in shape[1:]], indexing="ij")
    board = (sum(grids) + parity) % 2
    return board.unsqueeze(0).expand(*shape).clone()


def _channel_mask(shape, parity):
    mask = torch.zeros(shape)
    half = shape[0] // 2
    if parity:
        mask[half:] = 1
    else:
        mask[:half] = 1
    return mask


class _ConvCouplingFlow(nn.Module):
    """Steps of ActNorm -> invertible 1x1 convolution -> masked affine coupling."""

    def __init__(
        self, input_shape, n_steps, hidden_channels, n_classes, kernel_size, split_time=False
    ):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        self.latent_dim = math.prod(self.input_shape)
        self.n_classes = int(n_classes)
        n_channels = self.input_shape[0]
        spatial = math.prod(self.input_shape[1:])
        layers = []
        for step in range(n_steps):
            layers.append(ActNorm(n_channels))
            if n_channels > 1:
                layers.append(InvertibleConv1x1(n_channels))
            if split_time:
                layers.append(
                    TimeSplitCoupling(
                        n_channels, 1 - step % 2, hidden_channels, self.n_classes, kernel_size
                    )
                )
                continue
            if spatial > 1:
                mask = _checkerboard(self.input_shape, step % 2)
            elif n_channels > 1:
                mask = _channel_mask(self.input_shape, step % 2)
            else:
                continue  # one value per sample: nothing to couple with
            layers.append(AffineCoupling(mask, hidden_channels, self.n_classes, kernel_size))
        self.layers = nn.ModuleList(layers)

    def forward(self, x, y=None):
        log_det = torch.zeros(x.shape[0], device=x.device, dtype=x.dtype)
        for layer in self.layers:
            x, layer_log_det = layer(x, y)
            log_det = log_det + layer_log_det
        return x, log_det

    def inverse(self, z, y=None):
        for layer in reversed(self.layers):
            z = layer.inverse(z, y)
        return z

    def log_prob(self, x, y=None):
        z, log_det = self(x, y)
        return standard_normal_log_prob(z) + log_det


def _renamed_width(flow, hidden, hidden_channels):
    if hidden_channels is None:
        return hidden
    warnings.warn(
        f"{type(flow).__name__}: 'hidden_channels' was renamed 'hidden' in 0.2 and the old "
        "name will stop working in 0.3.",
        FutureWarning,
        stacklevel=3,
    )
    return hidden_channels


class CouplingFlow1d(_ConvCouplingFlow):
    """Glow-style coupling flow for sequences ``(n, channels, timepoints)``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_timepoints)``.
    n_steps : int, default=8
        Flow steps (ActNorm, 1x1 convolution, coupling).
    hidden : int, default=64
        Width (channels) of the coupling networks (``hidden_channels`` before 0.2).
    n_classes : int, default=0
        Classes for a class-conditional flow (0: unconditional).
    kernel_size : int, default=3
        Kernel of the coupling networks.
    coupling : {"checkerboard", "split"}, default="checkerboard"
        ``"checkerboard"``: :class:`AffineCoupling` with a checkerboard mask along
        time, its network run over the whole (masked) sequence. ``"split"``:
        :class:`TimeSplitCoupling`, the same alternation with the network run on
        the unchanged half only (Glow's squeeze without the reshape): about half
        the arithmetic per step, and each kernel spans twice the time. The
        default stays ``"checkerboard"``, the form the benchmark results were
        made with.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import CouplingFlow1d
    >>> flow = CouplingFlow1d((2, 16)).eval()
    >>> x = torch.randn(4, 2, 16)
    >>> z, log_det = flow(x)
    >>> bool((flow.inverse(z) - x).abs().max() < 1e-4)
    True
    """

    def __init__(
        self,
        input_shape,
        n_steps=8,
        hidden=64,
        n_classes=0,
        kernel_size=3,
        hidden_channels=None,
        coupling="checkerboard",
    ):
        if len(input_shape) != 2:
            raise ValueError(f"input_shape must be (n_channels, n_timepoints); got {input_shape}.")
        if coupling not in ("checkerboard", "split"):
            raise ValueError(f"coupling must be 'checkerboard' or 'split'; got {coupling!r}.")
        hidden = _renamed_width(self, hidden, hidden_channels)
        split_time = coupling == "split" and input_shape[1] > 1
        super().__init__(input_shape, n_steps, hidden, n_classes, kernel_size, split_time)


class CouplingFlow2d(_ConvCouplingFlow):
    """Glow-style coupling flow for images ``(n, channels, height, width)``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, height, width)``.
    n_steps : int, default=8
        Flow steps (ActNorm, 1x1 convolution, coupling).
    hidden : int, default=64
        Width (channels) of the coupling networks (``hidden_channels`` before 0.2).
    n_classes : int, default=0
        Classes for a class-conditional flow (0: unconditional).
    kernel_size : int, default=3
        Kernel of the coupling networks.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import CouplingFlow2d
    >>> CouplingFlow2d((1, 8, 8)).log_prob(torch.randn(3, 1, 8, 8)).shape
    torch.Size([3])
    """

    def __init__(
        self, input_shape, n_steps=8, hidden=64, n_classes=0, kernel_size=3, hidden_channels=None
    ):
        if len(input_shape) != 3:
            raise ValueError(f"input_shape must be (n_channels, height, width); got {input_shape}.")
        hidden = _renamed_width(self, hidden, hidden_channels)
        super().__init__(input_shape, n_steps, hidden, n_classes, kernel_size)


def _elementwise_affine(shift, scale):
    """A learnable per-feature affine map acting on whole vectors (event dim 1)."""
    from zuko.transforms import DependentTransform, MonotonicAffineTransform

    return DependentTransform(MonotonicAffineTransform(shift, scale), 1)


class VectorFlow(nn.Module):
    """RealNVP-style flow for tables ``(n, n_features)``, built from zuko's transforms.

    Each step is an element-wise affine map (the role of ActNorm; features come
    standardised, so identity is a good start), an invertible LU-parametrised
    linear mixing and an affine coupling over alternating feature masks whose
    scale and shift come from an MLP (zuko's ``GeneralCouplingTransform``); the
    base is ``N(0, I)``. Class-conditional flows feed the one-hot class to every
    coupling's MLP.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_features,)``.
    n_steps : int, default=8
        Flow steps.
    hidden : int or sequence of int, default=64
        Hidden widths of the coupling MLPs (an int: two layers of that width).
    n_classes : int, default=0
        Classes for a class-conditional flow (0: unconditional).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import VectorFlow
    >>> flow = VectorFlow((5,))
    >>> x = torch.randn(3, 5)
    >>> z, log_det = flow(x)
    >>> bool((flow.inverse(z) - x).abs().max() < 1e-5)
    True
    """

    def __init__(self, input_shape, n_steps=8, hidden=64, n_classes=0):
        super().__init__()
        try:
            import zuko
        except ImportError as exc:  # pragma: no cover - exercised without zuko only
            raise ImportError(
                "Flows on tabular data use zuko: pip install 'skadvaug[flows]'."
            ) from exc
        from zuko.lazy import Flow, UnconditionalDistribution, UnconditionalTransform

        from ._zuko import RowSolveLULinearTransform

        if len(input_shape) != 1:
            raise ValueError(f"input_shape must be (n_features,); got {input_shape}.")
        self.input_shape = (int(input_shape[0]),)
        self.latent_dim = n_features = self.input_shape[0]
        self.n_classes = int(n_classes)
        widths = (int(hidden),) * 2 if isinstance(hidden, Integral) else tuple(hidden)
        transforms = []
        for step in range(n_steps):
            transforms.append(
                UnconditionalTransform(
                    _elementwise_affine, torch.zeros(n_features), torch.zeros(n_features)
                )
            )
            if n_features > 1:
                transforms.append(
                    UnconditionalTransform(RowSolveLULinearTransform, torch.eye(n_features))
                )
            mask = torch.arange(n_features) % 2 == step % 2
            if n_features > 1 or self.n_classes:
                transforms.append(
                    zuko.flows.GeneralCouplingTransform(
                        n_features, self.n_classes, mask=mask, hidden_features=widths
                    )
                )
        base = UnconditionalDistribution(
            zuko.distributions.DiagNormal,
            torch.zeros(n_features),
            torch.ones(n_features),
            buffer=True,
        )
        self.flow = Flow(transforms, base)

    def _transform(self, y):
        context = None
        if self.n_classes:
            context = F.one_hot(y.long(), self.n_classes).float()
        return self.flow(context).transform

    def forward(self, x, y=None):
        return self._transform(y).call_and_ladj(x)

    def inverse(self, z, y=None):
        return self._transform(y).inv(z)

    def log_prob(self, x, y=None):
        z, log_det = self(x, y)
        return standard_normal_log_prob(z) + log_det
