"""WorstCaseGeneratorSampler (paper 002; spec §4, B-6)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skadvaug import Flatten, WorstCaseGeneratorSampler
from skadvaug.datasets import make_imbalanced_sequences, make_sequence_regression

FAST = {"game_epochs": 3, "hidden": 32, "random_state": 0}


@pytest.fixture(scope="module")
def table():
    X, y = make_classification(
        240, n_features=5, n_informative=3, n_classes=3, weights=[0.7, 0.2, 0.1], random_state=0
    )
    return X * 10 + 3, y


def test_counts_order_range_and_dtype(table):
    X, y = table
    sampler = WorstCaseGeneratorSampler(**FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    counts = Counter(y_res.tolist())
    assert len(set(counts.values())) == 1
    assert sampler.sampling_strategy_ == {
        1: counts[1] - np.sum(y == 1),
        2: counts[2] - np.sum(y == 2),
    }
    synthetic = X_res[len(X) :]
    assert synthetic.dtype == X.dtype
    assert np.all(synthetic >= X.min(0) - 1e-6)
    assert np.all(synthetic <= X.max(0) + 1e-6)
    assert set(np.unique(y_res)) == set(np.unique(y))
    assert len(sampler.history_["game"]) == 3


def test_sampling_strategy_dict_and_determinism(table):
    X, y = table
    params = {**FAST, "sampling_strategy": {2: 50}}
    X_a, y_a = WorstCaseGeneratorSampler(**params).fit_resample(X, y)
    X_b, _ = WorstCaseGeneratorSampler(**params).fit_resample(X, y)
    np.testing.assert_array_equal(X_a, X_b)
    assert Counter(y_a.tolist())[2] == 50


def test_dataframes_sequences_and_pipelines(table):
    X, y = table
    frame = pd.DataFrame(X, columns=list("abcde"))
    X_res, _ = WorstCaseGeneratorSampler(**FAST).fit_resample(frame, y)
    assert list(X_res.columns) == list("abcde")
    X, y = make_imbalanced_sequences(n_samples=80, n_timepoints=16, random_state=0)
    pipe = make_pipeline(WorstCaseGeneratorSampler(**FAST), Flatten(), LogisticRegression())
    assert pipe.fit(X, y).predict(X[:3]).shape == (3,)


def test_continuous_targets_generate_rare_samples_for_rare_targets():
    X, y = make_sequence_regression(n_samples=60, random_state=0)
    threshold = float(np.quantile(y, 0.8))
    X_res, y_res = WorstCaseGeneratorSampler(rare_threshold=threshold, **FAST).fit_resample(X, y)
    assert X_res.shape[1:] == X.shape[1:]
    assert np.all(y_res[len(y) :] > threshold)
    assert np.sum(y_res > threshold) == np.sum(y_res <= threshold)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"epsilon": -0.1}, "epsilon"),
        ({"distance": "kl"}, "distance"),
        ({"n_critic": 0}, "n_critic"),
    ],
)
def test_bad_parameters_are_named(table, params, match):
    X, y = table
    with pytest.raises(ValueError, match=match):
        WorstCaseGeneratorSampler(**params).fit_resample(X, y)


def test_auto_budget_on_sequences_is_1000_critic_steps_with_the_classifier_per_generator_step():
    X, y = make_imbalanced_sequences(n_samples=40, n_channels=1, n_timepoints=8, random_state=0)
    sampler = WorstCaseGeneratorSampler(hidden=16, latent_dim=4, random_state=0)
    sampler.fit_resample(X, y)
    game = sampler.surrogate_  # 40 samples: one batch an epoch, so 1,000 epochs
    assert (game.critic_steps_, game.generator_steps_) == (1000, 200)
    assert game.classifier_steps == "per_generator_step"
    batches = [batch for epoch in game.history[:, "batches"] for batch in epoch]
    assert sum("classifier_loss" in batch for batch in batches) == 200


def test_auto_budget_on_tables_is_the_specs_10000_critic_steps_with_the_classifier_every_batch(
    table,
):
    X, y = table  # 240 rows: 4 batches of 64, so 2,500 epochs, capped at 2,000
    sampler = WorstCaseGeneratorSampler(random_state=0)
    sampler._resolve_device()
    net = sampler._make_net(X, y, random_state=np.random.RandomState(0))
    assert (net.max_epochs, net.max_steps, net.classifier_steps) == (2000, None, "every_batch")
    net = sampler._make_net(np.zeros((6400, 5)), y, random_state=np.random.RandomState(0))
    assert (net.max_epochs, net.max_steps, net.batch_size) == (100, None, 64)  # 10,000 steps
    explicit = WorstCaseGeneratorSampler(classifier_steps="per_generator_step", random_state=0)
    explicit._resolve_device()
    net = explicit._make_net(X, y, random_state=np.random.RandomState(0))
    assert net.classifier_steps == "per_generator_step"


def test_auto_budget_on_tables_beyond_10000_batches_is_2500_batches_worth_in_grown_batches(table):
    _, y = table
    sampler = WorstCaseGeneratorSampler(random_state=0)
    sampler._resolve_device()

    def budget(n_rows):
        net = sampler._make_net(np.zeros((n_rows, 5)), y, random_state=np.random.RandomState(0))
        return net.max_epochs, net.max_steps, net.batch_size

    assert budget(640_000) == (1, None, 64)  # 10,000 batches: the spec's budget
    assert budget(640_001) == (1, 625, 256)  # 2,500 x 64 rows in batches of 256
    assert budget(1_000_000) == (1, 625, 256)
    # the size is counted in the sampler's batches: 7,813 batches of 128
    sampler.set_params(batch_size=128)
    assert budget(1_000_000) == (1, None, 128)
    sampler.set_params(batch_size=64, game_epochs=3)
    assert budget(1_000_000) == (3, None, 64)  # an explicit budget is kept


def test_the_large_table_budget_holds_for_regression_and_not_for_sequences():
    regression = WorstCaseGeneratorSampler(rare_threshold=1.0, random_state=0)
    regression._resolve_device()
    targets = np.linspace(0, 2, 20)
    net = regression._make_net(
        np.zeros((1_000_000, 5)), targets, random_state=np.random.RandomState(0)
    )
    assert (net.max_epochs, net.max_steps, net.batch_size) == (1, 625, 256)
    sequences = WorstCaseGeneratorSampler(random_state=0)
    sequences._resolve_device()
    labels = np.array([0, 1] * 10)
    net = sequences._make_net(
        np.zeros((640_001, 1, 2)), labels, random_state=np.random.RandomState(0)
    )
    assert (net.max_epochs, net.max_steps, net.batch_size) == (1, 250, 256)  # 1,000 x 64 rows
