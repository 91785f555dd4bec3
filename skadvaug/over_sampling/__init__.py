"""imbalanced-learn samplers: the public face of skadvaug."""

from ._augmentation import TimeSeriesAugmentationSampler
from ._latent_adversarial import LatentAdversarialSampler

__all__ = ["LatentAdversarialSampler", "TimeSeriesAugmentationSampler"]
