"""The classic online augmentation baselines (paper 000, Tables 3-4) as joint nets.

In each training batch a fraction of the rare samples is replaced by a classic
augmentation of them (:class:`~skadvaug.modules.ClassicAugmenter`); rare
samples can also be fed several times per epoch ("oversample 4").
"""

from imblearn.utils._docstring import Substitution
from skorch import NeuralNetClassifier, NeuralNetRegressor

from .. import augment
from .._deprecation import rename_prefixed
from .._docs import cites
from ..modules import ClassicAugmenter
from ._joint import (
    BUDGET_PARAMETER,
    CLASSIFIER_PARAMETERS,
    ClassifierTargets,
    JointAugmentationNet,
    RegressorTargets,
)


class _ClassicAugmentationNet(JointAugmentationNet):
    """Online augmentation with one of :mod:`skadvaug.augment`'s classic methods."""

    _parameter_constraints: dict = {
        **JointAugmentationNet._parameter_constraints,
        "augmentation": [str, None],
    }

    def __init__(self, module=None, criterion=None, *, augmentation=None, **kwargs):
        super().__init__(
            module, criterion, **rename_prefixed(self, kwargs, "augmentation", "augmenter")
        )
        self.augmentation = augmentation

    def _fit_backbone(self, X, y):
        if self.augmentation is not None:
            augment.check_method(self.augmentation, X.ndim, param="augmentation")

    def _augments(self):
        return self.augmentation is not None  # None: plain training, optional oversampling

    def _build_augmenter(self):
        if self.augmentation is None:
            return None
        return ClassicAugmenter(self.augmentation, **self.get_params_for("augmenter"))


_CLASSIC_DOC = (
    """

    Parameters
    ----------
    module : torch module class or None, default=None
        Network taking ``input_shape`` and ``n_outputs``; ``None`` picks
        :class:`~skadvaug.modules.MLPNet`, :class:`~skadvaug.modules.GRUNet`
        (paper 000 §4.2: 2 layers of 15 units) or
        :class:`~skadvaug.modules.CNN2dNet` by data kind.
    augmentation : str or None, default=None
        A method of :mod:`skadvaug.augment` (``"translation"``,
        ``"window_warp"``, ...); its keyword arguments are given as
        ``augmenter__<name>`` (``augmentation__<name>`` before 0.2). ``None``
        trains without augmentation.
    augment_fraction : float, default=0.8
        Share of the rare samples augmented in each batch (paper 000: 80%).
    oversample_rare : int, default=1
        How many times each rare sample is fed per epoch (paper 000: 4).
    """
    + BUDGET_PARAMETER
    + """
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters.
"""
)


@cites("kim2021")
@Substitution(shared_parameters=_CLASSIC_DOC, classifier_parameters=CLASSIFIER_PARAMETERS)
class OnlineAugmentationClassifier(ClassifierTargets, _ClassicAugmentationNet, NeuralNetClassifier):
    """Classifier whose rare-class samples are augmented batch by batch.

    The classic-augmentation baselines of Kim et al. (2021), Tables 3-4
    ("translation", "warping", with and without "oversample 4"), trained the
    same way as :class:`LatentAdversarialClassifier`: in each batch
    ``augment_fraction`` of the rare-class samples are replaced by an augmented
    version.
    {shared_parameters}
    rare_classes : array-like or None, default=None
        Classes whose samples are augmented; ``None``: all but the largest.
    {classifier_parameters}

    %(references)s

    Examples
    --------
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> from skadvaug.nets import OnlineAugmentationClassifier
    >>> X, y = make_imbalanced_sequences(n_samples=80, n_timepoints=32, random_state=0)
    >>> clf = OnlineAugmentationClassifier(augmentation="window_warp", max_epochs=2,
    ...                                    random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """


@cites("kim2021")
@Substitution(shared_parameters=_CLASSIC_DOC)
class OnlineAugmentationRegressor(RegressorTargets, _ClassicAugmentationNet, NeuralNetRegressor):
    """Regressor whose samples with rare targets are augmented batch by batch.

    The imbalanced-regression baselines of Kim et al. (2021), Tables 3-4: rare
    samples (targets above ``rare_threshold``) are augmented online; the
    augmented sample keeps its target.
    {shared_parameters}
    rare_threshold : float or callable
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).

    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.datasets import make_sequence_regression
    >>> from skadvaug.nets import OnlineAugmentationRegressor
    >>> X, y = make_sequence_regression(n_samples=80, random_state=0)
    >>> reg = OnlineAugmentationRegressor(
    ...     augmentation="translation", augmenter__sigma=0.2,
    ...     rare_threshold=float(np.quantile(y, 0.9)), max_epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """
