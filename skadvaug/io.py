"""Save fitted estimators in a format that is safe to share: no pickle, trusted types only.

A pickle is code: loading one runs whatever the file says. :func:`dump` writes a fitted
sampler, transformer or network (or any object made of the same parts) as a zip archive
of a JSON description — every object's type, parameters and fitted attributes — and of
``.npy`` files for numpy arrays and torch tensors, read back with ``allow_pickle=False``.
:func:`load` builds only the types and functions it trusts, and builds them the way
pickle's own reconstruction does (``cls.__new__`` and the class's ``__setstate__``;
only objects that pickle through a constructor, like scikit-learn's Cython trees, are
built by calling that class or a listed function, with the kind of arguments their
own pickling writes); it refuses a file that names anything else before importing it,
saved attributes that would replace a method, and torch modules with hooks or
non-module children, and :func:`get_untrusted_types` lists those names so that a user can read
them and pass the ones they accept in ``trusted``. The names follow :mod:`skops.io`'s
API (``dump``, ``dumps``, ``load``, ``loads``, ``get_untrusted_types``).

Why a format of our own: :mod:`skops.io`, scikit-learn's safe format, has no
representation of torch tensors and no public way to add one (``skops.io.dumps`` of a
fitted sampler fails with "Cannot directly construct TensorBase"); torch's restricted
loader (``torch.load(weights_only=True)``) cannot rebuild skorch's training history, a
list subclass; and skorch pickles a net's modules with plain :mod:`pickle`, so a
pickled net is not safe to load whatever wraps it.

Tensors go to the device they were saved from when it is available and to the CPU
otherwise (``map_location`` overrides both); a network's ``device`` and an estimator's
``device_`` follow, with skorch's warning, so a model fitted on a GPU loads and runs on
a CPU-only machine and the reverse (``map_location="cuda"``).
"""

import copyreg
import functools
import importlib
import inspect
import io
import json
import types
import zipfile
from collections import OrderedDict, defaultdict
from os import PathLike

import numpy as np
import torch
from skorch import NeuralNet
from skorch.utils import get_map_location

__all__ = ["dump", "dumps", "get_untrusted_types", "load", "loads"]

FORMAT = "skadvaug.io"
FORMAT_VERSION = 1
_SCHEMA = "schema.json"

# Classes of these packages are trusted by default: a fitted estimator of this package (or
# a Pipeline ending in a scikit-learn model) is made of them.
DEFAULT_TRUSTED_MODULES = (
    "skadvaug",
    "sklearn",
    "imblearn",
    "skorch",
    "torch.nn",
    "torch.optim",
    "zuko",
    "numpy.random",
)
# Functions are trusted by this explicit list only (a stored function may be called
# later, so a whole package's functions would include ones that import or run anything):
# the ones a fitted net holds (its print sink, skorch's target extractor and indexing
# helpers, the optimizer setter of its virtual parameters) and the elementwise transform
# of skadvaug's tabular flow.
DEFAULT_TRUSTED_FUNCTIONS = frozenset(
    {
        "builtins.print",
        "skorch.utils.to_numpy",
        "skorch.utils._indexing_dict",
        "skorch.utils._indexing_other",
        "skorch.setter.optimizer_setter",
        "skadvaug.modules._flows._elementwise_affine",
    }
)


def _builds_itself(cls, args):
    return args == (cls,)


def _from_bit_generator(cls, args):
    return len(args) == 1 and isinstance(args[0], np.random.BitGenerator)


def _bit_generator(cls, args):
    return args == (cls,) and issubclass(cls, np.random.BitGenerator)


def _seed_sequence(cls, args):
    return len(args) == 3 and args[0] is cls and type(args[1]) is int and args[2] is None


