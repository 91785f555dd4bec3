"""ContrastiveEncoder: LEAVES, random and ViewMaker views (paper 001)."""

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression

from skadvaug.datasets import load_ucr
from skadvaug.modules import LearnedViews, RandomViews, ViewMaker1d
from skadvaug.nets._contrastive import minmax_per_channel
from skadvaug.transformers import ContrastiveEncoder

FAST = {"encoder": "small_cnn", "max_epochs": 2, "batch_size": 16, "random_state": 0}


@pytest.fixture(scope="module")
def gunpoint():
    X, y = load_ucr("GunPoint", split="train")
    return X, y


@pytest.mark.parametrize("views", ["leaves", "random", "viewmaker"])
def test_every_view_kind_pretrains_and_feeds_a_pipeline(gunpoint, views):
    X, y = gunpoint
    pipe = make_pipeline(ContrastiveEncoder(views, **FAST), LogisticRegression(max_iter=500))
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.5
    encoder = pipe[0]
    assert (encoder.learned_params_ is not None) == (views == "leaves")
    assert len(encoder.history_) == 2


def test_two_dimensional_input_is_univariate_and_output_is_deterministic(gunpoint):
    X, _ = gunpoint
    encoder = ContrastiveEncoder(**FAST).fit(X[:, 0])
    three_d = ContrastiveEncoder(**FAST).fit(X)
    np.testing.assert_array_equal(encoder.transform(X[:, 0]), three_d.transform(X))
    np.testing.assert_array_equal(three_d.transform(X), three_d.transform(X))
    with pytest.raises(ValueError, match="series"):
        ContrastiveEncoder(**FAST).fit(np.zeros((4, 2, 3, 3)))


@pytest.mark.parametrize("views", ["leaves", "random", "viewmaker"])
def test_random_state_alone_fixes_the_output(gunpoint, views):
    # the views are built by the net under its seed (the view-maker's weights came
    # from torch's global generator before)
    X, _ = gunpoint
    outputs = []
    for global_seed in (1, 2):
        torch.manual_seed(global_seed)
        outputs.append(ContrastiveEncoder(views, **{**FAST, "max_epochs": 1}).fit(X).transform(X))
    np.testing.assert_array_equal(*outputs)


def test_learned_and_viewmaker_views_keep_the_value_range(gunpoint):
    X = torch.as_tensor(minmax_per_channel(gunpoint[0][:40]))
    for views in (LearnedViews(), ViewMaker1d(1)):
        with torch.no_grad():
            out = views(X, generator=torch.Generator().manual_seed(0))
        assert out.min() >= 0
        assert out.max() <= 1
    with pytest.raises(ValueError, match="at least 2 time steps"):
        ContrastiveEncoder(**FAST).fit(np.zeros((10, 1)))


def test_random_views_pick_one_augmentation_per_sample():
    x = torch.rand(64, 1, 30)
    out = RandomViews(sigma=0.05, methods=("jitter",), output_norm=None)(
        x, generator=torch.Generator().manual_seed(0)
    )
    unchanged = torch.all(out == x, dim=(1, 2))
    assert 0.2 < unchanged.float().mean() < 0.8  # "original" is one of the two choices
