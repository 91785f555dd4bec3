"""BaseNet conventions (skadvaug/nets/_base.py)."""

import numpy as np
import pytest
import torch
from torch import nn

from skadvaug.exceptions import TrainingDivergedError
from skadvaug.nets import BaseNet


class TinyRegressor(nn.Module):
    def __init__(self, input_shape, hidden=8, dropout=0.2):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(input_shape[0], hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 1)
        )

    def forward(self, X):
        return self.layers(X)


class AuxLossNet(BaseNet):
    """Returns a second loss from train_step, as the adversarial nets will."""

    _extra_losses = ("aux_loss",)

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        step["aux_loss"] = 2.0 * step["loss"].detach()
        return step


def _data(n=64, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0], dtype=np.float32))[:, None]
    return X, y


def _net(**kwargs):
    params = {
        "module": TinyRegressor,
        "criterion": nn.MSELoss,
        "max_epochs": 4,
        "batch_size": 16,
        "random_state": 0,
    }
    params.update(kwargs)
    return BaseNet(**params)


def _weights(net):
    return torch.cat([p.detach().flatten() for p in net.module_.parameters()])


def test_random_state_makes_training_reproducible_bit_for_bit():
    X, y = _data()
    first, again, other = _net().fit(X, y), _net().fit(X, y), _net(random_state=1).fit(X, y)
    assert torch.equal(_weights(first), _weights(again))
    assert first.history[:, "train_loss"] == again.history[:, "train_loss"]
    assert not torch.equal(_weights(first), _weights(other))


def test_fit_leaves_the_global_torch_seed_alone():
    X, y = _data()
    torch.manual_seed(42)
    expected = torch.rand(3)
    torch.manual_seed(42)
    _net().fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_training_reduces_the_loss_with_the_adam_default():
    X, y = _data(n=256)
    net = _net(max_epochs=30).fit(X, y)
    losses = net.history[:, "train_loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert isinstance(net.optimizer_, torch.optim.Adam)


def test_non_finite_loss_stops_training_with_a_clear_error():
    X, y = _data()
    X[0, 0] = 1e30  # squared error overflows float32
    with pytest.raises(
        TrainingDivergedError, match="training loss became (inf|nan) in epoch 1; training diverged"
    ):
        _net(module__dropout=0.0).fit(X, y)


def test_divergence_error_is_a_value_error():
    assert issubclass(TrainingDivergedError, ValueError)


def test_patience_stops_when_the_monitored_loss_stalls():
    X, y = _data()
    net = _net(lr=0.0, max_epochs=50, patience=3, module__dropout=0.0).fit(X, y)
    assert len(net.history) == 4  # the first epoch, then three without improvement


def test_max_steps_ends_training_within_the_epoch_that_reaches_it():
    X, y = _data(n=64)  # 4 batches of 16 per epoch
    net = _net(max_epochs=50, max_steps=6).fit(X, y)
    assert net.train_steps_ == 6
    assert [row["train_batch_count"] for row in net.history] == [4, 2]
    net.partial_fit(X, y)  # the budget counts the steps of one call
    assert net.train_steps_ == 6
    assert len(net.history) == 4


def test_max_steps_beyond_the_epochs_leaves_the_epoch_budget_in_charge():
    X, y = _data(n=64)
    unlimited, budgeted = _net(max_epochs=3).fit(X, y), _net(max_epochs=3, max_steps=100).fit(X, y)
    assert budgeted.train_steps_ == 12
    assert torch.equal(_weights(unlimited), _weights(budgeted))


class AutoBudgetNet(BaseNet):
    _auto_budget = (10, 3)  # about 10 steps, at most 3 epochs


@pytest.mark.parametrize(
    ("n", "epochs", "steps", "batch_size", "batch_counts"),
    [
        (16, 3, 3, 16, [1, 1, 1]),  # one batch per epoch: capped at 3 epochs
        (64, 2, 8, 16, [4, 4]),  # 4 batches: the whole epochs nearest to 10 steps
        (160, 1, 10, 16, [10]),  # 10 batches: one epoch, exactly 10 steps
        # beyond 10 batches, 10 x 16 samples of one epoch in grown batches
        (320, 1, 5, 32, [5]),  # twice the budget's samples: batches twice as large
        (480, 1, 3, 48, [3]),
        (3200, 1, 2, 64, [2]),  # 20 times: the batch grows at most 4 times (2.5 steps)
    ],
)
def test_auto_max_epochs_is_a_step_budget_resolved_from_the_data(
    n, epochs, steps, batch_size, batch_counts
):
    X, y = _data(n=n)
    net = AutoBudgetNet(
        module=TinyRegressor, criterion=nn.MSELoss, max_epochs="auto", batch_size=16, random_state=0
    ).fit(X, y)
    assert (net.max_epochs_, net.train_steps_, net.train_batch_size_) == (epochs, steps, batch_size)
    assert [row["train_batch_count"] for row in net.history] == batch_counts
    assert net.history[-1, "batches", 0, "train_batch_size"] == batch_size
    assert (net.max_epochs, net.batch_size) == ("auto", 16)  # the parameters are left as given


def test_explicit_epochs_keep_the_configured_batch():
    X, y = _data(n=3200)
    net = _net(max_epochs=1, batch_size=16).fit(X, y)
    assert (net.train_steps_, net.train_batch_size_) == (200, 16)


def test_max_steps_caps_the_auto_budget():
    X, y = _data(n=64)
    net = AutoBudgetNet(
        module=TinyRegressor, criterion=nn.MSELoss, max_epochs="auto", max_steps=5, batch_size=16
    ).fit(X, y)
    assert net.train_steps_ == 5


def test_max_epochs_is_validated():
    X, y = _data()
    with pytest.raises(ValueError, match="max_epochs"):
        _net(max_epochs="many").fit(X, y)


def test_the_joint_nets_and_their_backbones_default_to_a_step_budget():
    from skadvaug.nets import (
        AdversarialAutoencoderNet,
        FlowLatentClassifier,
        FlowNet,
        LatentAdversarialClassifier,
        OnlineAugmentationRegressor,
        StructuredAdversarialClassifier,
        WorstCaseGeneratorClassifier,
    )

    for net_class in (
        LatentAdversarialClassifier,
        FlowLatentClassifier,
        StructuredAdversarialClassifier,
        OnlineAugmentationRegressor,
    ):
        assert net_class().max_epochs == "auto"
        assert net_class()._training_budget(10_000) == (6, None, 128)  # 79 batches of 128
        # 500 steps of 128 samples, on a million samples in batches four times larger
        assert net_class()._training_budget(10**6) == (1, 125, 512)
    assert AdversarialAutoencoderNet()._training_budget(10**6) == (1, 100, 512)
    assert FlowNet()._training_budget(10**6) == (1, 250, 512)
    assert WorstCaseGeneratorClassifier().max_epochs == 100  # the paper's game keeps epochs


def test_the_joint_classifier_trains_its_auto_budget():
    from skadvaug.nets import OnlineAugmentationClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40_000, 3)).astype(np.float32)
    y = (X[:, 0] > 1.5).astype(int)
    net = OnlineAugmentationClassifier(random_state=0).fit(X, y)  # 313 batches per epoch
    assert (net.max_epochs_, net.train_steps_) == (2, 626)  # 500 / 313 rounds to 2 epochs