# Loading calls a callable only to rebuild an object that pickles through it, and only
# these functions (scikit-learn's neighbour trees and distance metrics, numpy's random
# generators, which gradient boosting keeps), each with the arguments its own pickling
# writes (checked before the call), or a class that reduces to a call of itself with
# plain arguments (scikit-learn's Cython tree and losses). Anything else a file would
# call must be trusted by name.
DEFAULT_TRUSTED_CONSTRUCTORS = {
    "sklearn.neighbors._kd_tree.newObj": _builds_itself,
    "sklearn.neighbors._ball_tree.newObj": _builds_itself,
    "sklearn.metrics._dist_metrics.newObj": _builds_itself,
    "numpy.random._pickle.__bit_generator_ctor": _bit_generator,
    "numpy.random._pickle.__generator_ctor": _from_bit_generator,
    "numpy.random._pickle.__randomstate_ctor": _from_bit_generator,
    "numpy.random.bit_generator.__pyx_unpickle_SeedSequence": _seed_sequence,
}


def _is_self_constructing(module, qualname):
    return (module, qualname) == ("sklearn.tree._tree", "Tree") or (
        module == "sklearn._loss._loss" and qualname.startswith("Cy")
    )


_BUILTIN_TYPES = (bool, bytes, complex, dict, float, frozenset, int, list, set, str, tuple)
_TRUSTED_BUILTIN_TYPES = frozenset(
    [f"builtins.{t.__qualname__}" for t in _BUILTIN_TYPES]
    + ["collections.OrderedDict", "collections.defaultdict"]
)
# numpy dtypes whose scalars are stored exactly as JSON numbers
_JSON_SCALAR_KINDS = "biuf"


def _name(module, qualname):
    return f"{module}.{qualname}"


def _in_modules(module, roots):
    return any(module == root or module.startswith(root + ".") for root in roots)


def _is_default_trusted(kind, module, qualname):
    name = _name(module, qualname)
    if kind == "constructor type":
        return _is_self_constructing(module, qualname)
    if kind == "constructor function":
        return name in DEFAULT_TRUSTED_CONSTRUCTORS
    if kind == "type":
        return name in _TRUSTED_BUILTIN_TYPES or _in_modules(module, DEFAULT_TRUSTED_MODULES)
    return name in DEFAULT_TRUSTED_FUNCTIONS


# --------------------------------------------------------------------------- writing


