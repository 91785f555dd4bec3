"""Apply a classic augmentation by name to tables, sequences or images."""

from .._kinds import data_kind
from ._classic import (
    jitter,
    magnitude_warp,
    permutation,
    scaling,
    time_warp,
    translation,
    window_slice,
    window_warp,
)

ALL_KINDS = frozenset({"tabular", "sequence", "image"})

# name -> (function, data kinds it makes sense for). Methods that move values
# along the time axis only make sense for sequences; jitter and scaling act per
# value / per channel and also fit tables (each feature a channel) and images;
# translation is a per-channel offset, which on a table would only repeat jitter.
METHODS = {
    "jitter": (jitter, ALL_KINDS),
    "scaling": (scaling, ALL_KINDS),
    "translation": (translation, frozenset({"sequence", "image"})),
    "magnitude_warp": (magnitude_warp, frozenset({"sequence"})),
    "time_warp": (time_warp, frozenset({"sequence"})),
    "window_warp": (window_warp, frozenset({"sequence"})),
    "window_slice": (window_slice, frozenset({"sequence"})),
    "permutation": (permutation, frozenset({"sequence"})),
}


def methods_for(kind):
    """Names of the augmentations that make sense for a data kind."""
    return sorted(name for name, (_, kinds) in METHODS.items() if kind in kinds)


def check_method(method, ndim, *, param="method"):
    """Raise a ``ValueError`` naming ``param`` unless ``method`` fits ``ndim``-D data."""
    if method not in METHODS:
        raise ValueError(f"{param} must be one of {sorted(METHODS)}; got {method!r}.")
    kind = data_kind(ndim)
    kinds = METHODS[method][1]
    if kind not in kinds:
        raise ValueError(
            f"{param}={method!r} needs {' or '.join(sorted(kinds))} data but X is {kind} "
            f"(ndim={ndim}); for {kind} data use one of {methods_for(kind)}."
        )


def apply(method, X, *, random_state=None, **params):
    """Augment every sample of ``X`` with the classic augmentation ``method``.

    Sequences ``(n, channels, timepoints)`` go to the function as they are;
    tables ``(n, features)`` become one-step series (each feature a channel) and
    images ``(n, channels, h, w)`` series of flattened pixels, for the methods
    that make sense there (:func:`methods_for`).

    Parameters
    ----------
    method : str
        A name from :data:`METHODS`.
    X : ndarray of shape (n_samples, ...)
        Tables, sequences or images.
    random_state : int, RandomState instance or None, default=None
        Seed of the augmentation.
    **params
        Keyword arguments of the augmentation function.

    Returns
    -------
    X_new : ndarray with the shape of ``X``
        Augmented copy.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.augment import apply
    >>> apply("scaling", np.ones((4, 3)), random_state=0).shape
    (4, 3)
    """
    check_method(method, X.ndim)
    function = METHODS[method][0]
    series = X.reshape(X.shape[0], X.shape[1], -1)
    return function(series, random_state=random_state, **params).reshape(X.shape)
