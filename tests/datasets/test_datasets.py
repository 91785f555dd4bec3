"""Benchmark data loaders, long-tail maker and synthetic generators."""

import numpy as np
import pytest

from skadvaug.datasets import (
    list_keel,
    list_ucr,
    load_keel,
    load_ucr,
    make_imbalanced_sequences,
    make_long_tailed,
    make_sequence_regression,
)


def test_keel_lists_the_hundred_imbalanced_sets():
    names = list_keel()
    assert len(names) == 100
    assert "abalone19" in names


def test_keel_one_hot_encodes_nominal_columns_and_marks_the_minority_as_one():
    X, y = load_keel("abalone19")
    assert X.shape == (4174, 10)  # sex (3 levels) one-hot + 7 numeric
    assert X.dtype == np.float64
    assert np.all(np.isfinite(X))
    assert set(np.unique(y)) == {0, 1}
    assert y.sum() == 32
    frame, _ = load_keel("abalone19", as_frame=True)
    assert frame.shape == X.shape
    assert any(c.startswith("x0_") for c in frame.columns)


def test_keel_unknown_name_is_refused():
    with pytest.raises(ValueError, match="list_keel"):
        load_keel("not-a-dataset")


def test_ucr_loads_bundled_sets_and_pads_unequal_lengths():
    assert {"GunPoint", "ArrowHead", "BasicMotions", "JapaneseVowels"} <= set(list_ucr())
    X, y = load_ucr("GunPoint")
    assert X.shape == (200, 1, 150)
    assert len(y) == 200
    X, y = load_ucr("JapaneseVowels", split="test")
    assert X.ndim == 3
    assert X.shape[1] == 12
    assert np.all(np.isfinite(X))
    # both splits padded to the longest series of the set: a model fitted on the
    # training split takes the test split
    X_train, _ = load_ucr("JapaneseVowels", split="train")
    X_all, _ = load_ucr("JapaneseVowels")
    assert X_train.shape[1:] == X.shape[1:] == X_all.shape[1:]


def test_ucr_never_downloads_an_unbundled_set():
    with pytest.raises(ValueError, match="not bundled with aeon"):
        load_ucr("ECG5000")


def test_long_tail_keeps_n_times_mu_to_the_i():
    X = np.arange(1000.0)[:, None]
    y = np.repeat(np.arange(5), 200)
    X_lt, y_lt = make_long_tailed(X, y, imbalance_factor=100, random_state=0)
    mu = 100 ** (-1 / 4)
    assert np.bincount(y_lt).tolist() == [int(np.floor(200 * mu**i + 1e-9)) for i in range(5)]
    assert np.bincount(y_lt)[0] / np.bincount(y_lt)[-1] == 100
    assert np.all(np.diff(X_lt[:, 0]) > 0)  # original order kept
    np.testing.assert_array_equal(X_lt[:, 0].astype(int) // 200, y_lt)


def test_long_tail_rejects_a_factor_below_one():
    with pytest.raises(ValueError, match="imbalance_factor"):
        make_long_tailed(np.zeros((4, 1)), [0, 0, 1, 1], imbalance_factor=0.5)


def test_synthetic_sequences_have_exact_counts_and_class_dependent_frequency():
    X, y = make_imbalanced_sequences(
        300, n_classes=3, weights=[0.6, 0.3, 0.1], n_channels=2, noise=0.0, random_state=0
    )
    assert X.shape == (300, 2, 64)
    assert np.bincount(y).tolist() == [180, 90, 30]
    spectrum = np.abs(np.fft.rfft(X[:, 0], axis=-1))
    dominant = spectrum[:, 1:].argmax(axis=1) + 1
    np.testing.assert_array_equal(dominant, y + 1)
    again, _ = make_imbalanced_sequences(
        300, n_classes=3, weights=[0.6, 0.3, 0.1], n_channels=2, noise=0.0, random_state=0
    )
    np.testing.assert_array_equal(X, again)


def test_synthetic_regression_target_has_a_heavy_right_tail():
    X, y = make_sequence_regression(n_samples=500, random_state=0)
    assert X.shape == (500, 1, 32)
    assert np.all(y > 0)
    assert np.quantile(y, 0.95) > 3 * np.median(y)
