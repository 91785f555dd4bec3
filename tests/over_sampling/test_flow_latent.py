"""FlowLatentSampler and FlowLatentClassifier (paper 003)."""

import pickle
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from torch.nn import functional as F

from skadvaug import Flatten, FlowLatentSampler
from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression
from skadvaug.nets import FlowLatentClassifier, FlowLatentRegressor, FlowNet

FAST = {"flow_epochs": 5, "surrogate_epochs": 5, "random_state": 0}


@pytest.fixture(scope="module")
def table():
    return make_classification(
        400, n_features=6, n_informative=4, weights=[0.8], class_sep=1.0, random_state=0
    )


@pytest.fixture(scope="module", params=["l2", "linf"])
def fitted(request, table):
    X, y = table
    norm = request.param
    epsilon = 1.0 if norm == "l2" else 0.3
    sampler = FlowLatentSampler(
        attack="adversarial",
        norm=norm,
        epsilon=epsilon,
        preserve_labels=False,  # the paper's attack
        clamp=None,  # the ball bounds the unclipped decoding
        step_size=epsilon / 2,
        attack_steps=5,
        flow_epochs=30,
        surrogate_epochs=30,
        random_state=0,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    return sampler, X_res, y_res, norm, epsilon


def _latent_size(delta, norm):
    return np.linalg.norm(delta, axis=1) if norm == "l2" else np.abs(delta).max(axis=1)


def test_every_perturbation_stays_inside_its_latent_ball(fitted, table):
    sampler, X_res, y_res, norm, epsilon = fitted
    X, y = table
    seeds = X[y == 1]
    new = sampler._augment(seeds, y[y == 1], group=1, random_state=np.random.RandomState(0))
    moved = _latent_size(sampler.flow_.transform(new) - sampler.flow_.transform(seeds), norm)
    assert moved.max() <= epsilon + 1e-4
    assert moved.mean() > 0.5 * epsilon  # PGD pushes to the boundary


def test_pgd_raises_the_surrogate_loss_more_than_random_perturbations_of_the_same_norm(
    fitted, table
):
    sampler, _, _, norm, _ = fitted
    X, y = table
    seeds, labels = X[y == 1], y[y == 1]
    adversarial = sampler._augment(seeds, labels, group=1, random_state=np.random.RandomState(0))
    Z = sampler.flow_.transform(seeds)
    delta = sampler.flow_.transform(adversarial) - Z
    noise = np.random.RandomState(1).normal(size=Z.shape)
    if norm == "l2":
        random = (
            noise
            * np.linalg.norm(delta, axis=1, keepdims=True)
            / np.linalg.norm(noise, axis=1, keepdims=True)
        )
    else:
        random = np.sign(noise) * np.abs(delta).max(axis=1, keepdims=True)
    randomised = sampler.flow_.inverse_transform((Z + random).astype(np.float32))
    network = sampler.surrogate_

    def loss(samples):
        logits = network.forward(sampler.flow_._standardize(samples))
        return F.cross_entropy(logits, torch.as_tensor(labels)).item()

    assert loss(adversarial) > 1.5 * loss(randomised)
    assert loss(randomised) > loss(seeds) * 0.5


def test_counts_and_originals_first(fitted, table):
    _, X_res, y_res, *_ = fitted
    X, y = table
    counts = Counter(y.tolist())
    assert Counter(y_res.tolist()) == {0: counts[0], 1: counts[0]}
    np.testing.assert_array_equal(X_res[: len(X)], X)


def test_random_attack_needs_no_surrogate(table):
    X, y = table
    sampler = FlowLatentSampler(attack="random", norm="linf", epsilon=0.25, **FAST)
    sampler.fit_resample(X, y)
    assert len(sampler.surrogate_.history) == 0  # its network is never trained
    assert "surrogate" not in sampler.history_


@pytest.mark.parametrize("shape", [(2, 16), (1, 6, 6)])
def test_sequences_and_images(shape):
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [50, 12])
    X = rng.normal(size=(62, *shape)) + y.reshape(-1, *[1] * len(shape))
    X_res, y_res = FlowLatentSampler(**FAST).fit_resample(X, y)
    assert X_res.shape == (100, *shape)
    assert np.all(np.isfinite(X_res))


def _coupling_names(sampler):
    return {type(layer).__name__ for layer in sampler.flow_.flow_.module_.layers}


