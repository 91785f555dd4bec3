"""LEAVES (paper 001): the learned view generator, the contrastive loss and 1-D encoders."""

import torch
from torch import nn
from torch.nn import functional as F

from .._docs import cites
from ..augment import differentiable
from ._augmenters import Augmenter, ClassicAugmenter

__all__ = [
    "LearnedViews",
    "NTXentLoss",
    "RandomViews",
    "ResNet18Encoder1d",
    "SmallCNNEncoder1d",
    "ViewMaker1d",
]

VIEW_OPS = ("jitter", "scaling", "magnitude_warp", "time_distortion", "permutation")


def minmax_per_channel(x):
    """Each series of each sample scaled to [0, 1] (LEAVES' views and inputs)."""
    shifted = x - x.amin(dim=-1, keepdim=True)
    return shifted / (shifted.amax(dim=-1, keepdim=True) + 1e-8)


@cites("yu2022")
class LearnedViews(Augmenter):
    """The LEAVES view generator: differentiable augmentations with learned parameters.

    Yu, Yang & Sano (2022), eq. 1 and §3.1: a series passes jitter, scaling,
    magnitude warping, time distortion and permutation in turn, each with its
    parameters learned adversarially to a contrastive encoder. The parameters
    (19 scalars for the default 5 mixture components) are bounded as in the
    reference code: ``sigma = bound * sigmoid(raw) + 1e-5`` for jitter,
    scaling and magnitude warp (``bound`` is the paper's noise threshold
    ``eta = 0.05``), the permutation's largest segment count ``K`` clamped to
    ``[1.001, T / 2]``, the time-distortion mixture's weights a softmax, its
    scales ``relu(raw) + 1e-5`` and, by default (``clamp_mixture``, a
    deviation from the code, where means drifted past -1 and scales to 1.3),
    means in ``[-1, 1]`` and scales in ``[0.05, 2]``. Every forward call draws
    new randomness: two calls on one batch give two views.

    Differences from the reference code, on purpose: the permutation's gradient
    with respect to the series is exact (the code's is wrong); the time map
    uses ``align_corners=True`` (-1 is the first time step, as the paper
    says); magnitude warping multiplies by a cubic spline through the knots
    (:func:`skadvaug.augment.differentiable.magnitude_warp`) rather than the
    code's linear interpolation. The order is the paper's by default
    (``order``; the code's is jitter, scaling, time distortion, permutation,
    magnitude warp). ``output_norm="minmax"`` (the code's per-sample,
    per-channel min-max to [0, 1]) removes any positive scaling, so the
    scaling sigma then gets no gradient (spec paper001, P-3).

    Parameters
    ----------
    n_components : int, default=5
        Components of the time-distortion mixture (the code: 5; the paper: 6
        to 12 by data set).
    bound : float, default=0.05
        Upper bound ``eta`` of the three magnitude sigmas.
    n_segments : float, default=5.0
        Initial largest number of permutation segments ``K``.
    magnitude_knots : int, default=4
        Knots of the magnitude warp (the code: 4; the paper: 8).
    order : sequence of str, default=("jitter", "scaling", "magnitude_warp", \
"time_distortion", "permutation")
        Order of the augmentations (any subset).
    output_norm : {"minmax"} or None, default="minmax"
        Normalisation of the views.
    clamp_mixture : bool, default=True
        Clamp the mixture's means and scales (see above).
    segment_grad : {"reference", "none"}, default="reference"
        Gradient of ``K`` (see :func:`~skadvaug.augment.differentiable.permutation`).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import LearnedViews
    >>> views = LearnedViews()
    >>> views(torch.rand(4, 2, 50)).shape, sum(p.numel() for p in views.parameters())
    (torch.Size([4, 2, 50]), 19)
    """

    def __init__(
        self,
        n_components=5,
        bound=0.05,
        n_segments=5.0,
        magnitude_knots=4,
        order=VIEW_OPS,
        output_norm="minmax",
        clamp_mixture=True,
        segment_grad="reference",
    ):
        super().__init__()
        unknown = [op for op in order if op not in VIEW_OPS]
        if unknown:
            raise ValueError(f"order must hold names of {VIEW_OPS}; got {unknown}.")
        if output_norm not in ("minmax", None):
            raise ValueError(f"output_norm must be 'minmax' or None; got {output_norm!r}.")
        self.bound = bound
        self.magnitude_knots = magnitude_knots
        self.order = tuple(order)
        self.output_norm = output_norm
        self.clamp_mixture = clamp_mixture
        self.segment_grad = segment_grad
        # raw values of the reference code: sigma_J, sigma_S = 0.05 sigmoid(0.03), ...
        self.jitter_raw = nn.Parameter(torch.tensor(0.03))
        self.scaling_raw = nn.Parameter(torch.tensor(0.03))
        self.magnitude_raw = nn.Parameter(torch.tensor(0.1))
        self.n_segments = nn.Parameter(torch.tensor(float(n_segments)))
        self.mixture_logits = nn.Parameter(torch.zeros(n_components))
        self.mixture_means = nn.Parameter(torch.linspace(-0.5, 0.5, n_components))
        self.mixture_scales_raw = nn.Parameter(torch.full((n_components,), 0.7))

    def _sigma(self, raw):
        return self.bound * torch.sigmoid(raw) + 1e-5

    def _mixture(self):
        means, scales = self.mixture_means, F.relu(self.mixture_scales_raw) + 1e-5
        if self.clamp_mixture:
            means, scales = means.clamp(-1.0, 1.0), scales.clamp(0.05, 2.0)
        return self.mixture_logits, means, scales

    def effective_params(self):
        """The parameters as the augmentations use them (floats and lists)."""
        logits, means, scales = self._mixture()
        with torch.no_grad():
            return {
                "jitter_sigma": self._sigma(self.jitter_raw).item(),
                "scaling_sigma": self._sigma(self.scaling_raw).item(),
                "magnitude_sigma": self._sigma(self.magnitude_raw).item(),
                "n_segments": self.n_segments.item(),
                "mixture_weights": torch.softmax(logits, 0).tolist(),
                "mixture_means": means.tolist(),
                "mixture_scales": scales.tolist(),
            }

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        for op in self.order:
            if op == "jitter":
                x = differentiable.jitter(x, self._sigma(self.jitter_raw), generator=generator)
            elif op == "scaling":
                x = differentiable.scaling(x, self._sigma(self.scaling_raw), generator=generator)
            elif op == "magnitude_warp":
                x = differentiable.magnitude_warp(
                    x,
                    self._sigma(self.magnitude_raw),
                    n_knots=self.magnitude_knots,
                    generator=generator,
                )
            elif op == "time_distortion":
                x = differentiable.time_distortion(x, *self._mixture(), generator=generator)
            else:
                n_segments = self.n_segments.clamp(1.001, max(1.001, x.shape[-1] / 2))
                x = differentiable.permutation(
                    x, n_segments, generator=generator, segment_grad=self.segment_grad
                )
        if self.output_norm == "minmax":
            x = minmax_per_channel(x)
        return x


