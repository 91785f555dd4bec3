"""Classic time-series augmentations as numpy functions on ``(n, channels, time)``.

The methods and their defaults follow Iwana & Uchida's survey and the papers
skadvaug implements (Kim et al. 2021, §2.1 and §4.3; Yu et al. 2022, Appendix
A.1). Each function returns a new array and never modifies its input. Every
method that moves samples in time does so identically for all channels of a
series, so channels stay aligned.

References
----------
.. [1] B. K. Iwana and S. Uchida, "An empirical survey of data augmentation for
   time series classification with neural networks", PLOS ONE, 2021.
.. [2] T. T. Um et al., "Data augmentation of wearable sensor data for
   Parkinson's disease monitoring using convolutional neural networks", ICMI 2017.
.. [3] A. Le Guennec, S. Malinowski and R. Tavenard, "Data augmentation for time
   series classification using convolutional neural networks", AALTD 2016.
.. [4] B. Kim, J.-H. Choi and J. Choo, "Augmenting imbalanced time-series data
   via adversarial perturbation in latent space", ACML 2021.
"""

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from scipy.interpolate import CubicSpline
from sklearn.utils import check_random_state

__all__ = [
    "jitter",
    "scaling",
    "magnitude_warp",
    "time_warp",
    "window_warp",
    "window_slice",
    "permutation",
    "translation",
]


# ------------------------------------------------------------------ validation
def _check_series(X):
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(
            f"X must be a 3-D array (n_samples, n_channels, n_timepoints); got shape {X.shape}."
        )
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    return X


def _check_positive(value, name, *, allow_zero=True):
    if not isinstance(value, Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}.")
    if value < 0 or (value == 0 and not allow_zero) or not np.isfinite(value):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}; got {value!r}.")


def _check_int(value, name, minimum):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")


def _check_ratio(value, name):
    if not isinstance(value, Real) or not 0 < value < 1:
        raise ValueError(f"{name} must be a float in (0, 1); got {value!r}.")


# ------------------------------------------------------------- shared mechanics
@lru_cache(maxsize=64)
def _spline_basis(n_timepoints, n_knots):
    """Cubic-spline basis of shape ``(n_timepoints, n_knots + 2)``.

    A smooth random curve through ``n_knots + 2`` evenly spaced knots (both ends
    included, as in Um et al.) is ``basis @ knot_values``: the spline is linear
    in the knot values. The numpy and the differentiable torch augmentations
    share this matrix, so they draw curves from the same family.
    """
    knot_positions = np.linspace(0.0, n_timepoints - 1.0, num=n_knots + 2)
    basis = CubicSpline(knot_positions, np.eye(n_knots + 2))(np.arange(n_timepoints))
    basis.setflags(write=False)
    return basis


def _smooth_curves(shape, sigma, n_knots, random_state):
    """Random smooth curves around 1, one per leading index: ``shape + (time,)``."""
    *lead, n_timepoints = shape
    knots = random_state.normal(1.0, sigma, size=(*lead, n_knots + 2))
    return knots @ _spline_basis(n_timepoints, n_knots).T


def _interpolate_in_time(X, positions):
    """Values of each series at fractional time ``positions`` (linear interpolation).

    ``X`` is ``(n, c, t)`` and ``positions`` is ``(n, t_out)`` in ``[0, t - 1]``,
    shared by the channels of a series; returns ``(n, c, t_out)``.
    """
    n_timepoints = X.shape[-1]
    positions = np.clip(positions, 0.0, n_timepoints - 1.0)
    left = np.minimum(np.floor(positions).astype(np.intp), n_timepoints - 2)
    left = np.maximum(left, 0)
    weight = (positions - left)[:, None, :]
    index = left[:, None, :].repeat(X.shape[1], axis=1)
    x_left = np.take_along_axis(X, index, axis=-1)
    x_right = np.take_along_axis(X, np.minimum(index + 1, n_timepoints - 1), axis=-1)
    return x_left + weight * (x_right - x_left)


# -------------------------------------------------------- magnitude augmentations
def jitter(X, sigma=0.03, *, random_state=None):
    """Add Gaussian noise to every value: ``x + N(0, sigma^2)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float, default=0.03
        Standard deviation of the noise, in data units.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import jitter
    >>> jitter(np.zeros((2, 1, 4)), sigma=0.1, random_state=0).shape
    (2, 1, 4)
    """
    X = _check_series(X)
    _check_positive(sigma, "sigma")
    rng = check_random_state(random_state)
    return X + rng.normal(0.0, sigma, size=X.shape).astype(X.dtype)


