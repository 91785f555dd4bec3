"""The joint base: a network trained while an augmenter rewrites part of each batch.

Every joint form (paper 000's latent perturbation, paper 003's flow latent
attacks, the classic online augmentations) is a :class:`JointAugmentationNet`:
it fits or reuses a frozen backbone, builds an
:class:`~skadvaug.modules.Augmenter`, replaces a fraction of the rare samples of
each training batch by the augmenter's output (attacking the network as it is
at that step where the augmenter is an attack) and, where the augmenter learns,
steps it as a second player on the same backward pass. Its public
:meth:`~JointAugmentationNet.augment` is what every sampler generates with.
"""

import warnings
from collections.abc import Mapping
from contextlib import contextmanager, nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import check_array
from skorch.utils import to_device
from torch import nn

from .._targets import rare_mask
from .._torch_utils import draw_seed, seeded_torch
from ..modules import DEFAULT_NETWORKS
from ._base import BaseNet, LabelEncodedClassifierMixin, as_float32

BUDGET_PARAMETER = """max_epochs : int or "auto", default="auto"
        Full epochs over the training data, or ``"auto"``: about 500 optimiser
        steps whatever the size of the data (the whole epochs nearest to it, at
        most 200 on tiny data; on large data 500 batches' worth of one shuffled
        epoch, in batches grown up to 4 times with the data and fewer steps), the
        budget of the samplers' classifiers. ``max_steps`` caps either."""

CLASSIFIER_PARAMETERS = """preserve_labels : bool, default=False
        Shrink each perturbation that changes its seed's class in the network's
        eyes (halving it in the augmenter's own space, up to 4 times, then
        keeping the seed), so augmented samples are hard but keep their label.
        ``False`` is the papers' set-up.
    class_weight : "balanced", dict or None, default=None
        Weights of the classes in the loss, as scikit-learn's: ``"balanced"``
        is ``n_samples / (n_classes * n_c)``, a dict maps class labels to
        weights (others weigh 1)."""