@cites("chen2020")
class NTXentLoss(nn.Module):
    """SimCLR's normalised temperature-scaled cross entropy of two batches of views.

    Row ``i`` of ``z1`` and row ``i`` of ``z2`` are a positive pair; every
    other row of both batches is a negative. Vectorised (cosine similarity
    matrix, diagonal masked), any batch size >= 2; equals eq. 2-3 of LEAVES.

    Parameters
    ----------
    temperature : float, default=0.05
        ``tau`` (LEAVES §3.2: 0.05; its code uses 0.5).

    %(references)s

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import NTXentLoss
    >>> z = torch.randn(8, 16)
    >>> bool(NTXentLoss()(z, z) < NTXentLoss()(z, torch.randn(8, 16)))
    True
    """

    def __init__(self, temperature=0.05):
        super().__init__()
        self.temperature = temperature

    def forward(self, z1, z2):
        if len(z1) < 2 or z1.shape != z2.shape:
            raise ValueError(
                "NT-Xent needs two batches of the same shape with at least 2 rows; got "
                f"{tuple(z1.shape)} and {tuple(z2.shape)}."
            )
        z = F.normalize(torch.cat([z1, z2]), dim=1)
        similarity = z @ z.T / self.temperature
        similarity = similarity.masked_fill(
            torch.eye(len(z), dtype=torch.bool, device=z.device), float("-inf")
        )
        n = len(z1)
        targets = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
        return F.cross_entropy(similarity, targets)


