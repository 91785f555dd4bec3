"""Training with online augmentation of rare samples: the loop every joint form shares.

In each training batch a fraction of the rare samples (classes to help, or
targets above a threshold) is replaced by augmented versions before the forward
pass; the augmenter may itself be trained from the same backward pass (the
latent perturbation of paper 000). Rare samples can also be fed several times
per epoch ("oversample 4" in paper 000's tables).
"""

from collections.abc import Mapping
from numbers import Real

import numpy as np
import torch
from imblearn.utils._docstring import Substitution
from sklearn.preprocessing import LabelEncoder
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.utils import to_device
from torch import nn

from .. import augment
from .._targets import rare_mask
from .._torch_utils import draw_seed
from ..modules import DEFAULT_NETWORKS
from ._base import BaseNet, as_float32


class _OnlineAugmentationNet(BaseNet):
    """Base of the nets that augment rare samples batch by batch.

    Subclasses implement ``_augment_batch(X, y)`` (a tensor of augmented
    samples, possibly with gradients to an augmenter) and, when the augmenter
    learns, ``_step_augmenter()`` after the shared backward pass; ``fit`` calls
    ``_fit_augmenter(X, y, rare)`` before the network is trained. Targets are
    handled by :class:`_ClassifierTargets` / :class:`_RegressorTargets`.
    """

    _default_modules = DEFAULT_NETWORKS
    _extra_losses = ("augmented_loss",)

    def __init__(
        self, module=None, criterion=None, *, augment_fraction=0.8, oversample_rare=1, **kwargs
    ):
        super().__init__(module, criterion, **kwargs)
        self.augment_fraction = augment_fraction
        self.oversample_rare = oversample_rare

    # ----------------------------------------------------------- subclass hooks
    def _check_settings(self):
        if not isinstance(self.augment_fraction, Real) or not 0 <= self.augment_fraction <= 1:
            raise ValueError(f"augment_fraction must be in [0, 1]; got {self.augment_fraction!r}.")
        if not isinstance(self.oversample_rare, int) or self.oversample_rare < 1:
            raise ValueError(
                f"oversample_rare must be an integer >= 1; got {self.oversample_rare!r}."
            )

    def _fit_augmenter(self, X, y, rare):
        """Learn what the augmentation needs before the network trains (default: none)."""

    def _augments(self):
        """Whether batches are augmented at all (``False``: plain training)."""
        return True

    def _augment_batch(self, X, y):
        raise NotImplementedError

    def _step_augmenter(self):
        """Update the augmenter after the shared backward pass (default: nothing to learn)."""

    def _zero_grad_augmenter(self):
        """Clear the augmenter's gradients before the backward pass."""

    # ----------------------------------------------------------------- training
    def fit(self, X, y, rare_mask=None, **fit_params):
        """Train the network with online augmentation of the rare samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Tables, sequences or images.
        y : array-like of shape (n_samples,)
            Targets.
        rare_mask : array-like of bool, default=None
            Which samples may be augmented; ``None`` derives it from ``y``.
        **fit_params
            Passed to skorch.

        Returns
        -------
        self : object
            The fitted net.
        """
        self._check_settings()
        X = as_float32(np.asarray(X))
        y_encoded = self._encode_targets(y)
        if rare_mask is None and not (self._augments() or self.oversample_rare > 1):
            rare_mask = np.zeros(len(X), dtype=bool)  # plain training needs no rare set
        rare = np.asarray(self._rare_mask(y) if rare_mask is None else rare_mask)
        if rare.dtype != bool or rare.shape != (len(X),):
            raise ValueError(f"rare_mask must be a boolean array of shape ({len(X)},).")
        self._record_data(X, y_encoded)
        self._fit_augmenter(X, y_encoded, rare)
        if self.oversample_rare > 1:  # paper 000: rare samples fed 4 times as often
            extra = np.repeat(np.flatnonzero(rare), self.oversample_rare - 1)
            index = np.concatenate([np.arange(len(X)), extra])
            X, y_encoded, rare = X[index], y_encoded[index], rare[index]
        return super().fit({"X": X, "rare": rare}, y_encoded, **fit_params)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        inputs, y = to_device(batch, self.device)
        X, rare = inputs["X"], inputs["rare"].bool()
        chosen = rare & (torch.rand(rare.shape, device=rare.device) < self.augment_fraction)
        index = torch.nonzero(chosen & self._augments()).flatten()
        if len(index):
            X = X.index_put((index,), self._augment_batch(X[index], y[index]))
        y_pred = self.module_(X)
        loss = self.get_loss(y_pred, y, X=X, training=True)
        self.optimizer_.zero_grad()
        self._zero_grad_augmenter()
        loss.backward()
        if len(index):
            self._step_augmenter()
        self.optimizer_.step()
        step = {"loss": loss.detach(), "y_pred": y_pred.detach()}
        if len(index):
            with torch.no_grad():
                step["augmented_loss"] = self.get_loss(y_pred[index], y[index]).detach()
        return step

    def get_all_learnable_params(self):
        # The main optimizer trains the network; augmenters bring their own.
        yield from self.module_.named_parameters()

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        return super().infer(x, **fit_params)


