"""Joint adversarial augmentation in an autoencoder's latent space (paper 000, §3.3)."""

from collections.abc import Mapping
from numbers import Real

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.utils import to_device
from torch import nn

from .._torch_utils import draw_seed
from ..modules import DEFAULT_NETWORKS, LatentPerturbation
from ._autoencoder import AdversarialAutoencoderNet
from ._base import BaseNet, as_float32

PERTURBATIONS = ("adversarial", "random", "anti-adversarial")


class _LatentAdversarialNet(BaseNet):
    """Shared logic of :class:`LatentAdversarialClassifier` and ``...Regressor``.

    ``fit`` first trains an :class:`AdversarialAutoencoderNet` (``autoencoder__*``
    parameters reach it), freezes it, then trains the downstream network
    (``module``) jointly with a :class:`~skadvaug.modules.LatentPerturbation`
    (``perturber__*`` parameters): in every batch a fraction of the rare samples
    is replaced by ``decode(encode(x) + delta)``; one backward pass gives both
    gradients; the network descends its loss and the perturbation module ascends
    it (``"adversarial"``), descends it too (``"anti-adversarial"``) or is not
    trained (``"random"``: ``delta = scale * std(z) * N(0, I)``).
    """

    prefixes_ = [*NeuralNet.prefixes_, "autoencoder"]
    _default_modules = DEFAULT_NETWORKS
    _extra_losses = ("augmented_loss",)

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        autoencoder=None,
        perturbation="adversarial",
        scale=0.1,
        augment_fraction=0.8,
        oversample_rare=1,
        lr_perturber=1e-3,
        **kwargs,
    ):
        super().__init__(module, criterion, **kwargs)
        self.autoencoder = autoencoder
        self.perturbation = perturbation
        self.scale = scale
        self.augment_fraction = augment_fraction
        self.oversample_rare = oversample_rare
        self.lr_perturber = lr_perturber

    # ----------------------------------------------------------------- checks
    def _check_settings(self):
        if self.perturbation not in PERTURBATIONS:
            raise ValueError(
                f"perturbation must be one of {PERTURBATIONS}; got {self.perturbation!r}."
            )
        if not isinstance(self.scale, Real) or self.scale < 0:
            raise ValueError(f"scale must be a number >= 0; got {self.scale!r}.")
        if not isinstance(self.augment_fraction, Real) or not 0 <= self.augment_fraction <= 1:
            raise ValueError(f"augment_fraction must be in [0, 1]; got {self.augment_fraction!r}.")
        if not isinstance(self.oversample_rare, int) or self.oversample_rare < 1:
            raise ValueError(
                f"oversample_rare must be an integer >= 1; got {self.oversample_rare!r}."
            )

    # ---------------------------------------------------------------- modules
    def initialize_module(self):
        super().initialize_module()
        if not hasattr(self, "autoencoder_"):
            raise ValueError(
                f"{type(self).__name__} builds its perturbation module after fitting "
                "its autoencoder: call fit."
            )
        self.perturber_ = self._build(
            LatentPerturbation,
            "perturber",
            latent_dim=self.autoencoder_.module_.latent_dim,
            scale=self.scale,
            learned=self.perturbation != "random",
        )
        return self

    def get_all_learnable_params(self):
        yield from self.module_.named_parameters()

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        pgroups, params = self.get_params_for_optimizer(
            "optimizer_perturber", self.perturber_.named_parameters()
        )
        if "lr" not in self.get_params_for("optimizer_perturber"):
            params["lr"] = self.lr_perturber
        self.optimizer_perturber_ = self.optimizer(*pgroups, **params)
        return self

    def _build(self, spec, prefix, **data_params):
        # Perturbation modules take latent_dim, not input_shape.
        if spec is LatentPerturbation:
            return spec(**{**data_params, **self.get_params_for(prefix)})
        return super()._build(spec, prefix, **data_params)

    # --------------------------------------------------------------- training
    def _rare_mask(self, y):
        raise NotImplementedError

    def _encode_targets(self, y):
        raise NotImplementedError

    def fit(self, X, y, rare_mask=None, **fit_params):
        """Train the autoencoder, then the network jointly with the perturbation module.

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
        """
        self._check_settings()
        X = as_float32(np.asarray(X))
        y_encoded = self._encode_targets(y)
        rare = np.asarray(self._rare_mask(y) if rare_mask is None else rare_mask, dtype=bool)
        if rare.shape != (len(X),):
            raise ValueError(f"rare_mask must be a boolean array of shape ({len(X)},).")
        seed = None if self.random_state is None else draw_seed(self.random_state)
        self.autoencoder_ = AdversarialAutoencoderNet(
            module=self.autoencoder,
            device=self.device,
            verbose=self.verbose,
            random_state=seed,
            **self.get_params_for("autoencoder"),
        ).fit(X)
        for parameter in self.autoencoder_.module_.parameters():
            parameter.requires_grad_(False)
        self.autoencoder_.module_.eval()
        if self.oversample_rare > 1:  # paper: rare samples fed 4 times as often
            extra = np.repeat(np.flatnonzero(rare), self.oversample_rare - 1)
            index = np.concatenate([np.arange(len(X)), extra])
            X, y_encoded, rare = X[index], y_encoded[index], rare[index]
        return super().fit({"X": X, "rare": rare}, y_encoded, **fit_params)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        latents = self.autoencoder_._run_batches(self.autoencoder_.module_.encode, X["X"])
        self.perturber_.set_latent_variance(torch.as_tensor(latents, device=self.device))

    def _perturb(self, z, generator=None):
        return self.perturber_(z, generator=generator)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        self.autoencoder_.module_.eval()
        inputs, y = to_device(batch, self.device)
        X, rare = inputs["X"], inputs["rare"].bool()
        chosen = rare & (torch.rand(rare.shape, device=rare.device) < self.augment_fraction)
        index = torch.nonzero(chosen).flatten()
        if len(index):
            autoencoder = self.autoencoder_.module_
            with torch.no_grad():
                z = autoencoder.encode(X[index])
            augmented = autoencoder.decode(z + self._perturb(z))
            X = X.index_put((index,), augmented)
        y_pred = self.module_(X)
        loss = self.get_loss(y_pred, y, X=X, training=True)
        self.optimizer_.zero_grad()
        self.optimizer_perturber_.zero_grad()
        loss.backward()
        if len(index) and self.perturbation != "random":
            if self.perturbation == "adversarial":  # ascend the network's loss
                for parameter in self.perturber_.parameters():
                    if parameter.grad is not None:
                        parameter.grad.neg_()
            self.optimizer_perturber_.step()
        self.optimizer_.step()
        step = {"loss": loss.detach(), "y_pred": y_pred.detach()}
        if len(index):
            with torch.no_grad():
                step["augmented_loss"] = self.get_loss(y_pred[index], y[index]).detach()
        return step

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        return super().infer(x, **fit_params)

    # ------------------------------------------------------------- generation
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
            return autoencoder.decode(z + self._perturb(z, generator))

        return self._run_batches(perturbed, X)

    def perturbations(self, X, generator=None):
        """Latent vectors of ``X`` and their perturbations ``delta`` (numpy, eval mode)."""
        autoencoder = self.autoencoder_.module_
        autoencoder.eval()
        self.perturber_.eval()
        Z = self.autoencoder_._run_batches(autoencoder.encode, X)
        return Z, self._run_batches(lambda z: self._perturb(z, generator), Z)


