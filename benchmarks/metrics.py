"""Scores of one fitted model on one test fold."""

import numpy as np
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

from skadvaug.metrics import geometric_mean_score

CLASSIFICATION_METRICS = ("balanced_accuracy", "f1_macro", "g_mean", "roc_auc")


def _scores(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.decision_function(X)


def classification_scores(model, X_test, y_test, classes):
    y_pred = model.predict(X_test)
    result = {
        "balanced_accuracy": balanced_accuracy_score(y_test, y_pred),
        "f1_macro": f1_score(y_test, y_pred, average="macro", labels=classes, zero_division=0),
        "g_mean": geometric_mean_score(y_test, y_pred, labels=classes, average="multiclass"),
    }
    try:
        scores = _scores(model, X_test)
        if len(classes) == 2:
            scores = scores[:, 1] if np.ndim(scores) == 2 else scores
            result["roc_auc"] = roc_auc_score(y_test, scores)
        else:
            result["roc_auc"] = roc_auc_score(
                y_test, scores, multi_class="ovr", average="macro", labels=classes
            )
    except ValueError:  # a class missing from the test fold
        result["roc_auc"] = np.nan
    return {name: float(value) for name, value in result.items()}


REGRESSION_METRICS = (
    "rmse_macro",
    "mae_macro",
    "rmse_rare",
    "rmse_common",
    "mae_rare",
    "mae_common",
)


def regression_scores(model, X_test, y_test, rare_threshold):
    """Macro-averaged RMSE/MAE over the rare and common test targets (paper 000, §4.1)."""
    from skadvaug.metrics import macro_averaged_error

    y_pred = np.asarray(model.predict(X_test), dtype=float).ravel()
    result = {}
    for metric in ("rmse", "mae"):
        macro, groups = macro_averaged_error(
            y_test, y_pred, rare_threshold=rare_threshold, metric=metric, return_groups=True
        )
        result[f"{metric}_macro"] = macro
        result[f"{metric}_rare"] = groups["rare"]
        result[f"{metric}_common"] = groups["common"]
    return result


def metrics_of(task):
    return CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS


def higher_is_better(metric):
    return metric in CLASSIFICATION_METRICS
