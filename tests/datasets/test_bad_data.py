"""Bad-data makers of paper 002 (§5.1-5.2)."""

import numpy as np
import pytest

from skadvaug.datasets import corrupt, reduce_data


def test_gaussian_noise_hits_the_requested_share_and_leaves_the_input_alone():
    X = np.full((100, 8), 0.5)
    original = X.copy()
    noisy, which = corrupt(X, "gaussian", 0.2, fraction=0.7, random_state=0)
    np.testing.assert_array_equal(X, original)
    assert which.sum() == 70
    np.testing.assert_array_equal(noisy[~which], X[~which])
    assert 0.15 < np.std(noisy[which] - 0.5) < 0.25
    assert noisy.min() >= 0
    assert noisy.max() <= 1


def test_salt_and_pepper_sets_values_to_the_bounds():
    X = np.full((200, 10), 0.5)
    noisy, which = corrupt(X, "salt_and_pepper", 0.1, random_state=0)
    changed = noisy[which] != 0.5
    assert 0.07 < changed.mean() < 0.13
    assert set(np.unique(noisy[which][changed])) == {0.0, 1.0}


def test_reduce_data_is_stratified_and_keeps_every_class():
    X, y = np.arange(100)[:, None], np.repeat([0, 1, 2], [70, 25, 5])
    X_r, y_r = reduce_data(X, y, 0.2, random_state=0)
    assert np.bincount(y_r).tolist() == [14, 5, 1]
    np.testing.assert_array_equal(y[X_r[:, 0]], y_r)
    assert (
        reduce_data(X, np.r_[np.zeros(99, int), 1], 0.1, random_state=0)[1].tolist().count(1) == 1
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: corrupt(np.zeros((4, 2)), "speckle"), "noise"),
        (lambda: corrupt(np.zeros((4, 2)), fraction=2), "fraction"),
        (lambda: reduce_data(np.zeros((4, 2)), np.arange(4), 0), "fraction"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
