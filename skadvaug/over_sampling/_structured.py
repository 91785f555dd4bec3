"""Oversampling by structured adversarial copies: smooth warps and recolouring (paper 004)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._base import BaseLearnedSampler, learned_sampler_docstring
from .._docs import cites
from ..nets import (
    STRUCTURED_ATTACK_PARAMETERS,
    StructuredAdversarialClassifier,
    StructuredAdversarialRegressor,
)


@learned_sampler_docstring
@cites("luo2020")
class StructuredAdversarialSampler(BaseLearnedSampler):
    """Oversample with structured adversarial copies of seeds: smooth warps or recolourings.

    Luo, Mobahi & Bengio (2020) turn the raw adversarial gradient of a model's
    loss into a *natural* change of the input by projecting it onto a space of
    structured perturbations. ``fit_resample`` trains a surrogate network
    matched to the data kind and creates each class's requested samples as
    such copies of seeds drawn from that class:

    - ``perturbation="flow"``: the smooth displacement field that raises the
      surrogate's loss most for its smoothness,
      ``-(1/alpha) (I + gamma P)^-1 d`` (``P`` the grid Laplacian, ``d`` the
      gradient times the image gradient; solved exactly with the DCT), applied
      as a warp: an adversarial smooth deformation of an image, an adversarial
      smooth time-warp of a sequence;
    - ``perturbation="recolour"``: the gradient projected onto the seed's
      edge-preserving recolourings (the smallest eigenvectors of the
      regularised edge operator). On grayscale images and univariate series
      there is no hue, so this reduces to smooth brightness / level offsets;
    - ``"both"``, and the ablations ``"random_flow"`` (a random smooth flow of
      the same budget: structure without the adversarial part) and ``"fgm"``
      (unstructured FGM-ℓ2 with the flow's pixel budget).

    The transform is deterministic given the seed, so each copy's budget is
    scaled by a factor drawn from ``magnitude_jitter``: a seed drawn twice gives
    two different samples. Tables have no grid to warp: pass ``shape`` (e.g.
    ``(1, 8, 8)`` for 64 pixel columns), or use ``perturbation="fgm"``. The
    paper's method is online augmentation of a classifier's training batches;
    that form is :class:`~skadvaug.nets.StructuredAdversarialClassifier`.

    Parameters
    ----------
    {sampling_strategy}

    perturbation : {{"flow", "recolour", "both", "random_flow", "fgm"}}, default="flow"
        The perturbation.

    alpha : float, default=1.0
        Flow ridge weight; the literal step is ``1 / alpha`` (``flow_scale="fixed"``).

    gamma : float or None, default=None
        Flow smoothness ``beta / alpha``; ``None``: 5 for images, ``T / 3`` for
        sequences.

    flow_scale : {{"max", "rms", "fixed"}}, default="max"
        ``"max"``: each flow's largest displacement is ``max_displacement``;
        ``"rms"``: its root-mean-square; ``"fixed"``: the paper's literal scale,
        capped at ``max_displacement`` when given.

    max_displacement : float or None, default=None
        Largest displacement in pixels / time steps; ``None``:
        ``0.1 * min(H, W)`` for images, ``0.03 * T`` for sequences.

    n_components : int, default=2
        Size of each seed's recolouring basis.

    eta : float, default=1e-2
        Weight of the smoothness regulariser of the edge operator.

    mu : float, default=1e-6
        Ridge of the edge operator.

    edge_eps : float, default=1e-3
        Floor of the edge magnitude, in standardised units.

    weighting : {{"projection", "inverse"}}, default="projection"
        Recolouring weights (``"inverse"``, the literal ``M^-1``, degenerates to
        a uniform offset).

    photometric_operator : {{"regularized", "pinv", "ridge"}}, default="regularized"
        Reading of the paper's singular ``M^-1``.

    recolour_norm : float, default=0.1
        ℓ2 size of a recolouring as a fraction of the (standardised) seed's norm.

    n_iter : int, default=1
        Gradient steps per copy (the paper: 1).

    targeted : bool, default=False
        Move towards the surrogate's most confident wrong class (classes only).

    magnitude_jitter : (float, float) or None, default=(0.5, 1.0)
        Each copy's budget is multiplied by a uniform draw from this range;
        ``None``: the full budget, and repeated seeds give duplicate rows.

    clip : "auto", (float, float) or None, default="auto"
        Bounds of recoloured / FGM samples, in standardised units: ``"auto"``,
        each channel's training range; warps need none.

    shape : tuple of int or None, default=None
        ``(C, T)`` or ``(C, H, W)`` that the rows of a 2-D ``X`` are read as.

    surrogate : torch module class, default=None
        Network whose loss is attacked (``input_shape``, ``n_outputs``);
        ``None``: :class:`~skadvaug.modules.MLPNet`,
        :class:`~skadvaug.modules.CNN1dNet` or
        :class:`~skadvaug.modules.CNN2dNet` by data kind.

    surrogate_params : dict, default=None
        Extra constructor arguments of the surrogate.

    surrogate_epochs : int or "auto", default="auto"
        Surrogate training epochs; ``"auto"``: about 500 optimiser steps whatever
        the size of the data (whole epochs, at most 200; beyond 500 batches, 500
        batches' worth of one shuffled pass, in batches grown up to 4 times on
        larger data). ``"random_flow"`` trains none.

    batch_size : int, default=64
        Mini-batch size of the surrogate's training.

    lr : float, default=1e-3
        Adam learning rate of the surrogate.

    {rare_threshold}

    {device}

    {verbose}

    {random_state}

    Attributes
    ----------
    {fitted_attributes}

    surrogate_ : skadvaug.nets.StructuredAdversarialClassifier or \
skadvaug.nets.StructuredAdversarialRegressor
        The joint net: ``module_`` is the surrogate (trained without
        augmentation), ``augmenter_`` the attack (``augmenter_.basis_cache``
        holds the seeds' recolouring bases).

    perturbation_norms_ : ndarray of shape (n_synthetic,)
        ℓ2 distance of each synthetic sample to its seed (``seed_indices_``),
        in the units of ``X``.

    history_ : dict
        ``history_["surrogate"]``: the surrogate's training history.

    See Also
    --------
    skadvaug.nets.StructuredAdversarialClassifier : The paper's online form.
    skadvaug.augment.structured : The transforms as functions.

    %(references)s

    Examples
    --------
    >>> from collections import Counter
    >>> from skadvaug.datasets import make_imbalanced_sequences
    >>> from skadvaug import StructuredAdversarialSampler
    >>> X, y = make_imbalanced_sequences(n_samples=100, n_timepoints=32, random_state=0)
    >>> sampler = StructuredAdversarialSampler(surrogate_epochs=3, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape[1:] == X.shape[1:], sorted(Counter(y_res.tolist()).values())
    (True, [91, 91])
    """

    _parameter_constraints: dict = {
        **BaseLearnedSampler._parameter_constraints,
        **{
            name: StructuredAdversarialClassifier._parameter_constraints[name]
            for name in STRUCTURED_ATTACK_PARAMETERS
        },
        "shape": [tuple, list, None],
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
        magnitude_jitter=(0.5, 1.0),
        clip="auto",
        shape=None,
        surrogate=None,
        surrogate_params=None,
        surrogate_epochs="auto",
        batch_size=64,
        lr=1e-3,
        rare_threshold=None,
        device="auto",
        n_threads=1,
        verbose=0,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            rare_threshold=rare_threshold,
            device=device,
            n_threads=n_threads,
            verbose=verbose,
            random_state=random_state,
        )
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
        self.shape = shape
        self.surrogate = surrogate
        self.surrogate_params = surrogate_params
        self.surrogate_epochs = surrogate_epochs
        self.batch_size = batch_size
        self.lr = lr

    def _make_net(self, X, y, *, random_state):
        if X.ndim == 2 and self.shape is None and self.perturbation != "fgm":
            raise ValueError(
                f"perturbation={self.perturbation!r} warps or recolours a grid and X is a 2-D "
                "table: pass shape=(channels, timepoints) or (channels, height, width) "
                "that its rows are read as, or use perturbation='fgm'."
            )
        attacks = self.perturbation != "random_flow"
        net = (
            StructuredAdversarialClassifier
            if self.rare_threshold is None
            else StructuredAdversarialRegressor
        )
        return net(
            module=self.surrogate,
            **{name: getattr(self, name) for name in STRUCTURED_ATTACK_PARAMETERS},
            sample_shape=self.shape,
            augment_fraction=0.0,  # the surrogate trains on the data as it is
            # A random flow needs no surrogate: nothing trained.
            **(
                self._budget(self.surrogate_epochs, len(X), self.batch_size, steps=500, high=200)
                if attacks
                else {"max_epochs": 0, "batch_size": self.batch_size}
            ),
            lr=self.lr,
            device=self.device_,
            n_threads=self.n_threads,
            verbose=self._net_verbose(),
            random_state=self._torch_seed(random_state),
            **{f"module__{k}": v for k, v in (self.surrogate_params or {}).items()},
        )

    def _fit_resample(self, X, y, *, groups):
        X_res, y_res = super()._fit_resample(X, y, groups=groups)
        change = X_res[len(X) :] - X[self.seed_indices_]
        flat = change.reshape(len(change), int(np.prod(X.shape[1:])))  # also when none is made
        self.perturbation_norms_ = np.linalg.norm(flat, axis=1)
        return X_res, y_res

    def _fit_standardizer(self, X):
        if X.ndim == 2 and self.shape is not None:
            # rows read as images: standardise per channel, not per pixel column,
            # which would rescale each pixel on its own and break the grid's edges
            super()._fit_standardizer(X.reshape(len(X), *self.shape))
            self.data_mean_ = np.broadcast_to(self.data_mean_, self.shape).reshape(-1)
            self.data_scale_ = np.broadcast_to(self.data_scale_, self.shape).reshape(-1)
        else:
            super()._fit_standardizer(X)

    def _fit_augmentation(self, X, y, *, groups, random_state):
        if self.shape is not None:
            shape = tuple(self.shape)
            if X.ndim != 2:
                raise ValueError(
                    f"shape is for 2-D tables; X already has samples of shape {X.shape[1:]}."
                )
            if len(shape) not in (2, 3) or int(np.prod(shape)) != X.shape[1]:
                raise ValueError(
                    f"shape must be (channels, timepoints) or (channels, height, width) "
                    f"holding the {X.shape[1]} features of X; got {shape!r}."
                )
        super()._fit_augmentation(X, y, groups=groups, random_state=random_state)
        self.history_ = {"surrogate": self.surrogate_.history}
