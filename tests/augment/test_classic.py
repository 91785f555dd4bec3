"""Defining property of each classic augmentation (skadvaug/augment/_classic.py)."""

import numpy as np
import pytest

from skadvaug import augment
from skadvaug.augment._classic import _spline_basis

ALL = [
    augment.jitter,
    augment.scaling,
    augment.magnitude_warp,
    augment.time_warp,
    augment.window_warp,
    augment.window_slice,
    augment.permutation,
    augment.translation,
]
TIME_MOVERS = [augment.time_warp, augment.window_warp, augment.window_slice]


def _series(n=20, channels=3, length=60, seed=0):
    return np.random.RandomState(seed).normal(size=(n, channels, length))


def _ramps(n=50, length=60):
    return np.tile(np.linspace(0.0, 1.0, length), (n, 1, 1))


@pytest.mark.parametrize("function", ALL, ids=lambda f: f.__name__)
def test_shape_kept_input_untouched_and_seeded(function):
    X = _series()
    before = X.copy()
    first = function(X, random_state=0)
    assert first.shape == X.shape
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(first, function(X, random_state=0))
    assert not np.array_equal(first, function(X, random_state=1))
    assert not np.array_equal(first, X)


@pytest.mark.parametrize("function", ALL, ids=lambda f: f.__name__)
def test_float32_stays_float32(function):
    assert function(_series().astype(np.float32), random_state=0).dtype == np.float32


@pytest.mark.parametrize("function", ALL, ids=lambda f: f.__name__)
def test_non_3d_input_is_refused(function):
    with pytest.raises(ValueError, match="3-D"):
        function(np.zeros((4, 10)), random_state=0)


def test_jitter_adds_zero_mean_noise_of_std_sigma():
    X = _series(n=200)
    noise = augment.jitter(X, sigma=0.5, random_state=0) - X
    assert abs(noise.mean()) < 0.01
    assert noise.std() == pytest.approx(0.5, rel=0.02)


def test_scaling_multiplies_each_channel_by_one_factor():
    X = _series(n=400) + 5.0
    ratio = augment.scaling(X, sigma=0.2, random_state=0) / X
    np.testing.assert_allclose(ratio, ratio[:, :, :1].repeat(X.shape[-1], axis=-1))
    assert ratio[:, :, 0].std() == pytest.approx(0.2, rel=0.1)
    assert ratio[:, :, 0].mean() == pytest.approx(1.0, abs=0.02)


def test_magnitude_warp_multiplies_by_a_smooth_spline_through_random_knots():
    X = np.ones((300, 2, 100))
    curve = augment.magnitude_warp(X, sigma=0.2, n_knots=4, random_state=0)
    basis = _spline_basis(100, 4)
    knots, *_ = np.linalg.lstsq(basis, curve.reshape(-1, 100).T, rcond=None)
    np.testing.assert_allclose(basis @ knots, curve.reshape(-1, 100).T, atol=1e-10)
    assert knots.std() == pytest.approx(0.2, rel=0.1)
    # smooth: white noise of this size would have second differences near 0.5
    assert np.abs(np.diff(curve, n=2, axis=-1)).max() < 0.05
    assert not np.allclose(curve[:, 0], curve[:, 1])  # one curve per channel


def test_translation_adds_one_offset_per_channel_constant_over_time():
    X = _series(n=300)
    offset = augment.translation(X, sigma=0.3, random_state=0) - X
    np.testing.assert_allclose(offset, offset[:, :, :1].repeat(X.shape[-1], axis=-1), atol=1e-12)
    assert offset[:, :, 0].std() == pytest.approx(0.3, rel=0.1)
    assert not np.allclose(offset[:, 0, 0], offset[:, 1, 0])


@pytest.mark.parametrize("function", TIME_MOVERS, ids=lambda f: f.__name__)
def test_time_movers_read_the_series_along_a_monotone_path(function):
    warped = function(_ramps(), random_state=0)
    assert np.all(np.diff(warped, axis=-1) >= -1e-12)  # time never runs backwards
    assert np.abs(warped - _ramps()).max() > 0.01


