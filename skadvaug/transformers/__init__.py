"""scikit-learn transformers."""

from ._contrastive import ContrastiveEncoder
from ._flatten import Flatten
from ._flow import FlowTransformer

__all__ = ["ContrastiveEncoder", "Flatten", "FlowTransformer"]