class SmallCNNEncoder1d(nn.Module):
    """A small 1-D CNN encoder for quick runs (spec paper001 "cnn3").

    ``Conv(C, 32, 7) - BN - ReLU - Conv(32, 64, 5, stride 2) - BN - ReLU -
    Conv(64, 128, 3, stride 2) - BN - ReLU - global average pooling``: 128
    features (``n_features``).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import SmallCNNEncoder1d
    >>> SmallCNNEncoder1d((2, 30))(torch.randn(4, 2, 30)).shape
    torch.Size([4, 128])
    """

    n_features = 128

    def __init__(self, input_shape):
        super().__init__()
        channels = input_shape[0]
        self.layers = nn.Sequential(
            nn.Conv1d(channels, 32, 7, padding=3),
            nn.BatchNorm1d(32),
            nn.ReLU(),
            nn.Conv1d(32, 64, 5, stride=2, padding=2),
            nn.BatchNorm1d(64),
            nn.ReLU(),
            nn.Conv1d(64, 128, 3, stride=2, padding=1),
            nn.BatchNorm1d(128),
            nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),
            nn.Flatten(),
        )

    def forward(self, x):
        return self.layers(x)


class _BasicBlock1d(nn.Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = nn.Conv1d(in_channels, out_channels, 3, stride=stride, padding=1)
        self.bn1 = nn.BatchNorm1d(out_channels)
        self.conv2 = nn.Conv1d(out_channels, out_channels, 3, padding=1)
        self.bn2 = nn.BatchNorm1d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv1d(in_channels, out_channels, 1, stride=stride),
                nn.BatchNorm1d(out_channels),
            )

    def forward(self, x):
        out = F.leaky_relu(self.bn1(self.conv1(x)), 0.01)
        out = self.bn2(self.conv2(out))
        return F.leaky_relu(out + self.shortcut(x), 0.01)


class ResNet18Encoder1d(nn.Module):
    """The paper's encoder: a 1-D ResNet-18 to 512 features (LEAVES §4, reference code).

    ``Conv1d(C, 64, 3) - BN - LeakyReLU(0.01) - MaxPool(2)``, four stages of two
    basic blocks (64, 128, 256, 512 channels; stride 2 from the second stage),
    global average pooling. Xavier-normal convolution weights. The reference's
    unused ``fc`` and dropout are left out (unused parameters break autograd
    calls that expect every parameter in the graph).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ResNet18Encoder1d
    >>> ResNet18Encoder1d((1, 40))(torch.randn(2, 1, 40)).shape
    torch.Size([2, 512])
    """

    n_features = 512

    def __init__(self, input_shape):
        super().__init__()
        layers = [
            nn.Conv1d(input_shape[0], 64, 3, padding=1),
            nn.BatchNorm1d(64),
            nn.LeakyReLU(0.01),
            nn.MaxPool1d(2),
        ]
        in_channels = 64
        for stage, channels in enumerate((64, 128, 256, 512)):
            stride = 1 if stage == 0 else 2
            layers += [
                _BasicBlock1d(in_channels, channels, stride),
                _BasicBlock1d(channels, channels, 1),
            ]
            in_channels = channels
        layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten()]
        self.layers = nn.Sequential(*layers)
        for module in self.modules():
            if isinstance(module, nn.Conv1d):
                nn.init.xavier_normal_(module.weight)

    def forward(self, x):
        return self.layers(x)


class RandomViews(Augmenter):
    """SimCLR's fixed random views: the classic augmentations at one strength (LEAVES' baseline).

    Yu et al. (2022), §5.2: jitter, scaling, magnitude warp and time warp with
    the same sigma ``T``, and permutation with at most 5 segments.
    ``policy="random_one"`` (the reference code) gives each sample one
    augmentation drawn uniformly from ``methods`` and ``"original"``;
    ``"all"`` applies them all in turn. Views are then min-max scaled per
    sample and channel, as LEAVES' are. Nothing is learned.

    Parameters
    ----------
    sigma : float, default=0.03
        ``T`` (the paper tunes it in 0.01 ... 0.05).
    methods : sequence of str, default=("jitter", "scaling", "permutation", \
"magnitude_warp", "time_warp")
        Names of :data:`skadvaug.augment.AUGMENTATIONS`.
    policy : {"random_one", "all"}, default="random_one"
    output_norm : {"minmax"} or None, default="minmax"

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import RandomViews
    >>> RandomViews()(torch.rand(4, 2, 30)).shape
    torch.Size([4, 2, 30])
    """

    def __init__(
        self,
        sigma=0.03,
        methods=("jitter", "scaling", "permutation", "magnitude_warp", "time_warp"),
        policy="random_one",
        output_norm="minmax",
    ):
        super().__init__()
        if policy not in ("random_one", "all"):
            raise ValueError(f"policy must be 'random_one' or 'all'; got {policy!r}.")
        self.sigma = sigma
        self.methods = tuple(methods)
        self.policy = policy
        self.output_norm = output_norm
        self.augmenters = nn.ModuleList(
            [
                ClassicAugmenter(name, **({} if name == "permutation" else {"sigma": sigma}))
                for name in self.methods
            ]
        )

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        if self.policy == "all":
            for augmenter in self.augmenters:
                x = augmenter(x, generator=generator)
        else:
            draw_on = "cpu" if generator is None else generator.device
            choice = torch.randint(
                len(self.augmenters) + 1, (len(x),), generator=generator, device=draw_on
            ).to(x.device)
            out = x.clone()
            for index, augmenter in enumerate(self.augmenters):
                chosen = torch.nonzero(choice == index).flatten()
                if len(chosen):
                    out[chosen] = augmenter(x[chosen], generator=generator)
            x = out
        if self.output_norm == "minmax":
            x = minmax_per_channel(x)
        return x


