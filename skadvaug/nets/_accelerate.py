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
    process trains on its share of every batch; the gradients of the network are
    averaged across processes (DistributedDataParallel), so all processes end with the
    same network.

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
    As with skorch's mixin, a net with an accelerator cannot be pickled or saved with
    :func:`skadvaug.io.dump` while it holds the accelerator; save its weights with
    ``save_params`` (on the main process) instead. Copies of the net (``clone``,
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
        if self.callbacks__print_log__sink == "auto":
            # skorch's "auto" prints whatever the verbosity; print's rule, main process only
            def sink(text):
                if self.verbose:
                    self.accelerator.print(text)

            self.callbacks__print_log__sink = sink
        return super()._initialize_callbacks()

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

    def _backward(self, loss):
        self.accelerator.backward(loss)

    def _device(self):
        return str(self.accelerator.device)