class _Writer:
    """Turns an object graph into JSON nodes and ``.npy`` members of a zip archive.

    Objects that carry identity (containers, objects, arrays, tensors) are written once;
    later occurrences are references, so shared objects (a module's parameters and its
    optimizer's) stay shared and cycles terminate.
    """

    def __init__(self, archive):
        self.archive = archive
        self.memo = {}
        self.alive = []  # keeps ids unique while writing
        self.n_arrays = 0

    def write_array(self, array):
        member = f"arrays/{self.n_arrays}.npy"
        self.n_arrays += 1
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        _write_member(self.archive, member, buffer.getvalue())
        return member

    def node(self, obj, path):
        kind = type(obj)
        if obj is None or kind in (bool, int, float, str):
            return {"t": "json", "v": obj}
        if id(obj) in self.memo:
            return {"t": "ref", "id": self.memo[id(obj)]}
        if kind is tuple:
            return {"t": "tuple", "items": self.items(obj, path)}
        if kind is bytes:
            return {"t": "bytes", "v": obj.hex()}
        if kind is complex:
            return {"t": "complex", "v": [obj.real, obj.imag]}
        if isinstance(obj, np.generic):
            return self.numpy_scalar(obj, path)
        if isinstance(obj, np.dtype):
            return self.numpy_dtype(obj, path)
        if kind is torch.dtype:
            return {"t": "torch_dtype", "v": str(obj).removeprefix("torch.")}
        if kind is torch.device:
            return {"t": "torch_device", "v": str(obj)}
        if kind is torch.Size:
            return {"t": "torch_size", "items": [int(n) for n in obj]}
        if isinstance(obj, type):
            return self.reference("type", obj, path)
        if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
            return self.reference("function", obj, path)

        ident = self.memo[id(obj)] = len(self.memo)
        self.alive.append(obj)
        node = {"id": ident}
        if kind is list:
            node.update(t="list", items=self.items(obj, path))
        elif kind in (set, frozenset):
            # sorted: a set's order changes with the hash seed; the bytes should not
            ordered = sorted(obj, key=lambda value: (type(value).__name__, repr(value)))
            node.update(t=kind.__name__, items=self.items(ordered, path))
        elif kind in (dict, OrderedDict):
            node.update(t=kind.__name__, items=self.pairs(obj, path))
        elif kind is defaultdict:
            node.update(
                t="defaultdict",
                factory=self.node(obj.default_factory, f"{path}.default_factory"),
                items=self.pairs(obj, path),
            )
        elif kind is np.ndarray:
            node.update(self.numpy_array(obj, path))
        elif kind in (torch.Tensor, torch.nn.Parameter):
            node.update(self.tensor(obj, path))
        elif kind is functools.partial:
            if not isinstance(obj.func, (types.FunctionType, types.BuiltinFunctionType)):
                raise TypeError(
                    f"{path}: only a partial of a function can be saved, not of {obj.func!r}."
                )
            node.update(
                t="partial",
                func=self.node(obj.func, f"{path}.func"),
                args=self.node(obj.args, f"{path}.args"),
                keywords=self.node(obj.keywords, f"{path}.keywords"),
            )
        else:
            node.update(self.instance(obj, path))
        return node

    def items(self, values, path):
        return [self.node(value, f"{path}[{i}]") for i, value in enumerate(values)]

    def pairs(self, mapping, path):
        return [
            [self.node(key, f"{path} key"), self.node(value, f"{path}[{key!r}]")]
            for key, value in mapping.items()
        ]

    def reference(self, kind, obj, path):
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")
        if not module or "<" in qualname or _lookup(module, qualname) is not obj:
            raise TypeError(
                f"{path}: the {kind} {obj!r} cannot be saved by name (a lambda, a local "
                "definition or an object not importable under its name); use a function "
                "or class defined at module level."
            )
        return {"t": kind, "module": module, "qualname": qualname}

    def numpy_scalar(self, obj, path):
        if obj.dtype.kind in _JSON_SCALAR_KINDS and obj.dtype.itemsize <= 8:
            return {"t": "np_scalar", "dtype": obj.dtype.str, "v": obj.item()}
        array = self.numpy_array(np.asarray(obj), path)
        return {"t": "np_scalar", "dtype": obj.dtype.str, "array": array}

    def numpy_dtype(self, obj, path):
        if obj.hasobject:
            raise TypeError(f"{path}: numpy dtypes holding objects cannot be saved ({obj}).")
        if obj.fields is None:
            return {"t": "np_dtype", "v": obj.str}
        # a structured dtype (the records of scikit-learn's trees) as .npy headers write it
        descr = np.lib.format.dtype_to_descr(obj)
        return {"t": "np_dtype", "descr": json.loads(json.dumps(descr))}

    def numpy_array(self, obj, path):
        if obj.dtype.hasobject:
            if obj.dtype.fields is not None:
                raise TypeError(f"{path}: structured arrays with object fields cannot be saved.")
            flat = obj.reshape(-1, order="C")
            return {"t": "object_array", "shape": list(obj.shape), "items": self.items(flat, path)}
        if obj.dtype.fields is not None:
            # records of scikit-learn's trees: their padding bytes are whatever the
            # memory held; copied field by field into zeros, the bytes are deterministic
            records = np.zeros(obj.shape, dtype=obj.dtype)
            for name in obj.dtype.names:
                records[name] = obj[name]
            obj = records
        return {"t": "ndarray", "file": self.write_array(obj)}

    def tensor(self, obj, path):
        if obj.layout is not torch.strided:
            raise TypeError(f"{path}: only dense torch tensors can be saved ({obj.layout}).")
        values = obj.detach().cpu()
        dtype = str(values.dtype).removeprefix("torch.")
        try:
            array = values.numpy()
        except TypeError:  # numpy has no bfloat16 and friends: widen, narrowed on load
            array = values.float().numpy()
        return {
            "t": "tensor",
            "file": self.write_array(array),
            "dtype": dtype,
            "device": str(obj.device),
            "requires_grad": obj.requires_grad,
            "parameter": type(obj) is torch.nn.Parameter,
        }

    def instance(self, obj, path):
        cls = type(obj)
        self.reference("type", cls, path)
        construct = None
        if isinstance(obj, NeuralNet):
            # skorch's __getstate__ pickles the modules (plain pickle); their attributes
            # are written here instead, and rebuilt on load without skorch's __setstate__.
            state, list_items, dict_items = dict(obj.__dict__), None, None
        else:
            try:
                reduced = obj.__reduce_ex__(4)
            except TypeError as error:  # locks, open files...: pickle refuses them too
                raise TypeError(f"{path}: {error}") from None
            if not isinstance(reduced, tuple) or len(reduced) < 2:
                raise TypeError(
                    f"{path}: objects of type {_name(cls.__module__, cls.__qualname__)} "
                    "reduce to a name (a singleton), which the safe format cannot hold; "
                    "use pickle."
                )
            call, args = reduced[0], reduced[1]
            if not (call is copyreg.__newobj__ and args == (cls,)):
                # Built by calling the class itself (scikit-learn's Tree, its Cython
                # losses) or a named constructor function (its KD and ball trees); the
                # callable is written by name, so loading checks it is trusted.
                if call is copyreg.__newobj__ or not callable(call):
                    raise TypeError(
                        f"{path}: objects of type {_name(cls.__module__, cls.__qualname__)} "
                        "are not rebuilt from a class or a named function, so the safe "
                        "format cannot hold them; use pickle."
                    )
                kind = "type" if isinstance(call, type) else "function"
                construct = {
                    "call": self.reference(kind, call, f"{path} constructor"),
                    "args": self.node(tuple(args), f"{path} constructor arguments"),
                }
            reduced = reduced + (None,) * (5 - len(reduced))
            state, list_items, dict_items = reduced[2], reduced[3], reduced[4]
        node = {
            "t": "object",
            "module": cls.__module__,
            "qualname": cls.__qualname__,
            "state": self.node(state, path),
        }
        if construct is not None:
            node["construct"] = construct
        if list_items is not None:
            node["list_items"] = self.items(list(list_items), path)
        if dict_items is not None:
            node["dict_items"] = self.pairs(dict(dict_items), path)
        return node


