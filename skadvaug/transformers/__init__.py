"""scikit-learn transformers."""

from ._flatten import Flatten

__all__ = ["Flatten"]
