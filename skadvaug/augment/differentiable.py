"""Differentiable torch forms of the augmentations LEAVES learns (magnitude and time).

The random draws are reparameterised (Yu et al. 2022, LEAVES, Appendix A.2):
noise ``eps ~ N(0, 1)`` is drawn without gradient and the augmentation is a
smooth function of ``sigma`` and ``eps``, e.g. ``x + sigma * eps``, so the
gradient of any loss of the augmented series flows back to ``sigma``. This is
what lets a learned-view module tune ``sigma`` adversarially.

``sigma`` may be a float or a tensor (a scalar, or anything that broadcasts
against the per-sample noise, e.g. one value per channel of shape
``(n_channels, 1)``). Inputs are ``(n_samples, n_channels, n_timepoints)``
tensors; outputs have the same shape, dtype and device.

References
----------
.. [1] H. Yu et al., "LEAVES: Learning Views for Time-Series Data in Contrastive
   Learning", 2022.
.. [2] T. T. Um et al., ICMI 2017 (magnitude warping).
"""

import math

import torch
import torch.nn.functional as F

from ._classic import _spline_basis

__all__ = [
    "jitter",
    "magnitude_warp",
    "mixture_cdf",
    "mixture_rsample",
    "permutation",
    "resample_time",
    "scaling",
    "time_distortion",
]


def _check_series(x):
    if not torch.is_tensor(x) or x.ndim != 3:
        raise ValueError(
            "x must be a 3-D torch tensor (n_samples, n_channels, n_timepoints); "
            f"got {type(x).__name__} with shape {tuple(getattr(x, 'shape', ()))}."
        )
    return x


def _as_tensor(sigma, x):
    return torch.as_tensor(sigma, dtype=x.dtype, device=x.device)


def _standard_normal(shape, x, generator):
    return torch.randn(shape, generator=generator, dtype=x.dtype, device=x.device)


def jitter(x, sigma=0.03, *, generator=None):
    """``x + sigma * eps`` with ``eps ~ N(0, 1)`` per value.

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float or torch.Tensor, default=0.03
        Noise standard deviation; gradients flow to it.
    generator : torch.Generator, default=None
        Source of the noise.

    Returns
    -------
    torch.Tensor
        Augmented series.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.differentiable import jitter
    >>> sigma = torch.tensor(0.1, requires_grad=True)
    >>> jitter(torch.zeros(2, 1, 8), sigma).pow(2).sum().backward()
    >>> bool(sigma.grad > 0)
    True
    """
    x = _check_series(x)
    return x + _as_tensor(sigma, x) * _standard_normal(x.shape, x, generator)


def scaling(x, sigma=0.1, *, generator=None):
    """``x * (1 + sigma * eps)`` with one ``eps ~ N(0, 1)`` per channel of each series.

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float or torch.Tensor, default=0.1
        Standard deviation of the factors; gradients flow to it.
    generator : torch.Generator, default=None
        Source of the noise.

    Returns
    -------
    torch.Tensor
        Augmented series.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.differentiable import scaling
    >>> scaling(torch.ones(2, 3, 5), 0.1).shape
    torch.Size([2, 3, 5])
    """
    x = _check_series(x)
    eps = _standard_normal(x.shape[:2] + (1,), x, generator)
    return x * (1.0 + _as_tensor(sigma, x) * eps)


def magnitude_warp(x, sigma=0.2, n_knots=4, *, generator=None):
    """``x`` times a smooth random curve around 1 whose knots are ``1 + sigma * eps``.

    The curve is the same cubic spline as :func:`skadvaug.augment.magnitude_warp`
    (it is linear in the knot values, so ``curve = basis @ knots``).

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float or torch.Tensor, default=0.2
        Standard deviation of the knot values; gradients flow to it.
    n_knots : int, default=4
        Number of interior knots.
    generator : torch.Generator, default=None
        Source of the noise.

    Returns
    -------
    torch.Tensor
        Augmented series.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.differentiable import magnitude_warp
    >>> magnitude_warp(torch.ones(2, 3, 40), 0.2).shape
    torch.Size([2, 3, 40])
    """
    x = _check_series(x)
    if not isinstance(n_knots, int) or n_knots < 1:
        raise ValueError(f"n_knots must be an integer >= 1; got {n_knots!r}.")
    basis = torch.tensor(_spline_basis(x.shape[-1], n_knots), dtype=x.dtype, device=x.device)
    eps = _standard_normal(x.shape[:2] + (n_knots + 2,), x, generator)
    knots = 1.0 + _as_tensor(sigma, x) * eps
    return x * (knots @ basis.T)


