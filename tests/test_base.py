"""Input handling shared by every sampler: skadvaug/_base.py."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import clone
from sklearn.datasets import make_classification

from skadvaug._base import BaseAugmentationSampler, BaseLearnedSampler


class NoisyCopySampler(BaseAugmentationSampler):
    """Minimal concrete sampler: a seed plus small noise."""

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        return X_seeds + 0.01 * random_state.normal(size=X_seeds.shape)


class NeedsFiveSampler(NoisyCopySampler):
    def _min_group_size(self):
        return 5


class LearnedCopySampler(BaseLearnedSampler):
    def _fit_augmentation(self, X, y, *, groups, random_state):
        """Nothing to learn: this test sampler only needs the seeded generator."""

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        noise = torch.randn(
            X_seeds.shape, generator=self._torch_generator(random_state), device=self.device_
        )
        return X_seeds + 0.01 * noise.cpu().numpy()


def _imbalanced(shape=(5,), counts=(40, 10), seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(len(y), *shape)) + y.reshape(-1, *([1] * len(shape)))
    return X, y


# ------------------------------------------------------------------ data kinds
@pytest.mark.parametrize(
    ("shape", "kind"),
    [((5,), "tabular"), ((2, 16), "sequence"), ((1, 4, 4), "image")],
)
def test_every_data_kind_is_resampled_with_its_shape(shape, kind):
    X, y = _imbalanced(shape)
    sampler = NoisyCopySampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.data_kind_ == kind
    assert X_res.shape == (80, *shape)
    assert Counter(y_res) == {0: 40, 1: 40}


def test_originals_come_first_then_synthetic_rows_of_the_right_class():
    X, y = _imbalanced((2, 8))
    X_res, y_res = NoisyCopySampler(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    assert np.all(y_res[len(y) :] == 1)
    # each synthetic row lies next to a minority seed
    synthetic = X_res[len(X) :].reshape(30, -1)
    minority = X[y == 1].reshape(10, -1)
    distances = np.linalg.norm(synthetic[:, None] - minority[None], axis=-1)
    assert distances.min(axis=1).max() < 0.2


def test_callers_arrays_are_never_modified():
    X, y = _imbalanced((2, 8))
    X_before, y_before = X.copy(), y.copy()
    NoisyCopySampler(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_float32_is_preserved():
    X, y = _imbalanced((2, 8))
    X_res, _ = NoisyCopySampler(random_state=0).fit_resample(X.astype(np.float32), y)
    assert X_res.dtype == np.float32


def test_dataframe_in_dataframe_out():
    X, y = _imbalanced((3,))
    X_df = pd.DataFrame(X, columns=["a", "b", "c"])
    y_s = pd.Series(y, name="target")
    sampler = NoisyCopySampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame)
    assert isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "b", "c"]
    assert y_res.name == "target"
    assert list(sampler.feature_names_in_) == ["a", "b", "c"]
    np.testing.assert_array_equal(X_res.to_numpy()[:50], X)
    X_arr, y_arr = NoisyCopySampler(random_state=0).fit_resample(X, y)
    np.testing.assert_allclose(X_res.to_numpy(), X_arr)


# -------------------------------------------------------------- determinism
def test_same_random_state_same_output_different_state_different_output():
    X, y = _imbalanced((2, 8))
    first = NoisyCopySampler(random_state=3).fit_resample(X, y)[0]
    again = NoisyCopySampler(random_state=3).fit_resample(X, y)[0]
    other = NoisyCopySampler(random_state=4).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_learned_sampler_torch_noise_is_seeded_from_random_state_only():
    X, y = _imbalanced((2, 8))
    torch.manual_seed(0)
    first = LearnedCopySampler(random_state=1).fit_resample(X, y)[0]
    state = torch.get_rng_state()
    torch.manual_seed(123)  # a different global seed must not matter
    again = LearnedCopySampler(random_state=1).fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, again)
    torch.manual_seed(0)
    LearnedCopySampler(random_state=1).fit_resample(X, y)
    assert torch.equal(torch.get_rng_state(), state)  # global stream untouched


# --------------------------------------------------------- sampling strategy
@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not majority", "all", {1: 30, 2: 50}, 0.6, lambda y: {1: 25}],
)
def test_sampling_strategy_means_what_it_means_in_imblearn(strategy):
    counts = (50, 10, 20) if not isinstance(strategy, float) else (50, 10)
    X, y = _imbalanced((4,), counts)
    ours = Counter(
        NoisyCopySampler(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    )
    theirs = Counter(
        RandomOverSampler(sampling_strategy=strategy, random_state=0).fit_resample(X, y)[1]
    )
    assert ours == theirs


def test_fit_only_computes_the_sampling_strategy():
    X, y = _imbalanced((4,))
    sampler = NoisyCopySampler().fit(X, y)
    assert dict(sampler.sampling_strategy_) == {1: 30}


# ------------------------------------------------------- continuous targets
def _regression(n=100, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2, 8))
    y = np.exp(X[:, 0, -1])
    return X, y


def test_continuous_target_auto_equalises_rare_and_common():
    X, y = _regression()
    threshold = np.quantile(y, 0.9)
    sampler = NoisyCopySampler(rare_threshold=threshold, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_rare = int(np.sum(y > threshold))
    assert dict(sampler.sampling_strategy_) == {"rare": 90 - n_rare}
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold) == 90
    assert y_res.dtype == np.float64


def test_continuous_target_float_strategy_is_rare_over_common_ratio():
    X, y = _regression()
    threshold = np.quantile(y, 0.9)
    _, y_res = NoisyCopySampler(
        sampling_strategy=0.5, rare_threshold=threshold, random_state=0
    ).fit_resample(X, y)
    assert np.sum(y_res > threshold) == 45
    assert np.sum(y_res <= threshold) == 90


def test_synthetic_samples_keep_the_target_of_their_seed():
    X, y = _regression()
    threshold = np.quantile(y, 0.8)
    X_res, y_res = NoisyCopySampler(rare_threshold=threshold, random_state=0).fit_resample(X, y)
    synthetic, targets = X_res[len(X) :].reshape(-1, 16), y_res[len(X) :]
    flat = X.reshape(len(X), -1)
    nearest = np.argmin(np.linalg.norm(synthetic[:, None] - flat[None], axis=-1), axis=1)
    np.testing.assert_array_equal(targets, y[nearest])


def test_callable_threshold_selects_the_rare_group():
    X, y = _regression()
    low = np.quantile(y, 0.1)
    sampler = NoisyCopySampler(rare_threshold=lambda t: t < low, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.sum(y_res < low) == np.sum(y_res >= low) == 90


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_X_is_refused(bad):
    X, y = _imbalanced((2, 8))
    X[3, 1, 2] = bad
    with pytest.raises(ValueError, match="X"):
        NoisyCopySampler().fit_resample(X, y)


def test_non_finite_continuous_y_is_refused():
    X, y = _regression()
    y[0] = np.nan
    with pytest.raises(ValueError, match="y"):
        NoisyCopySampler(rare_threshold=1.0).fit_resample(X, y)


@pytest.mark.parametrize("shape", [(50,), (50, 1, 2, 3, 4)])
def test_wrong_ndim_is_refused_with_the_expected_shapes(shape):
    y = np.repeat([0, 1], 25)
    with pytest.raises(ValueError, match="X must be 2-D .* got an array with ndim"):
        NoisyCopySampler().fit_resample(np.zeros(shape), y)


def test_single_class_is_refused():
    X, _ = _imbalanced((3,))
    with pytest.raises(ValueError, match="one class only"):
        NoisyCopySampler().fit_resample(X, np.zeros(len(X)))


def test_continuous_y_without_threshold_is_refused():
    X, y = _regression()
    with pytest.raises(ValueError, match="rare_threshold"):
        NoisyCopySampler().fit_resample(X, y)


def test_multilabel_y_is_refused():
    X, _ = _imbalanced((3,))
    y = np.random.RandomState(0).randint(2, size=(len(X), 3))
    with pytest.raises(ValueError, match="[Mm]ultilabel"):
        NoisyCopySampler().fit_resample(X, y)


@pytest.mark.parametrize(("threshold", "empty"), [(1e9, "rare"), (-1e9, "common")])
def test_threshold_that_empties_a_group_is_refused(threshold, empty):
    X, y = _regression()
    with pytest.raises(ValueError, match=f"rare_threshold=.* leaves the {empty} group empty"):
        NoisyCopySampler(rare_threshold=threshold).fit_resample(X, y)


def test_callable_threshold_must_return_a_boolean_mask():
    X, y = _regression()
    with pytest.raises(TypeError, match="rare_threshold.*boolean mask"):
        NoisyCopySampler(rare_threshold=lambda t: t * 2).fit_resample(X, y)


def test_class_smaller_than_the_method_needs_is_refused():
    X, y = _imbalanced((3,), counts=(40, 4))
    with pytest.raises(ValueError, match="Class 1 has 4 sample.* needs at least 5"):
        NeedsFiveSampler().fit_resample(X, y)


@pytest.mark.parametrize("strategy", [{1: 5}, {0: 10, 1: 40}])
def test_strategy_that_would_remove_samples_is_refused(strategy):
    X, y = _imbalanced((3,))
    with pytest.raises(ValueError, match="sampling_strategy"):
        NoisyCopySampler(sampling_strategy=strategy).fit_resample(X, y)


def test_float_strategy_below_current_ratio_is_refused():
    X, y = _imbalanced((3,), counts=(40, 20))
    with pytest.raises(ValueError, match="sampling_strategy=0.1"):
        NoisyCopySampler(sampling_strategy=0.1).fit_resample(X, y)


def test_cuda_without_cuda_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = _imbalanced((3,))
    with pytest.raises(ValueError, match="device='cuda'.*CUDA is not available"):
        LearnedCopySampler(device="cuda").fit_resample(X, y)


def test_unknown_device_is_refused():
    X, y = _imbalanced((3,))
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda'"):
        LearnedCopySampler(device="tpu").fit_resample(X, y)


def test_auto_device_resolves_to_what_is_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X, y = _imbalanced((3,))
    sampler = LearnedCopySampler(random_state=0).fit(X, y)
    assert sampler.device_ == "cpu"
    assert sampler.device == "auto"  # the parameter itself is left alone


def test_seed_indices_trace_every_synthetic_sample_to_its_seed_row():
    from skadvaug import TimeSeriesAugmentationSampler
    from skadvaug.datasets import make_imbalanced_sequences

    X, y = make_imbalanced_sequences(n_samples=60, n_timepoints=16, random_state=0)
    sampler = TimeSeriesAugmentationSampler(method="jitter", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.seed_indices_.shape == (len(X_res) - len(X),)
    np.testing.assert_array_equal(y[sampler.seed_indices_], y_res[len(X) :])
    # jitter stays close to its seed: the nearest original row is the seed
    synthetic = X_res[len(X) :].reshape(len(sampler.seed_indices_), -1)
    distances = ((synthetic[:, None] - X.reshape(len(X), -1)[None]) ** 2).sum(-1)
    assert np.mean(distances.argmin(1) == sampler.seed_indices_) > 0.9


def test_float16_data_of_large_magnitude_gives_finite_samples():
    """Found by the fuzzing run: the standardiser computed the spread in float16, whose
    variance of values around 1e3 overflows, and every synthetic sample became inf."""
    from skadvaug import LatentAdversarialSampler

    X, y = _imbalanced((2, 12), counts=(30, 10))
    X = (X * 1000).astype(np.float16)
    sampler = LatentAdversarialSampler(autoencoder_epochs=1, surrogate_epochs=1, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.dtype == np.float16
    assert np.isfinite(X_res.astype(np.float64)).all()


@pytest.mark.parametrize("make_sampler", ["latent", "flow"])
def test_output_is_the_same_whatever_the_callers_thread_count(make_sampler):
    """Issue 20: the learned samplers pin torch to n_threads (default 1) while they
    work, so the caller's setting changes neither the output nor is it changed."""
    from skadvaug import FlowLatentSampler, LatentAdversarialSampler

    X, y = make_classification(150, n_features=5, weights=[0.85], random_state=0)
    sampler = (
        LatentAdversarialSampler(autoencoder_epochs=2, surrogate_epochs=2, random_state=0)
        if make_sampler == "latent"
        else FlowLatentSampler(flow_epochs=2, surrogate_epochs=2, random_state=0)
    )
    previous = torch.get_num_threads()
    outputs = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            outputs.append(clone(sampler).fit_resample(X, y)[0])
            assert torch.get_num_threads() == threads  # restored
    finally:
        torch.set_num_threads(previous)
    np.testing.assert_array_equal(outputs[0], outputs[1])
    for n_threads, expected in ((1, {1}), (None, set())):  # None leaves torch's setting alone
        seen = []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(torch, "get_num_threads", lambda: 7)
            patch.setattr(torch, "set_num_threads", seen.append)
            clone(sampler).set_params(n_threads=n_threads).fit_resample(X, y)
        assert set(seen) - {7} == expected


