"""Classic time-series augmentations (numpy) and their differentiable torch forms.

``skadvaug.augment`` holds numpy functions on ``(n_samples, n_channels,
n_timepoints)`` arrays; :mod:`skadvaug.augment.differentiable` holds the torch
forms of the magnitude augmentations, differentiable with respect to ``sigma``.
"""

from ._apply import METHODS, apply, check_method, methods_for
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

__all__ = [
    "METHODS",
    "apply",
    "check_method",
    "jitter",
    "magnitude_warp",
    "methods_for",
    "permutation",
    "scaling",
    "time_warp",
    "translation",
    "window_slice",
    "window_warp",
]
