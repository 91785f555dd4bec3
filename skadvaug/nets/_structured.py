"""Nets trained on structured adversarial copies computed at every step (paper 004)."""

from numbers import Integral, Real

import numpy as np
from imblearn.utils._docstring import Substitution
from sklearn.utils._param_validation import Interval, StrOptions
from skorch import NeuralNetClassifier, NeuralNetRegressor

from .._docs import cites
from ..augment import check_method
from ..augment.latent_attacks import resolve_clamp
from ..augment.structured import FLOW_SCALES, PHOTOMETRIC_OPERATORS, WEIGHTINGS
from ..modules import DEFAULT_NETWORKS, ClassicAugmenter, CNN1dNet, StructuredAttack
from ._joint import (
    BUDGET_PARAMETER,
    CLASSIFIER_PARAMETERS,
    ClassifierTargets,
    JointAugmentationNet,
    RegressorTargets,
)

# What the sampler forwards to the net unchanged.
STRUCTURED_ATTACK_PARAMETERS = ("perturbation", *StructuredAttack.PARAMETERS, "targeted", "clip")

# The spec's surrogate for sequences is a small FCN (paper 004 has no sequence model).
STRUCTURED_NETWORKS = {**DEFAULT_NETWORKS, "sequence": CNN1dNet}


class _StructuredNet(JointAugmentationNet):
    """Online structured adversarial augmentation (shared by classifier and regressor).

    Each training batch, ``augment_fraction`` of the chosen samples are replaced
    by a :class:`~skadvaug.modules.StructuredAttack` of themselves against the
    network as it is (eval mode for the attack, train mode restored, batch-norm
    statistics untouched); an optional base augmentation then applies to the
    whole batch (the paper's order, §6.1.1).
    """

    _default_modules = STRUCTURED_NETWORKS
    _phase = "surrogate with structured attacks"
    _parameter_constraints: dict = {
        **JointAugmentationNet._parameter_constraints,
        "perturbation": [StrOptions(set(StructuredAttack.PERTURBATIONS))],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "gamma": [Interval(Real, 0, None, closed="left"), None],
        "flow_scale": [StrOptions(set(FLOW_SCALES))],
        "max_displacement": [Interval(Real, 0, None, closed="left"), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "eta": [Interval(Real, 0, None, closed="left")],
        "mu": [Interval(Real, 0, None, closed="neither")],
        "edge_eps": [Interval(Real, 0, None, closed="neither")],
        "weighting": [StrOptions(set(WEIGHTINGS))],
        "photometric_operator": [StrOptions(set(PHOTOMETRIC_OPERATORS))],
        "recolour_norm": [Interval(Real, 0, None, closed="left")],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "targeted": ["boolean"],
        "magnitude_jitter": [tuple, list, None],
        "clip": [StrOptions({"auto"}), tuple, list, None],
        "sample_shape": [tuple, list, None],
        "base_augmentation": [str, callable, None],
    }

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        perturbation="flow",
        alpha=1.0,
        gamma=None,
        flow_scale="max",
        max_displacement=None,
        n_components=2,
        eta=1e-2,
        mu=1e-6,
        edge_eps=1e-3,
        weighting="projection",
        photometric_operator="regularized",
        recolour_norm=0.1,
        n_iter=1,
        targeted=False,
        magnitude_jitter=None,
        clip="auto",
        sample_shape=None,
        base_augmentation=None,
        augment_fraction=0.5,
        **kwargs,
    ):
        super().__init__(module, criterion, augment_fraction=augment_fraction, **kwargs)
        self.perturbation = perturbation
        self.alpha = alpha
        self.gamma = gamma
        self.flow_scale = flow_scale
        self.max_displacement = max_displacement
        self.n_components = n_components
        self.eta = eta
        self.mu = mu
        self.edge_eps = edge_eps
        self.weighting = weighting
        self.photometric_operator = photometric_operator
        self.recolour_norm = recolour_norm
        self.n_iter = n_iter
        self.targeted = targeted
        self.magnitude_jitter = magnitude_jitter
        self.clip = clip
        self.sample_shape = sample_shape
        self.base_augmentation = base_augmentation

    def _attack_labels(self):
        return "targeted" if self.targeted else "true"

    def _fit_backbone(self, X, y):
        if self.targeted and isinstance(self, RegressorTargets):
            raise ValueError("targeted=True needs classes; it cannot be used with a regressor.")
        shape = X.shape[1:] if self.sample_shape is None else tuple(self.sample_shape)
        if self.sample_shape is not None and int(np.prod(shape)) != int(np.prod(X.shape[1:])):
            raise ValueError(
                f"sample_shape={tuple(self.sample_shape)} holds {int(np.prod(shape))} values "
                f"but a sample of X has {int(np.prod(X.shape[1:]))}."
            )
        if len(shape) not in (2, 3) and self.perturbation != "fgm":
            raise ValueError(
                f"perturbation={self.perturbation!r} warps or recolours a grid, and X holds "
                f"samples of shape {tuple(shape)}: pass sequences (n, channels, "
                "timepoints), images (n, channels, height, width), or sample_shape, e.g. "
                "(1, 8, 8) for 64 pixel columns."
            )
        if isinstance(self.base_augmentation, str):
            check_method(self.base_augmentation, X.ndim, param="base_augmentation")
        samples = np.asarray(X, dtype=np.float32).reshape(len(X), *shape)
        self.clip_ = resolve_clamp(self.clip, samples)  # per channel of the grid

    def _build_augmenter(self):
        return StructuredAttack(
            self.perturbation,
            **{name: getattr(self, name) for name in StructuredAttack.PARAMETERS},
            clip=self.clip_,
            sample_shape=self.sample_shape,
            **self.get_params_for("augmenter"),
        )

    def initialize_module(self):
        super().initialize_module()
        self.base_augmenter_ = (
            ClassicAugmenter(self.base_augmentation)
            if isinstance(self.base_augmentation, str)
            else self.base_augmentation
        )
        return self

    def _augment_whole_batch(self, X):
        if self.base_augmenter_ is None:
            return X
        return self.base_augmenter_(X)


