"""Joint adversarial augmentation in an autoencoder's latent space (paper 000, §3.3)."""

from numbers import Real

import torch
from imblearn.utils._docstring import Substitution
from skorch import NeuralNetClassifier, NeuralNetRegressor
from torch import nn

from .._torch_utils import draw_seed
from ..modules import LatentPerturbation
from ._autoencoder import AdversarialAutoencoderNet
from ._online import _ClassifierTargets, _OnlineAugmentationNet, _RegressorTargets

PERTURBATIONS = ("adversarial", "random", "anti-adversarial")


class _LatentAdversarialNet(_OnlineAugmentationNet):
    """Online augmentation by a learned latent perturbation (shared by classifier/regressor).

    ``fit`` first trains an :class:`AdversarialAutoencoderNet` (``autoencoder__*``
    parameters reach it; a fitted one passed as ``autoencoder`` is used as is),
    freezes it, then trains the network (``module``) jointly with a
    :class:`~skadvaug.modules.LatentPerturbation` (``perturber__*``): chosen
    rare samples become ``decode(encode(x) + delta)``; one backward pass gives
    both gradients; the network descends its loss and the perturbation module
    ascends it (``"adversarial"``), descends it too (``"anti-adversarial"``) or
    is not trained (``"random"``: ``delta = scale * std(z) * N(0, I)``).
    """

    prefixes_ = [*_OnlineAugmentationNet.prefixes_, "autoencoder"]

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        autoencoder=None,
        perturbation="adversarial",
        scale=0.1,
        lr_perturber=1e-3,
        **kwargs,
    ):
        super().__init__(module, criterion, **kwargs)
        self.autoencoder = autoencoder
        self.perturbation = perturbation
        self.scale = scale
        self.lr_perturber = lr_perturber

    def _check_settings(self):
        super()._check_settings()
        if self.perturbation not in PERTURBATIONS:
            raise ValueError(
                f"perturbation must be one of {PERTURBATIONS}; got {self.perturbation!r}."
            )
        if not isinstance(self.scale, Real) or self.scale < 0:
            raise ValueError(f"scale must be a number >= 0; got {self.scale!r}.")

    # --------------------------------------------------------------- augmenter
    def _fit_augmenter(self, X, y, rare):
        if isinstance(self.autoencoder, AdversarialAutoencoderNet):
            autoencoder = self.autoencoder
            if not autoencoder.initialized_:
                autoencoder.fit(X)
        else:
            autoencoder = AdversarialAutoencoderNet(
                module=self.autoencoder,
                device=self.device,
                verbose=self.verbose,
                random_state=None if self.random_state is None else draw_seed(self.random_state),
                **self.get_params_for("autoencoder"),
            ).fit(X)
        for parameter in autoencoder.module_.parameters():
            parameter.requires_grad_(False)
        autoencoder.module_.eval()
        self.autoencoder_ = autoencoder

    def initialize_module(self):
        super().initialize_module()
        if not hasattr(self, "autoencoder_"):
            raise ValueError(
                f"{type(self).__name__} builds its perturbation module after fitting its "
                "autoencoder: call fit."
            )
        self.perturber_ = LatentPerturbation(
            **{
                "latent_dim": self.autoencoder_.module_.latent_dim,
                "scale": self.scale,
                "learned": self.perturbation != "random",
                **self.get_params_for("perturber"),
            }
        )
        return self

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        pgroups, params = self.get_params_for_optimizer(
            "optimizer_perturber", self.perturber_.named_parameters()
        )
        if "lr" not in self.get_params_for("optimizer_perturber"):
            params["lr"] = self.lr_perturber
        self.optimizer_perturber_ = self.optimizer(*pgroups, **params)
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        latents = self.autoencoder_.encode(X["X"])
        self.perturber_.set_latent_variance(torch.as_tensor(latents, device=self.device))

    def _augment_batch(self, X, y):
        self.autoencoder_.module_.eval()
        autoencoder = self.autoencoder_.module_
        with torch.no_grad():
            z = autoencoder.encode(X)
        return autoencoder.decode(z + self.perturber_(z))

    def _zero_grad_augmenter(self):
        self.optimizer_perturber_.zero_grad()

    def _step_augmenter(self):
        if self.perturbation == "random":
            return
        if self.perturbation == "adversarial":  # ascend the network's loss
            for parameter in self.perturber_.parameters():
                if parameter.grad is not None:
                    parameter.grad.neg_()
        self.optimizer_perturber_.step()

    # -------------------------------------------------------------- generation
    def augment(self, X, generator=None):
        """``decode(encode(x) + delta)`` for every sample of ``X`` (numpy, eval mode).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Seeds, in the shape the net was fitted on.
        generator : torch.Generator, default=None
            Source of the perturbation noise.

        Returns
        -------
        X_new : ndarray of shape (n_samples, ...)
            Augmented samples (float32).
        """
        autoencoder = self.autoencoder_.module_
        autoencoder.eval()
        self.perturber_.eval()

        def perturbed(batch):
            z = autoencoder.encode(batch)
            return autoencoder.decode(z + self.perturber_(z, generator=generator))

        return self._run_batches(perturbed, X)

    def perturbations(self, X, generator=None):
        """Latent vectors of ``X`` and their perturbations ``delta`` (numpy, eval mode)."""
        self.perturber_.eval()
        Z = self.autoencoder_.encode(X)
        return Z, self._run_batches(lambda z: self.perturber_(z, generator=generator), Z)