class _ResidualBlock1d(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad1d(1),
            nn.Conv1d(channels, channels, 3),
            nn.InstanceNorm1d(channels, affine=True),
            nn.ReLU(),
            nn.ReflectionPad1d(1),
            nn.Conv1d(channels, channels, 3),
            nn.InstanceNorm1d(channels, affine=True),
        )

    def forward(self, x):
        return x + self.body(x)


@cites("tamkin2021")
class ViewMaker1d(Augmenter):
    """ViewMaker (Tamkin et al. 2021) for series: a network adds a bounded perturbation.

    LEAVES' re-implementation (reference code ``models/viewmaker.py``): the
    series plus a uniform-noise channel pass an encoder (conv 9, two stride-2
    convs, instance norm), three residual blocks (each fed one more noise
    channel) and an upsampling decoder; ``delta = tanh(out)`` is rescaled to a
    mean absolute value of ``budget`` per sample (an L1 budget, 0.05 in the
    paper) and the view is ``clamp(x + delta, 0, 1)`` (inputs min-max scaled).
    Any length works (the decoder output is cropped or padded to ``T``).

    Parameters
    ----------
    n_channels : int
        Channels of the series.
    budget : float, default=0.05
        Mean absolute perturbation per sample.
    clamp : bool, default=True
        Clip the views to [0, 1].

    %(references)s

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ViewMaker1d
    >>> views = ViewMaker1d(2)
    >>> out = views(torch.rand(3, 2, 30))
    >>> out.shape, bool(out.min() >= 0), bool(out.max() <= 1)
    (torch.Size([3, 2, 30]), True, True)
    """

    def __init__(self, n_channels, budget=0.05, clamp=True):
        super().__init__()
        self.budget = budget
        self.clamp = clamp
        self.encoder = nn.Sequential(
            nn.ReflectionPad1d(4),
            nn.Conv1d(n_channels + 1, 32, 9),
            nn.InstanceNorm1d(32, affine=True),
            nn.ReLU(),
            nn.Conv1d(32, 64, 3, stride=2, padding=1),
            nn.InstanceNorm1d(64, affine=True),
            nn.ReLU(),
            nn.Conv1d(64, 128, 3, stride=2, padding=1),
            nn.InstanceNorm1d(128, affine=True),
            nn.ReLU(),
        )
        self.blocks = nn.ModuleList([_ResidualBlock1d(128 + i + 1) for i in range(3)])
        self.decoder = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv1d(131, 64, 3, padding=1),
            nn.InstanceNorm1d(64, affine=True),
            nn.ReLU(),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv1d(64, 32, 3, padding=1),
            nn.InstanceNorm1d(32, affine=True),
            nn.ReLU(),
            nn.Conv1d(32, n_channels, 9, padding=4),
        )

    @staticmethod
    def _noise(like, generator):
        draw_on = "cpu" if generator is None else generator.device
        shape = (len(like), 1, like.shape[-1])
        return torch.rand(shape, generator=generator, device=draw_on).to(like)

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        h = self.encoder(torch.cat([x, self._noise(x, generator)], dim=1))
        for block in self.blocks:
            h = block(torch.cat([h, self._noise(h, generator)], dim=1))
        out = self.decoder(h)
        length = x.shape[-1]
        out = (
            out[..., :length]
            if out.shape[-1] >= length
            else F.pad(out, (0, length - out.shape[-1]), mode="replicate")
        )
        delta = torch.tanh(out)
        delta = delta * self.budget / (delta.abs().mean(dim=(1, 2), keepdim=True) + 1e-4)
        views = x + delta
        return views.clamp(0.0, 1.0) if self.clamp else views
