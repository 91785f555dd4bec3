"""UCR/UEA time-series classification sets bundled with ``aeon`` (no download)."""

import os

import numpy as np


def _bundled_dir():
    try:
        import aeon.datasets
    except ImportError as exc:  # pragma: no cover - exercised without aeon only
        raise ImportError(
            "load_ucr needs the optional package aeon: pip install 'skadvaug[bench]'."
        ) from exc
    return os.path.join(os.path.dirname(aeon.datasets.__file__), "data")


def list_ucr():
    """Names of the classification sets bundled with ``aeon``.

    Returns
    -------
    names : list of str
        Sorted names, e.g. ``"GunPoint"``, ``"BasicMotions"``.

    Examples
    --------
    >>> from skadvaug.datasets import list_ucr
    >>> "GunPoint" in list_ucr()
    True
    """
    root = _bundled_dir()
    return sorted(
        name
        for name in os.listdir(root)
        if os.path.isfile(os.path.join(root, name, f"{name}_TRAIN.ts"))
    )


def _pad_to_equal_length(series, length=None):
    length = length or max(s.shape[-1] for s in series)
    return np.stack([np.pad(s, ((0, 0), (0, length - s.shape[-1])), mode="edge") for s in series])


def load_ucr(name, *, split=None):
    """Load a UCR/UEA classification set bundled with ``aeon``; never downloads.

    Parameters
    ----------
    name : str
        A name from :func:`list_ucr`, e.g. ``"GunPoint"``, ``"ArrowHead"``,
        ``"ItalyPowerDemand"``, ``"BasicMotions"``, ``"JapaneseVowels"``.
    split : {"train", "test"} or None, default=None
        Which split; ``None`` concatenates train and test.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints)
        Series as float64. Sets of unequal length (JapaneseVowels) are padded
        at the end with each series' last value up to the longest length of the
        whole set, so that the train and test splits have the same shape.
    y : ndarray of shape (n_samples,)
        Class labels (strings, as in the archive).

    Examples
    --------
    >>> from skadvaug.datasets import load_ucr
    >>> X, y = load_ucr("GunPoint", split="train")
    >>> X.shape
    (50, 1, 150)
    """
    available = list_ucr()
    if name not in available:
        raise ValueError(
            f"name={name!r} is not bundled with aeon (skadvaug never downloads); "
            f"available: {available}."
        )
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be 'train', 'test' or None; got {split!r}.")
    from aeon.datasets import load_classification

    X, y = load_classification(name, split=split)
    if isinstance(X, list):
        every_split = X if split is None else load_classification(name)[0]
        X = _pad_to_equal_length(X, max(s.shape[-1] for s in every_split))
    return np.asarray(X, dtype=np.float64), np.asarray(y)