def test_the_sequence_default_is_split_couplings_of_16_channels_and_an_integer_keeps_the_old():
    X, y = make_imbalanced_sequences(60, n_timepoints=16, random_state=0)
    small = FlowLatentSampler(**FAST)
    checkerboard = FlowLatentSampler(flow_hidden=64, **FAST)
    for sampler in (small, checkerboard):
        X_res, _ = sampler.fit_resample(X, y)
        assert np.all(np.isfinite(X_res))
    assert "TimeSplitCoupling" in _coupling_names(small)
    assert small.flow_.flow_hidden == 16
    assert "TimeSplitCoupling" not in _coupling_names(checkerboard)
    assert checkerboard.flow_.flow_hidden == 64
    # flow_params set the coupling whatever flow_hidden says
    split = FlowLatentSampler(flow_hidden=64, flow_params={"coupling": "split"}, **FAST)
    split.fit_resample(X, y)
    assert "TimeSplitCoupling" in _coupling_names(split)
    masked = FlowLatentSampler(flow_params={"coupling": "checkerboard"}, **FAST)
    masked.fit_resample(X, y)
    assert "TimeSplitCoupling" not in _coupling_names(masked)
    assert masked.flow_.flow_hidden == 16


def test_tables_keep_the_64_wide_flow():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], [30, 10])
    sampler = FlowLatentSampler(**FAST)
    sampler.fit_resample(X, y)
    assert sampler.flow_.flow_hidden == 64
    assert sampler.flow_.flow_params is None


def test_class_conditional_flow():
    X, y = make_imbalanced_sequences(80, n_timepoints=16, random_state=0)
    sampler = FlowLatentSampler(conditional=True, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.flow_.conditional
    assert Counter(y_res.tolist())[1] == Counter(y.tolist())[0]


def test_continuous_targets():
    X, y = make_sequence_regression(120, n_timepoints=16, random_state=0)
    threshold = float(np.quantile(y, 0.9))
    X_res, y_res = FlowLatentSampler(rare_threshold=threshold, **FAST).fit_resample(X, y)
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold)
    assert set(y_res[len(y) :]) <= set(y[y > threshold])


def test_deterministic_and_picklable(table):
    X, y = table
    first = FlowLatentSampler(**FAST).fit_resample(X, y)[0]
    sampler = FlowLatentSampler(**FAST)
    again = sampler.fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    restored = pickle.loads(pickle.dumps(sampler))
    seeds = X[y == 1][:10]
    np.testing.assert_array_equal(
        sampler._augment(seeds, np.ones(10, int), group=1, random_state=np.random.RandomState(2)),
        restored._augment(seeds, np.ones(10, int), group=1, random_state=np.random.RandomState(2)),
    )


