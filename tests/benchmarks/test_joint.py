"""The joint forms in the benchmark harness (issue 23): each replaces its own plain network."""

import pytest

from benchmarks import runner
from benchmarks.methods import METHODS, Context
from benchmarks.models import MODELS
from benchmarks.suites import SUITES, Suite, register_suite

JOINT = [name for name, method in METHODS.items() if method.joint]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CACHE_ROOT", tmp_path / "cache")


@pytest.fixture
def temporary_suites():
    suites = dict(SUITES)
    yield
    SUITES.clear()
    SUITES.update(suites)


def _network(net, kind):
    module = net.module if net.module is not None else net._default_modules[kind]
    budgets = [net._training_budget(n) for n in (100, 10_000, 10**6)]
    return module, net.max_epochs, budgets, net.batch_size, net.lr, net.optimizer


@pytest.mark.parametrize("name", JOINT)
def test_each_joint_form_replaces_a_plain_network_of_its_architecture_and_budget(name):
    method = METHODS[name]
    joint = method.build(0, Context())
    assert set(method.joint) == set(method.kinds)
    for kind, model_name in method.joint.items():
        plain = MODELS[model_name].build(0)
        assert kind in MODELS[model_name].kinds
        assert MODELS[model_name].input == "native"
        assert not plain._augments()  # no augmentation: the joint net's baseline
        assert _network(plain, kind) == _network(joint, kind)


def test_the_joint_suite_compares_every_joint_form_with_smote_on_its_network():
    suite = SUITES["joint"]
    assert {"none", "SMOTE"} <= set(suite.methods)
    assert set(JOINT) <= set(suite.methods)
    for name in JOINT:
        for kind, model_name in METHODS[name].joint.items():
            if kind in suite.models:
                assert model_name in suite.models[kind]


def test_a_joint_cell_fits_the_joint_net_on_the_fold_as_it_is(temporary_suites):
    tiny = SUITES["tiny"]
    register_suite(
        Suite(
            "tiny-joint",
            "test",
            tiny.datasets,
            ["none", "LatentAdversarial[joint]"],
            {"sequence": ["net", "logreg_flat"]},
            n_splits=2,
            n_repeats=1,
            reference_method="none",
        )
    )
    dataset = tiny.datasets[0].name
    joint = runner.run_cell(runner.Cell("tiny-joint", dataset, "LatentAdversarial[joint]", 0))
    plain = runner.run_cell(runner.Cell("tiny-joint", dataset, "none", 0))
    assert [row["model"] for row in joint] == ["net"]  # only the network it replaces
    assert [row["model"] for row in plain] == ["net", "logreg_flat"]
    (row,) = joint
    assert row["status"] == "ok", row["error"]
    assert row["n_synthetic"] == 0
    assert row["n_train"] == plain[0]["n_train"]
    # the time of fitting the joint net (autoencoder and classifier), not of a sampler
    assert row["fit_resample_seconds"] > 10 * plain[0]["fit_resample_seconds"]
    key = runner.Cell("tiny-joint", dataset, "LatentAdversarial[joint]", 0).key()
    assert key == runner.Cell("tiny-joint", dataset, "LatentAdversarial[joint]", 0).key()


def test_a_joint_form_without_its_network_in_the_suite_is_a_recorded_failure(temporary_suites):
    tiny = SUITES["tiny"]
    register_suite(
        Suite(
            "tiny-nonet",
            "test",
            tiny.datasets,
            ["none", "LatentAdversarial[joint]"],
            tiny.models,
            n_splits=2,
            n_repeats=1,
            reference_method="none",
        )
    )
    cell = runner.Cell("tiny-nonet", tiny.datasets[0].name, "LatentAdversarial[joint]", 0)
    (row,) = runner.run_cell(cell)
    assert row["status"] == "failed"
    assert "replaces the model 'net'" in row["error"]