@pytest.mark.parametrize("function", TIME_MOVERS, ids=lambda f: f.__name__)
def test_time_movers_shift_all_channels_of_a_series_together(function):
    ramp = _ramps()[:, 0]
    X = np.stack([ramp, 3.0 * ramp, ramp**2], axis=1)
    warped = function(X, random_state=0)
    np.testing.assert_allclose(warped[:, 1], 3.0 * warped[:, 0], atol=1e-12)


@pytest.mark.parametrize(
    "function", [augment.time_warp, augment.window_warp], ids=lambda f: f.__name__
)
def test_warps_keep_the_endpoints(function):
    X = _series()
    warped = function(X, random_state=0)
    np.testing.assert_allclose(warped[..., 0], X[..., 0], atol=1e-12)
    np.testing.assert_allclose(warped[..., -1], X[..., -1], atol=1e-12)


def test_time_warp_stays_monotone_even_for_a_huge_sigma():
    warped = augment.time_warp(_ramps(), sigma=3.0, random_state=0)
    assert np.all(np.diff(warped, axis=-1) >= -1e-12)


def test_window_slice_stretches_a_window_of_reduce_ratio():
    sliced = augment.window_slice(_ramps(), reduce_ratio=0.7, random_state=0)
    np.testing.assert_allclose(sliced[..., -1] - sliced[..., 0], 0.7, atol=1e-9)
    np.testing.assert_allclose(np.diff(sliced, n=2, axis=-1), 0.0, atol=1e-12)


def test_window_warp_changes_only_the_speed_inside_one_window():
    length = 200
    warped = augment.window_warp(
        _ramps(length=length), window_ratio=0.1, scales=(2.0,), random_state=0
    )
    slopes = np.round(np.diff(warped[0, 0]) * (length - 1), 6)
    # the ramp runs at two speeds only: slowed inside the window, uniform outside
    assert len(np.unique(slopes[np.abs(np.diff(slopes, prepend=slopes[0])) < 1e-6])) <= 3


@pytest.mark.parametrize("segments", ["equal", "random"])
def test_permutation_keeps_the_multiset_of_segments(segments):
    length = 60
    X = np.arange(float(length))[None, None, :].repeat(200, axis=0)
    permuted = augment.permutation(X, max_segments=5, segments=segments, random_state=0)
    for row in permuted[:, 0]:
        np.testing.assert_array_equal(np.sort(row), np.arange(length))
        # inside a segment time still runs forward by one step
        breaks = np.flatnonzero(np.diff(row) != 1)
        assert len(breaks) <= 4
    assert not any(np.array_equal(row, X[0, 0]) for row in permuted[:, 0])


def test_equal_segments_have_equal_lengths():
    X = np.arange(40.0)[None, None, :].repeat(30, axis=0)
    permuted = augment.permutation(X, max_segments=2, segments="equal", random_state=0)
    for row in permuted[:, 0]:
        assert row[0] in (0.0, 20.0)


@pytest.mark.parametrize(
    ("function", "kwargs", "match"),
    [
        (augment.jitter, {"sigma": -1.0}, "sigma"),
        (augment.magnitude_warp, {"n_knots": 0}, "n_knots"),
        (augment.window_warp, {"window_ratio": 1.5}, "window_ratio"),
        (augment.window_warp, {"scales": (0.0,)}, "scales"),
        (augment.window_slice, {"reduce_ratio": 0.0}, "reduce_ratio"),
        (augment.permutation, {"max_segments": 1}, "max_segments"),
        (augment.permutation, {"segments": "odd"}, "segments"),
    ],
)
def test_bad_parameters_are_named(function, kwargs, match):
    with pytest.raises(ValueError, match=match):
        function(_series(), **kwargs)