# ------------------------------------------------------------------ permutation
def _draw_device(generator, fallback):
    """Where draws from ``generator`` are made (a CUDA generator draws on its GPU)."""
    return fallback if generator is None else generator.device


def _segment_orders(length, counts, generator, device):
    """Time indices of each series cut into chunks of ``length // count`` steps (plus the
    remainder as one more chunk) put in a random order: ``(n, length)``.

    One uniform key per chunk for every series at once; sorting the keys gives each
    series a uniformly random order of its chunks (a loop of ``randperm`` per series
    cost more than the rest of a training step).
    """
    size = (length // counts).clamp(min=1)
    n_chunks = -(-length // size)  # ceil
    slots = torch.arange(int(n_chunks.max()), device=device)
    draw_on = _draw_device(generator, "cpu")
    keys = torch.rand(len(counts), len(slots), generator=generator, device=draw_on).to(device)
    valid = slots < n_chunks[:, None]
    order = torch.argsort(keys.masked_fill(~valid, 2.0), dim=1, stable=True)  # chunks first
    starts = order * size[:, None]
    lengths = torch.where(valid, (length - starts).clamp(max=size[:, None]), 0)
    ends = lengths.cumsum(dim=1)  # where each chunk of the new order ends in the output
    time = torch.arange(length, device=device).expand(len(counts), length)
    slot = torch.searchsorted(ends, time.contiguous(), right=True)
    return starts.gather(1, slot) + time - (ends - lengths).gather(1, slot)


def permutation(x, n_segments=5.0, *, generator=None, segment_grad="reference"):
    """Cut each series into random-length chunks and shuffle them (LEAVES' Perm).

    Per sample ``s = 1 + (K - 1) u`` with ``u ~ U(0, 1)`` and ``K = n_segments``;
    the series is cut into ``round(s)`` chunks of ``L // round(s)`` steps (a
    shorter remainder chunk is one more) and the chunks are shuffled, the same
    way for every channel. The shuffle is an index gather, so the gradient with
    respect to ``x`` is exact -- the reference code re-applies the *forward*
    permutation to the gradient, which is wrong unless the shuffle is an
    involution (spec paper001, P-4). ``round`` passes gradients straight through
    to ``K``; what a loss gains from one more segment is not differentiable, and
    ``segment_grad="reference"`` uses the reference code's surrogate, the mean
    of the output gradient per sample (a heuristic, not a derivative);
    ``"none"`` gives ``K`` no gradient.

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    n_segments : float or torch.Tensor, default=5.0
        ``K``, the largest number of segments (at least 1).
    generator : torch.Generator, default=None
        Source of ``u`` and of the shuffles.
    segment_grad : {"reference", "none"}, default="reference"
        Gradient of ``K`` (see above).

    Returns
    -------
    torch.Tensor
        Augmented series.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.differentiable import permutation
    >>> x = torch.arange(6.0).reshape(1, 1, 6)
    >>> out = permutation(x, 3.0, generator=torch.Generator().manual_seed(0))
    >>> sorted(out.flatten().tolist()) == x.flatten().tolist()
    True
    """
    x = _check_series(x)
    if segment_grad not in ("reference", "none"):
        raise ValueError(f"segment_grad must be 'reference' or 'none'; got {segment_grad!r}.")
    n_segments = _as_tensor(n_segments, x)
    if torch.any(n_segments.detach() < 1):
        raise ValueError(f"n_segments must be >= 1; got {n_segments.detach().tolist()!r}.")
    uniform = torch.rand(len(x), generator=generator, device=x.device, dtype=x.dtype)
    drawn = 1 + (n_segments - 1) * uniform
    counts = torch.round(drawn.detach()).clamp(1, x.shape[-1]).long()
    index = _segment_orders(x.shape[-1], counts, generator, x.device)
    shuffled = torch.gather(x, 2, index[:, None, :].expand_as(x))
    if segment_grad == "none" or not drawn.requires_grad:
        return shuffled
    # straight-through round; d out / d count := mean of the output gradient per sample
    surrogate = drawn - drawn.detach()
    return shuffled + surrogate.reshape(-1, 1, 1) / (x.shape[1] * x.shape[2])


# -------------------------------------------------------------- time distortion
def _normal_cdf(z):
    return 0.5 * torch.erfc(-z / math.sqrt(2))


def mixture_cdf(values, logits, means, scales):
    """CDF and density of the mixture ``sum_i softmax(logits)_i N(means_i, scales_i^2)``."""
    weights = torch.softmax(logits, dim=-1)
    z = (values[..., None] - means) / scales
    cdf = (weights * _normal_cdf(z)).sum(-1)
    density = (weights * torch.exp(-0.5 * z**2) / (scales * math.sqrt(2 * math.pi))).sum(-1)
    return cdf, density


def mixture_rsample(shape, logits, means, scales, *, generator=None):
    """Samples of a Gaussian mixture with implicit reparameterisation gradients.

    Ancestral sampling (a component, then its normal) gives ``x``; the gradient
    with respect to the mixture's parameters ``theta`` is the implicit one of
    Figurnov et al. (2018), ``dx/dtheta = -(dF/dtheta) / p(x)``, the derivative
    of ``F_theta^-1(u)`` at fixed ``u`` -- the reparameterisation a mixture has
    (LEAVES, §3.1.1). Parameters are 1-D tensors of the components.
    """
    draw_on = _draw_device(generator, means.device)
    weights = torch.softmax(logits.detach(), dim=-1).to(draw_on)
    n = math.prod(shape)
    component = torch.multinomial(weights, n, replacement=True, generator=generator)
    component = component.to(means.device).reshape(shape)
    noise = torch.randn(shape, generator=generator, dtype=means.dtype, device=draw_on)
    noise = noise.to(means.device)
    drawn = (means.detach()[component] + scales.detach()[component] * noise).detach()
    cdf, density = mixture_cdf(drawn, logits, means, scales)
    return drawn - (cdf - cdf.detach()) / density.detach()


def resample_time(x, grid, *, align_corners=True):
    """``x`` read at the times ``grid`` (``(n, L)`` in [-1, 1]; -1 is the first step),
    linearly interpolated, the same for every channel (zeros outside)."""
    x = _check_series(x)
    grid = torch.stack([grid, torch.zeros_like(grid)], dim=-1)[:, None]
    return F.grid_sample(
        x[:, :, None],
        grid.to(x.dtype),
        mode="bilinear",
        padding_mode="zeros",
        align_corners=align_corners,
    )[:, :, 0]


def time_distortion(x, logits, means, scales, *, generator=None, align_corners=True):
    """LEAVES' time distortion: resample each series on a random monotone time map.

    ``lambda = sort(tanh(v))`` with ``v`` drawn ``L`` times per sample from the
    Gaussian mixture (:func:`mixture_rsample`); the series is read at the times
    ``lambda`` (:func:`resample_time`), so dense regions of ``lambda`` stretch
    the series and sparse ones compress it (Yu et al. 2022, §3.1.1, Fig. 4).
    ``align_corners=True`` makes -1 the first step as the paper says (the
    reference code's ``False`` mixes the ends with zero padding).

    Parameters
    ----------
    x : torch.Tensor of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    logits, means, scales : torch.Tensor of shape (n_components,)
        Mixture weights (as logits), means and standard deviations (> 0);
        gradients flow to all three.
    generator : torch.Generator, default=None
        Source of the draws.
    align_corners : bool, default=True
        See above.

    Returns
    -------
    torch.Tensor
        Augmented series.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.augment.differentiable import time_distortion
    >>> params = torch.zeros(3), torch.tensor([-0.5, 0.0, 0.5]), torch.full((3,), 0.7)
    >>> time_distortion(torch.randn(2, 3, 40), *params).shape
    torch.Size([2, 3, 40])
    """
    x = _check_series(x)
    drawn = mixture_rsample((len(x), x.shape[-1]), logits, means, scales, generator=generator)
    grid, _ = torch.sort(torch.tanh(drawn), dim=-1)
    return resample_time(x, grid, align_corners=align_corners)
