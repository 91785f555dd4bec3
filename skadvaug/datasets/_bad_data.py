"""Bad data of Guo et al. (2019), §5.1-5.2: corrupted test sets and reduced training sets."""

from numbers import Real

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

NOISES = ("gaussian", "salt_and_pepper")


def corrupt(X, noise="gaussian", scale=0.2, *, fraction=0.7, clip=(0.0, 1.0), random_state=None):
    """Corrupt a share of the samples with Gaussian or salt-and-pepper noise.

    Guo et al. (2019), §5.1 / Table 2: noise on 70% of the test samples, for
    data scaled to ``[0, 1]``: Gaussian noise of standard deviation ``scale``
    (the paper: 0.2 and 0.3 on CIFAR-10), or salt and pepper where each value
    becomes ``clip[0]`` or ``clip[1]`` (equally likely) with probability
    ``scale`` (the paper: 0.02). The input is not modified.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Samples of any dimension.
    noise : {"gaussian", "salt_and_pepper"}, default="gaussian"
        The corruption.
    scale : float, default=0.2
        Standard deviation (Gaussian) or the share of values flipped (salt and
        pepper).
    fraction : float, default=0.7
        Share of the samples corrupted.
    clip : (float, float) or None, default=(0.0, 1.0)
        Range the result is clipped to (and salt and pepper's two values).
    random_state : int, RandomState instance or None, default=None
        Which samples and values, and the noise.

    Returns
    -------
    X_corrupted : ndarray of the shape of ``X`` (float)
    corrupted : ndarray of bool, shape (n_samples,)
        Which samples were corrupted.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import corrupt
    >>> X_noisy, which = corrupt(np.full((10, 4), 0.5), scale=0.1, random_state=0)
    >>> int(which.sum()), bool(np.all(X_noisy[~which] == 0.5))
    (7, True)
    """
    X = np.array(X, dtype=float)  # a copy: the caller's data is never modified
    if noise not in NOISES:
        raise ValueError(f"noise must be one of {NOISES}; got {noise!r}.")
    if not isinstance(scale, Real) or scale < 0:
        raise ValueError(f"scale must be a number >= 0; got {scale!r}.")
    if not isinstance(fraction, Real) or not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be in [0, 1]; got {fraction!r}.")
    if noise == "salt_and_pepper" and (clip is None or scale > 1):
        raise ValueError("salt_and_pepper needs clip=(low, high) and scale <= 1.")
    rng = check_random_state(random_state)
    corrupted = np.zeros(len(X), dtype=bool)
    corrupted[rng.choice(len(X), size=int(round(fraction * len(X))), replace=False)] = True
    rows = X[corrupted]
    if noise == "gaussian":
        rows = rows + rng.normal(0.0, scale, size=rows.shape)
    else:
        flipped = rng.random_sample(rows.shape) < scale
        rows = np.where(flipped, np.where(rng.random_sample(rows.shape) < 0.5, *clip), rows)
    X[corrupted] = rows if clip is None else np.clip(rows, *clip)
    return X, corrupted


def reduce_data(X, y, fraction, *, random_state=None):
    """Keep a stratified share of the samples (Guo et al. 2019, §5.2: 20% and 30%).

    Every class keeps at least one sample.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Samples of any dimension.
    y : array-like of shape (n_samples,)
        Class labels.
    fraction : float in (0, 1]
        Share of the samples kept.
    random_state : int, RandomState instance or None, default=None
        Which samples are kept.

    Returns
    -------
    X_reduced, y_reduced : ndarrays
        Kept samples and labels, in their original order.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import reduce_data
    >>> X, y = np.zeros((100, 2)), np.repeat([0, 1], [80, 20])
    >>> np.bincount(reduce_data(X, y, 0.3, random_state=0)[1]).tolist()
    [24, 6]
    """
    X, y = np.asarray(X), np.asarray(y)
    check_consistent_length(X, y)
    if not isinstance(fraction, Real) or not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1]; got {fraction!r}.")
    if fraction == 1:
        return X.copy(), y.copy()
    labels, counts = np.unique(y, return_counts=True)
    n_keep = max(len(labels), int(round(fraction * len(y))))
    if np.any(counts < 2) or n_keep >= len(y):
        rng = check_random_state(random_state)  # too small to stratify: one per class first
        first = np.array([rng.choice(np.flatnonzero(y == label)) for label in labels])
        rest = rng.choice(np.setdiff1d(np.arange(len(y)), first), n_keep - len(first), False)
        kept = np.sort(np.concatenate([first, rest]))
    else:
        kept, _ = train_test_split(
            np.arange(len(y)), train_size=n_keep, stratify=y, random_state=random_state
        )
        kept = np.sort(kept)
    return X[kept], y[kept]