class JointAugmentationNet(BaseNet):
    """Base of the nets that augment rare samples batch by batch.

    Subclasses say which backbone they need (:meth:`_fit_backbone`, before the
    network trains), which augmenter they use (:meth:`_build_augmenter`, from
    ``augmenter__*`` parameters) and, where it learns, whether it descends or
    ascends the network's loss (:meth:`_augmenter_objective`). Targets are
    handled by :class:`ClassifierTargets` / :class:`RegressorTargets`.

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    _default_modules = DEFAULT_NETWORKS
    _extra_losses = ("augmented_loss",)
    _fit_arguments = "X, y and rare_mask"
    prefixes_ = [*BaseNet.prefixes_, "augmenter"]
    _parameter_constraints: dict = {
        **BaseNet._parameter_constraints,
        "augment_fraction": [Interval(Real, 0, 1, closed="both")],
        "oversample_rare": [Interval(Integral, 1, None, closed="left")],
        "preserve_labels": ["boolean"],
    }
    # Halvings of a perturbation that changed its seed's class before it is dropped.
    _max_backtracks = 4

    def __init__(
        self,
        module=None,
        criterion=None,
        *,
        augment_fraction=0.8,
        oversample_rare=1,
        preserve_labels=False,
        **kwargs,
    ):
        kwargs.setdefault("max_epochs", "auto")
        super().__init__(module, criterion, **kwargs)
        self.augment_fraction = augment_fraction
        self.oversample_rare = oversample_rare
        self.preserve_labels = preserve_labels

    # ----------------------------------------------------------- subclass hooks
    def _fit_backbone(self, X, y):
        """Fit or reuse the frozen backbone the augmenter needs (default: none)."""

    def _build_augmenter(self):
        """The :class:`~skadvaug.modules.Augmenter`, or ``None`` for plain training."""
        raise NotImplementedError

    def _augmenter_objective(self):
        """``"ascend"``, ``"descend"`` or ``None`` (the augmenter is not trained)."""
        return None

    def _attack_labels(self):
        """Whose targets an attack ascends the loss of: ``"true"``, ``"predicted"``, or
        ``"targeted"`` (descends the loss of the most confident wrong class)."""
        return "true"

    def _augment_whole_batch(self, X):
        """A base augmentation of the whole training batch, after the augmenter's
        replacements (default: none)."""
        return X

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
            Refused with a ``TypeError`` (skorch would hand them to the module's
            forward, which the joint training step does not call): there is no
            ``sample_weight``.

        Returns
        -------
        self : object
            The fitted net.
        """
        self._check_parameter_constraints()
        self._refuse_fit_params(fit_params)
        X = as_float32(self._validate_X(X, reset=True))
        y = self._validate_y(y, len(X))
        y_encoded = self._encode_targets(y)
        rare = self._checked_rare_mask(y, rare_mask, len(X))
        self._record_data(X, y_encoded)
        self._fit_backbone(X, y_encoded)
        return super().fit(*self._training_data(X, y_encoded, rare))

    def partial_fit(self, X, y=None, classes=None, rare_mask=None, **fit_params):
        """Train ``max_epochs`` more epochs on ``X, y``, keeping the fitted state.

        An unfitted net is fitted (:meth:`fit`). A fitted net keeps its target
        encoding, its backbone and its augmenter; ``y`` may only hold targets it
        was fitted on. ``classes`` is accepted for scikit-learn's incremental
        API and not needed (the classes are those of the first fit).

        Returns
        -------
        self : object
            The trained net.
        """
        if isinstance(X, Mapping):  # fit's prepared data
            return super().partial_fit(X, y, classes, **fit_params)
        if not self.initialized_:
            return self.fit(X, y, rare_mask=rare_mask, **fit_params)
        self._refuse_fit_params(fit_params)
        X = as_float32(self._validate_X(X, reset=False))
        y = self._validate_y(y, len(X))
        y_encoded = self._known_targets(y)
        rare = self._checked_rare_mask(y, rare_mask, len(X))
        seed = None if self.random_state is None else draw_seed(self.random_state)
        with seeded_torch(seed, self._device()):
            return super().partial_fit(*self._training_data(X, y_encoded, rare))

    def _checked_rare_mask(self, y, rare_mask, n_samples):
        if rare_mask is None and not (self._augments() or self.oversample_rare > 1):
            return np.zeros(n_samples, dtype=bool)  # plain training needs no rare set
        rare = np.asarray(self._rare_mask(y) if rare_mask is None else rare_mask)
        if rare.dtype != bool or rare.shape != (n_samples,):
            raise ValueError(f"rare_mask must be a boolean array of shape ({n_samples},).")
        return rare

    def _training_data(self, X, y_encoded, rare):
        """skorch's ``(X, y)``: the samples with their rare flags, rare ones repeated
        ``oversample_rare`` times (paper 000 feeds rare samples 4 times as often)."""
        if self.oversample_rare > 1:
            extra = np.repeat(np.flatnonzero(rare), self.oversample_rare - 1)
            index = np.concatenate([np.arange(len(X)), extra])
            X, y_encoded, rare = X[index], y_encoded[index], rare[index]
        return {"X": X, "rare": rare}, y_encoded

    def _augments(self):
        return True

    def initialize_module(self):
        super().initialize_module()
        self.augmenter_ = self._build_augmenter()
        return self

    def _set_budget_reference(self, codes, y):
        """Give an augmenter with ``local_budget`` the training codes (``codes()``,
        computed only then) and classes ``y`` its per-seed budgets are measured against."""
        if not getattr(self.augmenter_, "local_budget", False):
            return
        if not np.issubdtype(np.asarray(y).dtype, np.integer):
            raise ValueError(
                "augmenter__local_budget needs classes; it cannot be used with a regressor."
            )
        self.augmenter_.set_reference(
            torch.as_tensor(codes(), device=self.device), torch.as_tensor(np.asarray(y))
        )

    def _network(self):
        """``module_`` itself, also where accelerate wraps it for data-parallel training
        (:class:`~skadvaug.nets.AccelerateMixin`): the attack's extra forward and
        input-gradient backward must not pass through DistributedDataParallel, whose
        forward prepares the gradient all-reduce of the next backward."""
        module = self.module_
        if isinstance(module, nn.parallel.DistributedDataParallel):
            return module.module
        return module

    @contextmanager
    def _network_in_eval(self):
        """Attack the network as it is, without updating its batch-norm statistics.

        On CUDA a recurrent network is attacked without cuDNN, whose RNN kernels have
        no backward pass in evaluation mode (the attack needs input gradients).
        """
        network = self._network()
        was_training = network.training
        network.eval()
        recurrent = any(isinstance(m, nn.RNNBase) for m in network.modules())
        kernels = (
            torch.backends.cudnn.flags(
                enabled=False,
                benchmark=torch.backends.cudnn.benchmark,
                deterministic=torch.backends.cudnn.deterministic,
            )
            if recurrent and str(self._device()).startswith("cuda")
            else nullcontext()
        )
        try:
            with kernels:
                yield
        finally:
            network.train(was_training)

    def _summed_loss(self, X, y):
        """The training loss of ``X`` summed over its samples (the net's own ``get_loss``,
        so a probability-output module under ``NLLLoss`` is attacked correctly): a
        sample's attack gradient does not depend on the batch size."""
        loss = self.get_loss(self._network()(X), y)
        return loss * len(X) if getattr(self.criterion_, "reduction", "mean") == "mean" else loss

    def _attack_loss(self, X, y):
        """``loss_fn`` of the network at ``X`` for the augmenter, or ``None``.

        ``"true"``/``"predicted"`` labels: the loss the attack ascends;
        ``"targeted"``: minus the loss of each sample's most confident wrong
        class, so the attack moves towards it (paper 004, §6.3).
        """
        if not self.augmenter_.uses_loss:
            return None
        labels = self._attack_labels()
        if labels == "predicted":
            with torch.no_grad():
                y = self._predicted_targets(self._network()(X))
        elif y is None:
            raise ValueError(
                f"{type(self).__name__}.augment attacks the loss of the true targets: pass y."
            )
        if labels == "targeted":
            with torch.no_grad():
                target = self._wrong_targets(self._network()(X), y)
            return lambda X_new: -self._summed_loss(X_new, target)
        return lambda X_new: self._summed_loss(X_new, y)

    def _augment_batch(self, X, y, generator=None):
        with self._network_in_eval():
            X_new = self.augmenter_(X, y, generator=generator, loss_fn=self._attack_loss(X, y))
            return self._keep_labels(X, X_new, y) if self.preserve_labels else X_new

    def _keep_labels(self, X, X_new, y):
        """``X_new`` with each perturbation that changed its seed's class shrunk.

        A synthetic sample keeps its seed's label when the network classifies it
        as that class, or believes in that class at least as much as at the seed
        (a seed it already misclassifies may move, but not further away). A
        perturbation that fails is shrunk in the augmenter's own space
        (:meth:`~skadvaug.modules.Augmenter.shrink`) by halving, at most
        ``_max_backtracks`` times, and dropped (the seed itself) if it still
        fails: hard samples near the boundary, not samples across it, which are
        label noise (the early-stopped attacks of Zhang et al., 2020, "Attacks
        which do not kill training make adversarial learning stronger", applied
        after the attack so that it serves every augmenter).
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__}.augment with preserve_labels=True needs the seeds' y."
            )
        with torch.no_grad():
            seed_belief = self._belief(X, y)
            failed = ~self._keeps_label(X_new, y, seed_belief)
        # Candidates keep the graph to a learning augmenter (it still ascends the
        # loss of what it generated); only the checks run without gradient.
        result = X_new
        for shrink in [*(0.5**k for k in range(1, self._max_backtracks + 1)), 0.0]:
            if not failed.any():
                break
            if shrink > 0:
                candidate = self.augmenter_.shrink(X, X_new, shrink, y)
                with torch.no_grad():
                    settled = failed & self._keeps_label(candidate, y, seed_belief)
            else:  # the seed itself, not a round trip through a backbone
                candidate, settled = X, failed
            result = torch.where(_rows(settled, result), candidate, result)
            failed = failed & ~settled
        return result

    def _keeps_label(self, X, y, seed_belief):
        belief = self._belief(X, y)
        return (self._predicted_targets(self._network()(X)) == y) | (belief >= seed_belief)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        inputs, y = to_device(batch, self.device)
        X, rare = inputs["X"], inputs["rare"].bool()
        chosen = rare & (torch.rand(rare.shape, device=rare.device) < self.augment_fraction)
        index = torch.nonzero(chosen & self._augments()).flatten()
        if len(index):
            X = X.index_put((index,), self._augment_batch(X[index], y[index]))
        X = self._augment_whole_batch(X)
        y_pred = self.module_(X)
        loss = self.get_loss(y_pred, y, X=X, training=True)
        objective = self._augmenter_objective() if len(index) else None
        self._step_players(
            loss,
            descend=("module", "augmenter") if objective == "descend" else ("module",),
            ascend=("augmenter",) if objective == "ascend" else (),
        )
        step = {"loss": loss.detach(), "y_pred": y_pred.detach()}
        if len(index):
            with torch.no_grad():
                step["augmented_loss"] = self.get_loss(y_pred[index], y[index]).detach()
        return step

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x["X"]
        return super().infer(x, **fit_params)

    # -------------------------------------------------------------- generation
    def augment(self, X, y=None, generator=None):
        """One augmented sample per row of ``X``, from the fitted augmenter (numpy).

        The network and the augmenter are in eval mode; an attack ascends the
        network's loss of ``y`` (or of its predictions, see ``attack_labels``).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Seeds, in the shape and units the net was fitted on.
        y : array-like of shape (n_samples,), default=None
            Their targets, as passed to ``fit``; needed by attacks of the true
            targets and by class-conditional backbones.
        generator : torch.Generator, default=None
            Source of the augmenter's randomness.

        Returns
        -------
        X_new : ndarray of shape (n_samples, ...)
            Augmented samples (float32).
        """
        self.module_.eval()
        self.augmenter_.eval()
        targets = None if y is None else self._known_targets(y)
        return self._run_batches(
            lambda batch, batch_y: self._augment_batch(batch, batch_y, generator),
            X,
            targets,
        )


def _rows(mask, like):
    """A per-sample mask broadcasting against ``like``."""
    return mask.view(-1, *([1] * (like.ndim - 1)))


class ClassifierTargets(LabelEncodedClassifierMixin):
    """Label encoding, ``n_outputs`` and rare classes of the joint classifiers.

    Comes first among the bases of a joint classifier, with skorch's
    ``NeuralNetClassifier`` last.
    """

    def __init__(
        self,
        module=None,
        *,
        criterion=nn.CrossEntropyLoss,
        rare_classes=None,
        class_weight=None,
        **kwargs,
    ):
        kwargs.setdefault("train_split", None)
        super().__init__(module, criterion, **kwargs)
        self.rare_classes = rare_classes
        self.class_weight = class_weight

    _target_constraints: dict = {
        "rare_classes": ["array-like", StrOptions({"all"}), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def _encode_targets(self, y):
        encoded = self._encode_labels(y)
        self.class_weight_ = None
        if self.class_weight is not None:
            self.class_weight_ = compute_class_weight(
                self.class_weight, classes=self.label_encoder_.classes_, y=np.asarray(y)
            )
        return encoded

    def initialize_criterion(self):
        """skorch's criterion, weighted by ``class_weight_`` where one was asked for
        (scikit-learn's ``class_weight="balanced"``: ``n / (n_classes * n_c)``)."""
        super().initialize_criterion()
        weight = getattr(self, "class_weight_", None)
        if weight is not None:
            if not hasattr(self.criterion_, "weight"):
                raise ValueError(
                    f"class_weight needs a criterion with a weight (CrossEntropyLoss, "
                    f"NLLLoss); got {type(self.criterion_).__name__}."
                )
            self.criterion_.weight = torch.as_tensor(weight, dtype=torch.float32)
        return self

    def _known_targets(self, y):
        return self.label_encoder_.transform(np.asarray(y)).astype(np.int64)

    @staticmethod
    def _predicted_targets(output):
        return output.argmax(dim=1)

    @staticmethod
    def _wrong_targets(output, y):
        """Each sample's most confident class other than its own."""
        return output.scatter(1, y[:, None], float("-inf")).argmax(dim=1)

    def _belief(self, X, y):
        """The network's probability of class ``y`` at ``X`` (logits under
        ``CrossEntropyLoss``, probabilities otherwise, as skorch's classifiers)."""
        output = self._network()(X)
        if isinstance(self.criterion_, nn.CrossEntropyLoss):
            output = output.softmax(dim=1)
        return output.gather(1, y[:, None]).squeeze(1)

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


class RegressorTargets:
    """float32 column targets and the rare threshold of the joint regressors.

    Comes first among the bases of a joint regressor, with skorch's
    ``NeuralNetRegressor`` last.
    """

    def __init__(self, module=None, *, criterion=nn.MSELoss, rare_threshold=None, **kwargs):
        super().__init__(module, criterion, **kwargs)
        self.rare_threshold = rare_threshold

    _target_constraints: dict = {"rare_threshold": [Real, callable, None]}

    def _encode_targets(self, y):
        if self.preserve_labels:
            self._belief(None, None)  # refuses, before any training
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y").astype(np.float32)
        self.target_ndim_ = y.ndim
        return y.reshape(len(y), -1)

    def _known_targets(self, y):
        y = np.asarray(y, dtype=np.float32)
        return y.reshape(len(y), -1)

    @staticmethod
    def _predicted_targets(output):
        return output

    @staticmethod
    def _wrong_targets(output, y):
        raise ValueError("A targeted attack needs classes; it cannot be used with a regressor.")

    def _belief(self, X, y):
        raise ValueError(
            "preserve_labels=True keeps each synthetic sample's class; it cannot be used "
            "with a regressor."
        )

    def _data_module_params(self):
        return {"n_outputs": 1}

    def _rare_mask(self, y):
        if self.rare_threshold is None:
            raise ValueError(
                "rare_threshold is required to know which targets are rare (or pass "
                "rare_mask to fit)."
            )
        mask = rare_mask(y, self.rare_threshold, allow_empty_group=True)
        if not mask.any():
            warnings.warn(
                f"rare_threshold={self.rare_threshold!r} marks no target as rare: "
                f"{type(self).__name__} trains without augmentation.",
                UserWarning,
                stacklevel=3,
            )
        return mask

    @property
    def predict_proba(self):
        # skorch's regressors inherit predict_proba; a regressor has none (scikit-learn's
        # check_regressors_no_decision_function), so hasattr(net, "predict_proba") is False.
        raise AttributeError(f"{type(self).__name__} is a regressor: use predict.")

    def predict(self, X):
        """Predicted targets of ``X`` (1-D when ``y`` was 1-D)."""
        prediction = super().predict_proba(X)  # skorch computes predictions there
        return prediction.ravel() if self.target_ndim_ == 1 else prediction
