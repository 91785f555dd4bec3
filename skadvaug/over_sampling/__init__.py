"""imbalanced-learn samplers: the public face of skadvaug."""

from ._augmentation import TimeSeriesAugmentationSampler

__all__ = ["TimeSeriesAugmentationSampler"]
