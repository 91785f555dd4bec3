"""FlowTransformer and FlowNet: maximum likelihood, exact codes, scores."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

from skadvaug.nets import FlowNet
from skadvaug.transformers import FlowTransformer


@pytest.fixture(scope="module")
def correlated():
    rng = np.random.RandomState(0)
    return rng.normal(size=(400, 4)) @ rng.normal(size=(4, 4)) * 3 + 10


@pytest.mark.parametrize("shape", [(4,), (2, 12), (1, 6, 6)])
def test_codes_invert_exactly_for_every_data_kind(shape):
    X = np.random.RandomState(1).normal(size=(120, *shape)) * 5 - 2
    flow = FlowTransformer(max_epochs=3, flow_steps=3, random_state=0).fit(X)
    Z = flow.transform(X)
    assert Z.shape == (120, int(np.prod(shape)))
    assert np.abs(flow.inverse_transform(Z) - X).max() <= 1e-4 * max(1.0, np.abs(X).max())
    assert flow.data_kind_ == {1: "tabular", 2: "sequence", 3: "image"}[len(shape)]


@pytest.mark.parametrize(("shape", "steps"), [((4,), 1000), ((1, 4), 600), ((1, 2, 2), 1000)])
def test_auto_budget_is_600_steps_on_sequences_and_1000_on_tables_and_images(
    monkeypatch, shape, steps
):
    budgets = []
    monkeypatch.setattr(
        FlowNet, "fit", lambda net, X, y=None: budgets.append((net.max_epochs, net.batch_size))
    )
    X = np.random.RandomState(0).normal(size=(80, *shape))
    FlowTransformer(batch_size=8, random_state=0).fit(X)  # 10 batches an epoch
    FlowTransformer(batch_size=8, max_epochs=7, random_state=0).fit(X)
    assert budgets == [(steps // 10, 8), (7, 8)]


def test_negative_log_likelihood_falls_and_bits_per_dim_are_recorded(correlated):
    flow = FlowTransformer(max_epochs=20, random_state=0).fit(correlated)
    bits = flow.flow_.history[:, "bits_per_dim"]
    losses = flow.flow_.history[:, "train_loss"]
    assert losses[-1] < losses[0] - 0.5
    assert bits[-1] < bits[0]


def test_latent_codes_are_whitened_towards_the_standard_normal_base(correlated):
    def strongest_correlation(A):
        return np.abs(np.corrcoef(A.T) - np.eye(A.shape[1])).max()

    flow = FlowTransformer(max_epochs=40, random_state=0).fit(correlated)
    Z = flow.transform(correlated)
    assert strongest_correlation(correlated) > 0.6
    assert strongest_correlation(Z) < 0.25
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=0.15)
    assert np.abs(Z.mean(axis=0)).max() < 0.4


def test_score_samples_prefers_data_over_outliers(correlated):
    flow = FlowTransformer(max_epochs=20, random_state=0).fit(correlated)
    outliers = correlated[:20] + 50.0
    assert flow.score_samples(correlated[:20]).mean() > flow.score_samples(outliers).mean() + 10


def test_integer_data_is_dequantised_automatically():
    digits = load_digits()
    X = digits.images[:300, None]
    flow = FlowTransformer(max_epochs=2, flow_steps=2, random_state=0).fit(X)
    assert flow.flow_.dequantization is not None
    continuous = FlowTransformer(max_epochs=1, flow_steps=2, dequantize=False, random_state=0).fit(
        X
    )
    assert continuous.flow_.dequantization is None
    bits = flow.flow_.history[-1, "bits_per_dim"]
    assert 0 < bits < 8  # 17 grey levels: a sensible density in bits/dim


def test_conditional_flow_needs_and_uses_labels():
    rng = np.random.RandomState(0)
    y = np.repeat(["a", "b"], 100)
    X = rng.normal(size=(200, 3)) + (y == "b")[:, None] * 4
    flow = FlowTransformer(conditional=True, max_epochs=5, random_state=0).fit(X, y)
    Z = flow.transform(X, y)
    np.testing.assert_allclose(flow.inverse_transform(Z, y), X, atol=1e-4)
    assert not np.allclose(flow.transform(X, np.full(200, "a")), Z)
    with pytest.raises(ValueError, match="conditional=True"):
        flow.transform(X)
    with pytest.raises(ValueError, match="not seen in fit"):
        flow.transform(X, np.full(200, "c"))


def test_pandas_output_and_shape_checks(correlated):
    flow = FlowTransformer(max_epochs=2, random_state=0).set_output(transform="pandas")
    out = flow.fit_transform(pd.DataFrame(correlated, columns=list("abcd")))
    assert list(out.columns) == [f"flowtransformer{i}" for i in range(4)]
    with pytest.raises(ValueError, match="4 columns"):
        flow.inverse_transform(np.zeros((2, 3)))


def test_same_seed_same_flow(correlated):
    first = FlowTransformer(max_epochs=3, random_state=4).fit(correlated).transform(correlated)
    again = FlowTransformer(max_epochs=3, random_state=4).fit(correlated).transform(correlated)
    np.testing.assert_array_equal(first, again)


def test_flow_net_needs_labels_when_conditional():
    with pytest.raises(ValueError, match="class labels"):
        FlowNet(conditional=True, max_epochs=1).fit(np.zeros((10, 2), np.float32))


def test_flow_params_reach_the_flow_module_and_cannot_override_other_parameters():
    from skadvaug.modules import TimeSplitCoupling

    X = np.random.RandomState(1).normal(size=(40, 2, 12))
    flow = FlowTransformer(
        max_epochs=2, flow_steps=2, flow_params={"coupling": "split"}, random_state=0
    ).fit(X)
    assert any(isinstance(layer, TimeSplitCoupling) for layer in flow.flow_.module_.layers)
    assert np.abs(flow.inverse_transform(flow.transform(X)) - X).max() <= 1e-4
    with pytest.raises(ValueError, match="flow_params cannot set 'hidden': .*flow_hidden"):
        FlowTransformer(max_epochs=1, flow_params={"hidden": 8}).fit(X)