def test_extra_losses_are_recorded_per_epoch():
    X, y = _data()
    net = AuxLossNet(module=TinyRegressor, criterion=nn.MSELoss, max_epochs=2, random_state=0).fit(
        X, y
    )
    aux = net.history[:, "aux_loss"]
    np.testing.assert_allclose(aux, 2.0 * np.array(net.history[:, "train_loss"]), rtol=1e-5)


def test_verbose_zero_is_silent_and_one_prints_the_epoch_log(capsys):
    X, y = _data()
    _net(verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""
    _net(verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out
    assert out.count("\n") >= 4 + 2


def test_verbose_two_adds_a_progress_bar():
    net = _net(verbose=2, module__input_shape=(4,)).initialize()
    assert "progress_bar" in dict(net.callbacks_)


def test_auto_device_resolves_and_cuda_without_cuda_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert _net(device="auto", module__input_shape=(4,)).initialize().device == "cpu"
    with pytest.raises(ValueError, match="CUDA is not available"):
        _net(device="cuda", module__input_shape=(4,)).initialize()


def test_parameters_are_reachable_by_set_params():
    net = _net()
    net.set_params(module__hidden=3, random_state=5, patience=2)
    assert net.random_state == 5
    assert net.patience == 2
    net.fit(*_data())
    assert net.module_.layers[0].out_features == 3


def test_modules_are_built_from_the_data_shape():
    net = _net(max_epochs=1).fit(*_data())
    assert net.input_shape_ == (4,)
    assert net.data_kind_ == "tabular"
    assert net.module_.layers[0].in_features == 4


def test_float64_inputs_are_trained_in_float32():
    X, y = _data()
    net = _net(max_epochs=1).fit(X.astype(np.float64), y.astype(np.float64))
    assert net.predict(X.astype(np.float64)).dtype == np.float32
    # float64 targets too (CUDA's backward refuses a float32 loss against float64)
    assert net.get_dataset(X, y.astype(np.float64)).y.dtype == np.float32
    assert net.get_dataset(X, np.arange(len(X))).y.dtype == np.arange(1).dtype


class BatchNormRegressor(nn.Module):
    def __init__(self, input_shape):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(input_shape[0], 8), nn.BatchNorm1d(8), nn.Linear(8, 1)
        )

    def forward(self, X):
        return self.layers(X)


def test_a_last_batch_of_one_sample_is_dropped_for_batch_norm():
    X, y = _data(n=65)
    net = _net(module=BatchNormRegressor, batch_size=16, max_epochs=1).fit(X, y)
    sizes = net.history[-1, "batches", :, "train_batch_size"]
    assert sizes == [16, 16, 16, 16]


def test_unknown_constructor_arguments_are_refused():
    """skorch's own check must survive our parameter constraints (a misspelt or renamed
    argument was silently ignored before)."""
    from skadvaug.nets import StructuredAdversarialClassifier

    X, y = np.random.default_rng(0).random((20, 1, 8, 8)).astype("float32"), np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match="unexpected argument.*foo"):
        StructuredAdversarialClassifier(foo=3, max_epochs=1).fit(X, y)


