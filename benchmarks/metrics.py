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
