"""Seeds between same-class neighbours (SMOTE's interpolation rule) for learned samplers.

Written here rather than taken from imbalanced-learn: ``SMOTE`` draws its own seeds
inside ``fit_resample``, while a learned sampler needs the interpolated points of
seeds it has already drawn (and the partners and steps, to interpolate continuous
targets as SMOTER does). The neighbour search is scikit-learn's.
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors


def interpolate_seeds(X, seeds, *, k_neighbors, random_state):
    """Points between each seed and one of its nearest neighbours in ``X``.

    For seed ``x`` and a neighbour ``p`` drawn uniformly among the
    ``k_neighbors`` nearest other samples of ``X`` (Euclidean, on the flattened
    samples), the point is ``x + step * (p - x)`` with ``step ~ U(0, 1)`` — SMOTE's
    rule (Chawla et al. 2002).

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        The samples of one class (at least 2).
    seeds : ndarray of shape (n_seeds,)
        Indices into ``X``.
    k_neighbors : int
        Number of nearest neighbours to draw partners from (fewer when ``X``
        holds fewer other samples).
    random_state : numpy.random.RandomState
        Source of the partners and steps.

    Returns
    -------
    X_new : ndarray of shape (n_seeds, ...)
        The interpolated points, float.
    partners : ndarray of shape (n_seeds,)
        Index into ``X`` of each seed's partner.
    steps : ndarray of shape (n_seeds,)
        Each point's step from its seed towards its partner.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> X_new, partners, steps = interpolate_seeds(
    ...     X, np.array([0, 0]), k_neighbors=1, random_state=np.random.RandomState(0))
    >>> partners.tolist(), bool(np.allclose(X_new[:, 1], 0.0))
    ([1, 1], True)
    """
    n = len(X)
    if n < 2:
        raise ValueError(f"interpolate_seeds needs at least 2 samples in X; got {n}.")
    flat = np.asarray(X, dtype=float).reshape(n, -1)
    k = min(int(k_neighbors), n - 1)
    neighbours = NearestNeighbors(n_neighbors=k + 1).fit(flat)
    # each distinct seed is queried once: at a million rows seeds repeat many times
    distinct, position = np.unique(seeds, return_inverse=True)
    _, indices = neighbours.kneighbors(flat[distinct])
    indices = indices[position]
    # column 0 is the seed itself (or a duplicate of it at distance 0)
    choice = random_state.randint(1, k + 1, size=len(seeds))
    partners = indices[np.arange(len(seeds)), choice]
    steps = random_state.uniform(size=len(seeds))
    shape = (-1,) + (1,) * (np.ndim(X) - 1)
    X = np.asarray(X, dtype=float)
    X_new = X[seeds] + steps.reshape(shape) * (X[partners] - X[seeds])
    return X_new, partners, steps
