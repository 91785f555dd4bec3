"""Small synthetic data sets for tests, examples and quick benchmarks."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state


def _class_counts(n_samples, weights):
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1 or weights.size < 2 or np.any(weights <= 0):
        raise ValueError(f"weights must hold at least two positive numbers; got {weights!r}.")
    counts = np.floor(n_samples * weights / weights.sum()).astype(int)
    counts[0] += n_samples - counts.sum()
    if np.any(counts < 1):
        raise ValueError(
            f"n_samples={n_samples} is too small for weights={weights.tolist()}: "
            "every class needs at least one sample."
        )
    return counts


def _check_size(value, name, minimum):
    if not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")


def make_imbalanced_sequences(
    n_samples=200,
    *,
    n_classes=2,
    weights=None,
    n_channels=1,
    n_timepoints=64,
    noise=0.1,
    random_state=None,
):
    """Imbalanced multichannel series whose shape depends on the class.

    A series of class ``k`` is a sine wave with ``k + 1`` periods over the
    series, a random phase within an eighth of a period either way and a random
    amplitude, each channel shifted by a quarter period per channel index, plus
    Gaussian noise. Class counts follow
    ``weights`` exactly (up to rounding).

    Parameters
    ----------
    n_samples : int, default=200
        Number of series.
    n_classes : int, default=2
        Number of classes (labels ``0 .. n_classes - 1``).
    weights : sequence of float, default=None
        Relative class sizes; ``None`` gives a geometric decay with imbalance
        factor 10 (``[10/11, 1/11]`` for two classes).
    n_channels : int, default=1
        Channels per series.
    n_timepoints : int, default=64
        Length of each series.
    noise : float, default=0.1
        Standard deviation of the additive noise.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints)
        Series (float64).
    y : ndarray of shape (n_samples,)
        Integer labels, class 0 the largest.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> X, y = make_imbalanced_sequences(n_samples=100, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((100, 1, 64), [91, 9])
    """
    _check_size(n_classes, "n_classes", 2)
    _check_size(n_channels, "n_channels", 1)
    _check_size(n_timepoints, "n_timepoints", 2)
    if weights is None:
        weights = 10.0 ** (-np.arange(n_classes) / (n_classes - 1))
    if len(weights) != n_classes:
        raise ValueError(f"weights must have n_classes={n_classes} entries.")
    counts = _class_counts(n_samples, weights)
    rng = check_random_state(random_state)
    y = np.repeat(np.arange(n_classes), counts)
    rng.shuffle(y)
    t = np.linspace(0.0, 2 * np.pi, n_timepoints)[None, None, :]
    phase = rng.uniform(-np.pi / 4, np.pi / 4, size=(n_samples, 1, 1))
    amplitude = rng.uniform(0.8, 1.2, size=(n_samples, 1, 1))
    channel_shift = (np.pi / 2) * np.arange(n_channels)[None, :, None]
    frequency = (y + 1.0)[:, None, None]
    X = amplitude * np.sin(frequency * t + phase + channel_shift)
    X += rng.normal(0.0, noise, size=X.shape)
    return X, y


def make_sequence_regression(
    n_samples=200, *, n_channels=1, n_timepoints=32, noise=0.1, random_state=None
):
    """Series with a skewed continuous target: rare large values, as in paper 000.

    Each series is an autoregressive random walk whose level drifts; the target
    is ``exp`` of the mean of the last quarter of the first channel, so a few
    series have much larger targets than the rest (the top 5% make a natural
    ``rare_threshold``).

    Parameters
    ----------
    n_samples : int, default=200
        Number of series.
    n_channels : int, default=1
        Channels per series.
    n_timepoints : int, default=32
        Length of each series.
    noise : float, default=0.1
        Noise added to the target (relative).
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints)
        Series (float64).
    y : ndarray of shape (n_samples,)
        Positive continuous targets with a heavy right tail.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_sequence_regression
    >>> X, y = make_sequence_regression(n_samples=100, random_state=0)
    >>> X.shape, bool(np.quantile(y, 0.95) > 2 * np.median(y))
    ((100, 1, 32), True)
    """
    _check_size(n_samples, "n_samples", 2)
    _check_size(n_channels, "n_channels", 1)
    _check_size(n_timepoints, "n_timepoints", 4)
    rng = check_random_state(random_state)
    steps = rng.normal(0.0, 0.3, size=(n_samples, n_channels, n_timepoints))
    X = np.cumsum(steps, axis=-1)
    level = X[:, 0, -(n_timepoints // 4) :].mean(axis=1)
    y = np.exp(level) * (1.0 + noise * rng.normal(size=n_samples)).clip(0.1)
    return X, y
