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
    LearnedViewSampler,
    StructuredAdversarialSampler,
    TimeSeriesAugmentationSampler,
    WorstCaseGeneratorSampler,
    nets,
)
from skadvaug.modules import SmallCNNEncoder1d

ESTIMATORS = [
    TimeSeriesAugmentationSampler(random_state=0),
    TimeSeriesAugmentationSampler(method="scaling", random_state=0),
    # few epochs: the checks test the API, the behaviour tests live next to the code
    LatentAdversarialSampler(autoencoder_epochs=2, surrogate_epochs=1, random_state=0),
    FlowLatentSampler(flow_epochs=2, surrogate_epochs=1, flow_steps=2, random_state=0),
    # the checks pass tables, which have no grid to warp: the unstructured baseline
    StructuredAdversarialSampler(perturbation="fgm", surrogate_epochs=1, random_state=0),
    WorstCaseGeneratorSampler(game_epochs=2, hidden=16, random_state=0),
    # the checks' tables are read as univariate series (their columns as time steps)
    LearnedViewSampler(pretrain_epochs=1, batch_size=8, random_state=0),
    FlowTransformer(max_epochs=2, flow_steps=2, random_state=0),
    Flatten(),
    ContrastiveEncoder(encoder="small_cnn", max_epochs=1, batch_size=8, random_state=0),
]

# The joint networks (skorch nets): 10 epochs at lr 0.01 so that check_classifiers_train
# reaches its accuracy; the backbones small. Regressors get a rare threshold (their
# augmentation needs a rare group); the structured ones the table baseline (fgm).
_NET = {"max_epochs": 10, "lr": 0.01, "random_state": 0}
NETS = [
    nets.OnlineAugmentationClassifier(augmentation="jitter", **_NET),
    nets.OnlineAugmentationRegressor(augmentation="jitter", rare_threshold=0.0, **_NET),
    nets.LatentAdversarialClassifier(autoencoder__max_epochs=2, **_NET),
    nets.LatentAdversarialRegressor(autoencoder__max_epochs=2, rare_threshold=0.0, **_NET),
    nets.FlowLatentClassifier(flow__max_epochs=2, flow__module__n_steps=2, **_NET),
    nets.FlowLatentRegressor(
        flow__max_epochs=2, flow__module__n_steps=2, rare_threshold=0.0, **_NET
    ),
    nets.StructuredAdversarialClassifier(perturbation="fgm", **_NET),
    nets.StructuredAdversarialRegressor(perturbation="fgm", rare_threshold=0.0, **_NET),
    nets.WorstCaseGeneratorClassifier(hidden=16, **_NET),
    nets.WorstCaseGeneratorRegressor(hidden=16, rare_threshold=0.0, **_NET),
    # the checks' tables are univariate series; unscaled, so that two-step series keep
    # what tells their classes apart (LEAVES scales each series to [0, 1])
    nets.ContrastiveClassifier(
        SmallCNNEncoder1d, pretrain__max_epochs=1, pretrain__input_norm=None, **_NET
    ),
]

# check name -> reason, per estimator class.
EXPECTED_FAILED_CHECKS = {
    "TimeSeriesAugmentationSampler": {},
    "LatentAdversarialSampler": {},
    "FlowLatentSampler": {},
    "StructuredAdversarialSampler": {},
    "WorstCaseGeneratorSampler": {},
    "LearnedViewSampler": {},
    "FlowTransformer": {},
    "Flatten": {},
    "ContrastiveEncoder": {},
}
# skorch's design, shared by every skorch net: its __init__ sets history_, initialized_
# and the prefixed parameters; initialize() resolves device="auto" to the device it
# trains on in place (skorch itself rewrites device when a CUDA net is loaded on a CPU
# machine), so get_params() after fit says "cpu" or "cuda".
_SKORCH = {
    "check_no_attributes_set_in_init": "skorch's NeuralNet.__init__ sets attributes.",
    "check_estimators_overwrite_params": "device='auto' is resolved in place (skorch).",
    "check_dont_overwrite_parameters": "device='auto' is resolved in place (skorch).",
}
EXPECTED_FAILED_CHECKS.update({type(net).__name__: _SKORCH for net in NETS})


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


@parametrize_with_sklearn_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_sklearn_checks(NETS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_net(estimator, check):
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
