"""skorch nets: the only place in skadvaug with training loops."""

from ._base import BaseNet
from ._callbacks import DivergenceGuard

__all__ = ["BaseNet", "DivergenceGuard"]
