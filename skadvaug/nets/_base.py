"""The skorch net every skadvaug training loop builds on."""

import inspect
import itertools
import math
from collections.abc import Mapping
from numbers import Integral

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_memory, column_or_1d
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, PassthroughScoring, ProgressBar
from skorch.utils import to_device

from .._kinds import data_kind
from .._torch_utils import check_device, draw_seed, seeded_torch, step_budget, torch_threads
from ..modules import freeze
from ._callbacks import DivergenceGuard, PlainPrintLog, StepBudget
from ._data import BatchIterator, n_samples_of
from ._progress import PhaseProgress


def _print_if_verbose(net):
    def sink(message):
        if net.verbose:
            print(message)

    return sink


def as_float32(X):
    """Numeric numpy data (float, integer, bool) as float32, what the modules compute
    in; dicts entry-wise, keeping their boolean entries (masks such as ``rare``)."""
    if isinstance(X, Mapping):
        return {
            key: value if getattr(value, "dtype", None) == np.bool_ else as_float32(value)
            for key, value in X.items()
        }
    if isinstance(X, np.ndarray) and X.dtype.kind in "biuf" and X.dtype != np.float32:
        return X.astype(np.float32)
    return X


def _fitted(estimator, X, y):
    return estimator.fit(X, y)


def fit_cached(memory, estimator, X, y=None):
    """``estimator.fit(X, y)`` through ``memory`` (a folder, a ``joblib.Memory`` or
    ``None``): joblib keys the result on the unfitted estimator's parameters and the
    data, as scikit-learn's ``Pipeline(memory=...)`` does for its transformers; a
    cache hit returns a fitted copy loaded from disk."""
    return check_memory(memory).cache(_fitted)(estimator, X, y)


class LabelEncodedClassifierMixin:
    """``classes_`` and ``predict`` of a classifier net whose labels ``label_encoder_``
    maps to the module's outputs, and :meth:`_encode_labels`, which fits it."""

    def _encode_labels(self, y):
        check_classification_targets(y)
        self.label_encoder_ = LabelEncoder().fit(np.asarray(y))
        if len(self.label_encoder_.classes_) < 2:
            raise ValueError("y contains one class only; a classifier needs at least two.")
        return self.label_encoder_.transform(np.asarray(y)).astype(np.int64)

    @property
    def classes_(self):
        return self.label_encoder_.classes_

    def predict(self, X):
        """Class labels of ``X``."""
        probabilities = self.predict_proba(X)  # refuses an unfitted net first
        return self.classes_[probabilities.argmax(axis=1)]