class LatentAdversarialClassifier(_LatentAdversarialNet, NeuralNetClassifier):
    """Classifier trained on adversarially perturbed latent augmentations (paper 000, joint form).

    Kim et al. (2021), §3.3 and §4: the downstream model is the one being
    trained. ``fit`` trains an autoencoder with a discriminator
    (:class:`AdversarialAutoencoderNet`, ``autoencoder__*`` parameters), freezes
    it, then trains the network (``module``) jointly with a learned perturbation
    module (:class:`~skadvaug.modules.LatentPerturbation`, ``perturber__*``
    parameters): in each batch ``augment_fraction`` of the rare-class samples
    (paper: 80%) are replaced by ``decode(encode(x) + delta)``; the perturbation
    module maximises the network's loss on them (``"adversarial"``), minimises it
    (``"anti-adversarial"``) or is Gaussian noise rescaled by the latent's
    standard deviation (``"random"``), as in Table 2. ``oversample_rare=4``
    feeds rare samples four times as often (the paper's "oversample 4").

    Parameters
    ----------
    module : torch module class or None, default=None
        Downstream network taking ``input_shape`` and ``n_outputs``; ``None``
        picks :class:`~skadvaug.modules.MLPNet`, :class:`~skadvaug.modules.GRUNet`
        (paper §4.2: 2 layers, 15 units) or :class:`~skadvaug.modules.CNN2dNet`.
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
        Loss on the network's logits.
    autoencoder : torch module class or None, default=None
        Autoencoder; ``None`` picks one by data kind.
    perturbation : {"adversarial", "random", "anti-adversarial"}, default="adversarial"
        Objective of the perturbation module.
    scale : float, default=0.1
        Size of perturbations in units of the latent's standard deviation
        (Table 2: 0.1 was best).
    augment_fraction : float, default=0.8
        Share of rare samples augmented in each batch.
    oversample_rare : int, default=1
        How many times each rare sample is fed per epoch.
    rare_classes : array-like or None, default=None
        Classes whose samples may be augmented; ``None``: all but the largest.
    lr_perturber : float, default=1e-3
        Learning rate of the perturbation module.
    **kwargs
        :class:`~skadvaug.nets.BaseNet` / skorch parameters (``max_epochs``,
        ``batch_size``, ``lr``, ``device``, ``random_state``, ``verbose``,
        ``module__*``, ``autoencoder__*``, ``perturber__*``, ...).

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

    def _encode_targets(self, y):
        self.label_encoder_ = LabelEncoder().fit(np.asarray(y))
        if len(self.label_encoder_.classes_) < 2:
            raise ValueError("y contains one class only; a classifier needs at least two.")
        return self.label_encoder_.transform(np.asarray(y)).astype(np.int64)

    def _data_module_params(self):
        return {"n_outputs": len(self.label_encoder_.classes_)}

    def _rare_mask(self, y):
        y = np.asarray(y)
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


class LatentAdversarialRegressor(_LatentAdversarialNet, NeuralNetRegressor):
    """Regressor trained on adversarially perturbed latent augmentations of rare targets.

    The imbalanced-regression set-up of Kim et al. (2021), §4: samples whose
    target exceeds ``rare_threshold`` (or where the callable returns ``True``)
    are the rare class that gets augmented; synthetic samples keep their seed's
    target. Everything else is as in :class:`LatentAdversarialClassifier`, with
    the mean squared error as loss.

    Parameters
    ----------
    module : torch module class or None, default=None
        Downstream network (``n_outputs=1``); ``None`` picks one by data kind
        (a 2-layer GRU with 15 units for sequences, paper §4.2).
    criterion : torch loss class, default=torch.nn.MSELoss
        Regression loss.
    rare_threshold : float or callable
        Targets above it are rare (required unless ``fit`` gets ``rare_mask``).
    **kwargs
        As :class:`LatentAdversarialClassifier`.

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

    def _encode_targets(self, y):
        y = np.asarray(y, dtype=np.float32)
        self.target_ndim_ = y.ndim
        return y.reshape(len(y), -1)

    def _data_module_params(self):
        return {"n_outputs": 1}

    def _rare_mask(self, y):
        y = np.asarray(y, dtype=float).ravel()
        if self.rare_threshold is None:
            raise ValueError(
                "rare_threshold is required to know which targets are rare (or pass "
                "rare_mask to fit)."
            )
        if callable(self.rare_threshold):
            return np.asarray(self.rare_threshold(y.copy()), dtype=bool)
        return y > self.rare_threshold

    def predict(self, X):
        """Predicted targets of ``X`` (1-D when ``y`` was 1-D)."""
        prediction = super().predict(X)
        return prediction.ravel() if self.target_ndim_ == 1 else prediction
