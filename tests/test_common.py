"""scikit-learn's and imbalanced-learn's estimator checks over every public estimator."""

import warnings

import pytest
from imblearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    check_param_validation,
)
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_imblearn_checks,
)
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as parametrize_with_sklearn_checks,
)

from skadvaug import (
    ContrastiveEncoder,
    Flatten,
    FlowLatentSampler,
    FlowTransformer,
    LatentAdversarialSampler,
    StructuredAdversarialSampler,
    TimeSeriesAugmentationSampler,
    WorstCaseGeneratorSampler,
)

ESTIMATORS = [
    TimeSeriesAugmentationSampler(random_state=0),
    TimeSeriesAugmentationSampler(method="scaling", random_state=0),
    # few epochs: the checks test the API, the behaviour tests live next to the code
    LatentAdversarialSampler(autoencoder_epochs=2, surrogate_epochs=1, random_state=0),
    FlowLatentSampler(flow_epochs=2, surrogate_epochs=1, flow_steps=2, random_state=0),
    # the checks pass tables, which have no grid to warp: the unstructured baseline
    StructuredAdversarialSampler(perturbation="fgm", surrogate_epochs=1, random_state=0),
    WorstCaseGeneratorSampler(game_epochs=2, hidden=16, random_state=0),
    FlowTransformer(max_epochs=2, flow_steps=2, random_state=0),
    Flatten(),
    ContrastiveEncoder(encoder="small_cnn", max_epochs=1, batch_size=8, random_state=0),
]

# check name -> reason, per estimator class.
_DENSE_ONLY = (
    "imblearn runs this check for every sampler that accepts DataFrames; skadvaug "
    "samplers augment dense values and refuse sparse input with a TypeError."
)
EXPECTED_FAILED_CHECKS = {
    "TimeSeriesAugmentationSampler": {"check_samplers_pandas_sparse": _DENSE_ONLY},
    "LatentAdversarialSampler": {"check_samplers_pandas_sparse": _DENSE_ONLY},
    "FlowLatentSampler": {"check_samplers_pandas_sparse": _DENSE_ONLY},
    "StructuredAdversarialSampler": {"check_samplers_pandas_sparse": _DENSE_ONLY},
    "WorstCaseGeneratorSampler": {"check_samplers_pandas_sparse": _DENSE_ONLY},
    "FlowTransformer": {},
    "Flatten": {},
    "ContrastiveEncoder": {},
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


@parametrize_with_sklearn_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_imblearn_checks(
    [e for e in ESTIMATORS if hasattr(e, "fit_resample")],
    expected_failed_checks=_expected_failed_checks,
)
def test_imblearn_compatible_sampler(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_pandas_column_name_consistency(estimator):
    with warnings.catch_warnings(record=True) as record:
        check_dataframe_column_names_consistency(type(estimator).__name__, estimator)
    assert not [w for w in record if "was fitted without feature names" in str(w.message)]