def scaling(X, sigma=0.1, *, random_state=None):
    """Multiply each channel of each series by one factor drawn from ``N(1, sigma^2)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float, default=0.1
        Standard deviation of the factors.
    random_state : int, RandomState instance or None, default=None
        Seed of the factors.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import scaling
    >>> X_new = scaling(np.ones((1, 2, 3)), sigma=0.1, random_state=0)
    >>> bool(np.all(X_new[0, 0] == X_new[0, 0, 0]))  # one factor per channel
    True
    """
    X = _check_series(X)
    _check_positive(sigma, "sigma")
    rng = check_random_state(random_state)
    factors = rng.normal(1.0, sigma, size=X.shape[:2] + (1,))
    return X * factors.astype(X.dtype)


def magnitude_warp(X, sigma=0.2, n_knots=4, *, random_state=None):
    """Multiply each channel by a smooth random curve around 1 (Um et al., 2017).

    The curve is a cubic spline through ``n_knots + 2`` evenly spaced knots
    (ends included) whose values are drawn from ``N(1, sigma^2)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float, default=0.2
        Standard deviation of the knot values.
    n_knots : int, default=4
        Number of interior knots; more knots give a wigglier curve.
    random_state : int, RandomState instance or None, default=None
        Seed of the knots.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import magnitude_warp
    >>> magnitude_warp(np.ones((3, 2, 50)), random_state=0).shape
    (3, 2, 50)
    """
    X = _check_series(X)
    _check_positive(sigma, "sigma")
    _check_int(n_knots, "n_knots", 1)
    rng = check_random_state(random_state)
    return X * _smooth_curves(X.shape, sigma, n_knots, rng).astype(X.dtype)


def translation(X, sigma=0.1, *, random_state=None):
    """Add one random offset per channel, constant over time (Kim et al., 2021).

    Paper 000 §4.3: "adds the same amount of value for each input feature
    across time"; the amount is drawn from ``N(0, sigma^2)``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float, default=0.1
        Standard deviation of the offsets, in data units.
    random_state : int, RandomState instance or None, default=None
        Seed of the offsets.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import translation
    >>> X_new = translation(np.zeros((1, 1, 5)), random_state=0)
    >>> bool(np.ptp(X_new) == 0)  # constant over time
    True
    """
    X = _check_series(X)
    _check_positive(sigma, "sigma")
    rng = check_random_state(random_state)
    offsets = rng.normal(0.0, sigma, size=X.shape[:2] + (1,))
    return X + offsets.astype(X.dtype)


# ------------------------------------------------------------- time augmentations
def time_warp(X, sigma=0.2, n_knots=4, *, random_state=None):
    """Warp the time axis smoothly and monotonically (Um et al., 2017).

    A smooth random speed curve (as in :func:`magnitude_warp`) is integrated into
    a warping path that starts at the first and ends at the last time step; the
    series is read along that path by linear interpolation. Speeds are floored
    at a small positive value so the path is strictly monotone even for large
    ``sigma`` (time never runs backwards). One path per series, shared by its
    channels.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    sigma : float, default=0.2
        Standard deviation of the speed knots around 1.
    n_knots : int, default=4
        Number of interior knots of the speed curve.
    random_state : int, RandomState instance or None, default=None
        Seed of the warps.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``; first and last time steps are unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import time_warp
    >>> ramp = np.linspace(0, 1, 20)[None, None, :]
    >>> warped = time_warp(ramp, random_state=0)
    >>> bool(warped[0, 0, 0] == 0 and warped[0, 0, -1] == 1)
    True
    """
    X = _check_series(X)
    _check_positive(sigma, "sigma")
    _check_int(n_knots, "n_knots", 1)
    rng = check_random_state(random_state)
    n_samples, _, n_timepoints = X.shape
    if n_timepoints < 2:
        return X.copy()
    speed = np.maximum(_smooth_curves((n_samples, n_timepoints), sigma, n_knots, rng), 1e-2)
    path = np.concatenate([np.zeros((n_samples, 1)), np.cumsum(speed[:, 1:], axis=1)], axis=1)
    path *= (n_timepoints - 1) / path[:, -1:]
    return _interpolate_in_time(X, path).astype(X.dtype)