@pytest.mark.parametrize(
    ("n_samples", "budget"),
    [
        (10, (200, None, 64)),  # one batch: at most `high` epochs
        (1_000, (25, None, 64)),  # 16 batches: the whole epochs nearest 400 steps
        (20_000, (1, None, 64)),  # 313 batches: one epoch
        # beyond 400 batches, 400 x 64 samples of one epoch in batches grown with n
        (51_200, (1, 200, 128)),  # twice the budget's samples: batches twice as large
        (1_000_000, (1, 100, 256)),  # 39 times: the batch grows at most 4 times
    ],
)
def test_auto_budget_is_a_number_of_steps_whatever_the_data_size(n_samples, budget):
    got = BaseLearnedSampler._budget("auto", n_samples, 64, steps=400, high=200, prefix="a__")
    assert got == dict(
        zip(("a__max_epochs", "a__max_steps", "a__batch_size"), budget, strict=False)
    )
    assert BaseLearnedSampler._budget(7, n_samples, 64, steps=400, high=200) == {
        "max_epochs": 7,
        "max_steps": None,
        "batch_size": 64,
    }


def test_auto_budget_caps_the_training_steps_of_a_large_data_set():
    from skadvaug import LatentAdversarialSampler

    X, y = make_classification(2_000, n_features=4, weights=[0.8], random_state=0)
    sampler = LatentAdversarialSampler(batch_size=2, random_state=0)
    sampler.fit_resample(X, y)  # 1,000 batches of 2 per epoch
    # 400 (autoencoder) and 200 (adversarial) steps of 2 samples, in batches grown
    # 2.5 and (at most) 4 times
    assert (sampler.autoencoder_.train_steps_, sampler.autoencoder_.train_batch_size_) == (160, 5)
    assert (sampler.surrogate_.train_steps_, sampler.surrogate_.train_batch_size_) == (50, 8)
    assert len(sampler.autoencoder_.history) == len(sampler.surrogate_.history) == 1
    assert sampler.batch_size == 2  # the parameter is left as given


@pytest.mark.parametrize(
    "sparse_class",
    ["csr_matrix", "csc_matrix", "coo_matrix", "csr_array", "csc_array", "coo_array"],
)
def test_sparse_input_is_resampled_densely_and_returned_in_its_class(sparse_class):
    import scipy.sparse as sp

    X, y = make_classification(60, n_features=5, weights=[0.8], random_state=0)
    X[X < 0] = 0.0  # a sparse table
    X_sparse = getattr(sp, sparse_class)(X)
    before = X_sparse.copy()
    X_res, y_res = NoisyCopySampler(random_state=0).fit_resample(X_sparse, y)
    X_dense, y_dense = NoisyCopySampler(random_state=0).fit_resample(X, y)
    assert type(X_res) is type(X_sparse)  # a matrix stays a matrix (its * is matmul)
    np.testing.assert_allclose(X_res.toarray(), X_dense)
    np.testing.assert_array_equal(y_res, y_dense)
    assert (X_sparse != before).nnz == 0