_DOC = (
    """
    Parameters
    ----------
    module : torch module class or None, default=None
        Network taking ``input_shape`` and ``n_outputs``; ``None`` picks
        :class:`~skadvaug.modules.MLPNet`, :class:`~skadvaug.modules.CNN1dNet`
        or :class:`~skadvaug.modules.CNN2dNet` by data kind.
    perturbation : {"flow", "recolour", "both", "random_flow", "fgm"}, default="flow"
        Adversarial smooth warp (time-warp on sequences), edge-preserving
        recolouring, both from one gradient, or the ablations: a random smooth
        flow of the same budget and the unstructured FGM-ℓ2 of the flow's pixel
        budget.
    alpha : float, default=1.0
        Flow ridge weight; the literal step is ``1 / alpha`` (``flow_scale="fixed"``).
    gamma : float or None, default=None
        Flow smoothness ``beta / alpha`` (cut-off frequency about
        ``n / (pi sqrt(gamma))``); ``None``: 5 for images, ``T / 3`` for sequences.
    flow_scale : {"max", "rms", "fixed"}, default="max"
        ``"max"``: each flow's largest displacement is ``max_displacement``;
        ``"rms"``: its root-mean-square; ``"fixed"``: the paper's literal
        ``1 / alpha`` scale (it vanishes as the training loss does), capped at
        ``max_displacement`` when given.
    max_displacement : float or None, default=None
        In pixels / time steps; ``None``: ``0.1 * min(H, W)`` for images,
        ``0.03 * T`` for sequences.
    n_components : int, default=2
        Size of the recolouring basis (the paper's Figure 1: two).
    eta, mu : float, default=1e-2, 1e-6
        Regularisers of the singular edge operator (``photometric_operator``).
    edge_eps : float, default=1e-3
        Floor of the edge magnitude (the paper's "small constant").
    weighting : {"projection", "inverse"}, default="projection"
        Recolour along the projection of the gradient, or the literal truncated
        ``M^-1`` (degenerates to a uniform offset; warned).
    photometric_operator : {"regularized", "pinv", "ridge"}, default="regularized"
        Reading of the paper's singular ``M^-1`` (see
        :func:`skadvaug.augment.structured.recolour_basis`).
    recolour_norm : float, default=0.1
        ℓ2 size of a recolouring, as a fraction of the sample's norm.
    n_iter : int, default=1
        Gradient steps per copy (the paper's experiments: 1).
    targeted : bool, default=False
        Move towards each sample's most confident wrong class instead of away
        from its own (paper §6.3: no substantial gain); classes only.
    magnitude_jitter : (low, high) or None, default=None
        Multiply each copy's budget by a uniform draw from ``[low, high]``.
    clip : "auto", (float, float) or None, default="auto"
        Bounds of the recoloured / FGM samples: ``"auto"``, each channel's range
        in the training data; warps need none.
    sample_shape : tuple of int or None, default=None
        ``(C, T)`` or ``(C, H, W)`` that flat table rows are read as (a table
        has no grid to warp otherwise).
    base_augmentation : str, callable or None, default=None
        Applied to the whole batch after the adversarial replacement (the
        paper's order): a method of :mod:`skadvaug.augment` or a callable on
        the batch tensor.
    augment_fraction : float, default=0.5
        Share of the chosen samples replaced in each batch: the paper's
        application probability ``p`` (0.5 from scratch, 1.0 fine-tuning).
    oversample_rare : int, default=1
        How many times each chosen sample is fed per epoch.
    """
    + BUDGET_PARAMETER
    + """
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters
        (``lr``, ``batch_size``, ``augmenter__*``, ...).
"""
)

