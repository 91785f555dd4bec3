"""Joint adversarial augmentation in an autoencoder's latent space (paper 000, §3.3)."""

from numbers import Real

import torch
from imblearn.utils._docstring import Substitution
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from skorch import NeuralNetClassifier, NeuralNetRegressor

from .._deprecation import DEPRECATED, rename_prefixed, renamed
from .._docs import cites
from ..modules import LatentAugmenter
from ._autoencoder import AdversarialAutoencoderNet
from ._joint import (
    BUDGET_PARAMETER,
    CLASSIFIER_PARAMETERS,
    ClassifierTargets,
    JointAugmentationNet,
    RegressorTargets,
)

PERTURBATIONS = ("adversarial", "random", "anti-adversarial")


class _LatentAdversarialNet(JointAugmentationNet):
    """Online augmentation by a learned latent perturbation (shared by classifier/regressor).

    ``fit`` first trains an :class:`AdversarialAutoencoderNet` (``autoencoder__*``
    parameters reach it; a fitted one passed as ``autoencoder`` is used as is),
    freezes it, then trains the network (``module``) jointly with a
    :class:`~skadvaug.modules.LatentAugmenter` (``augmenter__*``): chosen rare
    samples become ``decode(encode(x) + delta)``; one backward pass gives both
    gradients; the network descends its loss and the augmenter (a second
    player) ascends it (``"adversarial"``), descends it too
    (``"anti-adversarial"``) or is not trained (``"random"``: ``delta = scale *
    std(z) * N(0, I)``).
    """

    prefixes_ = [*JointAugmentationNet.prefixes_, "autoencoder"]
    _players = {"augmenter": "augmenter_lr"}
    _phase = "adversarial game"
    _backbone_nets = {"autoencoder": AdversarialAutoencoderNet}
    _parameter_constraints: dict = {
        **JointAugmentationNet._parameter_constraints,
        "perturbation": [StrOptions(set(PERTURBATIONS))],
        "scale": [Interval(Real, 0, None, closed="left")],
        "residual": ["boolean"],
        "augmenter_lr": [Interval(Real, 0, None, closed="neither")],
        "lr_perturber": [
            Interval(Real, 0, None, closed="neither"),
            Hidden(StrOptions({DEPRECATED})),
        ],
    }

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        autoencoder=None,
        perturbation="adversarial",
        scale=0.1,
        residual=False,
        augmenter_lr=1e-3,
        lr_perturber=DEPRECATED,
        **kwargs,
    ):
        super().__init__(
            module, criterion, **rename_prefixed(self, kwargs, "perturber", "augmenter")
        )
        self.autoencoder = autoencoder
        self.perturbation = perturbation
        self.scale = scale
        self.residual = residual
        self.augmenter_lr = augmenter_lr
        self.lr_perturber = lr_perturber

    def _player_lr(self, player):
        return renamed(self, "lr_perturber", "augmenter_lr")

    # --------------------------------------------------------------- augmenter
    def _fit_backbone(self, X, y):
        self.autoencoder_ = self._fit_or_reuse(
            self.autoencoder, AdversarialAutoencoderNet, "autoencoder", X
        )

    def _build_augmenter(self):
        if not hasattr(self, "autoencoder_"):
            raise ValueError(
                f"{type(self).__name__} builds its augmenter after fitting its "
                "autoencoder: call fit."
            )
        return LatentAugmenter(
            self.autoencoder_.module_,
            **{
                "scale": self.scale,
                "learned": self.perturbation != "random",
                "residual": self.residual,
                **self.get_params_for("augmenter"),
            },
        )

    def _augmenter_objective(self):
        return {"adversarial": "ascend", "anti-adversarial": "descend"}.get(self.perturbation)

    @property
    def perturber_(self):
        """The trained :class:`~skadvaug.modules.LatentPerturbation`."""
        return self.augmenter_.perturbation

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        latents = torch.as_tensor(self.autoencoder_.encode(X["X"]), device=self.device)
        self.perturber_.set_latent_variance(latents)
        self._set_budget_reference(lambda: latents, y)

    def perturbations(self, X, generator=None):
        """Latent vectors of ``X`` and their perturbations ``delta`` (numpy, eval mode)."""
        self.perturber_.eval()
        Z = self.autoencoder_.encode(X)
        return Z, self._run_batches(lambda z: self.perturber_(z, generator=generator), Z)


_DOC = (
    """

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
    residual : bool, default=False
        Augment as ``x + decode(z + delta) - decode(z)`` (the seed keeps the
        details the autoencoder does not reconstruct) instead of the paper's
        ``decode(z + delta)``.
    augment_fraction : float, default=0.8
        Share of the rare samples augmented in each batch (paper: 80%).
    oversample_rare : int, default=1
        How many times each rare sample is fed per epoch (paper: 4).
    augmenter_lr : float, default=1e-3
        Learning rate of the perturbation module (``lr_perturber`` before 0.2).
    """
    + BUDGET_PARAMETER
    + """
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters
        (``batch_size``, ``lr``, ``device``, ``random_state``, ``verbose``,
        ``module__*``, ``autoencoder__*``, ``augmenter__*`` -- the
        :class:`~skadvaug.modules.LatentPerturbation` arguments, ``perturber__*``
        before 0.2 --, ...).
"""
)


@cites("kim2021")
@Substitution(shared_parameters=_DOC, classifier_parameters=CLASSIFIER_PARAMETERS)
class LatentAdversarialClassifier(ClassifierTargets, _LatentAdversarialNet, NeuralNetClassifier):
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
    {classifier_parameters}

    Attributes
    ----------
    autoencoder_ : AdversarialAutoencoderNet
        The fitted, frozen autoencoder.
    augmenter_ : LatentAugmenter
        The frozen autoencoder with the trained perturbation module.
    perturber_ : LatentPerturbation
        The trained perturbation module (``augmenter_.perturbation``).
    module_ : torch.nn.Module
        The trained network.
    classes_ : ndarray
        Class labels.

    %(references)s

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


@cites("kim2021")
@Substitution(shared_parameters=_DOC)
class LatentAdversarialRegressor(RegressorTargets, _LatentAdversarialNet, NeuralNetRegressor):
    """Regressor trained on adversarially perturbed latent augmentations of rare targets.

    The imbalanced-regression set-up of Kim et al. (2021), §4: samples whose
    target exceeds ``rare_threshold`` (or where the callable returns ``True``)
    are the rare class that gets augmented; augmented samples keep their target.
    Everything else is as in :class:`LatentAdversarialClassifier`, with the mean
    squared error as loss.
    {shared_parameters}
    rare_threshold : float or callable
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).

    %(references)s

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
