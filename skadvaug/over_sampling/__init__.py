"""imbalanced-learn samplers: the public face of skadvaug."""

from ._augmentation import TimeSeriesAugmentationSampler
from ._flow_latent import FlowLatentSampler
from ._latent_adversarial import LatentAdversarialSampler
from ._learned_views import LearnedViewSampler
from ._structured import StructuredAdversarialSampler
from ._worst_case import WorstCaseGeneratorSampler

__all__ = [
    "FlowLatentSampler",
    "LatentAdversarialSampler",
    "LearnedViewSampler",
    "StructuredAdversarialSampler",
    "TimeSeriesAugmentationSampler",
    "WorstCaseGeneratorSampler",
]