def window_warp(X, window_ratio=0.1, scales=(0.5, 2.0), *, random_state=None):
    """Speed up or slow down a random window, then resize to the original length.

    Le Guennec et al. (2016): a window covering ``window_ratio`` of the series is
    stretched by a factor drawn from ``scales``; the whole series is then
    resampled back to ``n_timepoints`` (linear interpolation).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    window_ratio : float, default=0.1
        Fraction of the series covered by the warped window.
    scales : sequence of float, default=(0.5, 2.0)
        Stretch factors to choose from (< 1 speeds the window up).
    random_state : int, RandomState instance or None, default=None
        Seed of the windows and factors.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import window_warp
    >>> window_warp(np.random.rand(4, 2, 30), random_state=0).shape
    (4, 2, 30)
    """
    X = _check_series(X)
    _check_ratio(window_ratio, "window_ratio")
    scales = np.asarray(scales, dtype=float).ravel()
    if scales.size == 0 or not np.all(np.isfinite(scales) & (scales > 0)):
        raise ValueError(f"scales must be positive finite numbers; got {scales!r}.")
    rng = check_random_state(random_state)
    n_samples, _, n_timepoints = X.shape
    width = max(1.0, np.ceil(window_ratio * n_timepoints))
    if n_timepoints < 3 or width >= n_timepoints - 1:
        return X.copy()
    start = rng.uniform(0, n_timepoints - 1 - width, size=(n_samples, 1))
    scale = rng.choice(scales, size=(n_samples, 1))
    # Stretched length, and the input time read at each point of it: identity
    # before the window, slowed/sped up inside it, shifted identity after it.
    stretched_length = n_timepoints - 1 + width * (scale - 1)
    u = np.linspace(0.0, 1.0, n_timepoints)[None, :] * stretched_length
    in_window = (u - start) / scale + start
    after = u - width * (scale - 1)
    positions = np.where(u < start, u, np.where(u < start + width * scale, in_window, after))
    return _interpolate_in_time(X, positions).astype(X.dtype)


def window_slice(X, reduce_ratio=0.9, *, random_state=None):
    """Crop a random window and stretch it back to the full length.

    Le Guennec et al. (2016): the window covers ``reduce_ratio`` of the series.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    reduce_ratio : float, default=0.9
        Fraction of the series kept.
    random_state : int, RandomState instance or None, default=None
        Seed of the windows.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import window_slice
    >>> window_slice(np.random.rand(4, 2, 30), random_state=0).shape
    (4, 2, 30)
    """
    X = _check_series(X)
    _check_ratio(reduce_ratio, "reduce_ratio")
    rng = check_random_state(random_state)
    n_samples, _, n_timepoints = X.shape
    length = reduce_ratio * (n_timepoints - 1)
    start = rng.uniform(0, n_timepoints - 1 - length, size=(n_samples, 1))
    positions = start + np.linspace(0.0, length, n_timepoints)[None, :]
    return _interpolate_in_time(X, positions).astype(X.dtype)


def permutation(X, max_segments=5, segments="equal", *, random_state=None):
    """Cut each series into segments and shuffle their order (Um et al., 2017).

    The number of segments is drawn uniformly from ``2 .. max_segments`` per
    series; the cuts are evenly spaced (``segments="equal"``) or at random time
    steps (``"random"``). The multiset of segments is kept, only their order
    changes. The identity order is redrawn: as an oversampler, an unchanged
    series would only duplicate its seed.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series to augment.
    max_segments : int, default=5
        Largest number of segments.
    segments : {"equal", "random"}, default="equal"
        Where to cut.
    random_state : int, RandomState instance or None, default=None
        Seed of the cuts and orders.

    Returns
    -------
    X_new : ndarray of shape (n_samples, n_channels, n_timepoints)
        Augmented copy of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import permutation
    >>> X = np.arange(10.0)[None, None, :]
    >>> sorted(permutation(X, random_state=1)[0, 0]) == list(X[0, 0])
    True
    """
    X = _check_series(X)
    _check_int(max_segments, "max_segments", 2)
    if segments not in ("equal", "random"):
        raise ValueError(f"segments must be 'equal' or 'random'; got {segments!r}.")
    rng = check_random_state(random_state)
    n_samples, _, n_timepoints = X.shape
    X_new = np.empty_like(X)
    for i in range(n_samples):
        n_segments = min(int(rng.randint(2, max_segments + 1)), n_timepoints)
        if segments == "equal":
            cuts = np.linspace(0, n_timepoints, n_segments + 1).round().astype(int)[1:-1]
        else:
            cuts = np.sort(rng.choice(np.arange(1, n_timepoints), n_segments - 1, replace=False))
        pieces = np.split(np.arange(n_timepoints), cuts)
        order = np.arange(len(pieces))
        while len(pieces) > 1 and np.array_equal(order, np.arange(len(pieces))):
            order = rng.permutation(len(pieces))
        X_new[i] = X[i][:, np.concatenate([pieces[j] for j in order])]
    return X_new
