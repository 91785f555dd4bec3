"""Classic time-series augmentations (numpy), their differentiable torch forms and attacks.

``skadvaug.augment`` holds numpy functions on ``(n_samples, n_channels,
n_timepoints)`` arrays and their registry (:data:`AUGMENTATIONS`);
:mod:`skadvaug.augment.differentiable` holds the torch forms of the magnitude
augmentations, differentiable with respect to ``sigma``;
:mod:`skadvaug.augment.attacks` the projected-gradient attack every adversarial
augmenter uses, and :mod:`skadvaug.augment.latent_attacks` its latent forms.
"""

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
from ._registry import AUGMENTATIONS, METHODS, Augmentation, apply, check_method, methods_for

__all__ = [
    "AUGMENTATIONS",
    "Augmentation",
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
