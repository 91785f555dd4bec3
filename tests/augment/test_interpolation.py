"""interpolate_seeds (skadvaug/augment/interpolation.py)."""

import numpy as np
import pytest

from skadvaug.augment.interpolation import interpolate_seeds


def test_points_lie_between_each_seed_and_one_of_its_nearest_others():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2, 3))  # any sample shape: neighbours on the flattened rows
    seeds = rng.randint(0, 30, size=200)
    X_new, partners, steps = interpolate_seeds(
        X, seeds, k_neighbors=4, random_state=np.random.RandomState(1)
    )
    flat = X.reshape(30, -1)
    distances = np.linalg.norm(flat[:, None] - flat[None], axis=2)
    for seed, partner in zip(seeds, partners, strict=True):
        order = [i for i in np.argsort(distances[seed]) if i != seed]
        assert partner in order[:4]
    assert np.all((steps >= 0) & (steps <= 1))
    expected = X[seeds] + steps[:, None, None] * (X[partners] - X[seeds])
    np.testing.assert_allclose(X_new, expected)
    assert len(set(partners[seeds == seeds[0]])) > 1  # partners drawn, not fixed


def test_few_samples_and_bad_input():
    X = np.array([[0.0], [1.0]])
    X_new, partners, _ = interpolate_seeds(
        X, np.array([0, 1]), k_neighbors=5, random_state=np.random.RandomState(0)
    )
    assert partners.tolist() == [1, 0]
    assert np.all((X_new >= 0) & (X_new <= 1))
    with pytest.raises(ValueError, match="at least 2"):
        interpolate_seeds(X[:1], np.array([0]), k_neighbors=5, random_state=np.random)


def test_large_classes_search_neighbours_within_random_blocks():
    # beyond max_block samples, each partner is among the k nearest of the seed's block
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    seeds = rng.randint(0, 100, size=300)
    X_new, partners, steps = interpolate_seeds(
        X, seeds, k_neighbors=3, random_state=np.random.RandomState(1), max_block=25
    )
    blocks = np.array_split(np.random.RandomState(1).permutation(100), 4)
    block_of = {i: block for block in blocks for i in block}
    for seed, partner in zip(seeds, partners, strict=True):
        block = block_of[seed]
        assert partner in block
        distances = np.linalg.norm(X[block] - X[seed], axis=1)
        nearest = [i for i in block[np.argsort(distances)] if i != seed][:3]
        assert partner in nearest
    np.testing.assert_allclose(X_new, X[seeds] + steps[:, None] * (X[partners] - X[seeds]))
