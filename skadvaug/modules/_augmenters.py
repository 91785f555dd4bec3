"""The augmenter contract: a torch module that turns a batch of seeds into new samples.

Every way skadvaug makes a synthetic sample is an :class:`Augmenter`; the joint
nets (:mod:`skadvaug.nets`) train with one batch by batch and the samplers
generate with the same one, through :meth:`skadvaug.nets.JointAugmentationNet.augment`.
"""

import hashlib
import warnings

import numpy as np
import torch
from torch import nn

from ..augment import AUGMENTATIONS, structured
from ..augment._registry import as_series
from ..augment.latent_attacks import (
    finite_or_seed,
    flow_latent_augment,
    local_budget,
    local_budget_factor,
    nearest_enemy_distance,
)
from ._perturbation import LatentPerturbation

__all__ = [
    "Augmenter",
    "ClassicAugmenter",
    "FlowLatentAttack",
    "LatentAugmenter",
    "StructuredAttack",
]


class Augmenter(nn.Module):
    """Base of the augmenters: seeds in, new samples of the same shape out.

    ``forward(x, y=None, *, generator=None, loss_fn=None)`` takes a batch of
    seeds ``x`` (in the units the backbones were trained on), their encoded
    targets ``y`` where the augmenter needs them (a class-conditional flow), a
    :class:`torch.Generator` for its randomness (``None``: torch's global one,
    which the nets seed during ``fit``) and, for attacks, ``loss_fn(x_new)`` the
    loss of the model to attack. It returns a tensor shaped like ``x``; when the
    augmenter has trainable parameters, the output keeps the graph to them so a
    net can step them as a player.

    Class attributes a subclass sets:

    - ``uses_loss`` -- whether ``forward`` needs ``loss_fn`` (an attack);
    - ``frozen`` -- names of sub-modules that are fitted backbones: they stay in
      eval mode and are never trained here.

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    uses_loss = False
    frozen = ()

    def train(self, mode=True):
        super().train(mode)
        for name in self.frozen:
            getattr(self, name).eval()
        return self

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        raise NotImplementedError

    def shrink(self, x, x_new, fraction, y=None):
        """``x_new`` moved back towards its seed ``x``: ``fraction`` 1 is ``x_new``, 0 is ``x``.

        The joint nets' ``preserve_labels`` shrinks a perturbation that changed
        its seed's class. Here the straight segment between seed and sample; an
        augmenter with an exactly invertible latent space shrinks the latent
        perturbation instead.
        """
        return x + fraction * (x_new - x)


class _ClassReference:
    """Per-seed budgets for an augmenter (``local_budget``, issue 23): the training
    codes and their classes, kept by :meth:`set_reference`, and each class's median
    distance to the nearest code of another class.

    A mixin of :class:`Augmenter` subclasses, which call :meth:`_init_reference`.
    """

    # codes kept for local_budget: the distances cost n_reference per seed and step
    max_reference = 10_000

    def _init_reference(self):
        self.register_buffer("reference_codes", torch.empty(0))
        self.register_buffer("reference_labels", torch.empty(0, dtype=torch.long))
        self.register_buffer("typical_distance", torch.empty(0))

    @torch.no_grad()
    def set_reference(self, z, labels):
        """Keep the training codes ``z`` and their classes (integers) for
        ``local_budget`` (every k-th one beyond ``max_reference``: deterministic, each
        class thinned alike), and each class's median distance to the other classes."""
        step = max(1, -(-len(z) // self.max_reference))
        codes = z[::step].flatten(1).to(self.reference_codes).clone()
        labels = labels[::step].to(self.reference_labels.device).long().clone()
        nearest = nearest_enemy_distance(codes, labels, codes, labels)
        typical = torch.full((int(labels.max()) + 1,), float("inf"), device=codes.device)
        for label in labels.unique():
            distances = nearest[(labels == label) & torch.isfinite(nearest)]
            if len(distances):
                typical[label] = distances.median()
        self.reference_codes, self.reference_labels = codes, labels
        self.typical_distance = typical.to(self.typical_distance)

    def _reference(self, y):
        """``(reference_codes, reference_labels, typical_distance)``, the last arguments
        of :func:`~skadvaug.augment.latent_attacks.local_budget` for seeds of classes ``y``."""
        if y is None or not len(self.reference_codes):
            raise ValueError(
                f"{type(self).__name__} with local_budget=True needs the seeds' classes y "
                "and the training codes (set_reference)."
            )
        return self.reference_codes, self.reference_labels, self.typical_distance


def freeze(module):
    """Stop gradients to ``module``'s parameters and put it in eval mode."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module.eval()


class LatentAugmenter(_ClassReference, Augmenter):
    """``decode(encode(x) + delta)`` with a learned latent perturbation (paper 000, §3.3).

    The autoencoder is a fitted, frozen backbone; ``delta`` comes from a
    :class:`LatentPerturbation` built here from ``latent_dim`` and the keyword
    arguments, whose parameters a joint net trains against its network.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        Fitted autoencoder with ``encode``, ``decode`` and ``latent_dim``.
    residual : bool, default=False
        Return ``x + decode(z + delta) - decode(z)``: the seed moved by what the
        perturbation changes in the decoding, so the sample keeps the seed's
        details the autoencoder does not reconstruct. ``False`` decodes the
        perturbed code (the paper).
    local_budget : bool, default=False
        Per-seed budgets: each perturbation's length is scaled by the seed's
        distance to the nearest code of another class relative to the median of
        that distance over its class (:func:`~skadvaug.augment.latent_attacks.
        local_budget`, against the codes given to :meth:`set_reference`);
        ``forward`` then needs the seeds' classes ``y``. ``False``: one global
        scale (the paper).
    **perturbation_params
        :class:`LatentPerturbation` arguments (``scale``, ``learned``,
        ``noise_dim``, ``hidden_dim``, ``weight_norm``, ``momentum``).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import LatentAugmenter, MLPAutoencoder
    >>> augmenter = LatentAugmenter(MLPAutoencoder(input_shape=(6,), latent_dim=3), scale=0.1)
    >>> augmenter(torch.randn(4, 6)).shape
    torch.Size([4, 6])
    """

    frozen = ("autoencoder",)

    def __init__(self, autoencoder, *, residual=False, local_budget=False, **perturbation_params):
        super().__init__()
        self.autoencoder = freeze(autoencoder)
        self.residual = residual
        self.local_budget = local_budget
        self.perturbation = LatentPerturbation(
            **{"latent_dim": autoencoder.latent_dim, **perturbation_params}
        )
        self._init_reference()

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        with torch.no_grad():
            z = self.autoencoder.encode(x)
        delta = self.perturbation(z, generator=generator)
        if self.local_budget:
            delta = local_budget(z, delta, y, *self._reference(y))
        decoded = self.autoencoder.decode(z + delta)
        if not self.residual:
            return decoded
        with torch.no_grad():
            reconstruction = self.autoencoder.decode(z)
        return x + (decoded - reconstruction)


class FlowLatentAttack(_ClassReference, Augmenter):
    """``F^-1(F(x) + delta)`` with a random or adversarial latent ``delta`` (paper 003).

    Randomized-LA draws ``delta = epsilon * N(0, I)`` projected onto the ball;
    Adversarial-LA runs PGD in the flow's latent space against ``loss_fn`` (see
    :func:`skadvaug.augment.latent_attacks.flow_latent_augment`).

    Parameters
    ----------
    flow : torch.nn.Module
        Fitted flow with ``forward(x, labels) -> (z, log_det)`` and ``inverse``.
    attack : {"random", "adversarial"}, default="adversarial"
        Randomized-LA or Adversarial-LA.
    norm : {"l2", "linf"}, default="l2"
        Ball of the perturbations.
    epsilon : float, default=1.0
        Its radius.
    step_size : float, default=0.5
        PGD step.
    attack_steps : int, default=3
        PGD steps.
    conditional : bool, default=False
        The flow is class-conditional: ``forward`` then needs the encoded labels ``y``.
    clamp : (low, high) or None, default=None
        Bounds the decoded samples are clipped to (numbers or per-channel arrays).
    local_budget : bool, default=False
        Per-seed balls: seed ``i``'s ball has radius ``factor_i * epsilon``, its
        factor its latent code's distance to the nearest code of another class
        over the median of that distance in its class (against the codes given to
        :meth:`set_reference`; the ``budget`` of
        :func:`~skadvaug.augment.latent_attacks.flow_latent_augment`); ``forward``
        then needs the seeds' classes ``y``. ``False``: one ball (the paper).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import FlowLatentAttack, VectorFlow
    >>> attack = FlowLatentAttack(VectorFlow(input_shape=(4,), n_steps=2), attack="random")
    >>> attack(torch.randn(5, 4)).shape
    torch.Size([5, 4])
    """

    frozen = ("flow",)

    def __init__(
        self,
        flow,
        *,
        attack="adversarial",
        norm="l2",
        epsilon=1.0,
        step_size=0.5,
        attack_steps=3,
        conditional=False,
        clamp=None,
        local_budget=False,
    ):
        super().__init__()
        self.flow = freeze(flow)
        self.attack = attack
        self.norm = norm
        self.epsilon = epsilon
        self.step_size = step_size
        self.attack_steps = attack_steps
        self.conditional = conditional
        self.clamp = clamp
        self.local_budget = local_budget
        self._init_reference()

    @property
    def uses_loss(self):
        return self.attack == "adversarial"

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        if self.conditional and y is None:
            raise ValueError("A class-conditional flow attack needs the labels y.")
        return flow_latent_augment(
            self.flow,
            x,
            attack=self.attack,
            epsilon=self.epsilon,
            norm=self.norm,
            step_size=self.step_size,
            n_steps=self.attack_steps,
            loss_fn=loss_fn,
            labels=y if self.conditional else None,
            generator=generator,
            clamp=self.clamp,
            budget=(
                (lambda z: local_budget_factor(z, y, *self._reference(y)))
                if self.local_budget
                else None
            ),
        )

    def shrink(self, x, x_new, fraction, y=None):
        """``F^-1(F(x) + fraction * (F(x_new) - F(x)))``: the latent perturbation shrunk
        (exactly ``fraction * delta`` unless ``x_new`` was clipped)."""
        labels = y if self.conditional else None
        with torch.no_grad():
            z, _ = self.flow(x, labels)
            z_new, _ = self.flow(x_new, labels)
            return finite_or_seed(
                self.flow.inverse(z + fraction * (z_new - z), labels), x, self.clamp
            )


class ClassicAugmenter(Augmenter):
    """A classic augmentation of :data:`skadvaug.augment.AUGMENTATIONS` as an augmenter.

    Uses the method's differentiable torch form where the registry has one (the
    batch stays on its device), and its numpy reference otherwise, seeded by a
    draw from ``generator``. Tables and images are read as series as in
    :func:`skadvaug.augment.apply`.

    Parameters
    ----------
    method : str
        A name of the registry.
    **params
        Keyword arguments of the augmentation function (``sigma``, ...).

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import ClassicAugmenter
    >>> ClassicAugmenter("time_warp", sigma=0.1)(torch.randn(3, 2, 20)).shape
    torch.Size([3, 2, 20])
    """

    def __init__(self, method, **params):
        super().__init__()
        if method not in AUGMENTATIONS:
            raise ValueError(f"method must be one of {sorted(AUGMENTATIONS)}; got {method!r}.")
        self.method = method
        self.params = params

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        entry = AUGMENTATIONS[self.method]
        if entry.torch is not None:
            return entry.torch(as_series(x), **self.params, generator=generator).reshape(x.shape)
        seed = int(torch.randint(np.iinfo(np.int32).max, (1,), generator=generator))
        series = as_series(x.detach().cpu().numpy())
        augmented = entry.numpy(series, random_state=seed, **self.params).reshape(x.shape)
        return torch.as_tensor(augmented, dtype=x.dtype, device=x.device)


class StructuredAttack(Augmenter):
    """Structured adversarial copies: smooth warps and edge-preserving recolouring (paper 004).

    Luo, Mobahi & Bengio (2020) project the raw input gradient of the loss onto
    natural perturbations (:mod:`skadvaug.augment.structured`):

    - ``"flow"``: the adversarial smooth displacement field
      ``-(1/alpha) (I + gamma P)^-1 d`` (an adversarial smooth time-warp on
      sequences), applied by a backward warp;
    - ``"recolour"``: the gradient projected onto the sample's edge-preserving
      recolouring subspace (its basis, which depends on the sample only, is
      computed once per distinct sample and cached);
    - ``"both"``: the recolouring, then the warp, from one gradient;
    - ``"random_flow"``: a random smooth flow of the same budget (the ablation
      of the adversarial part; needs no model);
    - ``"fgm"``: the unstructured FGM-ℓ2 step, its pixel budget equal to the
      change the adversarial flow makes to that sample (the paper's motivation).

    With ``n_iter > 1`` the gradient is recomputed ``n_iter`` times and each
    step gets ``1 / n_iter`` of the budget; the additive transforms run as
    projected gradient ascent (:func:`skadvaug.augment.attacks.pgd`) in their
    subspace, inside the ℓ2 budget and ``clip``.

    Parameters
    ----------
    perturbation : {"flow", "recolour", "both", "random_flow", "fgm"}, default="flow"
        The perturbation.
    alpha : float, default=1.0
        Flow ridge weight: the literal step ``1 / alpha`` (``flow_scale="fixed"``).
    gamma : float or None, default=None
        Flow smoothness; ``None``: 5 for images, ``T / 3`` for sequences.
    flow_scale : {"max", "rms", "fixed"}, default="max"
        How a flow is sized (see :func:`~skadvaug.augment.structured.adversarial_flow`).
    max_displacement : float or None, default=None
        Largest displacement in grid steps; ``None``: ``0.1 * min(H, W)`` for
        images, ``0.03 * T`` for sequences.
    n_components : int, default=2
        Recolouring basis size.
    eta, mu : float, default=1e-2, 1e-6
        Regularisers of the edge operator.
    edge_eps : float, default=1e-3
        The edge magnitude's floor.
    weighting : {"projection", "inverse"}, default="projection"
        Recolouring weights (``"inverse"`` degenerates to an offset; warned).
    photometric_operator : {"regularized", "pinv", "ridge"}, default="regularized"
        Which reading of the paper's singular ``M^-1``.
    recolour_norm : float, default=0.1
        ℓ2 size of the recolouring as a fraction of the sample's norm.
    n_iter : int, default=1
        Gradient steps (the paper: 1).
    magnitude_jitter : (low, high) or None, default=None
        Each copy's budget is multiplied by a factor drawn uniformly from
        ``[low, high]``, so that one seed copied twice gives two samples.
    clip : (low, high) or None, default=None
        Bounds of the additive transforms' output (numbers or per-channel
        arrays); warps need none (bilinear sampling stays within the range).
    sample_shape : tuple of int or None, default=None
        Shape ``(C, T)`` or ``(C, H, W)`` that flat table rows are read as.

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import StructuredAttack
    >>> x = torch.rand(4, 1, 8, 8)
    >>> loss_fn = lambda images: images[:, 0, :, :4].sum(dim=(1, 2))
    >>> StructuredAttack("flow", max_displacement=0.75)(x, loss_fn=loss_fn).shape
    torch.Size([4, 1, 8, 8])
    """

    PERTURBATIONS = ("flow", "recolour", "both", "random_flow", "fgm")
    # the keyword arguments estimators forward unchanged
    PARAMETERS = (
        "alpha",
        "gamma",
        "flow_scale",
        "max_displacement",
        "n_components",
        "eta",
        "mu",
        "edge_eps",
        "weighting",
        "photometric_operator",
        "recolour_norm",
        "n_iter",
        "magnitude_jitter",
    )

    def __init__(
        self,
        perturbation="flow",
        *,
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
        magnitude_jitter=None,
        clip=None,
        sample_shape=None,
    ):
        super().__init__()
        if perturbation not in self.PERTURBATIONS:
            raise ValueError(
                f"perturbation must be one of {self.PERTURBATIONS}; got {perturbation!r}."
            )
        if not (isinstance(n_iter, int) and n_iter >= 1):
            raise ValueError(f"n_iter must be an integer >= 1; got {n_iter!r}.")
        if magnitude_jitter is not None and not (0 <= magnitude_jitter[0] <= magnitude_jitter[1]):
            raise ValueError(
                f"magnitude_jitter must be None or (low, high) with 0 <= low <= high; "
                f"got {magnitude_jitter!r}."
            )
        if weighting == "inverse":
            warnings.warn(
                "weighting='inverse' degenerates to a nearly uniform offset; prefer 'projection'.",
                UserWarning,
                stacklevel=2,
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
        self.magnitude_jitter = magnitude_jitter
        self.clip = clip
        self.sample_shape = None if sample_shape is None else tuple(sample_shape)
        self.basis_cache = {}

    @property
    def uses_loss(self):
        return self.perturbation != "random_flow"

    # -------------------------------------------------------------------- pieces
    def _gamma(self, x):
        return structured.default_gamma(x) if self.gamma is None else self.gamma

    def _max_displacement(self, x):
        if self.max_displacement is None:
            return structured.default_max_displacement(x)
        return self.max_displacement

    def _flow(self, x, loss_fn, budget):
        return structured.adversarial_flow(
            x,
            structured.input_gradient(loss_fn, x),
            alpha=self.alpha,
            gamma=self._gamma(x),
            flow_scale=self.flow_scale,
            max_displacement=budget,
        )

    def _basis(self, x):
        """Recolouring bases of the samples of ``x``, from the cache where computed before."""
        keys = [hashlib.sha1(sample.detach().cpu().numpy().tobytes()).hexdigest() for sample in x]
        missing = [i for i, key in enumerate(keys) if key not in self.basis_cache]
        if missing:
            bases, values = structured.recolour_basis(
                x[missing].detach().cpu().double(),
                self.n_components,
                eta=self.eta,
                mu=self.mu,
                eps=self.edge_eps,
                operator=self.photometric_operator,
            )
            for i, basis, value in zip(missing, bases, values, strict=True):
                self.basis_cache[keys[i]] = (basis.float(), value.float())
        pairs = [self.basis_cache[key] for key in keys]
        return tuple(
            torch.stack([pair[part] for pair in pairs]).to(dtype=x.dtype, device=x.device)
            for part in (0, 1)
        )

    def _recolour_direction(self, x, gradient):
        basis, eigenvalues = self._basis(x)
        with warnings.catch_warnings():  # warned once, at construction
            warnings.simplefilter("ignore", UserWarning)
            return structured.recolour_direction(
                gradient, basis, eigenvalues, weighting=self.weighting
            )

    # ------------------------------------------------------------------- forward
    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        shape = x.shape
        z = x.reshape(len(x), *self.sample_shape) if self.sample_shape else x
        if z.ndim not in (3, 4) and self.perturbation != "fgm":
            raise ValueError(
                f"perturbation={self.perturbation!r} warps or recolours a grid: it needs sequences "
                "(n, channels, timepoints) or images (n, channels, height, width), or "
                f"sample_shape for flat rows; got samples of shape {tuple(z.shape[1:])}."
            )
        if self.uses_loss and loss_fn is None:
            raise ValueError(f"perturbation={self.perturbation!r} is an attack: pass loss_fn.")
        flat_loss = None if loss_fn is None else (lambda v: loss_fn(v.reshape(shape)))
        factor = torch.ones(len(z), dtype=z.dtype, device=z.device)
        if self.magnitude_jitter is not None:
            low, high = self.magnitude_jitter
            uniform = torch.rand(len(z), generator=generator, device=z.device).to(z.dtype)
            factor = low + (high - low) * uniform
        return self._transform(z.detach(), flat_loss, factor, generator).reshape(shape)

    def _transform(self, z, loss_fn, factor, generator):
        if self.perturbation == "random_flow":
            flow = structured.random_smooth_flow(
                z,
                gamma=self._gamma(z),
                flow_scale=self.flow_scale,
                max_displacement=self._max_displacement(z) * factor,
                generator=generator,
            )
            return structured.warp(z, flow)
        if self.perturbation == "fgm":
            if z.ndim in (3, 4):  # the pixel change of the adversarial flow
                moved = structured.warp(
                    z, self._flow(z, loss_fn, self._max_displacement(z) * factor)
                )
                budget = (moved - z).flatten(1).norm(dim=1)
            else:
                budget = self.recolour_norm * factor * z.flatten(1).norm(dim=1)
            return structured.additive_attack(
                z, loss_fn, lambda g: g, budget, n_steps=self.n_iter, clip=self.clip
            )
        recolour_budget = self.recolour_norm * factor * z.flatten(1).norm(dim=1)
        if self.perturbation == "recolour":
            return structured.additive_attack(
                z,
                loss_fn,
                lambda g: self._recolour_direction(z, g),
                recolour_budget,
                n_steps=self.n_iter,
                clip=self.clip,
            )
        flow_budget = self._max_displacement(z) * factor / self.n_iter
        current = z
        for _ in range(self.n_iter):
            gradient = structured.input_gradient(loss_fn, current)
            flow = structured.adversarial_flow(
                current,
                gradient,
                alpha=self.alpha,
                gamma=self._gamma(current),
                flow_scale=self.flow_scale,
                max_displacement=flow_budget,
            )
            if self.perturbation == "both":
                change = structured.unit_per_sample(self._recolour_direction(current, gradient))
                size = structured.per_sample(recolour_budget / self.n_iter, current)
                current = structured.clip_to(current + size * change, self.clip)
            current = structured.warp(current, flow)
        return current
