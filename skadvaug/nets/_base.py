"""The skorch net every skadvaug training loop builds on."""

import torch
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, PassthroughScoring, ProgressBar

from .._torch_utils import check_device, draw_seed, seeded_torch
from ._callbacks import DivergenceGuard


def _print_if_verbose(net):
    def sink(message):
        if net.verbose:
            print(message)

    return sink


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

    Defaults differ from skorch's where our training loops need it: Adam with
    ``lr=1e-3``, no validation split, shuffled training batches, silent.

    Parameters
    ----------
    module : torch module class or instance
        As in skorch.
    criterion : torch loss class or instance
        As in skorch.
    random_state : int, RandomState instance or None, default=None
        Seed for everything random during :meth:`fit`.
    patience : int or None, default=None
        Epochs without improvement before early stopping; ``None`` disables it.
    **kwargs
        Any other skorch :class:`~skorch.NeuralNet` parameter, including the
        prefixed ``module__*``, ``optimizer__*``, ``callbacks__*`` ones.
    """

    _extra_losses = ()

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
        **kwargs,
    ):
        kwargs.setdefault("iterator_train__shuffle", True)
        super().__init__(
            module,
            criterion,
            optimizer=optimizer,
            lr=lr,
            train_split=train_split,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.random_state = random_state
        self.patience = patience

    @property
    def _default_callbacks(self):
        callbacks = list(super()._default_callbacks)
        print_log = callbacks.pop()  # skorch's PrintLog goes last to see every score
        callbacks += [
            (name, PassthroughScoring(name=name, on_train=True)) for name in self._extra_losses
        ]
        callbacks.append(("divergence_guard", DivergenceGuard()))
        if self.patience is not None:
            monitor = "valid_loss" if self.train_split is not None else "train_loss"
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor=monitor,
                        patience=self.patience,
                        sink=_print_if_verbose(self),
                    ),
                )
            )
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks.append(print_log)
        return callbacks

    def on_batch_end(self, net, batch=None, training=False, **step):
        super().on_batch_end(net, batch=batch, training=training, **step)
        if training:
            for name in self._extra_losses:
                if name in step:
                    value = step[name]
                    self.history.record_batch(
                        name, value.item() if torch.is_tensor(value) else float(value)
                    )

    def initialize(self):
        self.device = check_device(self.device)
        return super().initialize()

    def fit(self, X, y=None, **fit_params):
        seed = None if self.random_state is None else draw_seed(self.random_state)
        with seeded_torch(seed, check_device(self.device)):
            return super().fit(X, y, **fit_params)
