"""Long-tailed subsampling (Guo et al. 2019, §5.1)."""

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length


def make_long_tailed(X, y, imbalance_factor, *, random_state=None):
    """Subsample a data set so that class ``i`` keeps ``n_i * mu**i`` samples.

    Guo et al. (2019), §5.1: classes are taken in sorted label order, ``n_i`` is
    the number of samples of class ``i`` and ``mu = imbalance_factor **
    (-1 / (n_classes - 1))``, so on balanced data the first class keeps all its
    samples and the last ``1 / imbalance_factor`` of them (at least one).

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Samples of any dimension.
    y : array-like of shape (n_samples,)
        Class labels.
    imbalance_factor : float
        Largest over smallest class size after subsampling (on balanced data);
        ``1`` keeps everything.
    random_state : int, RandomState instance or None, default=None
        Which samples are kept.

    Returns
    -------
    X_lt : ndarray of shape (n_kept, ...)
        Kept samples, in their original order.
    y_lt : ndarray of shape (n_kept,)
        Their labels.

    References
    ----------
    .. [1] T. Guo, C. Xu, B. Shi, C. Xu and D. Tao, "Learning from Bad Data via
       Generation", NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_long_tailed
    >>> X, y = np.zeros((300, 2)), np.repeat([0, 1, 2], 100)
    >>> X_lt, y_lt = make_long_tailed(X, y, imbalance_factor=10, random_state=0)
    >>> np.bincount(y_lt).tolist()
    [100, 31, 10]
    """
    X = np.asarray(X)
    y = np.asarray(y)
    check_consistent_length(X, y)
    if not isinstance(imbalance_factor, Real) or not imbalance_factor >= 1:
        raise ValueError(f"imbalance_factor must be a number >= 1; got {imbalance_factor!r}.")
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError("y must contain at least two classes.")
    rng = check_random_state(random_state)
    mu = float(imbalance_factor) ** (-1.0 / (classes.size - 1))
    kept = []
    for i, label in enumerate(classes):
        members = np.flatnonzero(y == label)
        n_keep = max(1, int(np.floor(members.size * mu**i + 1e-9)))
        kept.append(rng.choice(members, size=n_keep, replace=False))
    kept = np.sort(np.concatenate(kept))
    return X[kept], y[kept]
