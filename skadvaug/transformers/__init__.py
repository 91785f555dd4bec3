"""scikit-learn transformers."""

from ._flatten import Flatten
from ._flow import FlowTransformer

__all__ = ["Flatten", "FlowTransformer"]
