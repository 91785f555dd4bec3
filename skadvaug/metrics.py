"""Metrics for imbalanced learning.

:func:`macro_averaged_error` is the imbalanced-regression metric of Kim et al.
(2021, §4.1); the classification metrics of imbalanced-learn are re-exported so
that one import serves the benchmarks.
"""

import numpy as np
from imblearn.metrics import (
    classification_report_imbalanced,
    geometric_mean_score,
    macro_averaged_mean_absolute_error,
    sensitivity_score,
    specificity_score,
)
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._docs import cites
from ._targets import rare_mask

__all__ = [
    "classification_report_imbalanced",
    "geometric_mean_score",
    "macro_averaged_error",
    "macro_averaged_mean_absolute_error",
    "sensitivity_score",
    "specificity_score",
]


@cites("kim2021")
def macro_averaged_error(y_true, y_pred, *, rare_threshold, metric="rmse", return_groups=False):
    """Error measured separately on rare and common targets, then averaged.

    Kim et al. (2021), §4.1: samples whose true target exceeds
    ``rare_threshold`` form the rare group, the others the common group; the
    error (RMSE or MAE) is computed in each group and the two are averaged with
    equal weight, as if both groups had as many samples.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True continuous targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    rare_threshold : float or callable
        Targets above it are rare; a callable gets ``y_true`` and returns the
        boolean mask of rare samples.
    metric : {"rmse", "mae", "mse"}, default="rmse"
        Error per group.
    return_groups : bool, default=False
        Also return ``{"rare": error, "common": error}``.

    Returns
    -------
    error : float
        Mean of the rare-group and common-group errors.
    groups : dict
        Per-group errors, only when ``return_groups=True``.

    %(references)s

    Examples
    --------
    >>> from skadvaug.metrics import macro_averaged_error
    >>> y_true = [1.0, 1.0, 1.0, 10.0]
    >>> y_pred = [1.0, 1.0, 1.0, 6.0]
    >>> macro_averaged_error(y_true, y_pred, rare_threshold=5, metric="mae")
    2.0
    >>> macro_averaged_error(y_true, y_pred, rare_threshold=5, return_groups=True)
    (2.0, {'rare': 4.0, 'common': 0.0})
    """
    y_true = column_or_1d(np.asarray(y_true, dtype=float))
    y_pred = column_or_1d(np.asarray(y_pred, dtype=float))
    check_consistent_length(y_true, y_pred)
    if not (np.all(np.isfinite(y_true)) and np.all(np.isfinite(y_pred))):
        raise ValueError("y_true and y_pred must be finite.")
    if metric not in ("rmse", "mae", "mse"):
        raise ValueError(f"metric must be 'rmse', 'mae' or 'mse'; got {metric!r}.")
    rare = rare_mask(y_true, rare_threshold)
    residual = y_pred - y_true
    errors = {}
    for name, mask in (("rare", rare), ("common", ~rare)):
        if metric == "mae":
            errors[name] = float(np.mean(np.abs(residual[mask])))
        else:
            mse = float(np.mean(residual[mask] ** 2))
            errors[name] = mse if metric == "mse" else float(np.sqrt(mse))
    macro = (errors["rare"] + errors["common"]) / 2
    return (macro, errors) if return_groups else macro
