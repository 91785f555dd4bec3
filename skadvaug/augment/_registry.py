"""One registry of the classic augmentations, and applying one by name.

Each entry says everything the rest of the package needs to know about a method:
its numpy function (the reference), its differentiable torch form where one
exists, the data kinds it makes sense for and the estimator parameters that
reach the function. :class:`~skadvaug.TimeSeriesAugmentationSampler`,
:func:`apply`, the online nets' :class:`~skadvaug.modules.ClassicAugmenter` and
:mod:`skadvaug.augment.differentiable` all read it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .._kinds import data_kind
from . import _classic, differentiable

ALL_KINDS = frozenset({"tabular", "sequence", "image"})
SEQUENCE = frozenset({"sequence"})


@dataclass(frozen=True)
class Augmentation:
    """A classic augmentation: how to run it and where it applies.

    Attributes
    ----------
    numpy : callable
        ``numpy(X, **params, random_state=...)`` on ``(n, channels, time)`` arrays.
    kinds : frozenset of str
        Data kinds it makes sense for.
    parameters : dict
        Estimator parameter -> keyword of the function.
    torch : callable or None
        ``torch(x, **params, generator=...)``, differentiable with respect to its
        magnitude; ``None`` where there is no torch form.
    """

    numpy: Callable
    kinds: frozenset
    parameters: dict = field(default_factory=dict)
    torch: Callable | None = None


# Methods that move values along the time axis only make sense for sequences;
# jitter and scaling act per value / per channel and also fit tables (each feature
# a channel) and images; translation is a per-channel offset, which on a table
# would only repeat jitter.
AUGMENTATIONS = {
    "jitter": Augmentation(_classic.jitter, ALL_KINDS, {"sigma": "sigma"}, differentiable.jitter),
    "scaling": Augmentation(
        _classic.scaling, ALL_KINDS, {"sigma": "sigma"}, differentiable.scaling
    ),
    "translation": Augmentation(
        _classic.translation, frozenset({"sequence", "image"}), {"sigma": "sigma"}
    ),
    "magnitude_warp": Augmentation(
        _classic.magnitude_warp,
        SEQUENCE,
        {"sigma": "sigma", "n_knots": "n_knots"},
        differentiable.magnitude_warp,
    ),
    "time_warp": Augmentation(
        _classic.time_warp, SEQUENCE, {"sigma": "sigma", "n_knots": "n_knots"}
    ),
    "window_warp": Augmentation(
        _classic.window_warp, SEQUENCE, {"window_ratio": "window_ratio", "warp_scales": "scales"}
    ),
    "window_slice": Augmentation(_classic.window_slice, SEQUENCE, {"reduce_ratio": "reduce_ratio"}),
    "permutation": Augmentation(
        _classic.permutation, SEQUENCE, {"max_segments": "max_segments", "segments": "segments"}
    ),
}

# name -> (numpy function, data kinds): the mapping earlier releases exported.
METHODS = {name: (entry.numpy, entry.kinds) for name, entry in AUGMENTATIONS.items()}


def methods_for(kind):
    """Names of the augmentations that make sense for a data kind."""
    return sorted(name for name, entry in AUGMENTATIONS.items() if kind in entry.kinds)


def check_method(method, ndim, *, param="method"):
    """Raise a ``ValueError`` naming ``param`` unless ``method`` fits ``ndim``-D data."""
    if method not in AUGMENTATIONS:
        raise ValueError(f"{param} must be one of {sorted(AUGMENTATIONS)}; got {method!r}.")
    kind = data_kind(ndim)
    kinds = AUGMENTATIONS[method].kinds
    if kind not in kinds:
        raise ValueError(
            f"{param}={method!r} needs {' or '.join(sorted(kinds))} data but X is {kind} "
            f"(ndim={ndim}); for {kind} data use one of {methods_for(kind)}."
        )


def as_series(X):
    """``(n, ...)`` data as ``(n, channels, steps)``: a table's feature is a channel of
    one step, an image's pixels are one channel's steps."""
    return X.reshape(X.shape[0], X.shape[1], -1)


def apply(method, X, *, random_state=None, **params):
    """Augment every sample of ``X`` with the classic augmentation ``method``.

    Sequences ``(n, channels, timepoints)`` go to the function as they are;
    tables ``(n, features)`` become one-step series (each feature a channel) and
    images ``(n, channels, h, w)`` series of flattened pixels, for the methods
    that make sense there (:func:`methods_for`).

    Parameters
    ----------
    method : str
        A name from :data:`AUGMENTATIONS`.
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
    function = AUGMENTATIONS[method].numpy
    return function(as_series(X), random_state=random_state, **params).reshape(X.shape)
