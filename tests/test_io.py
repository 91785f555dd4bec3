"""The safe format for fitted estimators (skadvaug/io.py)."""

import functools
import io
import json
import threading
import zipfile

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from skorch.exceptions import DeviceWarning

from skadvaug import FlowTransformer, LatentAdversarialSampler, nets
from skadvaug.io import dump, dumps, get_untrusted_types, load, loads
from tests.test_common import ESTIMATORS, NETS


class NotFromAPackage:
    """A user's own class: not trusted until the user says so."""

    def __init__(self, value):
        self.value = value


def _table():
    X, y = make_classification(60, n_features=6, weights=[0.8], random_state=0)
    return X.astype(np.float32), y


def _fitted(estimator):
    X, y = _table()
    estimator = clone(estimator)
    if "Regressor" in type(estimator).__name__:
        y = y.astype(np.float32)
    if hasattr(estimator, "fit_resample"):
        estimator.fit_resample(X, y)
    else:
        estimator.fit(X, y)
    return estimator, X, y


def _rewrite_schema(data, change):
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "schema.json":
                content = json.dumps(change(json.loads(content))).encode()
            target.writestr(info, content)
    return buffer.getvalue()


def _nodes(node):
    """Every dict node of a schema."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@pytest.mark.parametrize("estimator", ESTIMATORS + NETS, ids=lambda e: type(e).__name__)
def test_every_public_estimator_round_trips_with_its_whole_state(estimator):
    estimator, X, y = _fitted(estimator)
    data = dumps(estimator)

    assert get_untrusted_types(data=data) == []
    loaded = loads(data)
    assert type(loaded) is type(estimator)
    # the same bytes again: every attribute, array and tensor came back as it was
    assert dumps(loaded) == data
    if hasattr(estimator, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))
    if hasattr(estimator, "predict"):
        np.testing.assert_array_equal(loaded.predict(X), estimator.predict(X))
    if hasattr(estimator, "transform"):
        np.testing.assert_array_equal(loaded.transform(X), estimator.transform(X))
    if hasattr(estimator, "fit_resample"):
        resampled = zip(loaded.fit_resample(X, y), estimator.fit_resample(X, y), strict=True)
        for ours, theirs in resampled:
            np.testing.assert_array_equal(ours, theirs)


def test_saving_leaves_the_estimator_alone_and_gives_the_same_bytes_each_time(tmp_path):
    estimator, X, _ = _fitted(nets.LatentAdversarialClassifier(**_small_net()))
    before = estimator.predict_proba(X)
    dump(estimator, tmp_path / "model.skadv")
    with open(tmp_path / "model.skadv", "rb") as f:
        assert f.read() == dumps(estimator)
    np.testing.assert_array_equal(estimator.predict_proba(X), before)
    with open(tmp_path / "model.skadv", "rb") as f:
        np.testing.assert_array_equal(load(f).predict_proba(X), before)


def _small_net():
    return {"autoencoder__max_epochs": 2, "max_epochs": 3, "lr": 0.01, "random_state": 0}


def test_training_continues_where_it_stopped():
    # the optimizer's moments come back and still point at the module's own parameters
    estimator, X, y = _fitted(nets.LatentAdversarialClassifier(**_small_net()))
    loaded = loads(dumps(estimator))
    shared = {id(p) for group in loaded.optimizer_.param_groups for p in group["params"]}
    assert {id(p) for p in loaded.module_.parameters()} <= shared
    torch.manual_seed(0)
    estimator.partial_fit(X, y)
    torch.manual_seed(0)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def _as_if_saved_on_a_gpu(schema):
    for node in _nodes(schema["root"]):
        if node.get("t") == "tensor":
            node["device"] = "cuda:0"
        if "items" in node and node.get("t") == "dict":
            for key, value in node["items"]:
                if key.get("v") in ("device", "device_") and value.get("v") == "cpu":
                    value["v"] = "cuda"
    return schema


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the fall-back without a GPU")
def test_a_model_saved_on_a_gpu_loads_and_runs_on_a_cpu():
    sampler = LatentAdversarialSampler(autoencoder_epochs=2, surrogate_epochs=1, random_state=0)
    estimator, X, y = _fitted(sampler)
    gpu_file = _rewrite_schema(dumps(estimator), _as_if_saved_on_a_gpu)

    with pytest.warns(DeviceWarning, match="cuda"):
        loaded = loads(gpu_file)
    assert loaded.device_ == "cpu"
    assert loaded.surrogate_.device == "cpu"
    assert loaded.surrogate_.autoencoder_.device == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.surrogate_.module_.parameters())
    np.testing.assert_array_equal(
        loaded.surrogate_.predict_proba(X), estimator.surrogate_.predict_proba(X)
    )
    resampled = zip(loaded.fit_resample(X, y), estimator.fit_resample(X, y), strict=True)
    for ours, theirs in resampled:
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_a_model_saved_on_a_cpu_moves_to_the_gpu():  # pragma: no cover - GPU machines only
    estimator, X, _ = _fitted(FlowTransformer(max_epochs=2, flow_steps=2, random_state=0))
    loaded = loads(dumps(estimator), map_location="cuda")
    assert loaded.flow_.device == "cuda"
    assert next(loaded.flow_.module_.parameters()).device.type == "cuda"
    np.testing.assert_allclose(loaded.transform(X), estimator.transform(X), atol=1e-4)


def test_map_location_puts_every_tensor_there():
    estimator, _, _ = _fitted(FlowTransformer(max_epochs=2, flow_steps=2, random_state=0))
    loaded = loads(dumps(estimator), map_location=torch.device("cpu"))
    assert {p.device.type for p in loaded.flow_.module_.parameters()} == {"cpu"}


def test_a_type_that_is_not_trusted_is_listed_and_refused_until_trusted():
    data = dumps({"mine": NotFromAPackage(np.arange(3))})
    name = "tests.test_io.NotFromAPackage"
    assert get_untrusted_types(data=data) == [name]
    with pytest.raises(ValueError, match=f"not trusted: \\['{name}'\\]"):
        loads(data)
    loaded = loads(data, trusted=[name])
    np.testing.assert_array_equal(loaded["mine"].value, np.arange(3))


def _with_root(node):
    return _rewrite_schema(dumps(None), lambda schema: {**schema, "root": node})


def test_a_file_naming_a_dangerous_function_is_refused_before_anything_is_built():
    data = _with_root({"t": "function", "module": "os", "qualname": "system"})
    assert get_untrusted_types(data=data) == ["os.system"]
    with pytest.raises(ValueError, match="os.system"):
        loads(data)
    # trusting the name does not help: os.system is not defined in "os" under that name
    with pytest.raises(ValueError, match="does not exist"):
        loads(data, trusted=["os.system"])


def _schema_root(obj):
    return json.loads(zipfile.ZipFile(io.BytesIO(dumps(obj))).read("schema.json"))["root"]


def _constructed(module, qualname, call, args):
    """A file whose root object is rebuilt by calling ``call`` with ``args``."""
    return _with_root(
        {
            "t": "object",
            "id": 1000,
            "module": module,
            "qualname": qualname,
            "state": {"t": "json", "v": None},
            "construct": {"call": call, "args": {"t": "tuple", "items": args}},
        }
    )


def test_functions_are_trusted_by_an_explicit_list_only():
    # a helper of this package that imports anything is no trusted value
    data = _with_root({"t": "function", "module": "skadvaug.io", "qualname": "_lookup"})
    assert get_untrusted_types(data=data) == ["skadvaug.io._lookup"]
    with pytest.raises(ValueError, match="not trusted"):
        loads(data)


def test_loading_calls_only_trusted_constructors():
    called = {"t": "function", "module": "skadvaug.io", "qualname": "dump"}
    data = _constructed("builtins", "dict", called, [])
    assert get_untrusted_types(data=data) == ["skadvaug.io.dump"]
    with pytest.raises(ValueError, match=r"not trusted: \['skadvaug.io.dump'\]"):
        loads(data)
    # numpy's generator helpers are constructors, never values a file may hold
    helper = {"t": "function", "module": "numpy.random._pickle", "qualname": "__randomstate_ctor"}
    assert get_untrusted_types(data=_with_root(helper)) == [
        "numpy.random._pickle.__randomstate_ctor"
    ]


def test_a_constructor_gets_only_the_arguments_its_pickling_writes(capsys):
    # numpy's helper calls its second argument: with anything but a bit generator it
    # would be a way to call whatever the file says
    helper = {"t": "function", "module": "numpy.random._pickle", "qualname": "__randomstate_ctor"}
    gadget = _schema_root(functools.partial(print, "CALLED"))
    data = _constructed(
        "numpy.random.mtrand", "RandomState", helper, [{"t": "json", "v": "x"}, gadget]
    )
    with pytest.raises(ValueError, match="is not called so"):
        loads(data)
    # a constructor must be a class or function named in the file, not an object
    data = _constructed("builtins", "dict", gadget, [])
    with pytest.raises(ValueError, match="constructor must be a class or a function"):
        get_untrusted_types(data=data)
    with pytest.raises(ValueError, match="constructor must be a class or a function"):
        loads(data)
    assert "CALLED" not in capsys.readouterr().out


def test_saved_attributes_cannot_stand_in_for_code(capsys):
    model = LogisticRegression()
    model.__dict__["predict"] = functools.partial(print, "CALLED")
    with pytest.raises(ValueError, match="predict would replace a method"):
        loads(dumps(model))
    listed = _rewrite_schema(
        dumps(LogisticRegression()),
        lambda schema: {**schema, "root": {**schema["root"], "list_items": []}},
    )
    with pytest.raises(ValueError, match="list items for .*LogisticRegression"):
        loads(listed)
    children = torch.nn.Sequential()
    children._modules["0"] = functools.partial(print, "CALLED")
    with pytest.raises(ValueError, match="_modules holds other than Modules"):
        loads(dumps(children))
    hooked = torch.nn.Linear(2, 2)
    hooked.register_forward_hook(print)
    with pytest.raises(ValueError, match="_forward_hooks"):
        loads(dumps(hooked))
    assert "CALLED" not in capsys.readouterr().out


def test_a_damaged_file_is_a_value_error():
    with pytest.raises(ValueError, match="corrupt file"):
        loads(_with_root({"t": "ref", "id": 7}))
    with pytest.raises(ValueError, match="corrupt file"):
        loads(_with_root({"t": "list", "id": 0, "items": [{"t": "nothing"}]}))


def test_a_trusted_module_cannot_smuggle_in_what_it_imports():
    # skadvaug.io imports numpy; numpy's functions are not skadvaug's
    data = _with_root({"t": "function", "module": "skadvaug.io", "qualname": "np.load"})
    with pytest.raises(ValueError, match="skadvaug.io.np.load"):
        loads(data)


def test_arrays_are_read_without_pickle():
    data = dumps(np.arange(4.0))
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer, pickled = io.BytesIO(), io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            is_array = info.filename.startswith("arrays/")
            target.writestr(info, pickled.getvalue() if is_array else source.read(info))
    with pytest.raises(ValueError, match="allow_pickle"):
        loads(buffer.getvalue())


def test_what_cannot_be_saved_safely_is_named_at_dump_time(tmp_path):
    with pytest.raises(TypeError, match=r"dict\['f'\].*lambda"):
        dumps({"f": lambda x: x})
    with pytest.raises(TypeError, match=r"dict\['lock'\].*cannot be saved"):
        dumps({"lock": threading.Lock()})
    refused = r"\['log'\].*pickle"
    with open(tmp_path / "log.txt", "w") as log, pytest.raises(TypeError, match=refused):
        dumps({"log": log})
    with pytest.raises(TypeError, match="object fields"):
        dumps(np.zeros(2, dtype=[("a", object)]))


@pytest.mark.parametrize(
    "model",
    [
        RandomForestClassifier(n_estimators=3, random_state=0),
        GradientBoostingClassifier(n_estimators=3, random_state=0),
        HistGradientBoostingClassifier(max_iter=3, random_state=0),
        KNeighborsClassifier(algorithm="kd_tree"),
        KNeighborsClassifier(algorithm="ball_tree"),
    ],
    ids=lambda model: f"{type(model).__name__}-{model.get_params().get('algorithm', '')}",
)
def test_a_pipeline_ending_in_a_tree_or_neighbour_model_round_trips(model):
    # their Cython parts pickle through constructors and record arrays; all are
    # scikit-learn's or numpy's, so nothing needs trusting
    X, y = _table()
    pipeline = make_pipeline(LatentAdversarialSampler(autoencoder_epochs=1, random_state=0), model)
    pipeline.fit(X, y)
    data = dumps(pipeline)
    assert get_untrusted_types(data=data) == []
    loaded = loads(data)
    assert dumps(loaded) == data  # padding bytes of the tree records included
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: loads(b"not a zip"), ValueError, "not a file written by skadvaug.io"),
        (lambda: loads(dumps(1), trusted="os.system"), TypeError, "trusted must be a list"),
        (lambda: loads(dumps(1), map_location=0), TypeError, "map_location must be"),
        (lambda: load(3), TypeError, "file must be a path or a binary file"),
        (lambda: dump(1, 3), TypeError, "file must be a path or a binary file"),
        (lambda: loads("text"), TypeError, "data must be bytes"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_values_of_every_kind_come_back_equal():
    values = {
        "none": None,
        "flags": (True, False),
        "numbers": [1, 2.5, float("nan"), float("inf"), 3 + 4j, 10**30],
        "text": "ü",
        "bytes": b"\x00\xff",
        "sets": ({1, 2}, frozenset({"a"})),
        "numpy": (np.float32(0.1), np.int64(-3), np.bool_(True), np.float16(2.5)),
        "dtype": np.dtype("<f4"),
        "records": np.ones(2, dtype=[("a", "<f8"), ("b", "<i4", (2,)), ("c", [("d", "u1")])]),
        "record_dtype": np.dtype({"names": ["x"], "formats": ["<i2"], "itemsize": 8}),
        "generator": (np.random.default_rng(0), np.random.RandomState(1)),
        "labels": np.array(["a", "b", None], dtype=object),
        "matrix": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "torch": (torch.float16, torch.device("cpu"), torch.Size([2, 3])),
        "half": torch.arange(3, dtype=torch.bfloat16),
        "keys": {1: "int key", (2, 3): "tuple key"},
    }
    values["again"] = values["matrix"]  # shared objects stay shared
    loaded = loads(dumps(values))
    assert loaded["again"] is loaded["matrix"]
    assert loaded["half"].dtype == torch.bfloat16
    assert loaded["numpy"][0].dtype == np.float32
    assert loaded["numpy"][0] == np.float32(0.1)
    assert np.isnan(loaded["numbers"][2])
    assert loaded["numbers"][5] == 10**30
    assert loaded["records"].dtype == values["records"].dtype
    assert loaded["record_dtype"] == values["record_dtype"]
    assert dumps(loaded) == dumps(values)
    assert loaded["generator"][0].random() == np.random.default_rng(0).random()
    assert loaded["generator"][1].rand() == np.random.RandomState(1).rand()


def _torch_state_outside_nets(obj, path, seen):
    """Paths of the modules and tensors that plain pickle writes with their device:
    those not under a skorch net's device-mapped (``cuda_dependent_attributes_``) ones."""
    from skorch import NeuralNet

    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, (torch.Tensor, torch.nn.Module)):
        return [path]
    if isinstance(obj, NeuralNet):
        items = [
            (key, value)
            for key, value in vars(obj).items()
            if not any(key.startswith(prefix) for prefix in obj.cuda_dependent_attributes_)
        ]
    elif isinstance(obj, dict):
        items = list(obj.items())
    elif isinstance(obj, (list, tuple)):
        items = list(enumerate(obj))
    elif type(obj).__module__.split(".")[0] in {"skadvaug", "skorch"} and hasattr(obj, "__dict__"):
        items = list(vars(obj).items())
    else:
        return []
    found = []
    for key, value in items:
        found += _torch_state_outside_nets(value, f"{path}.{key}", seen)
    return found


@pytest.mark.parametrize("estimator", ESTIMATORS + NETS, ids=lambda e: type(e).__name__)
def test_a_pickled_estimator_loads_on_a_cpu_whatever_device_it_trained_on(estimator):
    # skorch pickles a net's own modules so that they load on the CPU when CUDA is
    # missing; a module or tensor anywhere else would be written with its device
    # (found on a GPU machine: LatentAdversarialSampler.perturber_ and the views
    # ContrastiveEncoder handed its net)
    estimator, _, _ = _fitted(estimator)
    assert _torch_state_outside_nets(estimator, type(estimator).__name__, set()) == []