def _split(name):
    module, _, qualname = name.rpartition(".")
    return module, qualname


def _plain(value):
    """Numbers, strings and arrays of them: arguments that cannot call anything."""
    if isinstance(value, np.ndarray):
        return not value.dtype.hasobject
    return value is None or isinstance(value, (bool, int, float, str, np.generic))


def _update_attributes(obj, state, name):
    if not (isinstance(state, dict) and all(isinstance(key, str) for key in state)):
        raise ValueError(f"corrupt file: the attributes of {name} are not a dict of names.")
    obj.__dict__.update(state)


def _check_attributes(obj, cls, name):
    """Refuse saved attributes that would stand in for code.

    An attribute named like a method of the class would replace it on the instance (a
    later ``predict`` would call what the file put there), and a torch module's hooks
    and sub-modules are called on every forward pass.
    """
    for key, value in getattr(obj, "__dict__", {}).items():
        attribute = inspect.getattr_static(cls, key, None)
        if inspect.isroutine(attribute) or isinstance(attribute, (staticmethod, classmethod)):
            raise ValueError(f"corrupt file: {name}.{key} would replace a method.")
        if isinstance(obj, (torch.nn.Module, torch.optim.Optimizer)) and "hook" in key and value:
            raise ValueError(f"corrupt file: {name} carries {key} (hooks run code).")
    if isinstance(obj, torch.nn.Module):
        parts = {
            "_modules": torch.nn.Module,
            "_parameters": torch.nn.Parameter,
            "_buffers": torch.Tensor,
        }
        for key, kind in parts.items():
            values = getattr(obj, "__dict__", {}).get(key, {})
            if not isinstance(values, dict) or not all(
                value is None or isinstance(value, kind) for value in values.values()
            ):
                raise ValueError(f"corrupt file: {name}.{key} holds other than {kind.__name__}s.")


