"""Mini-batches by slicing, for the small networks skadvaug trains."""

import math

import numpy as np
import torch
from skorch.dataset import Dataset, get_len
from skorch.utils import to_tensor


class BatchIterator:
    """Iterate over a skorch dataset in mini-batches taken with one indexing each.

    torch's ``DataLoader`` (skorch's default) fetches and collates every sample on
    its own; for the small networks of skadvaug that per-sample work costs as much
    as the training step itself. This iterator indexes the dataset once per batch
    (skorch datasets accept index arrays) and converts the result to tensors.
    Shuffling draws from torch's global generator, which :class:`BaseNet` seeds
    from ``random_state`` during ``fit``.

    Parameters
    ----------
    dataset : skorch Dataset or torch Subset of one
        What skorch passes to ``iterator_train`` / ``iterator_valid``.
    batch_size : int, default=128
        Samples per batch (``-1``: all at once).
    shuffle : bool, default=False
        Draw a new order every epoch.
    drop_last : bool, default=False
        Skip a last batch smaller than ``batch_size``.
    **ignored
        DataLoader options that do not apply (``num_workers``, ...).
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, drop_last=False, **ignored):
        self.dataset = dataset
        self.batch_size = len(dataset) if batch_size in (-1, None) else int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = torch.randperm(n).numpy() if self.shuffle else np.arange(n)
        take = _array_take(self.dataset) or self.dataset.__getitem__
        for start in range(0, n, self.batch_size):
            index = order[start : start + self.batch_size]
            if self.drop_last and len(index) < self.batch_size:
                break
            X, y = take(index)
            if y is not None and torch.is_tensor(y) and y.numel() == 1 and len(index) > 1:
                y = y.expand(len(index))  # skorch's placeholder when there is no target
            yield to_tensor(X, device="cpu"), to_tensor(y, device="cpu")


def _array_take(dataset):
    """Direct numpy indexing of a plain skorch ``Dataset`` of arrays (or a ``Subset``
    of one), or ``None``. It returns what the dataset's own ``__getitem__`` does;
    skorch's generic indexing costs about 0.3 ms a batch, as much as a small
    network's step."""
    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        dataset, indices = dataset.dataset, np.asarray(dataset.indices)
    if type(dataset) is not Dataset or dataset.X_is_ndframe:
        return None
    X, y = dataset.X, dataset.y
    arrays = list(X.values()) if isinstance(X, dict) else [X]
    if y is not None:
        arrays.append(y)
    if not all(isinstance(array, np.ndarray) for array in arrays):
        return None

    def take(index):
        index = index if indices is None else indices[index]
        X_batch = {k: v[index] for k, v in X.items()} if isinstance(X, dict) else X[index]
        return X_batch, torch.Tensor([0]) if y is None else y[index]

    return take


def n_samples_of(X):
    """Number of samples in what a net's ``fit`` takes (an array, a dict of arrays, a
    torch ``Dataset``)."""
    return len(X) if isinstance(X, torch.utils.data.Dataset) else get_len(X)
