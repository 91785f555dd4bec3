"""LatentAdversarialSampler (skadvaug/over_sampling/_latent_adversarial.py)."""

import pickle
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skadvaug import Flatten, LatentAdversarialSampler
from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression

FAST = {"autoencoder_epochs": 5, "surrogate_epochs": 2, "random_state": 0}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        300,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.7, 0.2, 0.1],
        class_sep=3.0,
        random_state=0,
    )
    return X * 10 + 50, y  # far from standardised: the sampler standardises internally


@pytest.fixture(scope="module")
def fitted_on_blobs(blobs):
    X, y = blobs
    sampler = LatentAdversarialSampler(autoencoder_epochs=40, surrogate_epochs=10, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    return sampler, X_res, y_res


def test_counts_follow_sampling_strategy_exactly(fitted_on_blobs, blobs):
    sampler, X_res, y_res = fitted_on_blobs
    X, y = blobs
    counts = Counter(y.tolist())
    assert Counter(y_res.tolist()) == dict.fromkeys(counts, counts[0])
    assert dict(sampler.sampling_strategy_) == {1: counts[0] - counts[1], 2: counts[0] - counts[2]}
    np.testing.assert_array_equal(X_res[: len(X)], X)


def test_synthetic_samples_differ_from_seeds_but_stay_in_their_class(fitted_on_blobs, blobs):
    X, y = blobs
    _, X_res, y_res = fitted_on_blobs
    synthetic, labels = X_res[len(X) :], y_res[len(X) :]
    distances = np.linalg.norm(synthetic[:, None] - X[None], axis=-1)
    assert distances.min(axis=1).min() > 1e-3  # no copies
    nearest_class = y[np.argmin(distances, axis=1)]
    assert np.mean(nearest_class == labels) > 0.95
    centroids = np.stack([X[y == c].mean(0) for c in range(3)])
    to_centroid = np.linalg.norm(synthetic[:, None] - centroids[None], axis=-1)
    assert np.mean(np.argmin(to_centroid, axis=1) == labels) > 0.95


def test_fitted_attributes_and_history(fitted_on_blobs):
    sampler, *_ = fitted_on_blobs
    assert sampler.data_kind_ == "tabular"
    assert sampler.device_ == "cpu"
    autoencoder = sampler.history_["autoencoder"]
    for name in (
        "recon_loss",
        "ae_adversarial_loss",
        "discriminator_real_loss",
        "discriminator_fake_loss",
    ):
        assert len(autoencoder[:, name]) == 40
    assert autoencoder[-1, "recon_loss"] < autoencoder[0, "recon_loss"]
    assert len(sampler.history_["adversarial"][:, "augmented_loss"]) == 10
    assert sampler.perturber_ is sampler.surrogate_.perturber_
    assert sampler.autoencoder_ is sampler.surrogate_.autoencoder_


@pytest.mark.parametrize(
    ("shape", "kind"), [((2, 20), "sequence"), ((1, 8, 8), "image"), ((5,), "tabular")]
)
def test_every_data_kind(shape, kind):
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], [40, 12])
    X = rng.normal(size=(52, *shape)) + y.reshape(-1, *[1] * len(shape))
    sampler = LatentAdversarialSampler(**FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.data_kind_ == kind
    assert X_res.shape == (80, *shape)
    assert Counter(y_res.tolist()) == {0: 40, 1: 40}
    assert np.all(np.isfinite(X_res))


def test_digits_images_are_decoded_back_to_8x8():
    digits = load_digits()
    zeros = np.flatnonzero(digits.target == 0)[:100]
    ones = np.flatnonzero(digits.target == 1)[:20]
    index = np.concatenate([zeros, ones])
    X, y = digits.images[index][:, None], digits.target[index]
    X_res, y_res = LatentAdversarialSampler(**FAST).fit_resample(X, y)
    assert X_res.shape == (200, 1, 8, 8)
    assert X_res[120:].min() >= -2
    assert X_res[120:].max() <= 18


def test_continuous_targets_keep_the_target_of_their_seed():
    # the paper's seeds: drawn samples (the default interpolates targets, tested below)
    X, y = make_sequence_regression(120, n_timepoints=16, random_state=0)
    threshold = float(np.quantile(y, 0.9))
    sampler = LatentAdversarialSampler(rare_threshold=threshold, seeds="samples", **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold) == 108
    assert set(y_res[len(y) :]) <= set(y[y > threshold])
    assert type(sampler.surrogate_).__name__ == "LatentAdversarialRegressor"


def test_same_random_state_same_samples_bit_for_bit():
    X, y = make_imbalanced_sequences(60, n_timepoints=16, random_state=0)
    first = LatentAdversarialSampler(**FAST).fit_resample(X, y)[0]
    again = LatentAdversarialSampler(**FAST).fit_resample(X, y)[0]
    other = LatentAdversarialSampler(**{**FAST, "random_state": 1}).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_dataframe_in_dataframe_out(blobs):
    X, y = blobs
    frame = pd.DataFrame(X[:120], columns=[f"f{i}" for i in range(6)])
    X_res, y_res = LatentAdversarialSampler(**FAST).fit_resample(
        frame, pd.Series(y[:120], name="y")
    )
    assert isinstance(X_res, pd.DataFrame)
    assert list(X_res.columns) == list(frame.columns)
    assert y_res.name == "y"


def test_pickled_sampler_generates_the_same_samples():
    X, y = make_imbalanced_sequences(60, n_timepoints=16, random_state=0)
    sampler = LatentAdversarialSampler(**FAST)
    sampler.fit_resample(X, y)
    restored = pickle.loads(pickle.dumps(sampler))
    seeds = X[y == 1]
    original = sampler._augment(seeds, None, group=1, random_state=np.random.RandomState(3))
    copy = restored._augment(seeds, None, group=1, random_state=np.random.RandomState(3))
    np.testing.assert_array_equal(original, copy)


def test_switches_reach_the_backbones():
    X, y = make_imbalanced_sequences(60, n_timepoints=16, random_state=0)
    sampler = LatentAdversarialSampler(
        discriminator=False,
        perturbation="random",
        weight_norm=True,
        latent_dim=3,
        autoencoder_params={"channels": (8, 16)},
        surrogate_params={"hidden_size": 4},
        **FAST,
    )
    sampler.fit_resample(X, y)
    assert not hasattr(sampler.autoencoder_, "discriminator_")
    assert not sampler.perturber_.learned
    assert sampler.autoencoder_.module_.latent_shape[0] == 16
    assert sampler.surrogate_.module_.gru.hidden_size == 4


def test_clone_and_parallel_grid_search_over_scale_in_a_pipeline():
    X, y = make_imbalanced_sequences(90, n_timepoints=16, noise=0.5, random_state=0)
    pipeline = make_pipeline(
        LatentAdversarialSampler(autoencoder_epochs=3, surrogate_epochs=1, random_state=0),
        Flatten(),
        LogisticRegression(max_iter=500),
    )
    assert clone(pipeline).get_params()["latentadversarialsampler__scale"] == 0.1
    search = GridSearchCV(
        pipeline,
        {"latentadversarialsampler__scale": [0.03, 0.3]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="balanced_accuracy",
        n_jobs=2,
        error_score="raise",
    ).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    fitted = search.best_estimator_.named_steps["latentadversarialsampler"]
    assert fitted.perturber_.scale == search.best_params_["latentadversarialsampler__scale"]


def test_bad_parameters_are_named():
    X, y = make_imbalanced_sequences(40, n_timepoints=16, random_state=0)
    with pytest.raises(ValueError, match="perturbation"):
        LatentAdversarialSampler(perturbation="sideways").fit_resample(X, y)
    with pytest.raises(ValueError, match="autoencoder_epochs"):
        LatentAdversarialSampler(autoencoder_epochs=0).fit_resample(X, y)


def test_global_torch_seed_is_left_alone():
    X, y = make_imbalanced_sequences(40, n_timepoints=16, random_state=0)
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    LatentAdversarialSampler(**FAST).fit_resample(X, y)
    assert torch.equal(torch.rand(2), expected)


def test_preserve_labels_keeps_synthetic_samples_in_their_class(blobs):
    X, y = blobs
    sampler = LatentAdversarialSampler(
        preserve_labels=True, scale=2.0, autoencoder_epochs=20, surrogate_epochs=10, random_state=0
    )
    X_res, y_res = sampler.fit_resample(X, y)
    net = sampler.surrogate_
    assert net.class_weight == "balanced"
    assert net.preserve_labels
    X_new, y_new = X_res[len(X) :], y_res[len(X) :]
    predicted = net.predict(sampler._standardize(X_new))
    assert (predicted == y_new).mean() > 0.95
    with pytest.raises(ValueError, match="preserve_labels"):
        LatentAdversarialSampler(preserve_labels=True, rare_threshold=0.5).fit_resample(X, X[:, 0])


def _on_segment_to_a_class_neighbour(point, seed, X_class, k):
    """Whether ``point`` lies between ``seed`` and one of its ``k`` nearest others."""
    others = X_class[np.any(X_class != seed, axis=1)]
    nearest = others[np.argsort(np.linalg.norm(others - seed, axis=1))[:k]]
    for partner in nearest:
        direction = partner - seed
        step = np.dot(point - seed, direction) / np.dot(direction, direction)
        if 0 <= step <= 1 and np.allclose(seed + step * direction, point, atol=1e-6):
            return True
    return False


def test_interpolated_seeds_lie_between_same_class_neighbours(blobs):
    # scale 0: the residual perturbation is zero, so each sample is its seed point
    X, y = blobs
    sampler = LatentAdversarialSampler(seeds="interpolated", k_neighbors=3, scale=0.0, **FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    X_new, y_new = X_res[len(X) :], y_res[len(X) :]
    seeds = X[sampler.seed_indices_]
    assert np.all(y_new == y[sampler.seed_indices_])
    assert not np.allclose(X_new, seeds)  # not copies of the drawn samples
    assert all(
        _on_segment_to_a_class_neighbour(point, seed, X[y == label], k=3)
        for point, seed, label in zip(X_new, seeds, y_new, strict=True)
    )
    # with the learned perturbation on, the samples move off those points
    moved = LatentAdversarialSampler(seeds="interpolated", k_neighbors=3, **FAST)
    X_moved = moved.fit_resample(X, y)[0][len(X) :]
    np.testing.assert_array_equal(moved.seed_indices_, sampler.seed_indices_)
    assert np.abs(X_moved - X_new).mean() > 1e-3


def test_interpolated_seeds_interpolate_continuous_targets():
    X, y = make_sequence_regression(120, n_timepoints=16, random_state=0)
    threshold = float(np.quantile(y, 0.9))
    sampler = LatentAdversarialSampler(rare_threshold=threshold, seeds="interpolated", **FAST)
    _, y_res = sampler.fit_resample(X, y)
    y_new = y_res[len(y) :]
    rare = y[y > threshold]
    assert len(set(y_new) - set(rare)) > 0.9 * len(y_new)  # new targets, not copies
    assert rare.min() <= y_new.min()
    assert y_new.max() <= rare.max()


def test_seeds_parameter_is_checked():
    X, y = make_imbalanced_sequences(40, n_timepoints=16, random_state=0)
    with pytest.raises(ValueError, match="seeds"):
        LatentAdversarialSampler(seeds="smote").fit_resample(X, y)
    with pytest.raises(ValueError, match="k_neighbors"):
        LatentAdversarialSampler(seeds="interpolated", k_neighbors=0).fit_resample(X, y)


def test_local_budget_moves_seeds_near_the_other_class_less(blobs):
    X, y = blobs
    sampler = LatentAdversarialSampler(
        perturbation="random", local_budget=True, seeds="samples", **FAST
    )
    sampler.fit_resample(X, y)
    augmenter = sampler.surrogate_.augmenter_.eval()
    codes, labels = augmenter.reference_codes, augmenter.reference_labels
    assert len(codes) == len(X)  # every training code, with its class
    assert sorted(labels.unique().tolist()) == [0, 1, 2]
    minority = labels == 2
    z = codes[minority]
    decoded = []  # what the decoder is given: z + delta
    decode = augmenter.autoencoder.decode
    augmenter.autoencoder.decode = lambda code: decoded.append(code) or decode(code)
    x = decode(z).detach()
    with torch.no_grad():
        for local in (True, False):
            augmenter.local_budget = local
            augmenter(x, labels[minority], generator=torch.Generator().manual_seed(0))
    encoded = augmenter.autoencoder.encode(x)
    # each forward decodes z + delta first (then z, for the residual form)
    local_delta, global_delta = (code - encoded for code in decoded[:: len(decoded) // 2])
    ratio = (local_delta.norm(dim=1) / global_delta.norm(dim=1)).numpy()
    nearest = torch.cdist(encoded, codes[~minority]).min(dim=1).values.numpy()
    # each seed's length follows its distance to the other classes, 1 at the class median
    np.testing.assert_allclose(ratio, nearest / augmenter.typical_distance[2].item(), rtol=1e-3)
    assert ratio.min() < 0.9 < 1.1 < ratio.max()
    augmenter.local_budget = True
    with pytest.raises(ValueError, match="classes y"):
        augmenter(x)


def test_local_budget_changes_the_samples_and_needs_classes(blobs):
    X, y = blobs
    plain = LatentAdversarialSampler(**FAST).fit_resample(X, y)[0]
    local = LatentAdversarialSampler(local_budget=True, **FAST).fit_resample(X, y)[0]
    assert not np.allclose(plain[len(X) :], local[len(X) :])
    X_seq, target = make_sequence_regression(n_samples=60, random_state=0)
    with pytest.raises(ValueError, match="local_budget=True needs classes"):
        LatentAdversarialSampler(
            local_budget=True, rare_threshold=float(np.quantile(target, 0.8)), **FAST
        ).fit_resample(X_seq, target)


@pytest.mark.parametrize(
    ("perturbation", "regression", "expected"),
    [("adversarial", False, True), ("random", False, False), ("adversarial", True, False)],
)
def test_auto_local_budget_is_on_for_the_adversarial_perturbation_of_classes(
    blobs, perturbation, regression, expected
):
    X, y = blobs
    params = {"perturbation": perturbation, **FAST}
    if regression:
        X, y = make_sequence_regression(n_samples=60, random_state=0)
        params["rare_threshold"] = float(np.quantile(y, 0.8))
    sampler = LatentAdversarialSampler(**params)
    sampler.fit_resample(X, y)
    assert sampler.local_budget == "auto"
    assert sampler.surrogate_.augmenter_.local_budget is expected