class BaseNet(NeuralNet):
    """skorch :class:`~skorch.NeuralNet` with skadvaug's training conventions.

    - ``device="auto"`` trains on CUDA when available (resolved in
      :meth:`initialize`, as skorch itself rewrites ``device`` when a CUDA net is
      loaded on a CPU machine); ``"cuda"`` without CUDA is a ``ValueError``.
    - ``random_state`` seeds weight initialisation, batch shuffling and dropout
      inside :func:`torch.random.fork_rng`, so a CPU fit is reproducible bit for
      bit and the caller's global torch seed is left alone.
    - ``verbose=0`` is silent, ``1`` prints the epoch log, ``2`` adds skorch's
      progress bar.
    - ``patience`` turns on skorch's :class:`~skorch.callbacks.EarlyStopping` on
      the validation loss (training loss when there is no ``train_split``).
    - a :class:`DivergenceGuard` stops training with
      :class:`~skadvaug.exceptions.TrainingDivergedError` on a non-finite loss.
    - subclasses whose ``train_step`` returns extra losses list their names in
      ``_extra_losses``; their epoch means are recorded in ``history``.
    - modules are built from the data (braindecode's pattern): ``fit`` records
      the shape of one sample (``input_shape_``) and the data kind, and
      ``module=None`` picks ``_default_modules[data_kind_]``; every module gets
      ``input_shape`` plus :meth:`_data_module_params`, the user's
      ``module__*`` values winning.
    - float64 inputs are cast to float32, the modules' precision.
    - **players**: besides ``module_`` (trained by skorch's ``optimizer_``), a net
      declares its other trained modules in ``_players``, a mapping player name
      -> name of its learning-rate parameter. A module stored as ``<player>_``
      gets ``optimizer_<player>_`` over its trainable parameters
      (``optimizer_<player>__*`` parameters reach it); ``train_step`` then calls
      :meth:`_step_players` with the players that descend and those that ascend
      one loss, so a GAN, a min-max on one graph or a three-player game is a
      short ``train_step``.
    - parameters are validated in ``fit`` against ``_parameter_constraints``,
      scikit-learn's declarative constraints.
    - :meth:`_fit_or_reuse` trains a backbone net (or takes a fitted one) and
      freezes it.

    Defaults differ from skorch's where our training loops need it: Adam with
    ``lr=1e-3`` (multi-tensor implementation), no validation split, shuffled
    training batches taken by slicing (:class:`BatchIterator`; pass
    ``iterator_train=torch.utils.data.DataLoader`` for skorch's own), silent.

    Parameters
    ----------
    module : torch module class, instance or None
        As in skorch; ``None`` uses the default module for the data kind.
    criterion : torch loss class or instance
        As in skorch.
    random_state : int, RandomState instance or None, default=None
        Seed for everything random during :meth:`fit`.
    patience : int or None, default=None
        Epochs without improvement before early stopping; ``None`` disables it.
    max_steps : int or None, default=None
        Stop training after this many optimiser steps (training batches) of one
        ``fit`` / ``partial_fit`` call, within the epoch that reaches them: a budget
        in steps rather than epochs, so that training on a million samples costs what
        it costs on ten thousand. ``None``: ``max_epochs`` full epochs.
    memory : str, joblib.Memory or None, default=None
        Caches the backbone nets :meth:`_fit_or_reuse` trains (an autoencoder, a
        flow), as scikit-learn's ``Pipeline(memory=...)`` caches transformers: a
        later fit with the same backbone parameters, seed and data loads the
        fitted backbone instead of training it again (a grid search over
        generation-time parameters trains it once per fold). A string is a
        cache folder. ``None`` caches nothing.
    n_threads : int or None, default=1
        torch intra-op threads while training and predicting (restored after):
        one is the fastest for small models on a few cores, does not
        oversubscribe parallel grid searches, and gives the same numbers on any
        machine. ``None`` keeps torch's setting.
    **kwargs
        Any other skorch :class:`~skorch.NeuralNet` parameter, including the
        prefixed ``module__*``, ``optimizer__*``, ``callbacks__*`` ones.
    """

    _extra_losses = ()
    # what the progress display of a sampler's fit calls this net's training, and
    # the backbone nets (prefix -> class) it fits before it (_fit_or_reuse)
    _phase = "training"
    _backbone_nets: dict = {}
    _fit_arguments = "X and y"  # what fit takes besides nothing (see _refuse_fit_params)
    _default_modules = None
    _players: dict = {}
    # max_epochs="auto": about this many optimiser steps, at most this many epochs
    _auto_budget = (500, 200)
    # the target handling mixins of the classifiers/regressors add theirs
    _target_constraints: dict = {}
    _parameter_constraints: dict = {
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "max_epochs": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "max_steps": [Interval(Integral, 1, None, closed="left"), None],
        "memory": [None, str, HasMethods(["cache"])],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        module,
        criterion,
        *,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        train_split=None,
        device="auto",
        verbose=0,
        random_state=None,
        patience=None,
        max_steps=None,
        memory=None,
        n_threads=1,
        **kwargs,
    ):
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("iterator_train", BatchIterator)
        kwargs.setdefault("iterator_valid", BatchIterator)
        kwargs.update(optimizer=optimizer, lr=lr, train_split=train_split, device=device)
        super().__init__(module, criterion=criterion, verbose=verbose, **kwargs)
        self.random_state = random_state
        self.patience = patience
        self.max_steps = max_steps
        self.memory = memory
        self.n_threads = n_threads

    def __setattr__(self, name, attr):
        # skorch tracks a torch module or optimizer set in an initialize method (moves
        # it to `device`, pickles it so that a CUDA-trained net loads without CUDA)
        # unless its name is in `prefixes_`. Our nets declare prefixes for their
        # players' parameters (augmenter__scale, critic__hidden), which would leave
        # those players untracked: on the CPU whatever `device` says.
        own_prefix = name.rstrip("_") in type(self).prefixes_
        if (
            own_prefix
            and name.endswith("_")
            and name.rstrip("_") not in NeuralNet.prefixes_
            and isinstance(attr, (torch.nn.Module, torch.optim.Optimizer))
            and name not in self.cuda_dependent_attributes_
        ):
            self._register_attribute(name, attr, prefixes=False)
        super().__setattr__(name, attr)

    @property
    def _default_callbacks(self):
        callbacks = list(super()._default_callbacks)
        # skorch's PrintLog goes last to see every score; ours drops its colour codes
        # where stdout is not a terminal
        callbacks.pop()
        callbacks += [
            (name, PassthroughScoring(name=name, on_train=True)) for name in self._extra_losses
        ]
        callbacks.append(("divergence_guard", DivergenceGuard()))
        callbacks.append(("fit_progress", PhaseProgress()))
        if self.patience is not None:
            monitor = "valid_loss" if self.train_split is not None else "train_loss"
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor=monitor, patience=self.patience, sink=_print_if_verbose(self)
                    ),
                )
            )
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks.append(("print_log", PlainPrintLog()))
        callbacks.append(("step_budget", StepBudget()))
        return callbacks

    # ------------------------------------------------------------ data shapes
    def _record_data(self, X, y=None):
        """Remember what the modules are built from: one sample's shape and the kind."""
        X = X["X"] if isinstance(X, Mapping) else X
        self.input_shape_ = tuple(int(s) for s in np.shape(X)[1:])
        self.data_kind_ = data_kind(len(self.input_shape_) + 1)

    def _data_module_params(self):
        """Data-dependent constructor arguments of ``module`` (beyond ``input_shape``)."""
        return {}

    def _build(self, spec, prefix, **data_params):
        """Instantiate a module class with data params and the user's ``prefix__*`` params."""
        user = self.get_params_for(prefix)
        if isinstance(spec, torch.nn.Module):
            return spec
        if "input_shape" not in user and not hasattr(self, "input_shape_"):
            raise ValueError(
                f"{type(self).__name__} builds its modules from the data: call fit, or "
                f"pass {prefix}__input_shape."
            )
        shape = {"input_shape": self.input_shape_} if hasattr(self, "input_shape_") else {}
        return spec(**{**shape, **data_params, **user})

    def initialize_module(self):
        module = self.module
        if module is None:
            module = self._default_modules[self.data_kind_]
        self.module_ = self._build(module, "module", **self._data_module_params())
        return self

    def get_all_learnable_params(self):
        # skorch's optimizer_ trains module_ only; the other players bring their own.
        yield from self.module_.named_parameters()

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        for player in self._players:
            module = getattr(self, f"{player}_", None)
            trainable = (
                []
                if module is None
                else [(name, p) for name, p in module.named_parameters() if p.requires_grad]
            )
            if not trainable:
                continue
            prefix = f"optimizer_{player}"
            pgroups, params = self.get_params_for_optimizer(prefix, trainable)
            if "lr" not in self.get_params_for(prefix):
                params["lr"] = self._player_lr(player)
            setattr(self, f"{prefix}_", self.optimizer(*pgroups, **params))
        return self

    def _player_lr(self, player):
        return getattr(self, self._players[player])

    def _step_players(self, loss, *, descend=("module",), ascend=()):
        """One backward pass of ``loss``, then a step of every named player.

        ``"module"`` is skorch's ``module_`` with ``optimizer_``; other names are
        declared ``_players``. Players in ``descend`` lower ``loss``, those in
        ``ascend`` raise it (their gradients are negated before the step): a
        simultaneous min-max on one graph. A player without an optimizer (no
        trainable parameters) is skipped.
        """
        optimizers = {
            name: self.optimizer_ if name == "module" else getattr(self, f"optimizer_{name}_", None)
            for name in (*descend, *ascend)
        }
        optimizers = {name: opt for name, opt in optimizers.items() if opt is not None}
        for optimizer in optimizers.values():
            optimizer.zero_grad()
        self._backward(loss)
        for name in ascend:
            if name in optimizers:
                for group in optimizers[name].param_groups:
                    for parameter in group["params"]:
                        if parameter.grad is not None:
                            parameter.grad.neg_()
        # players other than module_ step first: the order earlier releases used
        for name in sorted(optimizers, key=lambda name: name == "module"):
            optimizers[name].step()

    def _backward(self, loss):
        loss.backward()

    def _device(self):
        """The device of the tensors this net makes itself (batches it runs outside
        skorch's iterators, its backbones)."""
        return check_device(self.device)

    def _planned_phases(self, n_samples):
        """``(phase, optimiser steps)`` of the training :meth:`fit` runs on
        ``n_samples``: the backbones still to fit (:attr:`_backbone_nets`), then this
        net's own (for the progress display)."""
        phases = []
        for prefix, net_class in self._backbone_nets.items():
            spec = getattr(self, prefix, None)
            if isinstance(spec, net_class):
                if not spec.initialized_:
                    phases.append((spec._phase, spec._planned_steps(n_samples)))
                continue
            params = self.get_params_for(prefix)
            budget = ("max_epochs", "max_steps", "batch_size")
            backbone = net_class(**{key: params[key] for key in budget if key in params})
            phases.append((net_class._phase, backbone._planned_steps(n_samples)))
        return [*phases, (self._phase, self._planned_steps(n_samples))]

    def _fit_or_reuse(self, spec, net_class, prefix, X, y=None, **params):
        """A fitted, frozen backbone net: ``spec`` itself when it is a ``net_class``
        (fitted here if it is not yet), else a new ``net_class(module=spec)`` with
        this net's device, verbosity, a seed drawn from ``random_state``, ``params``
        and the user's ``prefix__*`` parameters, fitted on ``X`` (and ``y``),
        through ``memory`` when it is set."""
        if isinstance(spec, net_class):
            net = spec
            if not net.initialized_:
                net.fit(X, y)
        else:
            net = net_class(
                module=spec,
                device=self._device(),
                n_threads=self.n_threads,
                verbose=self.verbose,
                random_state=None if self.random_state is None else draw_seed(self.random_state),
                **{**params, **self.get_params_for(prefix)},
            )
            net = fit_cached(self.memory, net, X, y)
        freeze(net.module_)
        return net

    def _check_parameter_constraints(self):
        # Not named _validate_params: that is skorch's own check (unknown constructor
        # arguments are refused), which it runs in initialize once the modules exist.
        validate_parameter_constraints(
            {**self._parameter_constraints, **self._target_constraints},
            self.get_params(deep=False),
            caller_name=type(self).__name__,
        )

    def get_params_for_optimizer(self, prefix, named_parameters):
        # torch's CPU optimizers default to the per-tensor loop. Adam's fused kernel
        # (one kernel per tensor on CPU and CUDA) is the same update about 2.7 times
        # faster than the multi-tensor ("foreach") one on the many small tensors of
        # our networks (240 -> 90 us a step for a 256-wide MLP); other optimizers
        # get the multi-tensor form, about a third faster than the loop.
        pgroups, params = super().get_params_for_optimizer(prefix, named_parameters)
        optimizer = self.optimizer
        accepts = inspect.signature(optimizer).parameters
        if "fused" in params or "foreach" in params:
            return pgroups, params
        fusable = isinstance(optimizer, type) and issubclass(
            optimizer, torch.optim.Adam | torch.optim.AdamW
        )
        if fusable and torch.device(self._device()).type in {"cpu", "cuda"}:
            params["fused"] = True
        elif "foreach" in accepts:
            params["foreach"] = True
        return pgroups, params

    def get_dataset(self, X, y=None):
        # float64 targets too: CUDA's backward refuses a float32 output's loss against
        # float64 targets, where the CPU's promotes (integer labels stay as they are)
        if isinstance(y, np.ndarray) and y.dtype == np.float64:
            y = y.astype(np.float32)
        return super().get_dataset(as_float32(X), y)

    def get_iterator(self, dataset, training=False):
        if not training:
            return super().get_iterator(dataset, training=training)
        # an "auto" budget may train in larger batches than configured (step_budget)
        batch_size = getattr(self, "train_batch_size_", None) or self._train_batch_size()
        batch_size = len(dataset) if batch_size == -1 else batch_size
        kwargs = {**self.get_params_for("iterator_train"), "batch_size": batch_size}
        # A last training batch of one sample breaks batch norm; drop it instead.
        if 0 < batch_size < len(dataset) and len(dataset) % batch_size == 1:
            kwargs["drop_last"] = True
        return self.iterator_train(dataset, **kwargs)

    # ---------------------------------------------------------------- helpers
    def _run_batches(self, function, X, *others, batch_size=None):
        """``function(batch, *other_batches)`` over ``X`` in batches, without gradient.

        ``others`` are arrays (or ``None``) split like ``X``; the results are
        concatenated as numpy.
        """
        X = as_float32(np.asarray(X))
        batch_size = batch_size or max(self.batch_size, 4096)
        outputs, device = [], self._device()
        with torch.no_grad(), torch_threads(self.n_threads):
            for start in range(0, len(X), batch_size):
                window = slice(start, start + batch_size)
                arguments = [torch.as_tensor(X[window])] + [
                    None if other is None else torch.as_tensor(np.asarray(other)[window])
                    for other in others
                ]
                arguments = [None if a is None else to_device(a, device) for a in arguments]
                outputs.append(function(*arguments).cpu().numpy())
        return np.concatenate(outputs) if outputs else np.empty((0,))

    # ---------------------------------------------------------------- fitting
    def initialize(self):
        self.device = check_device(self.device)
        return super().initialize()

    def fit(self, X, y=None, **fit_params):
        self._check_parameter_constraints()
        if not isinstance(X, Mapping | torch.utils.data.Dataset):
            X = self._validate_X(X, reset=True)
        self._record_data(X, y)
        seed = None if self.random_state is None else draw_seed(self.random_state)
        with seeded_torch(seed, self._device()):
            return super().fit(X, y, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        # fit comes through here too; the budget is known before on_train_begin
        self._resolve_budget(X)
        with torch_threads(self.n_threads):
            return super().partial_fit(X, y, classes, **fit_params)

    def _training_budget(self, n_samples, batch_size=None):
        """``(max_epochs, max_steps, batch_size)`` of a fit on ``n_samples``:
        ``max_epochs="auto"`` is about ``_auto_budget[0]`` optimiser steps, in
        larger batches on large data (``step_budget``), and an explicit
        ``max_steps`` caps either."""
        steps, high = self._auto_budget
        epochs, auto_steps, batch_size = step_budget(
            self.max_epochs, n_samples, batch_size or self.batch_size, steps=steps, high=high
        )
        limits = [limit for limit in (auto_steps, self.max_steps) if limit is not None]
        return epochs, min(limits, default=None), batch_size

    def _train_batch_size(self):
        return self.get_params_for("iterator_train").get("batch_size", self.batch_size)

    def _planned_steps(self, n_samples):
        """Optimiser steps a fit on ``n_samples`` takes (its epochs' batches, or its
        step budget)."""
        epochs, steps, batch_size = self._training_budget(n_samples, self._train_batch_size())
        total = epochs * math.ceil(n_samples / batch_size)
        return total if steps is None else min(total, steps)

    def _resolve_budget(self, X):
        self.max_epochs_, self.max_steps_, self.train_batch_size_ = self._training_budget(
            n_samples_of(X), self._train_batch_size()
        )

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self.train_steps_ = 0
        self._resolve_budget(X)
        epochs = self.max_epochs_ if epochs is None else epochs
        return super().fit_loop(X, y, epochs, **fit_params)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        limit = self.max_steps_
        if training and limit is not None and iterator is not None:
            # StepBudget ends training at the end of this epoch when it runs out
            iterator = itertools.islice(iterator, max(limit - self.train_steps_, 0))
        super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)

    def on_batch_end(self, net, batch=None, training=False, **step):
        super().on_batch_end(net, batch=batch, training=training, **step)
        if training:
            self.train_steps_ += 1
            for name in self._extra_losses:
                if name in step:
                    value = step[name]
                    self.history.record_batch(
                        name, value.item() if torch.is_tensor(value) else float(value)
                    )

    def _get_param_names(self):
        # skorch lists every attribute not ending in "_", its private
        # ``_params_to_validate`` included; a parameter is never private.
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    def _refuse_fit_params(self, fit_params):
        # skorch would pass them to the module's forward, which our training steps do
        # not call with them: refused rather than silently ignored.
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected arguments {sorted(fit_params)}: "
                f"it takes {self._fit_arguments} only (no sample_weight)."
            )

    @staticmethod
    def _validate_y(y, n_samples):
        if y is None:
            raise ValueError("This network requires y to be passed, but the target y is None.")
        y = np.asarray(y)
        y = column_or_1d(y, warn=True) if y.ndim == 2 and y.shape[1] == 1 else y
        if len(y) != n_samples:
            raise ValueError(f"X and y have different numbers of samples: {n_samples}, {len(y)}.")
        return y

    def _validate_X(self, X, *, reset):
        """``X`` checked by scikit-learn's ``check_array`` (finite, numeric, two or more
        dimensions; at least two samples to train: batch norm needs a spread). ``reset``
        records ``n_features_in_`` (``X.shape[1]``: features, or channels of sequences
        and images); otherwise each sample must have the fitted shape."""
        X = check_array(
            X, allow_nd=True, dtype="numeric", ensure_min_samples=2 if reset else 1, input_name="X"
        )
        if reset:
            self.n_features_in_ = X.shape[1]
        elif X.ndim == 2 and X.shape[1] != getattr(self, "n_features_in_", X.shape[1]):
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        elif hasattr(self, "input_shape_") and X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but {type(self).__name__} was fitted "
                f"on samples of shape {self.input_shape_}."
            )
        return X

    def forward_iter(self, X, training=False, device="cpu"):
        # every prediction path (predict, predict_proba, forward) comes through here
        if not isinstance(X, Mapping | torch.utils.data.Dataset):
            self.check_is_fitted()
            X = self._validate_X(X, reset=False)
        with torch_threads(self.n_threads):
            yield from super().forward_iter(X, training=training, device=device)