def _is_function(obj):
    return callable(obj) and not isinstance(obj, type) and hasattr(obj, "__qualname__")


def _as_descr(value):
    """JSON's lists back to the tuples of a structured dtype's description."""
    if isinstance(value, str):
        return value
    fields = []
    for name, fmt, *shape in value:
        name = tuple(name) if isinstance(name, list) else name  # (title, name)
        fields.append((name, _as_descr(fmt), *(tuple(size) for size in shape)))
    return fields


def _lookup(module, qualname):
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return None
    return obj


def dumps(obj):
    """Write ``obj`` in the safe format and return the bytes.

    Parameters
    ----------
    obj : object
        A fitted (or unfitted) estimator of this package, or any object made of the
        types :func:`load` knows: Python and numpy scalars, containers, numpy arrays,
        torch tensors, classes and module-level functions, and instances rebuilt from
        their attributes (scikit-learn, skorch and torch modules among them).

    Returns
    -------
    data : bytes

    Raises
    ------
    TypeError
        When part of ``obj`` cannot be written safely (a lambda, a local class, an
        object that pickles through its own constructor); the message gives its path.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        writer = _Writer(archive)
        root = writer.node(obj, type(obj).__name__)
        from . import __version__

        schema = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "skadvaug_version": __version__,
            "root": root,
        }
        _write_member(archive, _SCHEMA, json.dumps(schema).encode())
    return buffer.getvalue()


def _write_member(archive, name, data):
    # a fixed date: the same object gives the same bytes
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def dump(obj, file):
    """Write ``obj`` in the safe format to ``file``.

    Parameters
    ----------
    obj : object
        See :func:`dumps`.
    file : str, path-like or binary file object
        Where to write (a zip archive; ``.skadv`` is a good suffix).

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import make_classification
    >>> from skadvaug import FlowTransformer
    >>> from skadvaug.io import dump, load
    >>> X, _ = make_classification(n_samples=60, n_features=4, random_state=0)
    >>> flow = FlowTransformer(max_epochs=2, random_state=0).fit(X)
    >>> file = io.BytesIO()
    >>> dump(flow, file)
    >>> loaded = load(io.BytesIO(file.getvalue()))
    >>> bool((loaded.transform(X) == flow.transform(X)).all())
    True
    """
    data = dumps(obj)
    if isinstance(file, (str, PathLike)):
        with open(file, "wb") as f:
            f.write(data)
    elif hasattr(file, "write"):
        file.write(data)
    else:
        raise TypeError(f"file must be a path or a binary file object, got {type(file).__name__}.")


# --------------------------------------------------------------------------- reading


def _read(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        schema = json.loads(archive.read(_SCHEMA))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(f"not a file written by skadvaug.io.dump ({error}).") from None
    if not isinstance(schema, dict) or schema.get("format") != FORMAT:
        raise ValueError("not a file written by skadvaug.io.dump (no skadvaug.io schema).")
    if schema.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"the file has format version {schema.get('format_version')!r}; this skadvaug "
            f"reads version {FORMAT_VERSION}."
        )
    return archive, schema


def _references(node):
    """Every (kind, module, qualname) a schema node names.

    Kinds: "type" and "function" (values a file holds), "constructor type" and
    "constructor function" (callables loading would call to rebuild an object).
    """
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        kind = item.get("t")
        if kind in ("type", "function", "object"):
            value_kind = "function" if kind == "function" else "type"
            yield value_kind, str(item.get("module")), str(item.get("qualname"))
        if kind == "object" and "construct" in item:
            construct = item["construct"]
            call = construct.get("call") if isinstance(construct, dict) else None
            if not (isinstance(call, dict) and call.get("t") in ("type", "function")):
                raise ValueError(
                    "corrupt file: an object's constructor must be a class or a function "
                    "named in the file."
                )
            yield f"constructor {call['t']}", str(call.get("module")), str(call.get("qualname"))
            stack.append(construct.get("args"))
            stack.extend(value for key, value in item.items() if key != "construct")
            continue
        stack.extend(item.values())


def _as_bytes(file=None, data=None):
    if (file is None) == (data is None):
        raise TypeError("pass exactly one of file (a path or file object) and data (bytes).")
    if data is not None:
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"data must be bytes, got {type(data).__name__}.")
        return bytes(data)
    if isinstance(file, (str, PathLike)):
        with open(file, "rb") as f:
            return f.read()
    if hasattr(file, "read"):
        return file.read()
    raise TypeError(f"file must be a path or a binary file object, got {type(file).__name__}.")


def get_untrusted_types(*, data=None, file=None):
    """The types and functions a saved file names that :func:`load` does not trust by default.

    Parameters
    ----------
    data : bytes, optional
        What :func:`dumps` returned.
    file : str, path-like or binary file object, optional
        What :func:`dump` wrote (pass ``data`` or ``file``).

    Returns
    -------
    names : list of str
        Sorted ``"module.qualname"`` names; pass those you accept as ``trusted`` to
        :func:`load`. Trusted by default are the classes of skadvaug, scikit-learn,
        imbalanced-learn, skorch, ``torch.nn``, ``torch.optim``, zuko and
        ``numpy.random``, Python's containers, the few functions a fitted network
        holds (:data:`DEFAULT_TRUSTED_FUNCTIONS`: ``print``, ``skorch.utils.to_numpy``
        ...) and, as constructors only, :data:`DEFAULT_TRUSTED_CONSTRUCTORS` (those of
        scikit-learn's KD and ball trees, numpy's generators ...).
    """
    _, schema = _read(_as_bytes(file, data))
    return _untrusted(schema)


def _untrusted(schema):
    return sorted(
        {
            _name(module, qualname)
            for kind, module, qualname in _references(schema["root"])
            if not _is_default_trusted(kind, module, qualname)
        }
    )


class _Reader:
    def __init__(self, archive, map_location):
        self.archive = archive
        self.memo = {}
        self.map_location = None if map_location is None else torch.device(map_location)
        self.devices = {}
        self.nets = []
        self.estimators = []

    def device(self, saved):
        """Where a tensor saved on ``saved`` goes (skorch's rule, one warning per device)."""
        if self.map_location is not None:
            return self.map_location
        if saved not in self.devices:
            self.devices[saved] = get_map_location(saved)
        return self.devices[saved]

    def array(self, member):
        if not (isinstance(member, str) and member.startswith("arrays/")):
            raise ValueError(f"corrupt file: bad array member {member!r}.")
        return np.load(io.BytesIO(self.archive.read(member)), allow_pickle=False)

    def remember(self, node, obj):
        if "id" in node:
            self.memo[node["id"]] = obj
        return obj

    def node(self, node):
        kind = node["t"]
        if kind == "json":
            return node["v"]
        if kind == "ref":
            return self.memo[node["id"]]
        if kind == "tuple":
            return tuple(self.node(item) for item in node["items"])
        if kind == "bytes":
            return bytes.fromhex(node["v"])
        if kind == "complex":
            return complex(*node["v"])
        if kind == "np_scalar":
            if "array" in node:
                return self.array(node["array"]["file"])[()]
            return np.dtype(node["dtype"]).type(node["v"])
        if kind == "np_dtype":
            if "descr" in node:
                return np.lib.format.descr_to_dtype(_as_descr(node["descr"]))
            return np.dtype(node["v"])
        if kind == "torch_dtype":
            dtype = getattr(torch, node["v"], None)
            if not isinstance(dtype, torch.dtype):
                raise ValueError(f"corrupt file: {node['v']!r} is not a torch dtype.")
            return dtype
        if kind == "torch_device":
            return torch.device(node["v"])
        if kind == "torch_size":
            return torch.Size(int(n) for n in node["items"])
        if kind in ("type", "function"):
            return _lookup(node["module"], node["qualname"])
        if kind == "list":
            values = self.remember(node, [])
            values.extend(self.node(item) for item in node["items"])
            return values
        if kind in ("set", "frozenset"):
            values = {self.node(item) for item in node["items"]}
            return self.remember(node, values if kind == "set" else frozenset(values))
        if kind in ("dict", "OrderedDict", "defaultdict"):
            if kind == "defaultdict":
                if node["factory"].get("t") not in ("type", "function", "json"):
                    raise ValueError("corrupt file: a defaultdict's factory must be named.")
                mapping = defaultdict(self.node(node["factory"]))
            else:
                mapping = {} if kind == "dict" else OrderedDict()
            self.remember(node, mapping)
            for key, value in node["items"]:
                mapping[self.node(key)] = self.node(value)
            return mapping
        if kind == "ndarray":
            return self.remember(node, self.array(node["file"]))
        if kind == "object_array":
            flat = np.empty(len(node["items"]), dtype=object)
            for i, item in enumerate(node["items"]):  # item by item: no broadcasting
                flat[i] = self.node(item)
            return self.remember(node, flat.reshape(node["shape"]))
        if kind == "tensor":
            return self.remember(node, self.tensor(node))
        if kind == "partial":
            if node["func"].get("t") != "function":
                raise ValueError("corrupt file: a partial must be of a named function.")
            func = self.node(node["func"])
            args, keywords = self.node(node["args"]), self.node(node["keywords"])
            return self.remember(node, functools.partial(func, *args, **keywords))
        if kind == "object":
            return self.instance(node)
        raise ValueError(f"corrupt file: unknown node type {kind!r}.")

    def tensor(self, node):
        dtype = getattr(torch, node["dtype"], None)
        if not isinstance(dtype, torch.dtype):
            raise ValueError(f"corrupt file: {node['dtype']!r} is not a torch dtype.")
        values = torch.from_numpy(self.array(node["file"])).to(dtype)
        values = values.to(self.device(node["device"]))
        if node["parameter"]:
            return torch.nn.Parameter(values, requires_grad=node["requires_grad"])
        return values.requires_grad_(node["requires_grad"])

    def instance(self, node):
        name = _name(node["module"], node["qualname"])
        cls = _lookup(node["module"], node["qualname"])
        if not isinstance(cls, type):
            raise ValueError(f"corrupt file: {name} is not a class.")
        if "construct" in node:
            obj = self.remember(node, self.construct(cls, name, node["construct"]))
        else:
            obj = self.remember(node, cls.__new__(cls))
        state = self.node(node["state"])
        if isinstance(obj, NeuralNet):
            _update_attributes(obj, state, name)
            self.nets.append(obj)
        elif getattr(cls, "__setstate__", None) is not None:
            obj.__setstate__(state)
        elif isinstance(state, tuple) and len(state) == 2:  # (__dict__, __slots__ values)
            _update_attributes(obj, state[0] or {}, name)
            slots = state[1] or {}
            if not isinstance(slots, dict):
                raise ValueError(f"corrupt file: bad slot values of {name}.")
            for key, value in slots.items():
                if not isinstance(
                    inspect.getattr_static(cls, key, None), types.MemberDescriptorType
                ):
                    raise ValueError(f"corrupt file: {name} has no slot {key!r}.")
                setattr(obj, key, value)
        elif state is not None:
            _update_attributes(obj, state, name)
        _check_attributes(obj, cls, name)
        if "list_items" in node:
            if not isinstance(obj, list):
                raise ValueError(f"corrupt file: list items for {name}, which is no list.")
            list.extend(obj, [self.node(item) for item in node["list_items"]])
        if "dict_items" in node:
            if not isinstance(obj, dict):
                raise ValueError(f"corrupt file: dict items for {name}, which is no dict.")
            for key, value in node["dict_items"]:
                dict.__setitem__(obj, self.node(key), self.node(value))
        if isinstance(getattr(obj, "device_", None), str):
            self.estimators.append(obj)
        return obj

    def construct(self, cls, name, construct):
        """Call the trusted constructor of an object that pickles through one."""
        call_node = construct["call"]
        call_name = _name(call_node["module"], call_node["qualname"])
        call = _lookup(call_node["module"], call_node["qualname"])
        args = self.node(construct["args"])
        if not isinstance(args, tuple):
            raise ValueError(f"corrupt file: bad constructor arguments of {name}.")
        if call_node["t"] == "type":
            if call is not cls:
                raise ValueError(f"corrupt file: {name} is built by another class.")
            valid = not _is_self_constructing(*_split(call_name)) or all(map(_plain, args))
        else:  # a function trusted by the user is called as the file says
            valid = DEFAULT_TRUSTED_CONSTRUCTORS.get(call_name, lambda cls, args: True)(cls, args)
        if not valid:
            raise ValueError(f"corrupt file: {call_name} is not called so by {name}'s pickling.")
        built = call(*args)
        if type(built) is not cls:
            raise ValueError(f"corrupt file: the constructor of {name} built another type.")
        return built

    def place(self):
        """Point the networks and estimators at the device their tensors went to."""
        for net in self.nets:
            if self.map_location is not None:
                net.device = str(self.map_location)
                continue
            device = net._check_device(net.device, self.device(net.device))  # as skorch does
            net.device = str(device) if isinstance(device, torch.device) else device
        for estimator in self.estimators:
            target = self.device(estimator.device_)
            if torch.device(estimator.device_).type != target.type:
                estimator.device_ = str(target)


def loads(data, *, trusted=None, map_location=None):
    """Rebuild an object from bytes written by :func:`dumps`.

    Parameters
    ----------
    data : bytes
        What :func:`dumps` returned.
    trusted : list of str, default=None
        Names (``"module.qualname"``) of types and functions to trust on top of the
        defaults; :func:`get_untrusted_types` lists what a file needs.
    map_location : str or torch.device, default=None
        Where tensors go. None: the device they were saved from when it is available,
        else the CPU (with skorch's ``DeviceWarning``); the networks' ``device`` and the
        estimators' ``device_`` follow.

    Returns
    -------
    obj : object

    Raises
    ------
    ValueError
        When the file names types or functions that are not trusted (listed in the
        message; nothing of the file is imported or built then), or is not a file of
        this format.
    """
    return _load(_as_bytes(data=data), trusted, map_location)


def load(file, *, trusted=None, map_location=None):
    """Rebuild an object from a file written by :func:`dump`.

    Parameters
    ----------
    file : str, path-like or binary file object
    trusted : list of str, default=None
        See :func:`loads`.
    map_location : str or torch.device, default=None
        See :func:`loads`.

    Returns
    -------
    obj : object
    """
    return _load(_as_bytes(file=file), trusted, map_location)


def _load(data, trusted, map_location):
    if trusted is None:
        trusted = []
    if isinstance(trusted, str) or not all(isinstance(name, str) for name in trusted):
        raise TypeError(
            f"trusted must be a list of type names ('module.qualname'), got {trusted!r}."
        )
    if map_location is not None and not isinstance(map_location, (str, torch.device)):
        raise TypeError(
            f"map_location must be None, a device name or a torch.device, got {map_location!r}."
        )
    archive, schema = _read(data)
    refused = sorted(set(_untrusted(schema)) - set(trusted))
    if refused:
        raise ValueError(
            f"the file names types or functions that are not trusted: {refused}. Read "
            "them, and pass those you accept as trusted=[...] (skadvaug.io."
            "get_untrusted_types lists them)."
        )
    for kind, module, qualname in _references(schema["root"]):
        target = _lookup(module, qualname)
        # functions: Python's, builtins and Cython's (scikit-learn's tree constructors)
        is_type = kind.endswith("type")
        expected = isinstance(target, type) if is_type else _is_function(target)
        if not (
            expected
            and getattr(target, "__module__", None) == module
            and getattr(target, "__qualname__", None) == qualname
        ):
            raise ValueError(
                f"the {kind} {_name(module, qualname)} named in the file does not exist "
                "in this environment."
            )
    reader = _Reader(archive, map_location)
    try:
        obj = reader.node(schema["root"])
    except (KeyError, IndexError, AttributeError, TypeError, RecursionError) as error:
        raise ValueError(f"corrupt file: {type(error).__name__}: {error}") from None
    reader.place()
    return obj
