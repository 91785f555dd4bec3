"""The oversamplers the benchmarks compare; every skadvaug sampler registers here once.

A method is a factory ``(random_state, n_minority) -> sampler`` (``None`` means no
resampling) plus what it can handle. ``n_minority`` is the size of the smallest
class in the training fold: neighbour-based samplers get ``k_neighbors = min(5,
n_minority - 1)`` so that a tiny class is oversampled rather than recorded as a
failure, as in smote-variants' study.
"""

import logging
from dataclasses import dataclass

import numpy as np
from imblearn.over_sampling import (
    ADASYN,
    SMOTE,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
    RandomOverSampler,
)

from skadvaug import LatentAdversarialSampler, TimeSeriesAugmentationSampler

ALL_KINDS = frozenset({"tabular", "sequence", "image"})


@dataclass(frozen=True)
class Method:
    """An oversampler in the benchmarks.

    ``native_nd``: takes 3-D/4-D ``X`` itself; otherwise the harness flattens the
    data around it. ``task``: the targets it handles.
    """

    name: str
    factory: object
    kinds: frozenset = ALL_KINDS
    family: str = "imbalanced-learn"
    native_nd: bool = False
    tasks: frozenset = frozenset({"classification"})
    min_minority: int = 1

    def build(self, random_state, n_minority):
        return self.factory(random_state, n_minority)


METHODS = {}


def register_method(method):
    """Add ``method`` to every suite that lists its family or name."""
    if method.name in METHODS:
        raise ValueError(f"method {method.name!r} is registered twice")
    METHODS[method.name] = method
    return method


def _k(n_minority, default=5):
    return int(max(1, min(default, n_minority - 1)))


class SmoteVariantsSampler:
    """Runs an oversampler of smote-variants (Kovács 2019) through ``fit_resample``.

    smote-variants' oversamplers are binary; multiclass data goes through its own
    ``MulticlassOversampling`` (one-vs-many, successive), as in its study.
    """

    def __init__(self, name, random_state=None, **params):
        self.name = name
        self.random_state = random_state
        self.params = params

    def fit_resample(self, X, y):
        import smote_variants as sv

        logging.getLogger("smote_variants").setLevel(logging.WARNING)
        params = {"random_state": self.random_state, **self.params}
        if np.unique(y).size > 2:
            sampler = sv.MulticlassOversampling(oversampler=self.name, oversampler_params=params)
        else:
            sampler = getattr(sv, self.name)(**params)
        return sampler.sample(np.asarray(X, dtype=float), np.asarray(y))


# ------------------------------------------------------------------- baselines
register_method(
    Method(
        "none",
        lambda rs, n: None,
        family="baseline",
        native_nd=True,
        tasks=frozenset({"classification", "regression"}),
    )
)
register_method(Method("RandomOverSampler", lambda rs, n: RandomOverSampler(random_state=rs)))
register_method(
    Method("SMOTE", lambda rs, n: SMOTE(k_neighbors=_k(n), random_state=rs), min_minority=2)
)
register_method(
    Method("ADASYN", lambda rs, n: ADASYN(n_neighbors=_k(n), random_state=rs), min_minority=2)
)
register_method(
    Method(
        "BorderlineSMOTE",
        lambda rs, n: BorderlineSMOTE(k_neighbors=_k(n), random_state=rs),
        min_minority=2,
    )
)
register_method(
    Method("SVMSMOTE", lambda rs, n: SVMSMOTE(k_neighbors=_k(n), random_state=rs), min_minority=2)
)
register_method(
    Method(
        "KMeansSMOTE",
        lambda rs, n: KMeansSMOTE(
            k_neighbors=_k(n, 2), cluster_balance_threshold=0.0, random_state=rs
        ),
        min_minority=3,
    )
)

# smote-variants' leaders (Kovács 2019, Table 9): the polynom_fit_SMOTE family,
# ProWSyn and SMOTE_IPF.
for _name in ("polynom_fit_SMOTE_star", "ProWSyn", "SMOTE_IPF"):
    register_method(
        Method(
            _name,
            (lambda name: lambda rs, n: SmoteVariantsSampler(name, random_state=rs))(_name),
            family="smote-variants",
            min_minority=2,
        )
    )

# ------------------------------------------------------------------- skadvaug
_TABLE_METHODS = ("jitter", "scaling")
_SEQUENCE_ONLY = (
    "magnitude_warp",
    "time_warp",
    "window_warp",
    "window_slice",
    "permutation",
    "translation",
)
for _method in _TABLE_METHODS + _SEQUENCE_ONLY:
    register_method(
        Method(
            f"TSAug[{_method}]",
            (lambda m: lambda rs, n: TimeSeriesAugmentationSampler(method=m, random_state=rs))(
                _method
            ),
            kinds=ALL_KINDS if _method in _TABLE_METHODS else frozenset({"sequence"}),
            family="skadvaug-classic",
            native_nd=True,
            tasks=frozenset({"classification", "regression"}),
        )
    )

# Paper 000 at its defaults (adversarial, scale 0.1), plus the random-perturbation
# ablation of Table 2 as a named variant.
for _name, _params in (
    ("LatentAdversarial", {}),
    ("LatentAdversarial[random]", {"perturbation": "random"}),
):
    register_method(
        Method(
            _name,
            (lambda params: lambda rs, n: LatentAdversarialSampler(random_state=rs, **params))(
                _params
            ),
            family="skadvaug-learned",
            native_nd=True,
            tasks=frozenset({"classification", "regression"}),
        )
    )
