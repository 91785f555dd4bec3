"""Differentiable torch forms of the magnitude augmentations.

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

import torch

from ._classic import _spline_basis

__all__ = ["jitter", "scaling", "magnitude_warp"]


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