def test_weights_round_trip_through_the_tensors_only_loader(tmp_path, monkeypatch):
    X, y = _data()
    net = _net().fit(X, y)
    net.save_params(f_params=tmp_path / "weights.pt")
    loads = []
    original = torch.load

    def recording_load(*args, **kwargs):
        loads.append(kwargs.get("weights_only"))
        return original(*args, **kwargs)

    monkeypatch.setattr(torch, "load", recording_load)
    fresh = _net(random_state=1, module__input_shape=(4,))
    fresh.initialize()
    fresh.load_params(f_params=tmp_path / "weights.pt")
    assert loads == [True]
    assert torch.equal(_weights(fresh), _weights(net))
    np.testing.assert_array_equal(fresh.predict(X), net.predict(X))


def test_adam_runs_its_fused_kernel_unless_the_user_chooses_an_implementation():
    X, y = _data()
    assert _net(max_epochs=1).fit(X, y).optimizer_.defaults["fused"] is True
    chosen = _net(max_epochs=1, optimizer__foreach=False).fit(X, y).optimizer_.defaults
    assert not chosen["fused"]
    assert chosen["foreach"] is False
    sgd = _net(max_epochs=1, optimizer=torch.optim.SGD).fit(X, y).optimizer_.defaults
    assert sgd["foreach"] is True
    assert not sgd.get("fused")


@pytest.mark.parametrize("kind", ["array", "dict", "no_target", "subset"])
def test_batches_taken_directly_equal_the_datasets_own_indexing(kind):
    from skorch.dataset import Dataset

    from skadvaug.nets._data import BatchIterator, _array_take

    X, y = _data(n=23)
    data = {"X": X, "rare": np.arange(23) % 2} if kind == "dict" else X
    dataset = Dataset(data, None if kind == "no_target" else y)
    if kind == "subset":
        dataset = torch.utils.data.Subset(dataset, np.arange(3, 20))
    index = np.array([5, 0, 7, 2])
    direct, generic = _array_take(dataset)(index), dataset[index]
    for left, right in zip(direct, generic, strict=True):
        left, right = (left, right) if isinstance(left, dict) else ({0: left}, {0: right})
        for key in right:
            np.testing.assert_array_equal(np.asarray(left[key]), np.asarray(right[key]))
    batches = list(BatchIterator(dataset, batch_size=8))
    assert sum(len(y_batch) for _, y_batch in batches) == len(dataset)


def _nets_inside(obj, seen=None):
    """Every skorch net reachable from ``obj``'s fitted attributes, ``obj`` included."""
    from skorch import NeuralNet

    seen = set() if seen is None else seen
    if id(obj) in seen or not hasattr(obj, "__dict__"):
        return []
    seen.add(id(obj))
    found = [obj] if isinstance(obj, NeuralNet) else []
    for value in vars(obj).values():
        if isinstance(value, (list, tuple)):
            for item in value:
                found += _nets_inside(item, seen)
        elif type(value).__module__.split(".")[0] in {"skadvaug", "skorch"}:
            found += _nets_inside(value, seen)
    return found


def _fitted_estimators():
    from tests.test_common import ESTIMATORS, NETS
    from tests.test_io import _fitted

    for estimator in ESTIMATORS + NETS:
        yield _fitted(estimator)[0]


def test_every_torch_module_of_every_net_follows_its_device():
    # skorch moves the modules it tracks to `device` and pickles them so that a net
    # trained on a GPU loads on a CPU: a module it does not track stays on the CPU
    # (found on a GPU machine: the augmenters, views, generator and critic)
    checked = set()
    for estimator in _fitted_estimators():
        for net in _nets_inside(estimator):
            for name, value in vars(net).items():
                if not name.endswith("_"):  # a parameter (a module the user passed)
                    continue
                if isinstance(value, (nn.Module, torch.optim.Optimizer)):
                    assert name in net.cuda_dependent_attributes_, (type(net).__name__, name)
                if isinstance(value, nn.Module):
                    assert name.rstrip("_") in net._modules + net._criteria, (
                        type(net).__name__,
                        name,
                    )
                    checked.add(f"{type(net).__name__}.{name}")
    assert {
        "LatentAdversarialClassifier.augmenter_",
        "WorstCaseGeneratorClassifier.augmenter_",
        "WorstCaseGeneratorClassifier.critic_",
        "ContrastiveNet.views_",
    } <= checked
