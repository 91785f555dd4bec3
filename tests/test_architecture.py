"""The layering docs/architecture.md promises, checked on the source."""

import ast
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

import skadvaug
from skadvaug import FlowLatentSampler, FlowTransformer, LatentAdversarialSampler
from skadvaug.modules import CouplingFlow1d

PACKAGE = Path(skadvaug.__file__).parent
SAMPLERS = sorted((PACKAGE / "over_sampling").glob("_*.py"))


@pytest.mark.parametrize("path", SAMPLERS, ids=lambda p: p.name)
def test_samplers_import_no_torch_and_touch_no_private_name_of_another_layer(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(alias.name.split(".")[0] == "torch" for alias in node.names)
        if isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "torch", path.name
            private = [a.name for a in node.names if a.name.startswith("_")]
            # _base.py is the samplers' own base; imblearn shares its docstrings this way
            module = node.module or ""
            own_layer = module == "_base" or module.startswith("imblearn")
            assert not private or own_layer, (path.name, private)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            owner = node.value
            is_own = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
            is_super = isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super"
            convention = node.attr in ("_parameter_constraints", "_sampling_strategy_docstring")
            assert is_own or is_super or convention, (path.name, node.attr)


def test_no_other_sampler_file_runs_a_training_loop():
    for path in SAMPLERS:
        assert "backward(" not in path.read_text(), path.name


def _table():
    X, y = make_classification(120, n_features=4, weights=[0.8], random_state=0)
    return X, y


@pytest.mark.parametrize(
    ("make", "old", "new"),
    [
        (LatentAdversarialSampler, {"max_epochs": 2}, {"autoencoder_epochs": 2}),
        (LatentAdversarialSampler, {"adversarial_epochs": 1}, {"surrogate_epochs": 1}),
        (FlowLatentSampler, {"max_epochs": 2}, {"flow_epochs": 2}),
        (FlowLatentSampler, {"n_steps": 1}, {"attack_steps": 1}),
    ],
)
def test_renamed_sampler_parameters_warn_and_give_the_same_samples(make, old, new):
    X, y = _table()
    budget = {"surrogate_epochs": 1} if "surrogate_epochs" not in new else {}
    if make is LatentAdversarialSampler and "autoencoder_epochs" not in new:
        budget["autoencoder_epochs"] = 2
    if make is FlowLatentSampler and "flow_epochs" not in new:
        budget["flow_epochs"] = 2
    budget = {k: v for k, v in budget.items() if k not in old}
    with pytest.warns(FutureWarning, match=f"'{next(iter(old))}' was renamed"):
        X_old, _ = make(**old, **budget, random_state=0).fit_resample(X, y)
    X_new, _ = make(**new, **budget, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_old, X_new)


def test_renamed_flow_sizes_warn_and_build_the_same_flow():
    X, _ = _table()
    with pytest.warns(FutureWarning) as record:
        old = FlowTransformer(n_steps=2, hidden=16, max_epochs=1, random_state=0).fit(X)
    messages = " ".join(str(w.message) for w in record)
    assert "'n_steps' was renamed 'flow_steps'" in messages
    assert "'hidden' was renamed 'flow_hidden'" in messages
    new = FlowTransformer(flow_steps=2, flow_hidden=16, max_epochs=1, random_state=0).fit(X)
    np.testing.assert_array_equal(old.transform(X), new.transform(X))
    with pytest.warns(FutureWarning, match="'hidden_channels' was renamed 'hidden'"):
        flow = CouplingFlow1d((1, 8), n_steps=1, hidden_channels=5)
    assert flow.layers[1].net[0].out_channels == 5