_DOC = """

    Parameters
    ----------
    module : torch module class or None, default=None
        Downstream network taking ``input_shape`` and ``n_outputs``; ``None``
        picks :class:`~skadvaug.modules.MLPNet`, :class:`~skadvaug.modules.GRUNet`
        (paper §4.2: 2 layers, 15 units) or :class:`~skadvaug.modules.CNN2dNet`.
    autoencoder : torch module class, AdversarialAutoencoderNet or None, default=None
        Autoencoder module class (``None`` picks one by data kind), trained with
        the ``autoencoder__*`` parameters; or an :class:`AdversarialAutoencoderNet`,
        used as is when already fitted (so several nets can share one).
    perturbation : {"adversarial", "random", "anti-adversarial"}, default="adversarial"
        Objective of the perturbation module (Table 2).
    scale : float, default=0.1
        Perturbation size in units of each latent element's standard deviation
        (Table 2: 0.1 was best).
    augment_fraction : float, default=0.8
        Share of the rare samples augmented in each batch (paper: 80%).
    oversample_rare : int, default=1
        How many times each rare sample is fed per epoch (paper: 4).
    lr_perturber : float, default=1e-3
        Learning rate of the perturbation module.
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters (``max_epochs``,
        ``batch_size``, ``lr``, ``device``, ``random_state``, ``verbose``,
        ``module__*``, ``autoencoder__*``, ``perturber__*``, ...).
"""


@Substitution(shared_parameters=_DOC)
class LatentAdversarialClassifier(_ClassifierTargets, _LatentAdversarialNet, NeuralNetClassifier):
    """Classifier trained on adversarially perturbed latent augmentations (paper 000, joint form).

    Kim et al. (2021), §3.3 and §4: the downstream model is the one being
    trained. ``fit`` trains an autoencoder with a discriminator
    (:class:`AdversarialAutoencoderNet`), freezes it, then trains the network
    jointly with a learned perturbation module
    (:class:`~skadvaug.modules.LatentPerturbation`): in each batch
    ``augment_fraction`` of the rare-class samples are replaced by
    ``decode(encode(x) + delta)``; the perturbation module maximises the
    network's loss on them (``"adversarial"``), minimises it
    (``"anti-adversarial"``) or is Gaussian noise rescaled by the latent's
    standard deviation (``"random"``), as in Table 2.
    {shared_parameters}
    rare_classes : array-like or None, default=None
        Classes whose samples may be augmented; ``None``: all but the largest.

    Attributes
    ----------
    autoencoder_ : AdversarialAutoencoderNet
        The fitted, frozen autoencoder.
    perturber_ : LatentPerturbation
        The trained perturbation module.
    module_ : torch.nn.Module
        The trained network.
    classes_ : ndarray
        Class labels.

    References
    ----------
    .. [1] B. Kim, J.-H. Choi and J. Choo, "Augmenting imbalanced time-series data
       via adversarial perturbation in latent space", ACML 2021.

    Examples
    --------
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> from skadvaug.nets import LatentAdversarialClassifier
    >>> X, y = make_imbalanced_sequences(n_samples=80, n_timepoints=32, random_state=0)
    >>> clf = LatentAdversarialClassifier(max_epochs=3, autoencoder__max_epochs=3,
    ...                                   random_state=0).fit(X, y)
    >>> clf.predict(X[:4]).shape
    (4,)
    """

    def __init__(
        self,
        module=None,
        *,
        criterion=nn.CrossEntropyLoss,
        rare_classes=None,
        train_split=None,
        **kwargs,
    ):
        super().__init__(module, criterion, train_split=train_split, **kwargs)
        self.rare_classes = rare_classes


@Substitution(shared_parameters=_DOC)
class LatentAdversarialRegressor(_RegressorTargets, _LatentAdversarialNet, NeuralNetRegressor):
    """Regressor trained on adversarially perturbed latent augmentations of rare targets.

    The imbalanced-regression set-up of Kim et al. (2021), §4: samples whose
    target exceeds ``rare_threshold`` (or where the callable returns ``True``)
    are the rare class that gets augmented; augmented samples keep their target.
    Everything else is as in :class:`LatentAdversarialClassifier`, with the mean
    squared error as loss.
    {shared_parameters}
    rare_threshold : float or callable
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).

    References
    ----------
    .. [1] B. Kim, J.-H. Choi and J. Choo, ACML 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_sequence_regression
    >>> from skadvaug.nets import LatentAdversarialRegressor
    >>> X, y = make_sequence_regression(n_samples=80, random_state=0)
    >>> reg = LatentAdversarialRegressor(rare_threshold=float(np.quantile(y, 0.9)),
    ...                                  max_epochs=3, autoencoder__max_epochs=3,
    ...                                  random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    """

    def __init__(self, module=None, *, criterion=nn.MSELoss, rare_threshold=None, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.rare_threshold = rare_threshold
