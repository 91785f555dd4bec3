"""macro_averaged_error (skadvaug/metrics.py)."""

import numpy as np
import pytest

from skadvaug.metrics import macro_averaged_error


def test_each_group_counts_equally_whatever_its_size():
    y_true = np.r_[np.ones(98), [10.0, 12.0]]
    y_pred = np.r_[np.ones(98) + 1.0, [6.0, 12.0]]
    macro, groups = macro_averaged_error(
        y_true, y_pred, rare_threshold=5, metric="rmse", return_groups=True
    )
    assert groups == {"rare": pytest.approx(np.sqrt(8.0)), "common": pytest.approx(1.0)}
    assert macro == pytest.approx((np.sqrt(8.0) + 1.0) / 2)
    plain_rmse = np.sqrt(np.mean((y_true - y_pred) ** 2))
    assert macro > plain_rmse  # the rare error is not drowned by the common rows


@pytest.mark.parametrize(("metric", "expected"), [("mae", 1.5), ("mse", 2.5), ("rmse", 1.5)])
def test_metrics(metric, expected):
    y_true, y_pred = [0.0, 0.0, 10.0], [1.0, 1.0, 8.0]
    assert macro_averaged_error(y_true, y_pred, rare_threshold=5, metric=metric) == pytest.approx(
        expected
    )


def test_callable_threshold():
    y_true, y_pred = [0.0, 5.0, 10.0], [0.0, 5.0, 4.0]
    assert macro_averaged_error(
        y_true, y_pred, rare_threshold=lambda t: t < 1, metric="mae"
    ) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rare_threshold": 100}, ValueError, "leaves the rare group empty"),
        ({"rare_threshold": 5, "metric": "r2"}, ValueError, "metric"),
        ({"rare_threshold": "high"}, TypeError, "rare_threshold"),
        ({"rare_threshold": lambda t: t}, TypeError, "boolean mask"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        macro_averaged_error([0.0, 10.0], [0.0, 9.0], **kwargs)


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="finite"):
        macro_averaged_error([0.0, np.nan], [0.0, 1.0], rare_threshold=0.5)
