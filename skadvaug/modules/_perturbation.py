"""The latent perturbation module of Kim et al. (2021), §3.3."""

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrizations

from .._docs import cites

__all__ = ["LatentPerturbation"]


@cites("kim2021")
class LatentPerturbation(nn.Module):
    """Learned perturbation of latent vectors: affine -> layer norm -> rescale -> scale.

    Kim et al. (2021), §3.3: the latent vector ``z`` and a random vector ``e``
    (``noise_dim`` values from ``N(0, 1)``) go through two stacked affine maps
    with no non-linearity between them (a low-rank map through ``hidden_dim``
    units, against overfitting); the result is standardised by a layer norm
    without learnable parameters, which makes the affine weights scale-free;
    each element is then multiplied by the running standard deviation of that
    latent element, so the perturbation is proportional to how much the latent
    varies, and by ``scale``. Weight normalisation of the affine maps can stop
    their parameters from growing without bound under the adversarial objective.

    With ``learned=False`` (Table 2's "random" rows) only the rescaling is used:
    the perturbation is ``scale * std(z) * N(0, I)``.

    Parameters
    ----------
    latent_dim : int
        Size of the latent vectors.
    noise_dim : int, default=100
        Size of the random input.
    hidden_dim : int, default=100
        Width between the two affine maps.
    scale : float, default=0.1
        Factor applied after rescaling.
    learned : bool, default=True
        Use the affine maps; ``False`` gives the random perturbation.
    weight_norm : bool, default=False
        Weight-normalise the affine maps.
    momentum : float, default=0.1
        Momentum of the running variance (updated in training mode).

    Attributes
    ----------
    running_var : torch.Tensor of shape (latent_dim,)
        Running variance of each latent element.

    %(references)s

    Examples
    --------
    >>> import torch
    >>> from skadvaug.modules import LatentPerturbation
    >>> perturb = LatentPerturbation(latent_dim=8).eval()
    >>> perturb(torch.randn(4, 8)).shape
    torch.Size([4, 8])
    """

    def __init__(
        self,
        latent_dim,
        noise_dim=100,
        hidden_dim=100,
        scale=0.1,
        learned=True,
        weight_norm=False,
        momentum=0.1,
    ):
        super().__init__()
        self.latent_dim = int(latent_dim)
        self.noise_dim = int(noise_dim)
        self.scale = float(scale)
        self.learned = bool(learned)
        self.momentum = float(momentum)
        self.first = nn.Linear(self.latent_dim + self.noise_dim, hidden_dim)
        self.second = nn.Linear(hidden_dim, self.latent_dim)
        if weight_norm:
            self.first = parametrizations.weight_norm(self.first)
            self.second = parametrizations.weight_norm(self.second)
        self.register_buffer("running_var", torch.ones(self.latent_dim))

    @torch.no_grad()
    def set_latent_variance(self, z):
        """Start the running variance from the latents ``z`` of the training data."""
        self.running_var.copy_(z.var(dim=0, unbiased=False))

    def latent_std(self):
        return torch.sqrt(self.running_var + 1e-8)

    def direction(self, z, generator=None):
        """Standardised perturbation direction (before rescaling and ``scale``)."""
        if not self.learned:
            return torch.randn(z.shape, generator=generator, device=z.device, dtype=z.dtype)
        noise = torch.randn(
            (z.shape[0], self.noise_dim), generator=generator, device=z.device, dtype=z.dtype
        )
        h = self.second(self.first(torch.cat([z, noise], dim=1)))
        return F.layer_norm(h, (self.latent_dim,))

    def forward(self, z, generator=None):
        """Perturbation ``delta`` of shape ``z.shape``; add it to ``z``."""
        if self.training and z.shape[0] > 1:
            with torch.no_grad():
                batch_var = z.var(dim=0, unbiased=False)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * batch_var)
        return self.scale * self.latent_std() * self.direction(z, generator)
