"""Flatten (skadvaug/transformers/_flatten.py)."""

import numpy as np
import pandas as pd
import pytest

from skadvaug import Flatten


@pytest.mark.parametrize("shape", [(7, 3, 5), (7, 2, 4, 3)])
def test_round_trip_restores_sequences_and_images(shape):
    X = np.random.RandomState(0).normal(size=shape)
    flatten = Flatten().fit(X)
    flat = flatten.transform(X)
    assert flat.shape == (7, int(np.prod(shape[1:])))
    np.testing.assert_array_equal(flat[:, : shape[-1]], X[:, 0, ...].reshape(7, -1)[:, : shape[-1]])
    np.testing.assert_array_equal(flatten.inverse_transform(flat), X)
    assert flatten.input_shape_ == shape[1:]


def test_tables_pass_through_with_their_names():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    flatten = Flatten().fit(X)
    np.testing.assert_array_equal(flatten.transform(X), X.to_numpy())
    assert list(flatten.get_feature_names_out()) == ["a", "b"]


def test_sequence_feature_names_and_pandas_output():
    X = np.arange(12.0).reshape(2, 2, 3)
    flatten = Flatten().set_output(transform="pandas").fit(X)
    out = flatten.transform(X)
    assert list(out.columns) == ["c0_t0", "c0_t1", "c0_t2", "c1_t0", "c1_t1", "c1_t2"]
    assert out.loc[1, "c1_t0"] == X[1, 1, 0]
    assert Flatten().fit(np.zeros((1, 1, 2, 2))).get_feature_names_out()[3] == "c0_h1_w1"


def test_missing_values_pass_through_untouched():
    X = np.ones((3, 2, 4))
    X[1, 0, 2] = np.nan
    assert np.isnan(Flatten().fit_transform(X)[1, 2])


def test_a_different_sample_shape_is_refused():
    flatten = Flatten().fit(np.zeros((3, 2, 5)))
    with pytest.raises(
        ValueError, match=r"samples of shape \(2, 6\).*fitted on samples of shape \(2, 5\)"
    ):
        flatten.transform(np.zeros((3, 2, 6)))
    with pytest.raises(ValueError, match="10 columns"):
        flatten.inverse_transform(np.zeros((3, 9)))
