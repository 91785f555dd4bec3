"""Nets trained on flow latent attacks recomputed at every step (paper 003, §5)."""

from numbers import Integral, Real

import numpy as np
from imblearn.utils._docstring import Substitution
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from skorch import NeuralNetClassifier, NeuralNetRegressor

from .._deprecation import DEPRECATED, renamed
from .._docs import cites
from ..augment.latent_attacks import resolve_clamp
from ..modules import FlowLatentAttack
from ._flow import FlowNet
from ._joint import (
    BUDGET_PARAMETER,
    CLASSIFIER_PARAMETERS,
    ClassifierTargets,
    JointAugmentationNet,
    RegressorTargets,
)

ATTACKS = ("random", "adversarial")


class _FlowLatentNet(JointAugmentationNet):
    """Online flow latent attacks (shared by the classifier and the regressor).

    ``fit`` trains (or reuses) a :class:`FlowNet`, freezes it and trains the
    network with a :class:`~skadvaug.modules.FlowLatentAttack` as augmenter,
    which attacks the network as it is at each step.
    """

    prefixes_ = [*JointAugmentationNet.prefixes_, "flow"]
    _phase = "surrogate with latent attacks"
    _backbone_nets = {"flow": FlowNet}
    _parameter_constraints: dict = {
        **JointAugmentationNet._parameter_constraints,
        "attack": [StrOptions(set(ATTACKS))],
        "norm": [StrOptions({"l2", "linf"})],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "step_size": [Interval(Real, 0, None, closed="left")],
        "attack_steps": [Interval(Integral, 0, None, closed="left")],
        "n_steps": [Interval(Integral, 0, None, closed="left"), Hidden(StrOptions({DEPRECATED}))],
        "attack_labels": [StrOptions({"predicted", "true"})],
        "clamp": [StrOptions({"auto"}), tuple, list, None],
        "conditional": ["boolean"],
    }

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        flow=None,
        attack="adversarial",
        norm="l2",
        epsilon=1.0,
        step_size=0.5,
        attack_steps=3,
        n_steps=DEPRECATED,
        attack_labels="predicted",
        clamp="auto",
        conditional=False,
        augment_fraction=0.5,
        **kwargs,
    ):
        super().__init__(module, criterion, augment_fraction=augment_fraction, **kwargs)
        self.flow = flow
        self.attack = attack
        self.norm = norm
        self.epsilon = epsilon
        self.step_size = step_size
        self.attack_steps = attack_steps
        self.n_steps = n_steps
        self.attack_labels = attack_labels
        self.clamp = clamp
        self.conditional = conditional

    def _attack_labels(self):
        return self.attack_labels

    def _fit_backbone(self, X, y):
        if self.conditional and isinstance(self, RegressorTargets):
            raise ValueError(
                "conditional=True conditions the flow on class labels; it cannot be used "
                "with continuous targets."
            )
        conditional = self.flow.conditional if isinstance(self.flow, FlowNet) else self.conditional
        self.flow_ = self._fit_or_reuse(
            self.flow, FlowNet, "flow", X, y if conditional else None, conditional=conditional
        )
        self.clamp_ = resolve_clamp(self.clamp, np.asarray(X, dtype=np.float32))

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        self._set_budget_reference(lambda: self.flow_.transform(X["X"], y), y)

    def _build_augmenter(self):
        return FlowLatentAttack(
            self.flow_.module_,
            attack=self.attack,
            norm=self.norm,
            epsilon=self.epsilon,
            step_size=self.step_size,
            attack_steps=renamed(self, "n_steps", "attack_steps"),
            conditional=self.flow_.conditional,
            clamp=self.clamp_,
            **self.get_params_for("augmenter"),
        )


_DOC = (
    """
    Parameters
    ----------
    module : torch module class or None, default=None
        Network taking ``input_shape`` and ``n_outputs``; ``None`` picks one by
        data kind.
    flow : torch module class, FlowNet or None, default=None
        Flow module class (``None`` picks one by data kind, trained with the
        ``flow__*`` parameters) or a :class:`FlowNet`, used as is when fitted.
    attack : {"random", "adversarial"}, default="adversarial"
        Randomized-LA or Adversarial-LA.
    norm : {"l2", "linf"}, default="l2"
        Ball of the perturbations.
    epsilon : float, default=1.0
        Radius of the ball (paper, CIFAR-10: 1.0 for ℓ2 Adversarial-LA).
    step_size : float, default=0.5
        PGD step ``alpha`` (paper: 0.5).
    attack_steps : int, default=3
        PGD steps ``k`` (paper: 3; ``n_steps`` before 0.2).
    attack_labels : {"predicted", "true"}, default="predicted"
        Targets whose loss PGD ascends: the network's own predictions (the
        authors' code, against label leaking) or the true ones.
    clamp : "auto", (float, float) or None, default="auto"
        Input-space bounds the perturbed samples are clipped to: ``"auto"``, each
        channel's range in the training data (for images scaled to [0, 1], the
        authors' ``(0, 1)``); a pair, the same bounds everywhere; ``None``,
        unclipped.
    conditional : bool, default=False
        Use a class-conditional flow (classes only).
    augment_fraction : float, default=0.5
        Share of the chosen samples perturbed in each batch.
    oversample_rare : int, default=1
        How many times each chosen sample is fed per epoch.
    """
    + BUDGET_PARAMETER
    + """
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters
        (``lr``, ``flow__max_epochs``, ``flow__module__n_steps``, ...).
"""
)

_ATTRIBUTES = """
    Attributes
    ----------
    augmenter_ : FlowLatentAttack
        The attack, around the frozen flow.
    flow_ : FlowNet
        The fitted, frozen flow.
    clamp_ : (low, high) or None
        Bounds the perturbed samples are clipped to (per feature / channel for
        ``"auto"``)."""


@cites("yuksel2021")
@Substitution(
    shared_parameters=_DOC,
    shared_attributes=_ATTRIBUTES,
    classifier_parameters=CLASSIFIER_PARAMETERS,
)
class FlowLatentClassifier(ClassifierTargets, _FlowLatentNet, NeuralNetClassifier):
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

    {shared_parameters}
    rare_classes : "all", array-like or None, default="all"
        Classes whose samples are perturbed: ``"all"`` (the paper's set-up),
        a list, or ``None`` for all but the largest class.
    {classifier_parameters}
    {shared_attributes}
    classes_ : ndarray
        Class labels.

    %(references)s

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

    def __init__(self, module=None, *, rare_classes="all", **kwargs):
        super().__init__(module, rare_classes=rare_classes, **kwargs)


@cites("yuksel2021")
@Substitution(shared_parameters=_DOC, shared_attributes=_ATTRIBUTES)
class FlowLatentRegressor(RegressorTargets, _FlowLatentNet, NeuralNetRegressor):
    """Regressor trained on flow latent attacks of its rare-target samples (paper 003).

    The regression form of :class:`FlowLatentClassifier`: samples whose target
    exceeds ``rare_threshold`` (or where the callable returns ``True``; or all
    samples, passing ``rare_mask`` to ``fit``) are perturbed as
    ``F^-1(F(x) + delta)`` and keep their target; Adversarial-LA ascends the
    mean squared error of the network as it is at each step.
    {shared_parameters}
    rare_threshold : float or callable, default=None
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).
    {shared_attributes}
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_sequence_regression
    >>> from skadvaug.nets import FlowLatentRegressor
    >>> X, y = make_sequence_regression(n_samples=80, random_state=0)
    >>> reg = FlowLatentRegressor(rare_threshold=float(np.quantile(y, 0.9)), max_epochs=2,
    ...                           flow__max_epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    """
