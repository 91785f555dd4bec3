"""Classifier trained on flow latent attacks recomputed at every step (paper 003, §5)."""

import numpy as np
import torch
from skorch import NeuralNetClassifier
from torch import nn

from .._torch_utils import draw_seed
from ..augment.latent_attacks import check_clamp, flow_latent_augment, resolve_clamp
from ._flow import FlowNet
from ._online import _ClassifierTargets, _OnlineAugmentationNet

ATTACKS = ("random", "adversarial")


class FlowLatentClassifier(_ClassifierTargets, _OnlineAugmentationNet, NeuralNetClassifier):
    """Classifier trained on latent-perturbed batches of a normalizing flow (paper 003).

    Yüksel et al. (2021): ``fit`` trains an exactly invertible flow ``F`` on the
    training data (:class:`FlowNet`, ``flow__*`` parameters; a fitted
    ``FlowNet`` passed as ``flow`` is used as is), freezes it, then trains the
    network (``module``); in every batch ``augment_fraction`` of the chosen
    samples become ``F^-1(F(x) + delta)``, where ``delta`` is Randomized-LA
    (``epsilon * N(0, I)`` projected onto the ``norm`` ball) or Adversarial-LA
    (PGD in latent space against the network *as it is at that step*: the
    paper's most effective variant, "adaptive to the classifier throughout its
    training"). Adversarial labels are the network's own predictions by default,
    as in the authors' code, to avoid label leaking.

    Parameters
    ----------
    module : torch module class or None, default=None
        Network taking ``input_shape`` and ``n_outputs``; ``None`` picks one by
        data kind.
    flow : torch module class, FlowNet or None, default=None
        Flow module class (``None`` picks one by data kind) or a fitted
        :class:`FlowNet`.
    attack : {"random", "adversarial"}, default="adversarial"
        Randomized-LA or Adversarial-LA.
    norm : {"l2", "linf"}, default="l2"
        Ball of the perturbations.
    epsilon : float, default=1.0
        Radius of the ball (paper, CIFAR-10: 1.0 for ℓ2 Adversarial-LA).
    step_size : float, default=0.5
        PGD step ``alpha`` (paper: 0.5).
    n_steps : int, default=3
        PGD steps ``k`` (paper: 3).
    attack_labels : {"predicted", "true"}, default="predicted"
        Labels whose loss PGD ascends.
    clamp : "auto", (float, float) or None, default="auto"
        Input-space bounds the perturbed samples are clipped to: ``"auto"``, each
        channel's range in the training data (for images scaled to [0, 1], the
        authors' ``(0, 1)``); a pair, the same bounds everywhere; ``None``,
        unclipped.
    conditional : bool, default=False
        Use a class-conditional flow.
    augment_fraction : float, default=0.5
        Share of the chosen samples perturbed in each batch.
    rare_classes : "all", array-like or None, default="all"
        Classes whose samples are perturbed: ``"all"`` (the paper's set-up),
        a list, or ``None`` for all but the largest class.
    oversample_rare : int, default=1
        How many times each chosen sample is fed per epoch.
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters (``max_epochs``,
        ``lr``, ``flow__max_epochs``, ``flow__module__n_steps``, ...).

    Attributes
    ----------
    flow_ : FlowNet
        The fitted, frozen flow.
    clamp_ : (low, high) or None
        Bounds the perturbed samples are clipped to (per feature / channel for
        ``"auto"``).
    classes_ : ndarray
        Class labels.

    References
    ----------
    .. [1] O. K. Yüksel, S. U. Stich, M. Jaggi and T. Chavdarova, "Semantic
       perturbations with normalizing flows for improved generalization", ICCV 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skadvaug.nets import FlowLatentClassifier
    >>> X, y = make_classification(200, n_features=6, random_state=0)
    >>> clf = FlowLatentClassifier(max_epochs=3, flow__max_epochs=3, random_state=0)
    >>> clf.fit(X.astype("float32"), y).predict(X[:4].astype("float32")).shape
    (4,)
    """

    prefixes_ = [*_OnlineAugmentationNet.prefixes_, "flow"]

    def __init__(
        self,
        module=None,
        *,
        criterion=nn.CrossEntropyLoss,
        flow=None,
        attack="adversarial",
        norm="l2",
        epsilon=1.0,
        step_size=0.5,
        n_steps=3,
        attack_labels="predicted",
        clamp="auto",
        conditional=False,
        augment_fraction=0.5,
        rare_classes="all",
        train_split=None,
        **kwargs,
    ):
        super().__init__(
            module, criterion, augment_fraction=augment_fraction, train_split=train_split, **kwargs
        )
        self.flow = flow
        self.attack = attack
        self.norm = norm
        self.epsilon = epsilon
        self.step_size = step_size
        self.n_steps = n_steps
        self.attack_labels = attack_labels
        self.clamp = clamp
        self.conditional = conditional
        self.rare_classes = rare_classes

    def _check_settings(self):
        super()._check_settings()
        if self.attack not in ATTACKS:
            raise ValueError(f"attack must be one of {ATTACKS}; got {self.attack!r}.")
        if self.attack_labels not in ("predicted", "true"):
            raise ValueError(
                f"attack_labels must be 'predicted' or 'true'; got {self.attack_labels!r}."
            )
        check_clamp(self.clamp, allow_auto=True)

    def _fit_augmenter(self, X, y, rare):
        if isinstance(self.flow, FlowNet):
            flow = self.flow
            if not flow.initialized_:
                flow.fit(X, y if flow.conditional else None)
        else:
            flow = FlowNet(
                module=self.flow,
                conditional=self.conditional,
                device=self.device,
                verbose=self.verbose,
                random_state=None if self.random_state is None else draw_seed(self.random_state),
                **self.get_params_for("flow"),
            ).fit(X, y if self.conditional else None)
        for parameter in flow.module_.parameters():
            parameter.requires_grad_(False)
        flow.module_.eval()
        self.flow_ = flow
        self.clamp_ = resolve_clamp(self.clamp, np.asarray(X, dtype=np.float32))

    def _augment_batch(self, X, y):
        flow = self.flow_.module_
        labels = y if self.flow_.conditional else None
        was_training = self.module_.training
        self.module_.eval()  # attack the current network without updating its batch norms
        try:
            if self.attack_labels == "predicted":
                with torch.no_grad():
                    targets = self.module_(X).argmax(dim=1)
            else:
                targets = y
            return flow_latent_augment(
                flow,
                X,
                attack=self.attack,
                epsilon=self.epsilon,
                norm=self.norm,
                step_size=self.step_size,
                n_steps=self.n_steps,
                labels=labels,
                loss_fn=lambda x_tilde: self.criterion_(self.module_(x_tilde), targets),
                clamp=self.clamp_,
            )
        finally:
            self.module_.train(was_training)
