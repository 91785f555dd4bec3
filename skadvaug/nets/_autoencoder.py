"""Autoencoder trained with a discriminator: TTUR and cost-sensitive (paper 000, §3.2)."""

from numbers import Real

import torch
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from skorch.utils import to_device
from torch import nn
from torch.nn import functional as F

from .._deprecation import DEPRECATED, renamed
from .._docs import cites
from ..modules import DEFAULT_AUTOENCODERS, Discriminator
from ._base import BaseNet


@cites("kim2021", "heusel2017")
class AdversarialAutoencoderNet(BaseNet):
    """Autoencoder whose reconstructions a discriminator learns to tell from real data.

    Kim et al. (2021), §3.2: reconstruction loss alone gives blurry outputs, so
    the autoencoder is also trained to fool a discriminator (the autoencoder
    plays a GAN's generator), with two refinements, each switchable for the
    Table 1 ablation:

    - **TTUR** (Heusel et al. 2017): the discriminator learns faster than the
      autoencoder (``discriminator_lr`` > ``lr``); equal rates switch it off.
    - **cost-sensitive discriminator**: calling a real sample fake costs
      ``real_cost``, calling a reconstruction real costs ``fake_cost``; correct
      calls cost nothing beyond the cross-entropy's own. ``real_cost=fake_cost``
      switches it off.

    Each batch first updates the discriminator on real samples and detached
    reconstructions, then the autoencoder on ``recon_loss +
    adversarial_weight * ae_adversarial_loss``. ``discriminator=None`` trains a
    plain autoencoder. ``history`` records per epoch ``recon_loss``,
    ``ae_adversarial_loss``, ``discriminator_real_loss`` and
    ``discriminator_fake_loss`` (cross-entropies before costs, comparable with
    Table 1) and ``train_loss`` (the autoencoder's objective).

    Parameters
    ----------
    module : torch module class or None, default=None
        The autoencoder (with ``encode``/``decode``); ``None`` picks
        :class:`~skadvaug.modules.MLPAutoencoder`,
        :class:`~skadvaug.modules.ConvAutoencoder1d` or
        :class:`~skadvaug.modules.ConvAutoencoder2d` by data kind.
    criterion : torch loss class, default=torch.nn.MSELoss
        Reconstruction loss.
    discriminator : torch module class or None, default=Discriminator
        The discriminator (``discriminator__*`` parameters reach it).
    adversarial_weight : float, default=0.01
        Weight of the adversarial term in the autoencoder's objective.
    real_cost : float, default=5.0
        Cost of calling a real sample fake.
    fake_cost : float, default=1.0
        Cost of calling a reconstruction real.
    lr : float, default=1e-3
        Autoencoder learning rate.
    discriminator_lr : float, default=4e-3
        Discriminator learning rate (``optimizer_discriminator__lr`` overrides
        it; ``lr_discriminator`` before 0.2).
    max_epochs : int or "auto", default="auto"
        Full epochs, or ``"auto"``: about 400 optimiser steps whatever the size
        of the data (at most 200 epochs on tiny data; on large data in batches
        grown up to 4 times and fewer steps), the latent adversarial
        sampler's autoencoder budget. ``max_steps`` caps either.
    **kwargs
        Any :class:`~skadvaug.nets.BaseNet` / skorch parameter.

    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skadvaug.nets import AdversarialAutoencoderNet
    >>> X = np.random.RandomState(0).normal(size=(64, 3, 16)).astype("float32")
    >>> net = AdversarialAutoencoderNet(max_epochs=2, random_state=0).fit(X)
    >>> net.encode(X).shape, net.decode(net.encode(X)).shape
    ((64, 256), (64, 3, 16))
    >>> sorted(k for k in net.history[-1] if k.endswith("loss"))[:3]
    ['ae_adversarial_loss', 'discriminator_fake_loss', 'discriminator_real_loss']
    """

    _default_modules = DEFAULT_AUTOENCODERS
    _players = {"discriminator": "discriminator_lr"}
    _phase = "autoencoder"
    _auto_budget = (400, 200)
    _parameter_constraints: dict = {
        **BaseNet._parameter_constraints,
        "adversarial_weight": [Interval(Real, 0, None, closed="left")],
        "real_cost": [Interval(Real, 0, None, closed="left")],
        "fake_cost": [Interval(Real, 0, None, closed="left")],
        "discriminator_lr": [Interval(Real, 0, None, closed="neither")],
        "lr_discriminator": [
            Interval(Real, 0, None, closed="neither"),
            Hidden(StrOptions({DEPRECATED})),
        ],
    }
    _extra_losses = (
        "recon_loss",
        "ae_adversarial_loss",
        "discriminator_real_loss",
        "discriminator_fake_loss",
    )

    def __init__(
        self,
        module=None,
        *,
        criterion=nn.MSELoss,
        discriminator=Discriminator,
        adversarial_weight=0.01,
        real_cost=5.0,
        fake_cost=1.0,
        lr=1e-3,
        discriminator_lr=4e-3,
        lr_discriminator=DEPRECATED,
        max_epochs="auto",
        **kwargs,
    ):
        super().__init__(module, criterion, lr=lr, max_epochs=max_epochs, **kwargs)
        self.discriminator = discriminator
        self.adversarial_weight = adversarial_weight
        self.real_cost = real_cost
        self.fake_cost = fake_cost
        self.discriminator_lr = discriminator_lr
        self.lr_discriminator = lr_discriminator

    def initialize_module(self):
        super().initialize_module()
        if self.discriminator is not None:
            self.discriminator_ = self._build(self.discriminator, "discriminator")
        return self

    def _player_lr(self, player):
        return renamed(self, "lr_discriminator", "discriminator_lr")

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        X = to_device(batch[0], self.device)
        reconstruction = self.module_(X)
        step = {}
        adversarial = torch.zeros((), device=reconstruction.device)
        if self.discriminator is not None:
            real_logits = self.discriminator_(X)
            fake_logits = self.discriminator_(reconstruction.detach())
            real_loss = F.binary_cross_entropy_with_logits(
                real_logits, torch.ones_like(real_logits)
            )
            fake_loss = F.binary_cross_entropy_with_logits(
                fake_logits, torch.zeros_like(fake_logits)
            )
            self._step_players(
                self.real_cost * real_loss + self.fake_cost * fake_loss, descend=("discriminator",)
            )
            fooled_logits = self.discriminator_(reconstruction)
            adversarial = F.binary_cross_entropy_with_logits(
                fooled_logits, torch.ones_like(fooled_logits)
            )
            step["discriminator_real_loss"] = real_loss.detach()
            step["discriminator_fake_loss"] = fake_loss.detach()
        reconstruction_loss = self.criterion_(reconstruction, X)
        loss = reconstruction_loss + self.adversarial_weight * adversarial
        self._step_players(loss)
        step.update(
            loss=loss.detach(),
            y_pred=reconstruction.detach(),
            recon_loss=reconstruction_loss.detach(),
            ae_adversarial_loss=adversarial.detach(),
        )
        return step

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        X = to_device(batch[0], self.device)
        with torch.no_grad():
            reconstruction = self.module_(X)
            loss = self.criterion_(reconstruction, X)
        return {"loss": loss, "y_pred": reconstruction}

    def fit(self, X, y=None, **fit_params):
        """Train the autoencoder (and discriminator) on ``X``; ``y`` is ignored."""
        return super().fit(X, None, **fit_params)

    def encode(self, X):
        """Flat latent vectors ``(n, latent_dim)`` of ``X`` (numpy, eval mode)."""
        self.module_.eval()
        return self._run_batches(self.module_.encode, X)

    def decode(self, Z):
        """Samples decoded from latent vectors ``Z`` (numpy, eval mode)."""
        self.module_.eval()
        return self._run_batches(self.module_.decode, Z)
