"""skadvaug: learned and adversarial data augmentation for imbalanced data.

Samplers follow imbalanced-learn's API (``fit_resample``) and accept tables,
sequences ``(n, channels, timepoints)`` and images ``(n, channels, h, w)``, with
class labels or continuous targets (``rare_threshold``).
"""

from .over_sampling import (
    FlowLatentSampler,
    LatentAdversarialSampler,
    LearnedViewSampler,
    StructuredAdversarialSampler,
    TimeSeriesAugmentationSampler,
    WorstCaseGeneratorSampler,
)
from .transformers import ContrastiveEncoder, Flatten, FlowTransformer

__version__ = "0.1.0.dev0"

__all__ = [
    "ContrastiveEncoder",
    "Flatten",
    "FlowLatentSampler",
    "FlowTransformer",
    "LatentAdversarialSampler",
    "LearnedViewSampler",
    "StructuredAdversarialSampler",
    "TimeSeriesAugmentationSampler",
    "WorstCaseGeneratorSampler",
    "__version__",
]
