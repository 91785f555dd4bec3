"""Oversampling by perturbations in a normalizing flow's latent space (paper 003)."""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils._docstring import Substitution, _random_state_docstring
from sklearn.utils._param_validation import Interval, StrOptions
from torch.nn import functional as F

from .._base import (
    BaseLearnedSampler,
    _device_docstring,
    _rare_threshold_docstring,
    _verbose_docstring,
)
from ..augment.latent_attacks import flow_latent_augment, resolve_clamp
from ..nets import OnlineAugmentationClassifier, OnlineAugmentationRegressor
from ..transformers import FlowTransformer
from ..transformers._flow import auto_epochs


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    rare_threshold=_rare_threshold_docstring,
    device=_device_docstring,
    verbose=_verbose_docstring,
    random_state=_random_state_docstring,
)
class FlowLatentSampler(BaseLearnedSampler):
    """Oversample with latent attacks through an exactly invertible normalizing flow.

    Yüksel, Stich, Jaggi & Chavdarova (2021). ``fit_resample`` trains a flow
    ``F`` (:class:`~skadvaug.transformers.FlowTransformer`) on all of ``X`` and
    generates each class's requested samples as ``F^-1(F(seed) + delta)``:

    - ``attack="random"`` (Randomized-LA, §4.1): ``delta = epsilon * N(0, I)``,
      projected onto the ``norm`` ball (ℓ2 scaling or ℓ∞ clipping);
    - ``attack="adversarial"`` (Adversarial-LA, §4.2): PGD in latent space —
      random start inside the ball, ``n_steps`` steps of size ``step_size``
      along the normalised gradient (sign for ℓ∞) of a surrogate model's loss at
      ``F^-1(z + delta)``, projection back onto the ball. The surrogate (a small
      network matched to the data kind, as for
      :class:`~skadvaug.LatentAdversarialSampler`) is trained on the data first.

    Because ``F`` is exactly invertible, every synthetic sample is the decoding
    of a latent code at most ``epsilon`` away from its seed's.

    Parameters
    ----------
    {sampling_strategy}

    attack : {{"random", "adversarial"}}, default="adversarial"
        Randomized-LA or Adversarial-LA.

    norm : {{"l2", "linf"}}, default="l2"
        Ball of the latent perturbations.

    epsilon : float, default=1.0
        Ball radius (paper, CIFAR-10: ℓ2, 1.0 for Adversarial-LA).

    step_size : float, default=0.5
        PGD step size ``alpha`` (paper: 0.5).

    n_steps : int, default=3
        PGD steps ``k`` (paper: 3).

    attack_labels : {{"true", "predicted"}}, default="true"
        PGD ascends the loss of the seeds' own labels, or of the surrogate's
        predictions (the authors' code, against label leaking).

    clamp : "auto", (float, float) or None, default="auto"
        Bounds, in the units of ``X``, the synthetic samples are clipped to: the
        ball bounds the latent code, not the decoded sample, and a flow's inverse
        can map a code a little off the data to absurd values (on the KEEL table
        yeast3, with nearly constant features, up to 6e5). ``"auto"``: each
        channel's range in the training data (a table's column; for images
        scaled to [0, 1], the authors' ``(0, 1)``); a pair: the same bounds
        everywhere; ``None``: unclipped.

    flow : torch module class, default=None
        Flow module; ``None`` picks one by data kind (see ``FlowTransformer``).

    flow_steps : int, default=8
        Steps of the flow.

    flow_hidden : int, default=64
        Width of the flow's coupling networks.

    conditional : bool, default=False
        Class-conditional flow (the paper's FashionMNIST set-up); classes only.

    dequantize : {{"auto"}} or bool, default="auto"
        Dequantise integer-valued data while training the flow.

    max_epochs : int or "auto", default="auto"
        Flow training epochs (``"auto"``: about 1,000 steps).

    surrogate : torch module class, default=None
        Surrogate network for the adversarial attack (``input_shape``,
        ``n_outputs``); ``None`` picks one by data kind.

    surrogate_params : dict, default=None
        Extra constructor arguments of the surrogate.

    surrogate_epochs : int or "auto", default="auto"
        Surrogate training epochs (``"auto"``: about 500 steps).

    batch_size : int, default=256
        Mini-batch size of both trainings.

    lr : float, default=1e-3
        Adam learning rate of both trainings.

    {rare_threshold}

    {device}

    {verbose}

    {random_state}

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class (or ``"rare"``/``"common"``).

    data_kind_ : {{"tabular", "sequence", "image"}}
        Kind of the data seen in :meth:`fit_resample`.

    flow_ : skadvaug.transformers.FlowTransformer
        The fitted flow; ``flow_.transform`` measures latent distances.

    surrogate_ : skorch net or None
        The surrogate of the adversarial attack.

    clamp_ : (low, high) or None
        Bounds the synthetic samples were clipped to (per channel for ``"auto"``).

    history_ : dict
        ``history_["flow"]`` (negative log-likelihood, ``bits_per_dim``) and, for
        the adversarial attack, ``history_["surrogate"]``.

    n_features_in_ : int
        ``X.shape[1]``.

    See Also
    --------
    skadvaug.transformers.FlowTransformer : The flow on its own.
    skadvaug.nets.FlowLatentClassifier : The joint form, attacks recomputed
        against the classifier during its training.

    References
    ----------
    .. [1] O. K. Yüksel, S. U. Stich, M. Jaggi and T. Chavdarova, "Semantic
       perturbations with normalizing flows for improved generalization", ICCV 2021.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skadvaug import FlowLatentSampler
    >>> X, y = make_classification(200, n_features=5, weights=[0.85], random_state=0)
    >>> sampler = FlowLatentSampler(max_epochs=5, surrogate_epochs=5, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 169), (1, 169)]
    """

    _parameter_constraints: dict = {
        **BaseLearnedSampler._parameter_constraints,
        "attack": [StrOptions({"random", "adversarial"})],
        "norm": [StrOptions({"l2", "linf"})],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "step_size": [Interval(Real, 0, None, closed="left")],
        "n_steps": [Interval(Integral, 0, None, closed="left")],
        "attack_labels": [StrOptions({"true", "predicted"})],
        "clamp": [StrOptions({"auto"}), tuple, list, None],
        "flow": [type, None],
        "flow_steps": [Interval(Integral, 1, None, closed="left")],
        "flow_hidden": [Interval(Integral, 1, None, closed="left")],
        "conditional": ["boolean"],
        "dequantize": ["boolean", StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "surrogate": [type, None],
        "surrogate_params": [dict, None],
        "surrogate_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        attack="adversarial",
        norm="l2",
        epsilon=1.0,
        step_size=0.5,
        n_steps=3,
        attack_labels="true",
        clamp="auto",
        flow=None,
        flow_steps=8,
        flow_hidden=64,
        conditional=False,
        dequantize="auto",
        max_epochs="auto",
        surrogate=None,
        surrogate_params=None,
        surrogate_epochs="auto",
        batch_size=256,
        lr=1e-3,
        rare_threshold=None,
        device="auto",
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            rare_threshold=rare_threshold,
            device=device,
            verbose=verbose,
            random_state=random_state,
        )
        self.attack = attack
        self.norm = norm
        self.epsilon = epsilon
        self.step_size = step_size
        self.n_steps = n_steps
        self.attack_labels = attack_labels
        self.clamp = clamp
        self.flow = flow
        self.flow_steps = flow_steps
        self.flow_hidden = flow_hidden
        self.conditional = conditional
        self.dequantize = dequantize
        self.max_epochs = max_epochs
        self.surrogate = surrogate
        self.surrogate_params = surrogate_params
        self.surrogate_epochs = surrogate_epochs
        self.batch_size = batch_size
        self.lr = lr

    def _fit_augmentation(self, X, y, *, groups, random_state):
        self.clamp_ = resolve_clamp(self.clamp, X)
        if self.conditional and self.rare_threshold is not None:
            raise ValueError(
                "conditional=True conditions the flow on class labels; it cannot be used "
                "with continuous targets (rare_threshold)."
            )
        self.flow_ = FlowTransformer(
            flow=self.flow,
            n_steps=self.flow_steps,
            hidden=self.flow_hidden,
            conditional=self.conditional,
            dequantize=self.dequantize,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            device=self.device_,
            random_state=self._torch_seed(random_state),
            verbose=self.verbose,
        ).fit(X, y if self.conditional else None)
        self.history_ = {"flow": self.flow_.flow_.history}
        self.surrogate_ = None
        if self.attack == "adversarial":
            self.surrogate_ = self._fit_surrogate(X, y, random_state)
            self.history_["surrogate"] = self.surrogate_.history

    def _fit_surrogate(self, X, y, random_state):
        epochs = self.surrogate_epochs
        if epochs == "auto":
            epochs = auto_epochs(len(X), self.batch_size, 500, 10, 200)
        params = {
            "module": self.surrogate,
            "max_epochs": epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "device": self.device_,
            "verbose": self.verbose,
            "random_state": self._torch_seed(random_state),
            **{f"module__{k}": v for k, v in (self.surrogate_params or {}).items()},
        }
        X_flow = self.flow_._standardize(X)
        if self.rare_threshold is None:
            return OnlineAugmentationClassifier(**params).fit(X_flow, y)
        self.target_mean_, self.target_scale_ = float(y.mean()), float(y.std() or 1.0)
        return OnlineAugmentationRegressor(**params).fit(X_flow, self._scaled_targets(y))

    def _scaled_targets(self, y):
        return ((y - self.target_mean_) / self.target_scale_).astype(np.float32)

    def _loss_function(self, targets):
        network = self.surrogate_.module_
        if self.rare_threshold is None:
            return lambda x_tilde: F.cross_entropy(network(x_tilde), targets)
        return lambda x_tilde: F.mse_loss(network(x_tilde).squeeze(1), targets)

    def _augment(self, X_seeds, y_seeds, *, group, random_state):
        flow_net = self.flow_.flow_
        flow = flow_net.module_.eval()
        generator = self._torch_generator(random_state)
        conditional_labels = self.flow_._labels(y_seeds, len(y_seeds))
        if self.surrogate_ is not None:
            self.surrogate_.module_.eval()
            if self.rare_threshold is None:
                encoded = self.surrogate_.label_encoder_.transform(y_seeds)
                targets = encoded.astype(np.int64)
                if self.attack_labels == "predicted":
                    targets = self.surrogate_.label_encoder_.transform(
                        self.surrogate_.predict(self.flow_._standardize(X_seeds))
                    ).astype(np.int64)
            else:
                targets = self._scaled_targets(y_seeds)
        else:
            targets = None

        def perturbed(x, labels, target):
            loss_fn = None if target is None else self._loss_function(target)
            return flow_latent_augment(
                flow,
                x,
                attack=self.attack,
                epsilon=self.epsilon,
                norm=self.norm,
                step_size=self.step_size,
                n_steps=self.n_steps,
                loss_fn=loss_fn,
                labels=labels,
                generator=generator,
            )

        # _run_batches switches gradients off; the PGD attack turns them on for itself.
        generated = flow_net._run_batches(
            perturbed, self.flow_._standardize(X_seeds), conditional_labels, targets
        )
        generated = generated.astype(np.float64) * self.flow_.scale_ + self.flow_.mean_
        return generated if self.clamp_ is None else np.clip(generated, *self.clamp_)