class _ClassifierTargets:
    """Label encoding, ``n_outputs`` and rare classes of the online classifiers."""

    def _encode_targets(self, y):
        self.label_encoder_ = LabelEncoder().fit(np.asarray(y))
        if len(self.label_encoder_.classes_) < 2:
            raise ValueError("y contains one class only; a classifier needs at least two.")
        return self.label_encoder_.transform(np.asarray(y)).astype(np.int64)

    def _data_module_params(self):
        return {"n_outputs": len(self.label_encoder_.classes_)}

    def _rare_mask(self, y):
        y = np.asarray(y)
        if isinstance(self.rare_classes, str) and self.rare_classes == "all":
            return np.ones(len(y), dtype=bool)
        if self.rare_classes is None:
            labels, counts = np.unique(y, return_counts=True)
            return y != labels[np.argmax(counts)]
        return np.isin(y, np.asarray(self.rare_classes))

    @property
    def classes_(self):
        return self.label_encoder_.classes_

    def predict(self, X):
        """Class labels of ``X``."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class _RegressorTargets:
    """float32 column targets and the rare threshold of the online regressors."""

    def _encode_targets(self, y):
        y = np.asarray(y, dtype=np.float32)
        self.target_ndim_ = y.ndim
        return y.reshape(len(y), -1)

    def _data_module_params(self):
        return {"n_outputs": 1}

    def _rare_mask(self, y):
        if self.rare_threshold is None:
            raise ValueError(
                "rare_threshold is required to know which targets are rare (or pass "
                "rare_mask to fit)."
            )
        return rare_mask(y, self.rare_threshold)

    def predict(self, X):
        """Predicted targets of ``X`` (1-D when ``y`` was 1-D)."""
        prediction = super().predict(X)
        return prediction.ravel() if self.target_ndim_ == 1 else prediction


class _ClassicAugmentationNet(_OnlineAugmentationNet):
    """Online augmentation with one of :mod:`skadvaug.augment`'s classic methods."""

    prefixes_ = [*_OnlineAugmentationNet.prefixes_, "augmentation"]

    def __init__(self, module=None, criterion=None, *, augmentation=None, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.augmentation = augmentation

    def _fit_augmenter(self, X, y, rare):
        if self.augmentation is not None:
            augment.check_method(self.augmentation, X.ndim, param="augmentation")
        self.augmentation_rng_ = np.random.RandomState(draw_seed(self.random_state))

    def _augments(self):
        return self.augmentation is not None  # None: plain training, optional oversampling

    def _augment_batch(self, X, y):
        augmented = augment.apply(
            self.augmentation,
            X.detach().cpu().numpy(),
            random_state=self.augmentation_rng_,
            **self.get_params_for("augmentation"),
        )
        return torch.as_tensor(augmented, dtype=X.dtype, device=X.device)


_CLASSIC_DOC = """

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
        ``augmentation__<name>``. ``None`` trains without augmentation.
    augment_fraction : float, default=0.8
        Share of the rare samples augmented in each batch (paper 000: 80%).
    oversample_rare : int, default=1
        How many times each rare sample is fed per epoch (paper 000: 4).
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters.
"""


@Substitution(shared_parameters=_CLASSIC_DOC)
class OnlineAugmentationClassifier(
    _ClassifierTargets, _ClassicAugmentationNet, NeuralNetClassifier
):
    """Classifier whose rare-class samples are augmented batch by batch.

    The classic-augmentation baselines of Kim et al. (2021), Tables 3-4
    ("translation", "warping", with and without "oversample 4"), trained the
    same way as :class:`LatentAdversarialClassifier`: in each batch
    ``augment_fraction`` of the rare-class samples are replaced by an augmented
    version.
    {shared_parameters}
    rare_classes : array-like or None, default=None
        Classes whose samples are augmented; ``None``: all but the largest.

    References
    ----------
    .. [1] B. Kim, J.-H. Choi and J. Choo, ACML 2021.

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


@Substitution(shared_parameters=_CLASSIC_DOC)
class OnlineAugmentationRegressor(_RegressorTargets, _ClassicAugmentationNet, NeuralNetRegressor):
    """Regressor whose samples with rare targets are augmented batch by batch.

    The imbalanced-regression baselines of Kim et al. (2021), Tables 3-4: rare
    samples (targets above ``rare_threshold``) are augmented online; the
    augmented sample keeps its target.
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
    >>> from skadvaug.nets import OnlineAugmentationRegressor
    >>> X, y = make_sequence_regression(n_samples=80, random_state=0)
    >>> reg = OnlineAugmentationRegressor(
    ...     augmentation="translation", augmentation__sigma=0.2,
    ...     rare_threshold=float(np.quantile(y, 0.9)), max_epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    def __init__(self, module=None, *, criterion=nn.MSELoss, rare_threshold=None, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.rare_threshold = rare_threshold
