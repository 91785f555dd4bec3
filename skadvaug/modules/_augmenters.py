"""The augmenter contract: a torch module that turns a batch of seeds into new samples.

Every way skadvaug makes a synthetic sample is an :class:`Augmenter`; the joint
nets (:mod:`skadvaug.nets`) train with one batch by batch and the samplers
generate with the same one, through :meth:`skadvaug.nets.JointAugmentationNet.augment`.
"""

import numpy as np
import torch
from torch import nn

from ..augment import AUGMENTATIONS
from ..augment._registry import as_series
from ..augment.latent_attacks import flow_latent_augment
from ._perturbation import LatentPerturbation

__all__ = ["Augmenter", "ClassicAugmenter", "FlowLatentAttack", "LatentAugmenter"]


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


def freeze(module):
    """Stop gradients to ``module``'s parameters and put it in eval mode."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    return module.eval()


class LatentAugmenter(Augmenter):
    """``decode(encode(x) + delta)`` with a learned latent perturbation (paper 000, §3.3).

    The autoencoder is a fitted, frozen backbone; ``delta`` comes from a
    :class:`LatentPerturbation` built here from ``latent_dim`` and the keyword
    arguments, whose parameters a joint net trains against its network.

    Parameters
    ----------
    autoencoder : torch.nn.Module
        Fitted autoencoder with ``encode``, ``decode`` and ``latent_dim``.
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

    def __init__(self, autoencoder, **perturbation_params):
        super().__init__()
        self.autoencoder = freeze(autoencoder)
        self.perturbation = LatentPerturbation(
            **{"latent_dim": autoencoder.latent_dim, **perturbation_params}
        )

    def forward(self, x, y=None, *, generator=None, loss_fn=None):
        with torch.no_grad():
            z = self.autoencoder.encode(x)
        return self.autoencoder.decode(z + self.perturbation(z, generator=generator))


class FlowLatentAttack(Augmenter):
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