_ATTRIBUTES = """
    Attributes
    ----------
    augmenter_ : StructuredAttack
        The attack; ``augmenter_.basis_cache`` holds the recolouring bases.
    clip_ : (low, high) or None
        Bounds of the additive transforms' output."""


@cites("luo2020")
@Substitution(
    shared_parameters=_DOC,
    shared_attributes=_ATTRIBUTES,
    classifier_parameters=CLASSIFIER_PARAMETERS,
)
class StructuredAdversarialClassifier(ClassifierTargets, _StructuredNet, NeuralNetClassifier):
    """Classifier trained on structured adversarial copies made at every step (paper 004).

    Luo, Mobahi & Bengio (2020): in every training batch, each chosen sample is
    replaced with probability ``augment_fraction`` by a structured adversarial
    copy of itself computed against the network *as it is at that step*: one
    gradient of the loss, projected onto smooth displacement fields
    (``perturbation="flow"``, a warp; a time-warp for sequences) or onto the
    sample's edge-preserving recolourings (``"recolour"``). The attack runs in
    eval mode (batch-norm statistics untouched) and the train mode is restored;
    an optional ``base_augmentation`` follows. Prediction is never augmented.

    {shared_parameters}
    rare_classes : "all", array-like or None, default="all"
        Classes whose samples may be replaced: ``"all"`` (the paper's set-up),
        a list, or ``None`` for all but the largest class.
    {classifier_parameters}
    {shared_attributes}
    classes_ : ndarray
        Class labels.

    %(references)s

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skadvaug.nets import StructuredAdversarialClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = (X[:200] / 16).reshape(-1, 1, 8, 8).astype("float32")
    >>> clf = StructuredAdversarialClassifier(max_epochs=2, random_state=0).fit(X, y[:200])
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    def __init__(self, module=None, *, rare_classes="all", **kwargs):
        super().__init__(module, rare_classes=rare_classes, **kwargs)


@cites("luo2020")
@Substitution(shared_parameters=_DOC, shared_attributes=_ATTRIBUTES)
class StructuredAdversarialRegressor(RegressorTargets, _StructuredNet, NeuralNetRegressor):
    """Regressor trained on structured adversarial copies of its rare-target samples (paper 004).

    The regression form of :class:`StructuredAdversarialClassifier`: samples
    whose target exceeds ``rare_threshold`` (or where the callable returns
    ``True``; or all, passing ``rare_mask`` to ``fit``) are replaced by a warp
    or recolouring that ascends the network's squared error, and keep their
    target.
    {shared_parameters}
    rare_threshold : float or callable, default=None
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).
    {shared_attributes}
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_sequence_regression
    >>> from skadvaug.nets import StructuredAdversarialRegressor
    >>> X, y = make_sequence_regression(n_samples=80, random_state=0)
    >>> reg = StructuredAdversarialRegressor(rare_threshold=float(np.quantile(y, 0.8)),
    ...                                      max_epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    """
