"""Contrastive pre-training against learned views (LEAVES, paper 001): the game net."""

import copy
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetClassifier
from skorch.utils import to_device
from torch import nn

from .._docs import cites
from .._kinds import check_sequences
from ..modules import LearnedViews, NTXentLoss, ResNet18Encoder1d
from ..modules._views import minmax_per_channel as views_minmax
from ._base import BaseNet, LabelEncodedClassifierMixin, as_float32, fit_cached


def minmax_per_channel(X):
    """Each series of each sample scaled to [0, 1] (the reference code's input scaling)."""
    return views_minmax(torch.as_tensor(np.asarray(X, dtype=np.float32))).numpy()


@cites("yu2022", "chen2020")
class ContrastiveNet(BaseNet):
    """SimCLR whose views are learned adversarially (LEAVES, Yu et al. 2022).

    For a batch ``X``, two views ``views_(X)`` (independent draws of one view
    generator) pass the encoder (``module_``) and the projection head
    (``head_``); the NT-Xent loss of the two is lowered by the encoder and the
    head and *raised* by the view generator, in one simultaneous step on one
    forward graph (paper §3.2): ``_step_players(loss, descend=("module",
    "head"), ascend=("views",))``. The reference code leaves its projection
    head in no optimiser (a fixed random projection); here it trains with the
    encoder unless ``train_projection_head=False``. ``y`` is ignored.

    Parameters
    ----------
    module : torch module class, default=None
        Encoder taking ``input_shape`` with an ``n_features`` attribute;
        ``None``: :class:`~skadvaug.modules.ResNet18Encoder1d` (the paper's).
        :class:`~skadvaug.modules.SmallCNNEncoder1d` is the quick choice.
    views : torch module class or instance, default=None
        View generator (``views__*`` parameters reach it); ``None``:
        :class:`~skadvaug.modules.LearnedViews`.
    temperature : float, default=0.05
        NT-Xent ``tau`` (the paper's; its code uses 0.5).
    projection_dims : tuple of int, default=(16,)
        Projection head widths (the code: one linear layer to 16).
    train_projection_head : bool, default=True
        Train the head with the encoder (``False``: the code's frozen head).
    view_lr : float, default=1e-3
        Adam learning rate of the view generator (the paper's).
    input_norm : {"minmax"} or None, default="minmax"
        Per-sample, per-channel min-max scaling of the input (the code's).
    lr : float, default=1e-3
        Adam learning rate of the encoder and head.
    batch_size : int, default=128
        The paper's.
    max_epochs : int, default=100
        The paper's pre-training epochs.
    **kwargs
        :class:`BaseNet` / skorch parameters.

    Attributes
    ----------
    module_ : torch.nn.Module
        The encoder.
    head_ : torch.nn.Module
        The projection head.
    views_ : LearnedViews
        The view generator; ``views_.effective_params()`` its learned policy.
    history : skorch History
        Per epoch ``train_loss`` (NT-Xent), ``view_loss`` (its negative) and
        ``view_params`` (every effective view parameter: the paper's Fig. 5).

    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.modules import SmallCNNEncoder1d
    >>> from skadvaug.nets import ContrastiveNet
    >>> X = np.random.default_rng(0).normal(size=(40, 1, 32)).astype("float32")
    >>> net = ContrastiveNet(SmallCNNEncoder1d, max_epochs=2, batch_size=16, random_state=0)
    >>> net.fit(X).transform(X).shape
    (40, 128)
    """

    _players = {"head": "lr", "views": "view_lr"}
    _extra_losses = ("view_loss",)
    _phase = "contrastive pre-training"
    prefixes_ = [*BaseNet.prefixes_, "views"]
    _parameter_constraints: dict = {
        **BaseNet._parameter_constraints,
        "views": [type, nn.Module, None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "projection_dims": [tuple, list],
        "train_projection_head": ["boolean"],
        "view_lr": [Interval(Real, 0, None, closed="neither")],
        "input_norm": [StrOptions({"minmax"}), None],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        module=None,
        *,
        views=None,
        temperature=0.05,
        projection_dims=(16,),
        train_projection_head=True,
        view_lr=1e-3,
        input_norm="minmax",
        batch_size=128,
        max_epochs=100,
        **kwargs,
    ):
        super().__init__(module, NTXentLoss, batch_size=batch_size, max_epochs=max_epochs, **kwargs)
        self.views = views
        self.temperature = temperature
        self.projection_dims = projection_dims
        self.train_projection_head = train_projection_head
        self.view_lr = view_lr
        self.input_norm = input_norm

    _default_modules = {"sequence": ResNet18Encoder1d}

    def initialize_criterion(self):
        self.criterion_ = NTXentLoss(self.temperature)
        return self

    def initialize_module(self):
        super().initialize_module()
        widths = [self.module_.n_features, *self.projection_dims]
        layers = []
        for width_in, width_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Linear(width_in, width_out), nn.ReLU()]
        self.head_ = nn.Sequential(*layers[:-1])
        if not self.train_projection_head:
            self.head_.requires_grad_(False)
        views = self.views or LearnedViews
        self.views_ = (
            views if isinstance(views, nn.Module) else views(**self.get_params_for("views"))
        )
        return self

    def _prepare(self, X):
        X = as_float32(np.asarray(X))
        if X.ndim != 3:
            raise ValueError(
                f"X must be sequences (n_samples, n_channels, n_timepoints); got shape {X.shape}."
            )
        return minmax_per_channel(X) if self.input_norm == "minmax" else X

    def fit(self, X, y=None, **fit_params):
        """Pre-train the encoder against the learned views (``y`` is ignored)."""
        # skorch's fit calls partial_fit, which need not check and scale X again
        self._fitting_prepared = True
        try:
            return super().fit(self._prepare(X), None, **fit_params)
        finally:
            self._fitting_prepared = False

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Pre-train ``max_epochs`` more epochs on ``X`` (an unfitted net is fitted).

        ``X`` is checked and scaled as in :meth:`fit`."""
        if not self.initialized_:
            return self.fit(X, y, **fit_params)
        if not getattr(self, "_fitting_prepared", False):
            X = self._prepare(self._validate_X(X, reset=False))
        return super().partial_fit(X, None, classes, **fit_params)

    def contrastive_loss(self, X, generator=None):
        """NT-Xent of two views of the batch ``X`` (a tensor), with the graph."""
        first = self.head_(self.module_(self.views_(X, generator=generator)))
        second = self.head_(self.module_(self.views_(X, generator=generator)))
        return self.criterion_(first, second)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        X, _ = to_device(batch, self.device)
        loss = self.contrastive_loss(X)
        self._step_players(loss, descend=("module", "head"), ascend=("views",))
        return {"loss": loss.detach(), "view_loss": -loss.detach(), "y_pred": None}

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        if hasattr(self.views_, "effective_params"):  # learned views: their trajectory
            self.history.record("view_params", self.views_.effective_params())

    def augment(self, X, y=None, generator=None):
        """A view of each series of ``X`` from the fitted views, in the series' own range.

        Each series is min-max scaled (as in training), passed through
        ``views_`` and mapped back to its own minimum and maximum per channel.
        """
        X = as_float32(np.asarray(X))
        low, high = X.min(axis=-1, keepdims=True), X.max(axis=-1, keepdims=True)
        self.views_.eval()
        with torch.no_grad():
            views = self._run_batches(
                lambda batch: self.views_(batch, generator=generator), self._prepare(X)
            )
        return low + views * (high - low)

    def transform(self, X):
        """Encoder features of ``X`` (eval mode, no augmentation)."""
        self.module_.eval()
        return self._run_batches(self.module_, self._prepare(X))

    def infer(self, x, **fit_params):
        return self.module_(to_device(torch.as_tensor(x), self.device))


class _FineTuneModule(nn.Module):
    """The pre-training's input scaling and encoder, then LEAVES' downstream head:
    dropout 0.5 and three linear maps. A 2-D batch is univariate series."""

    def __init__(self, encoder, n_outputs, input_norm="minmax", hidden=(1024, 512), dropout=0.5):
        super().__init__()
        self.encoder = encoder
        self.input_norm = input_norm
        widths = [encoder.n_features, *hidden, n_outputs]
        layers = [nn.Dropout(dropout)]
        layers += [nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:], strict=True)]
        self.head = nn.Sequential(*layers)

    def forward(self, x):
        if x.ndim == 2:
            x = x[:, None, :]
        if self.input_norm == "minmax":
            x = views_minmax(x)
        return self.head(self.encoder(x))


@cites("yu2022")
class ContrastiveClassifier(LabelEncodedClassifierMixin, BaseNet, NeuralNetClassifier):
    """Contrastive pre-training, then fine-tuning on the labels (LEAVES, paper 001, §3.2).

    ``fit(X, y)`` pre-trains a :class:`ContrastiveNet` on ``X`` (labels unused;
    its parameters as ``pretrain__*``, e.g. ``pretrain__max_epochs``,
    ``pretrain__views``) unless ``encoder`` is an already fitted
    ``ContrastiveNet`` (or :class:`~skadvaug.transformers.ContrastiveEncoder`),
    whose encoder is then reused (copied) so one pre-training can serve several
    classifiers. It then trains the encoder followed by the paper's head
    (dropout 0.5 and linear maps to 1024, 512 and the classes) with cross
    entropy: ``finetune="full"`` trains everything (the paper),
    ``"linear"`` keeps the encoder frozen (a probe).

    Parameters
    ----------
    encoder : torch module class, ContrastiveNet, ContrastiveEncoder or None, default=None
        Encoder class for the pre-training (``None``: the paper's 1-D
        ResNet-18), or a fitted pre-training to reuse.
    finetune : {"full", "linear"}, default="full"
        See above.
    lr : float, default=1e-3
        Fine-tuning Adam learning rate (the paper's).
    max_epochs : int, default=30
        Fine-tuning epochs (the paper's).
    batch_size : int, default=128
        Fine-tuning batch size.
    **kwargs
        :class:`BaseNet` / skorch parameters, and ``pretrain__*``. With
        ``memory`` (a folder), the pre-training it runs is cached: a grid
        search over the fine-tuning parameters pre-trains once per fold.

    Attributes
    ----------
    pretrained_ : ContrastiveNet
        The pre-training (fitted here or reused).
    classes_ : ndarray
        Class labels.

    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.modules import SmallCNNEncoder1d
    >>> from skadvaug.nets import ContrastiveClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 1, 32)).astype("float32"), np.repeat(["a", "b"], 20)
    >>> clf = ContrastiveClassifier(SmallCNNEncoder1d, max_epochs=2, pretrain__max_epochs=2,
    ...                             pretrain__batch_size=16, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    prefixes_ = [*BaseNet.prefixes_, "pretrain"]
    _parameter_constraints: dict = {
        **BaseNet._parameter_constraints,
        "finetune": [StrOptions({"full", "linear"})],
    }

    def __init__(
        self,
        encoder=None,
        *,
        finetune="full",
        lr=1e-3,
        max_epochs=30,
        batch_size=128,
        criterion=nn.CrossEntropyLoss,
        **kwargs,
    ):
        super().__init__(
            None, criterion, lr=lr, max_epochs=max_epochs, batch_size=batch_size, **kwargs
        )
        self.encoder = encoder
        self.finetune = finetune

    def _get_param_names(self):
        # module_ is built from the pre-trained encoder: skorch's ``module`` is no
        # parameter here, and passing it back to __init__ (clone) would clash
        return [name for name in super()._get_param_names() if name != "module"]

    def _pretrained(self, X):
        encoder = getattr(self.encoder, "net_", self.encoder)  # a ContrastiveEncoder's net
        if isinstance(encoder, ContrastiveNet):
            return encoder if encoder.initialized_ else encoder.fit(X)
        params = {"device": self.device, "verbose": self.verbose, **self.get_params_for("pretrain")}
        if self.random_state is not None:
            params.setdefault("random_state", self.random_state)
        return fit_cached(self.memory, ContrastiveNet(encoder, **params), X)

    def fit(self, X, y, **fit_params):
        """Pre-train (or reuse the pre-training), then fine-tune on ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or \
                (n_samples, n_timepoints)
            Series (2-D: univariate series).
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params
            Refused with a ``TypeError`` (there is no ``sample_weight``).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        self._check_parameter_constraints()
        self._refuse_fit_params(fit_params)
        X = as_float32(self._validate_X(X, reset=True))
        series = check_sequences(X, self)
        y_encoded = self._encode_labels(self._validate_y(y, len(X)))
        self.pretrained_ = self._pretrained(series)
        # the fine-tuning module scales its input as the pre-training did; the dict
        # tells partial_fit (which skorch's fit calls) that X and y are checked
        return super().fit({"X": X}, y_encoded)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Fine-tune ``max_epochs`` more epochs (an unfitted classifier is fitted).

        ``y`` may only hold classes of the first fit; ``classes`` is accepted for
        scikit-learn's incremental API and not needed.
        """
        if isinstance(X, Mapping):  # fit's own call
            return super().partial_fit(X, y, classes, **fit_params)
        if not self.initialized_:
            return self.fit(X, y, **fit_params)
        self._refuse_fit_params(fit_params)
        X = as_float32(self._validate_X(X, reset=False))
        y = self._validate_y(y, len(X))
        y_encoded = self.label_encoder_.transform(y).astype(np.int64)
        return super().partial_fit({"X": X}, y_encoded, classes)

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):  # fit's wrapping
            x = x["X"]
        return super().infer(x, **fit_params)

    def initialize_module(self):
        encoder = copy.deepcopy(self.pretrained_.module_)
        if self.finetune == "linear":
            encoder.requires_grad_(False)
        self.module_ = _FineTuneModule(
            encoder, len(self.label_encoder_.classes_), self.pretrained_.input_norm
        )
        return self

    def get_all_learnable_params(self):
        for name, parameter in self.module_.named_parameters():
            if parameter.requires_grad:
                yield name, parameter

    def train_step_single(self, batch, **fit_params):
        if self.finetune == "linear":
            self.module_.encoder.eval()  # a frozen encoder keeps its batch statistics
        return super().train_step_single(batch, **fit_params)
