"""Benchmark data sets: installed packages or generated, never downloaded."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from skadvaug.datasets import (
    load_keel,
    load_ucr,
    make_imbalanced_sequences,
    make_long_tailed,
)


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # "tabular" | "sequence" | "image"
    loader: object  # () -> (X, y)
    task: str = "classification"

    def load(self):
        return _load(self)


@lru_cache(maxsize=32)
def _load(dataset):
    X, y = dataset.loader()
    X = np.asarray(X, dtype=np.float64)
    if dataset.task == "classification":
        _, y = np.unique(np.asarray(y), return_inverse=True)
    return X, np.asarray(y)


def keel(name):
    return Dataset(f"keel:{name}", "tabular", lambda: load_keel(name))


def ucr_long_tailed(name, imbalance_factor, seed=0):
    def loader():
        X, y = load_ucr(name)
        return make_long_tailed(X, y, imbalance_factor, random_state=seed)

    return Dataset(f"ucr:{name}@IF{imbalance_factor}", "sequence", loader)


def synthetic_sequences(n_samples=300, n_classes=2, n_channels=2, noise=2.5, seed=0):
    """Noisy class-dependent sines; the noise keeps the task from being trivial."""

    def loader():
        return make_imbalanced_sequences(
            n_samples, n_classes=n_classes, n_channels=n_channels, noise=noise, random_state=seed
        )

    return Dataset(f"synthetic:sines-{n_classes}c{n_channels}ch-noise{noise:g}", "sequence", loader)
