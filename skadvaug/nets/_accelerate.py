"""Data-parallel training of the joint networks with Hugging Face accelerate."""

from skorch.hf import AccelerateMixin as SkorchAccelerateMixin
from torch.utils.data import DataLoader

from ._data import BatchIterator


class AccelerateMixin(SkorchAccelerateMixin):
    """Train a joint network on several GPUs (or processes) with Hugging Face accelerate.

    skorch's :class:`skorch.hf.AccelerateMixin`, fitted to the joint networks of this
    package: put it first among the bases of a joint classifier or regressor whose only
    trained player is its network —
    :class:`~skadvaug.nets.StructuredAdversarialClassifier` (paper 004, the online
    augmentation it was built for), :class:`~skadvaug.nets.FlowLatentClassifier` (its
    flow is fitted first and frozen, by every process on the whole data with the same
    seed), :class:`~skadvaug.nets.OnlineAugmentationClassifier`
    and their regressors — and launch the script with ``accelerate launch``. Each
    process takes its own whole batches of ``batch_size`` (accelerate's default
    ``split_batches=False``: an optimiser step sees ``n_processes * batch_size`` rows);
    the gradients of the network are averaged across processes
    (DistributedDataParallel), so all processes end with the same network, and the
    logged losses are the means over processes.

    What differs from skorch's mixin:

    - the attack runs on the network itself, not on its DistributedDataParallel
      wrapper (an extra forward through the wrapper would prepare a gradient
      all-reduce that never comes);
    - the batches come from a torch ``DataLoader``, which accelerate shards among the
      processes (the nets' own batch iterator would give every process all batches);
    - only the network and its optimizer are prepared by accelerate; the other
      modules (criterion, augmenter, frozen backbones) are moved to the accelerator's
      device: accelerate's multi-process CPU mode wraps any module in
      DistributedDataParallel and fails on those without trainable parameters;
    - a net that trains another player next to its network (the latent perturbation of
      :class:`~skadvaug.nets.LatentAdversarialClassifier`, the generator and critic of
      :class:`~skadvaug.nets.WorstCaseGeneratorClassifier`) is refused with a
      :class:`ValueError`: each process would train its own copy of that player.

    Parameters
    ----------
    accelerator : accelerate.Accelerator
        As in skorch; leave ``device=None`` (the accelerator places the tensors).

    Notes
    -----
    Budgets count one process's batches: ``max_epochs="auto"`` and ``max_steps`` mean
    about that many batches per process (with ``gradient_accumulation_steps=k``, k times
    fewer optimiser steps). Set ``random_state``, so that every process fits the same
    frozen backbone (the flow of :class:`~skadvaug.nets.FlowLatentClassifier`). Every
    process must call ``predict`` / ``predict_proba`` (accelerate gathers the
    predictions). After ``fit`` the network is unwrapped (skorch's
    ``unwrap_after_train``): a later ``partial_fit`` is not data-parallel; pass
    ``unwrap_after_train=False`` to keep training it across processes. Learning-rate
    schedules through skorch's ``LRScheduler`` are not prepared by accelerate here.

    A fitted net pickles with its accelerator, as skorch's does; :func:`skadvaug.io.dump`
    writes it too, but loading that file needs accelerate's types trusted by name
    (:func:`skadvaug.io.get_untrusted_types` lists them): to share the network, save
    its weights with ``save_params`` on the main process. Copies of the net (``clone``,
    ``GridSearchCV``) need skorch's documented ``Accelerator`` subclass whose
    ``__deepcopy__`` returns itself.

    Examples
    --------
    >>> from accelerate import Accelerator
    >>> from sklearn.datasets import make_classification
    >>> from skadvaug.nets import AccelerateMixin, StructuredAdversarialClassifier
    >>> class AcceleratedClassifier(AccelerateMixin, StructuredAdversarialClassifier):
    ...     pass
    >>> X, y = make_classification(n_samples=80, n_features=6, random_state=0)
    >>> net = AcceleratedClassifier(
    ...     perturbation="fgm", accelerator=Accelerator(cpu=True), max_epochs=2,
    ...     random_state=0,
    ... ).fit(X.astype("float32"), y)
    >>> net.predict(X[:3].astype("float32")).shape
    (3,)
    """

    def _initialize_accelerator(self):
        if self._wrapped_with_accelerator:
            return self
        trained = [
            player for player in self._players if getattr(self, f"optimizer_{player}_", None)
        ]
        if trained:
            raise ValueError(
                f"{type(self).__name__} trains {trained} next to its network; AccelerateMixin "
                "covers nets whose only trained player is the network (each process would "
                "train its own copy of the others)."
            )
        device = self.accelerator.device
        for name in [*self._modules, *self._criteria]:
            if name != "module" and hasattr(getattr(self, f"{name}_", None), "to"):
                getattr(self, f"{name}_").to(device)
        with self._current_init_context("module"):
            self.module_ = self.accelerator.prepare(self.module_)
        with self._current_init_context("optimizer"):
            self.optimizer_ = self.accelerator.prepare(self.optimizer_)
        self._wrapped_with_accelerator = True
        return self

    def _initialize_callbacks(self):
        if self.callbacks__print_log__sink != "auto":
            return super()._initialize_callbacks()
        # skorch's "auto" prints whatever the verbosity (PrintLog leaves the choice to
        # a sink that is not print): the accelerator's print, main process only, when
        # verbose. The parameter stays "auto", so a clone decides for itself.
        self.callbacks__print_log__sink = self.accelerator.print if self.verbose else _discard
        try:
            return super()._initialize_callbacks()
        finally:
            self.callbacks__print_log__sink = "auto"

    def get_iterator(self, dataset, training=False):
        # accelerate shards torch DataLoaders among the processes and passes other
        # iterables through whole; the nets' faster BatchIterator becomes a DataLoader
        iterator = super(SkorchAccelerateMixin, self).get_iterator(dataset, training=training)
        if isinstance(iterator, BatchIterator):
            iterator = DataLoader(
                iterator.dataset,
                batch_size=iterator.batch_size,
                shuffle=iterator.shuffle,
                drop_last=iterator.drop_last,
            )
        return self.accelerator.prepare(iterator)

    def train_step(self, batch, **fit_params):
        step = super().train_step(batch, **fit_params)
        # the mean over processes: early stopping and the divergence guard then decide
        # the same in every process (one stopping alone would hang the others)
        step["loss"] = self.accelerator.reduce(step["loss"], reduction="mean")
        return step

    def validation_step(self, batch, **fit_params):
        step = super().validation_step(batch, **fit_params)
        step["loss"] = self.accelerator.reduce(step["loss"], reduction="mean")
        return step

    def _backward(self, loss):
        self.accelerator.backward(loss)

    def _device(self):
        return str(self.accelerator.device)


def _discard(text):
    """The print-log sink of a net that is not verbose."""
