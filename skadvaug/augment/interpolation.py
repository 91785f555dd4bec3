"""Seeds between same-class neighbours (SMOTE's interpolation rule) for learned samplers.

Written here rather than taken from imbalanced-learn: ``SMOTE`` draws its own seeds
inside ``fit_resample``, while a learned sampler needs the interpolated points of
seeds it has already drawn (and the partners and steps, to interpolate continuous
targets as SMOTER does). The neighbour search is scikit-learn's.
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors

MAX_BLOCK = 10_000


def interpolate_seeds(X, seeds, *, k_neighbors, random_state, max_block=MAX_BLOCK):
    """Points between each seed and one of its nearest neighbours in ``X``.

    For seed ``x`` and a neighbour ``p`` drawn uniformly among the
    ``k_neighbors`` nearest other samples of ``X`` (Euclidean, on the flattened
    samples), the point is ``x + step * (p - x)`` with ``step ~ U(0, 1)`` — SMOTE's
    rule (Chawla et al. 2002).

    The search is exact while ``X`` holds at most ``max_block`` samples. Beyond,
    ``X`` is split at random into blocks of at most ``max_block`` samples and each
    sample's neighbours are searched in its own block: an exact search costs
    ``len(X) ** 2`` distances (17 s for 50,000 samples of 20 features on 2 cores,
    more than the rest of a learned sampler's fit), the blocks ``len(X) *
    max_block``, so the cost grows linearly with the data; the partners are then
    near neighbours of a random part of the class rather than of all of it.

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
        Source of the partners and steps (and of the blocks).
    max_block : int, default=10_000
        Largest number of samples searched exactly (see above).

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
    X = np.asarray(X, dtype=float)
    flat = X.reshape(n, -1)
    n_blocks = int(np.ceil(n / max_block))
    if n_blocks == 1:
        k = min(int(k_neighbors), n - 1)
        # each distinct seed is queried once: seeds repeat when many are drawn
        distinct, position = np.unique(seeds, return_inverse=True)
        indices = _neighbours(flat, flat[distinct], k)[position]
    else:
        k = min(int(k_neighbors), n // n_blocks - 1)
        indices = np.empty((n, k + 1), dtype=np.intp)
        for block in np.array_split(random_state.permutation(n), n_blocks):
            indices[block] = block[_neighbours(flat[block], flat[block], k)]
        indices = indices[seeds]
    # column 0 is the seed itself (or a duplicate of it at distance 0)
    choice = random_state.randint(1, k + 1, size=len(seeds))
    partners = indices[np.arange(len(seeds)), choice]
    steps = random_state.uniform(size=len(seeds))
    shape = (-1,) + (1,) * (X.ndim - 1)
    X_new = X[seeds] + steps.reshape(shape) * (X[partners] - X[seeds])
    return X_new, partners, steps


def _neighbours(reference, queries, k):
    """Indices into ``reference`` of the ``k + 1`` nearest samples of each query."""
    return NearestNeighbors(n_neighbors=k + 1).fit(reference).kneighbors(queries)[1]