def test_pipeline_grid_search_over_epsilon():
    X, y = make_imbalanced_sequences(90, n_timepoints=16, noise=0.5, random_state=0)
    pipeline = make_pipeline(
        FlowLatentSampler(flow_epochs=2, surrogate_epochs=2, random_state=0),
        Flatten(),
        LogisticRegression(max_iter=500),
    )
    search = GridSearchCV(
        pipeline,
        {"flowlatentsampler__epsilon": [0.3, 1.0]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="balanced_accuracy",
        n_jobs=2,
        error_score="raise",
    ).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_conditional_with_continuous_targets_is_refused():
    X, y = make_sequence_regression(40, n_timepoints=8, random_state=0)
    with pytest.raises(ValueError, match="conditional"):
        FlowLatentSampler(conditional=True, rare_threshold=1.0, **FAST).fit_resample(X, y)


def test_clamp_keeps_synthetic_samples_within_bounds_in_the_units_of_x(table):
    X, y = table
    low, high = np.quantile(X, 0.2), np.quantile(X, 0.8)
    settings = {"attack": "random", "epsilon": 2.0, **FAST}
    X_free, _ = FlowLatentSampler(clamp=None, **settings).fit_resample(X, y)
    X_clamped, _ = FlowLatentSampler(clamp=(low, high), **settings).fit_resample(X, y)
    synthetic = slice(len(X), None)
    assert X_free[synthetic].min() < low
    assert X_free[synthetic].max() > high
    np.testing.assert_allclose(X_clamped[synthetic], np.clip(X_free[synthetic], low, high))
    np.testing.assert_array_equal(X_clamped[: len(X)], X)  # originals untouched


def test_default_clamp_keeps_each_feature_within_its_training_range(table):
    X, y = table
    X = X * np.arange(1, 7)  # features of different spreads: one range per column
    settings = {"attack": "random", "epsilon": 3.0, **FAST}
    X_free, _ = FlowLatentSampler(clamp=None, **settings).fit_resample(X, y)
    sampler = FlowLatentSampler(**settings)
    X_auto, _ = sampler.fit_resample(X, y)
    synthetic = slice(len(X), None)
    low, high = X.min(axis=0), X.max(axis=0)
    assert np.any((X_free[synthetic] < low) | (X_free[synthetic] > high))
    np.testing.assert_allclose(X_auto[synthetic], np.clip(X_free[synthetic], low, high))
    np.testing.assert_array_equal(sampler.clamp_[1], high)


def test_default_clamp_of_sequences_is_per_channel():
    X, y = make_imbalanced_sequences(60, n_channels=2, n_timepoints=12, random_state=0)
    X[:, 1] *= 10
    sampler = FlowLatentSampler(attack="random", epsilon=3.0, **FAST)
    X_res, _ = sampler.fit_resample(X, y)
    low, high = sampler.clamp_
    assert low.shape == high.shape == (2, 1)
    np.testing.assert_allclose(high[:, 0], X.max(axis=(0, 2)))
    assert np.all(X_res[len(X) :, 0] <= X[:, 0].max())
    assert X_res[len(X) :, 1].max() > X[:, 0].max()  # channel 1 keeps its own, wider range


@pytest.mark.parametrize("clamp", [(1.0, 0.0), (0.0, 1.0, 2.0)])
def test_bad_clamp_is_refused_with_its_name(table, clamp):
    X, y = table
    with pytest.raises((ValueError, TypeError), match="clamp"):
        FlowLatentSampler(clamp=clamp, **FAST).fit_resample(X, y)


# ------------------------------------------------------------------ joint form
def test_joint_classifier_recomputes_the_attack_against_the_current_network(table, monkeypatch):
    X, y = table
    from skadvaug.modules import _augmenters

    calls = []
    original = _augmenters.flow_latent_augment

    def spy(flow, x, **kwargs):
        calls.append(kwargs["loss_fn"] is not None)
        return original(flow, x, **kwargs)

    monkeypatch.setattr(_augmenters, "flow_latent_augment", spy)
    clf = FlowLatentClassifier(max_epochs=2, flow__max_epochs=2, batch_size=100, random_state=0)
    clf.fit(X.astype(np.float32), y)
    assert len(calls) == 2 * 4  # every batch of every epoch
    assert all(calls)
    assert len(clf.history[:, "augmented_loss"]) == 2


def test_joint_classifier_clamps_the_perturbed_batches(table, monkeypatch):
    X, y = table
    from skadvaug.modules import _augmenters

    seen = []
    original = _augmenters.flow_latent_augment

    def spy(flow, x, **kwargs):
        out = original(flow, x, **kwargs)
        seen.append((kwargs["clamp"], float(out.min()), float(out.max())))
        return out

    monkeypatch.setattr(_augmenters, "flow_latent_augment", spy)
    FlowLatentClassifier(
        clamp=(-1.0, 1.0), max_epochs=1, flow__max_epochs=1, batch_size=100, random_state=0
    ).fit(X.astype(np.float32), y)
    assert seen
    assert all(clamp == (-1.0, 1.0) and lo >= -1 and hi <= 1 for clamp, lo, hi in seen)
    seen.clear()
    FlowLatentClassifier(max_epochs=1, flow__max_epochs=1, batch_size=100, random_state=0).fit(
        X.astype(np.float32), y
    )
    low, high = seen[0][0]  # default "auto": each feature's training range
    np.testing.assert_allclose(high, X.max(axis=0), rtol=1e-6)
    assert all(lo >= X.min() - 1e-6 and hi <= X.max() + 1e-6 for _, lo, hi in seen)


def test_joint_classifier_reuses_a_fitted_flow_and_learns(table):
    X, y = table
    X = X.astype(np.float32)
    flow = FlowNet(max_epochs=5, random_state=0).fit(X)
    clf = FlowLatentClassifier(flow=flow, attack="random", max_epochs=20, random_state=0).fit(X, y)
    assert clf.flow_ is flow
    assert np.mean(clf.predict(X) == y) > 0.8


def _surrogate_calls_minority(sampler, X_new):
    return (sampler.surrogate_.predict(sampler._standardize(X_new)) == 1).mean()


@pytest.mark.parametrize("attack", ["adversarial", "random"])
def test_preserve_labels_keeps_synthetic_samples_in_their_class(table, attack):
    X, y = table
    params = {
        "attack": attack,
        "norm": "linf",
        "epsilon": 3.0,
        "flow_epochs": 5,
        "surrogate_epochs": 20,
        "random_state": 0,
    }
    keeping = FlowLatentSampler(preserve_labels=True, **params)
    X_res, _ = keeping.fit_resample(X, y)
    # a balanced surrogate, trained for the random attack too
    assert keeping.surrogate_.class_weight == "balanced"
    assert "surrogate" in keeping.history_
    kept = _surrogate_calls_minority(keeping, X_res[len(X) :])
    assert kept > 0.9
    if attack == "adversarial":
        plain = FlowLatentSampler(preserve_labels=False, **params)
        X_plain, _ = plain.fit_resample(X, y)
        assert _surrogate_calls_minority(plain, X_plain[len(X) :]) < kept - 0.2


def test_preserve_labels_refuses_continuous_targets():
    X, y = make_sequence_regression(n_samples=40, random_state=0)
    sampler = FlowLatentSampler(preserve_labels=True, rare_threshold=float(np.median(y)))
    with pytest.raises(ValueError, match="preserve_labels"):
        sampler.fit_resample(X, y)


def test_local_budget_gives_each_seed_a_ball_set_by_its_distance_to_the_other_class(table):
    X, y = table
    sampler = FlowLatentSampler(
        attack="adversarial",
        norm="linf",
        preserve_labels=False,
        local_budget=True,
        clamp=None,
        attack_steps=5,
        **FAST,
    )
    sampler.fit_resample(X, y)
    codes = sampler.flow_.transform(X)
    augmenter = sampler.surrogate_.augmenter_
    np.testing.assert_allclose(augmenter.reference_codes.numpy(), codes, rtol=1e-4, atol=1e-4)
    seeds = X[y == 1]
    nearest = np.linalg.norm(codes[y == 1][:, None] - codes[y == 0][None], axis=2).min(axis=1)
    factor = nearest / np.median(nearest)
    assert factor.min() < 0.8
    assert factor.max() > 1.2
    new = sampler._augment(seeds, y[y == 1], group=1, random_state=np.random.RandomState(0))
    moved = np.abs(sampler.flow_.transform(new) - codes[y == 1]).max(axis=1)
    # linf PGD with sign steps ends on the edge of each seed's own ball
    assert np.all(moved <= 0.25 * factor + 1e-4)
    assert np.corrcoef(moved, factor)[0, 1] > 0.9


def test_local_budget_needs_classes():
    X_seq, target = make_sequence_regression(60, n_timepoints=16, random_state=0)
    with pytest.raises(ValueError, match="local_budget=True needs classes"):
        FlowLatentSampler(
            local_budget=True, rare_threshold=float(np.quantile(target, 0.8)), **FAST
        ).fit_resample(X_seq, target)
    with pytest.raises(ValueError, match="local_budget needs classes"):
        FlowLatentRegressor(
            rare_threshold=0.0, augmenter__local_budget=True, max_epochs=1, flow__max_epochs=1
        ).fit(X_seq, target)


@pytest.mark.parametrize(
    ("params", "regression", "expected"),
    [
        ({}, False, ("linf", 0.25, False, 0)),
        ({"attack": "adversarial"}, False, ("l2", 1.0, True, "trained")),
        ({"attack": "adversarial", "norm": "linf"}, False, ("linf", 0.25, True, "trained")),
        ({"attack": "adversarial", "preserve_labels": False}, False, ("l2", 1.0, False, "trained")),
        ({"attack": "adversarial"}, True, ("l2", 1.0, False, "trained")),
        ({"norm": "l2", "epsilon": 0.5}, False, ("l2", 0.5, False, 0)),
    ],
)
def test_auto_ball_and_label_keeping_follow_the_attack(table, params, regression, expected):
    X, y = table
    if regression:
        X, y = make_sequence_regression(60, n_timepoints=16, random_state=0)
        params = {**params, "rare_threshold": float(np.quantile(y, 0.8))}
    sampler = FlowLatentSampler(**params, **FAST)
    sampler.fit_resample(X, y)
    net = sampler.surrogate_
    norm, epsilon, preserve, trained = expected
    assert (net.norm, net.epsilon) == (norm, epsilon)
    assert getattr(net, "preserve_labels", False) is preserve
    if not regression:  # a class-balanced surrogate comes with label keeping
        assert (net.class_weight == "balanced") is preserve
    assert ("surrogate" in sampler.history_) is (trained == "trained")
    assert sampler.get_params()["preserve_labels"] == params.get("preserve_labels", "auto")
