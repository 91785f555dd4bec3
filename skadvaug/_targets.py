"""Rare/common split of continuous targets (imbalanced regression, paper 000).

One place for what ``rare_threshold`` means: samplers, joint nets and
:func:`skadvaug.metrics.macro_averaged_error` all call :func:`rare_mask`.
"""

from numbers import Real

import numpy as np


def rare_mask(y, rare_threshold, *, allow_empty_group=False):
    """Boolean mask of the rare samples of the continuous targets ``y``.

    ``rare_threshold`` is a float (targets above it are rare) or a callable
    returning the mask. Both groups must be non-empty unless
    ``allow_empty_group`` (a joint net augments whichever samples are rare).
    """
    y = np.asarray(y, dtype=float).ravel()
    if callable(rare_threshold):
        mask = np.asarray(rare_threshold(y.copy()))
        if mask.dtype != bool or mask.shape != y.shape:
            raise TypeError(
                "rare_threshold, when callable, must return a boolean mask of shape "
                f"{y.shape}; got dtype={mask.dtype} and shape={mask.shape}."
            )
        described = "the callable rare_threshold"
    elif isinstance(rare_threshold, Real) and not isinstance(rare_threshold, bool):
        mask = y > rare_threshold
        described = f"rare_threshold={rare_threshold!r}"
    else:
        raise TypeError(
            f"rare_threshold must be a float or a callable; got {type(rare_threshold).__name__}."
        )
    n_rare = int(mask.sum())
    if (n_rare == 0 or n_rare == mask.size) and not allow_empty_group:
        empty, full = ("rare", "common") if n_rare == 0 else ("common", "rare")
        raise ValueError(
            f"{described} leaves the {empty} group empty: all {mask.size} targets "
            f"(range {y.min():.4g} to {y.max():.4g}) fall in the {full} group."
        )
    return mask
