"""The oversamplers the benchmarks compare; every skadvaug sampler registers here once.

A method is a factory ``(random_state, context) -> sampler`` (``None`` means no
resampling) plus what it can handle. ``context`` describes the training fold:
``n_minority`` is the size of its smallest class (neighbour-based samplers get
``k_neighbors = min(5, n_minority - 1)`` so that a tiny class is oversampled rather
than recorded as a failure, as in smote-variants' study) and, for regression,
``rare_threshold`` is the threshold of the fold's rare targets.
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
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from skadvaug import (
    FlowLatentSampler,
    LatentAdversarialSampler,
    LearnedViewSampler,
    StructuredAdversarialSampler,
    TimeSeriesAugmentationSampler,
    WorstCaseGeneratorSampler,
    nets,
)
from skadvaug._targets import rare_mask

ALL_KINDS = frozenset({"tabular", "sequence", "image"})
CLASSIFICATION = frozenset({"classification"})
BOTH_TASKS = frozenset({"classification", "regression"})


@dataclass(frozen=True)
class Context:
    """What a method may know about the training fold it resamples."""

    task: str = "classification"
    n_minority: int = 0
    rare_threshold: float | None = None


@dataclass(frozen=True)
class Method:
    """An oversampler in the benchmarks.

    ``native_nd``: takes 3-D/4-D ``X`` itself; otherwise the harness flattens the
    data around it. ``tasks``: the targets it handles. ``family`` groups methods
    in the reports (``"skadvaug-..."`` are ours). ``min_minority``: smallest class
    it can resample; ``univariate_only``: sequences with one channel only.

    ``joint``: the method is a joint form (a network that augments its own training
    batches, papers 000-004) rather than a sampler: ``factory`` returns that
    estimator, the harness fits it on the training fold as it is, and its rows
    stand in for the suite's model named ``joint[kind]`` -- a plain network of the
    same architecture and training budget, which the other methods' outputs train.
    """

    name: str
    factory: object
    kinds: frozenset = ALL_KINDS
    family: str = "imbalanced-learn"
    native_nd: bool = False
    tasks: frozenset = CLASSIFICATION
    min_minority: int = 1
    univariate_only: bool = False
    spec: str = ""
    joint: dict | None = None  # data kind -> the model name the joint estimator replaces

    def build(self, random_state, context):
        return self.factory(random_state, context)

    @property
    def estimator(self):
        """The exact estimator and parameters the label stands for (reports, docs)."""
        return self.spec or getattr(self.factory, "spec", "")


METHODS = {}


def register_method(method):
    """Add ``method`` to the registry (suites list methods by name or family)."""
    if method.name in METHODS:
        raise ValueError(f"method {method.name!r} is registered twice")
    METHODS[method.name] = method
    return method


def methods_of(*families):
    """Names of the registered methods of the given families, in registration order."""
    return [name for name, method in METHODS.items() if method.family in families]


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


class RareDuplicator:
    """Random oversampling of the rare targets of a regression problem.

    imbalanced-learn's ``RandomOverSampler`` on the rare/common groups; the
    duplicated samples keep their targets (``sample_indices_``).
    """

    def __init__(self, rare_threshold, random_state=None):
        self.rare_threshold = rare_threshold
        self.random_state = random_state

    def fit_resample(self, X, y):
        groups = rare_mask(y, self.rare_threshold)
        sampler = RandomOverSampler(random_state=self.random_state)
        sampler.fit_resample(X.reshape(len(X), -1), groups)
        return X[sampler.sample_indices_], y[sampler.sample_indices_]


class SMOTER:
    """SMOTE for regression (Torgo et al. 2013), oversampling part.

    A synthetic sample interpolates a rare sample and one of its ``k_neighbors``
    nearest rare neighbours; its target is the average of theirs weighted by the
    inverse distance of the new sample to each. Written here because no maintained
    library ships it (imbalanced-learn has no regression sampler) and the
    regression suite needs SMOTE's counterpart; the rare group is oversampled up to
    the size of the common one.
    """

    def __init__(self, rare_threshold, k_neighbors=5, random_state=None):
        self.rare_threshold = rare_threshold
        self.k_neighbors = k_neighbors
        self.random_state = random_state

    def fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        rare = np.flatnonzero(rare_mask(y, self.rare_threshold))
        n_new = len(y) - 2 * len(rare)
        flat = X.reshape(len(X), -1)
        k = min(self.k_neighbors, len(rare) - 1)
        if n_new <= 0 or k < 1:
            return X, y
        neighbours = NearestNeighbors(n_neighbors=k + 1).fit(flat[rare])
        index = neighbours.kneighbors(flat[rare], return_distance=False)[:, 1:]
        seeds = rng.randint(len(rare), size=n_new)
        partners = index[seeds, rng.randint(k, size=n_new)]
        gap = rng.uniform(size=(n_new, 1))
        a, b = flat[rare[seeds]], flat[rare[partners]]
        new = a + gap * (b - a)
        d_a = np.linalg.norm(new - a, axis=1)
        d_b = np.linalg.norm(new - b, axis=1)
        total = d_a + d_b
        weight_a = np.where(total > 0, d_b / np.where(total > 0, total, 1), 0.5)
        y_new = weight_a * y[rare[seeds]] + (1 - weight_a) * y[rare[partners]]
        return (
            np.concatenate([X, new.reshape(-1, *X.shape[1:])]),
            np.concatenate([y, y_new]),
        )


def _classification_or_regression(classification, regression):
    """A factory that builds ``classification(rs, ctx)`` or ``regression(rs, ctx)``."""

    def factory(random_state, context):
        chosen = regression if context.task == "regression" else classification
        return chosen(random_state, context)

    return factory


# ------------------------------------------------------------------- baselines
register_method(
    Method(
        "none",
        lambda rs, ctx: None,
        family="baseline",
        native_nd=True,
        tasks=BOTH_TASKS,
        spec="no resampling",
    )
)
register_method(
    Method(
        "RandomOverSampler",
        _classification_or_regression(
            lambda rs, ctx: RandomOverSampler(random_state=rs),
            lambda rs, ctx: RareDuplicator(ctx.rare_threshold, random_state=rs),
        ),
        tasks=BOTH_TASKS,
        spec="imbalanced-learn `RandomOverSampler()`; regression: rare targets duplicated",
    )
)
register_method(
    Method(
        "SMOTE",
        _classification_or_regression(
            lambda rs, ctx: SMOTE(k_neighbors=_k(ctx.n_minority), random_state=rs),
            lambda rs, ctx: SMOTER(ctx.rare_threshold, random_state=rs),
        ),
        min_minority=2,
        native_nd=False,
        tasks=BOTH_TASKS,
        spec="imbalanced-learn `SMOTE(k_neighbors=min(5, n_minority - 1))`; regression: "
        "SMOTER (Torgo et al. 2013, k 5)",
    )
)
register_method(
    Method(
        "ADASYN",
        lambda rs, ctx: ADASYN(n_neighbors=_k(ctx.n_minority), random_state=rs),
        min_minority=2,
        spec="imbalanced-learn `ADASYN(n_neighbors=min(5, n_minority - 1))`",
    )
)
register_method(
    Method(
        "BorderlineSMOTE",
        lambda rs, ctx: BorderlineSMOTE(k_neighbors=_k(ctx.n_minority), random_state=rs),
        min_minority=2,
        spec="imbalanced-learn `BorderlineSMOTE(k_neighbors=min(5, n_minority - 1))`",
    )
)
register_method(
    Method(
        "SVMSMOTE",
        lambda rs, ctx: SVMSMOTE(k_neighbors=_k(ctx.n_minority), random_state=rs),
        min_minority=2,
        spec="imbalanced-learn `SVMSMOTE(k_neighbors=min(5, n_minority - 1))`",
    )
)
register_method(
    Method(
        "KMeansSMOTE",
        lambda rs, ctx: KMeansSMOTE(
            k_neighbors=_k(ctx.n_minority, 2), cluster_balance_threshold=0.0, random_state=rs
        ),
        min_minority=3,
        spec="imbalanced-learn `KMeansSMOTE(k_neighbors=min(2, n_minority - 1), "
        "cluster_balance_threshold=0.0)`",
    )
)

# smote-variants' leaders (Kovács 2019, Table 9): polynom_fit_SMOTE in each of
# its four topologies (the study tuned the topology; star ranked first), ProWSyn
# and SMOTE_IPF.
SMOTE_VARIANTS = (
    "polynom_fit_SMOTE_star",
    "polynom_fit_SMOTE_bus",
    "polynom_fit_SMOTE_mesh",
    "polynom_fit_SMOTE_poly",
    "ProWSyn",
    "SMOTE_IPF",
)
for _name in SMOTE_VARIANTS:
    register_method(
        Method(
            _name,
            (lambda name: lambda rs, ctx: SmoteVariantsSampler(name, random_state=rs))(_name),
            family="smote-variants",
            min_minority=2,
            spec=f"smote-variants `{_name}()` at its defaults (multiclass: its "
            "`MulticlassOversampling`)",
        )
    )


# ------------------------------------------------------------------- skadvaug
def _joint(classifier, **params):
    """Factory of a joint classifier (``spec`` names it for the reports)."""

    def factory(random_state, context):
        return classifier(random_state=random_state, **params)

    arguments = ", ".join(f"{key}={value!r}" for key, value in params.items())
    factory.spec = f"skadvaug `{classifier.__name__}({arguments})`, trained on the fold as it is"
    return factory


def _skadvaug(cls, **params):
    def factory(random_state, context):
        return cls(random_state=random_state, rare_threshold=context.rare_threshold, **params)

    arguments = ", ".join(f"{key}={value!r}" for key, value in params.items())
    factory.spec = f"skadvaug `{cls.__name__}({arguments})`"
    return factory


for _method in (
    "jitter",
    "scaling",
    "magnitude_warp",
    "time_warp",
    "window_warp",
    "window_slice",
    "permutation",
    "translation",
):
    from skadvaug.augment import AUGMENTATIONS as _AUGMENTATIONS

    register_method(
        Method(
            f"TSAug[{_method}]",
            _skadvaug(TimeSeriesAugmentationSampler, method=_method),
            kinds=_AUGMENTATIONS[_method].kinds,
            family="skadvaug-classic",
            native_nd=True,
            tasks=BOTH_TASKS,
        )
    )

# Paper 000: our defaults (random perturbation of interpolated seeds, scale 0.1, residual
# decoding, chosen on the development half of the keel sets: python -m
# benchmarks.select_defaults) and the adversarial perturbation of the same seeds as
# [adversarial]; the default before interpolated seeds (adversarial, drawn samples,
# residual) as [samples] and its random mode as [samples+random]; the paper's decoding
# (decode(z + delta)) of drawn samples as [paper] and [paper+random] (Table 2's modes).
# Paper 003: our default (Randomized-LA, linf, epsilon 0.25, as in its Table 1; chosen
# on the development half of the keel sets), and the paper's Adversarial-LA (PGD in the
# flow's latent space, l2, epsilon 1, alpha 0.5, k 3) as [paper], the label FlowLatent
# had until the defaults changed (FlowLatent was then FlowLatent[random]).
for _sampler, _label, _params in [
    (
        LatentAdversarialSampler,
        "LatentAdversarial",
        {"perturbation": "random", "residual": True, "seeds": "interpolated"},
    ),
    (
        LatentAdversarialSampler,
        "LatentAdversarial[adversarial]",
        {
            "perturbation": "adversarial",
            "residual": True,
            "seeds": "interpolated",
            "local_budget": False,
        },
    ),
    (
        LatentAdversarialSampler,
        "LatentAdversarial[samples]",
        {
            "perturbation": "adversarial",
            "residual": True,
            "seeds": "samples",
            "local_budget": False,
        },
    ),
    (
        LatentAdversarialSampler,
        "LatentAdversarial[samples+random]",
        {"perturbation": "random", "residual": True, "seeds": "samples"},
    ),
    (
        LatentAdversarialSampler,
        "LatentAdversarial[paper]",
        {
            "perturbation": "adversarial",
            "residual": False,
            "seeds": "samples",
            "local_budget": False,
        },
    ),
    (
        LatentAdversarialSampler,
        "LatentAdversarial[paper+random]",
        {"perturbation": "random", "residual": False, "seeds": "samples"},
    ),
    (FlowLatentSampler, "FlowLatent", {"attack": "random", "norm": "linf", "epsilon": 0.25}),
    (
        FlowLatentSampler,
        "FlowLatent[paper]",
        # flow_hidden=64: on sequences the checkerboard flow its results were made with
        {
            "attack": "adversarial",
            "norm": "l2",
            "epsilon": 1.0,
            "preserve_labels": False,
            "flow_hidden": 64,
        },
    ),
]:
    register_method(
        Method(
            _label,
            _skadvaug(_sampler, **_params),
            family="skadvaug-learned",
            native_nd=True,
            tasks=BOTH_TASKS,
        )
    )


class AeonSampler:
    """One of aeon's time-series oversamplers (``fit_transform``) behind ``fit_resample``."""

    def __init__(self, name, random_state=None, **params):
        self.name = name
        self.random_state = random_state
        self.params = params

    def fit_resample(self, X, y):
        from aeon.transformations.collection import imbalance

        sampler = getattr(imbalance, self.name)(random_state=self.random_state, **self.params)
        return sampler.fit_transform(np.asarray(X, dtype=float), np.asarray(y))


# aeon's time-series SMOTE with the DTW distance (univariate series only).
register_method(
    Method(
        "aeon:SMOTE[dtw]",
        lambda rs, ctx: AeonSampler(
            "SMOTE", random_state=rs, distance="dtw", n_neighbors=_k(ctx.n_minority)
        ),
        kinds=frozenset({"sequence"}),
        family="aeon",
        native_nd=True,
        min_minority=2,
        univariate_only=True,
        spec="aeon `SMOTE(distance='dtw', n_neighbors=min(5, n_minority - 1))`",
    )
)

# Issue 23's candidate defaults, chosen on the development half of the keel sets
# (python -m benchmarks.select_defaults): ``preserve``, perturbations that change the
# seed's class in a class-balanced surrogate's eyes are shrunk; ``residual``, the seed
# moved by the decoded perturbation instead of the decoding itself; ``linf``, the
# random mode's ball (linf, 0.25) for the attack (the LatentAdversarial candidates ran
# on drawn samples, the default seeds then; interpolated seeds, the candidates
# [interp] and [random+interp], became LatentAdversarial[adversarial] and the default).
# In no suite's list: run by name.
for _label, _sampler, _params in [
    (
        "LatentAdversarial[preserve]",
        LatentAdversarialSampler,
        {
            "perturbation": "adversarial",
            "residual": False,
            "seeds": "samples",
            "preserve_labels": True,
            "local_budget": False,
        },
    ),
    (
        "LatentAdversarial[residual+preserve]",
        LatentAdversarialSampler,
        {
            "perturbation": "adversarial",
            "residual": True,
            "seeds": "samples",
            "preserve_labels": True,
            "local_budget": False,
        },
    ),
    (
        "LatentAdversarial[random+preserve]",
        LatentAdversarialSampler,
        {
            "perturbation": "random",
            "residual": False,
            "seeds": "samples",
            "preserve_labels": True,
        },
    ),
    (
        "LatentAdversarial[adversarial+preserve]",
        LatentAdversarialSampler,
        {
            "perturbation": "adversarial",
            "residual": True,
            "seeds": "interpolated",
            "preserve_labels": True,
            "local_budget": False,
        },
    ),
    (
        "LatentAdversarial[adversarial+half-scale]",
        LatentAdversarialSampler,
        {
            "perturbation": "adversarial",
            "residual": True,
            "seeds": "interpolated",
            "scale": 0.05,
            "local_budget": False,
        },
    ),
    (
        "LatentAdversarial[adversarial+local]",
        LatentAdversarialSampler,
        {
            "perturbation": "adversarial",
            "residual": True,
            "seeds": "interpolated",
            "local_budget": True,
        },
    ),
    (
        "LatentAdversarial[random+local]",
        LatentAdversarialSampler,
        {"perturbation": "random", "residual": True, "seeds": "interpolated", "local_budget": True},
    ),
    (
        # the adversarial attack in the random default's ball (linf 0.25), without label
        # keeping: what FlowLatentSampler(attack="adversarial") gave before preserve_labels="auto"
        "FlowLatent[adversarial]",
        FlowLatentSampler,
        {"attack": "adversarial", "norm": "linf", "epsilon": 0.25, "preserve_labels": False},
    ),
    (
        # per-seed balls (issue 23), the flow's counterpart of LatentAdversarial's local_budget
        "FlowLatent[adversarial+local]",
        FlowLatentSampler,
        {
            "attack": "adversarial",
            "norm": "linf",
            "epsilon": 0.25,
            "local_budget": True,
            "preserve_labels": False,
        },
    ),
    (
        "FlowLatent[adversarial+local+preserve]",
        FlowLatentSampler,
        {
            "attack": "adversarial",
            "norm": "linf",
            "epsilon": 0.25,
            "local_budget": True,
            "preserve_labels": True,
        },
    ),
    (
        "FlowLatent[random+local]",
        FlowLatentSampler,
        {"attack": "random", "norm": "linf", "epsilon": 0.25, "local_budget": True},
    ),
    (
        # what FlowLatentSampler(attack="adversarial") gives since preserve_labels="auto"
        "FlowLatent[preserve]",
        FlowLatentSampler,
        {"attack": "adversarial", "norm": "l2", "epsilon": 1.0, "preserve_labels": True},
    ),
    (
        "FlowLatent[linf+preserve]",
        FlowLatentSampler,
        {"attack": "adversarial", "norm": "linf", "epsilon": 0.25, "preserve_labels": True},
    ),
    (
        "FlowLatent[random+preserve]",
        FlowLatentSampler,
        {"attack": "random", "norm": "linf", "epsilon": 0.25, "preserve_labels": True},
    ),
]:
    register_method(
        Method(
            _label,
            _skadvaug(_sampler, **_params),
            family="skadvaug-candidate",
            native_nd=True,
            tasks=BOTH_TASKS if "preserve" not in _label else CLASSIFICATION,
        )
    )

# Issue 20's candidate for a cheaper FlowLatentSampler on sequences, split couplings
# (the network on the unchanged half of the time steps) of 16 channels, became the
# sequence default (flow_hidden="auto"); FlowLatent[checkerboard] is the sequence flow
# before it (checkerboard couplings of 64 channels; the same as the default on tables).
# Sequences only; in no suite's list: run by name.
for _label, _params in [
    ("FlowLatent[small-seq]", {"flow_params": {"coupling": "split"}, "flow_hidden": 16}),
    ("FlowLatent[checkerboard]", {"flow_hidden": 64}),
    # the flow's budget on the sequence_budget suite's folds of 800 rows (4 batches of
    # 256): [flow150] 600 steps, the sequence default since issue 20 (the steps every
    # timeseries set's folds train with, under the 300-epoch cap); [flow250] 1,000
    # steps, the default before
    ("FlowLatent[flow150]", {"flow_epochs": 150}),
    ("FlowLatent[flow250]", {"flow_epochs": 250}),
]:
    register_method(
        Method(
            _label,
            _skadvaug(FlowLatentSampler, **_params),
            kinds=frozenset({"sequence"}),
            family="skadvaug-candidate",
            native_nd=True,
            tasks=BOTH_TASKS,
        )
    )

# Paper 004 at its defaults (adversarial smooth flow: a warp of images, a time-warp
# of sequences), and its random smooth flow of the same budget (the ablation of the
# adversarial part). Grids only: tables have nothing to warp.
GRIDS = frozenset({"sequence", "image"})
register_method(
    Method(
        "StructuredAdversarial",
        _skadvaug(StructuredAdversarialSampler),
        kinds=GRIDS,
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)
register_method(
    Method(
        "StructuredAdversarial[random_flow]",
        _skadvaug(StructuredAdversarialSampler, perturbation="random_flow"),
        kinds=GRIDS,
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)

# Paper 002 at its defaults (Wasserstein game, epsilon 0.3, the paper's best on
# CIFAR-10), and epsilon 0: the plain conditional WGAN-GP oversampler (the paper's
# DAGAN-like baseline).
register_method(
    Method(
        "WorstCaseGenerator",
        _skadvaug(WorstCaseGeneratorSampler),
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)
register_method(
    Method(
        "WorstCaseGenerator[cWGAN-GP]",
        _skadvaug(WorstCaseGeneratorSampler, epsilon=0.0),
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)


# Issue 20's candidates for a cheaper game: game_epochs="auto" as fewer critic steps (the
# default was 10,000 with the classifier stepping on every batch), to bring the default
# fit at 1e6 x 20 under SMOTE's time and the (1000, 3, 128) sequence fit under 60 s;
# scores to compare with the default's rows.
# "spec-C": the classifier steps once per generator step, as in the spec's algorithm
# (paper002 §1.3, step 2c), not on every batch.
def worst_case_budget_sampler(critic_steps, suffix=""):
    """``WorstCaseGeneratorSampler`` whose ``game_epochs="auto"`` is ``critic_steps``
    critic steps on every kind and size of data (one class per budget and ``suffix``,
    registered in this module: pickled by name, so the names must differ)."""
    name = f"WorstCaseGeneratorSampler{critic_steps}{suffix}"
    if name not in globals():
        globals()[name] = type(
            name,
            (WorstCaseGeneratorSampler,),
            {
                "_auto_critic_steps": critic_steps,
                "_auto_critic_steps_large": critic_steps,
                "_auto_critic_steps_structured": critic_steps,
                "__module__": __name__,
                "__doc__": f"WorstCaseGeneratorSampler, auto budget {critic_steps} critic steps.",
            },
        )
    return globals()[name]


def _worst_case_budget(critic_steps, **params):
    suffix = "".join(f"_{value}" for value in params.values())
    factory = _skadvaug(worst_case_budget_sampler(critic_steps, suffix), **params)
    arguments = "".join(f", {key}={value!r}" for key, value in params.items())
    factory.spec = (
        f"skadvaug `WorstCaseGeneratorSampler({arguments[2:]})` with game_epochs='auto' = "
        f"{critic_steps:,} critic steps"
    )
    return factory


for _steps, _label, _params in (
    (1_000, "1k-steps", {"classifier_steps": "every_batch"}),
    (2_000, "2k-steps", {"classifier_steps": "every_batch"}),
    (1_000, "1k-steps+spec-C", {"classifier_steps": "per_generator_step"}),
    # the default on tables of up to 640,000 rows; on sequences and images the default
    # before issue 20
    (10_000, "10k-steps", {"classifier_steps": "every_batch"}),
):
    register_method(
        Method(
            f"WorstCaseGenerator[{_label}]",
            _worst_case_budget(_steps, **_params),
            family="skadvaug-candidate",
            native_nd=True,
            tasks=BOTH_TASKS,
        )
    )

# Paper 001's learned views as an oversampler (an extension: the paper pre-trains with
# them), sequences only.
register_method(
    Method(
        "LearnedViews",
        _skadvaug(LearnedViewSampler),
        kinds=frozenset({"sequence"}),
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)

# Reduced training budgets for the README's quick suite (a few minutes on 2 cores);
# the other suites run the defaults above.
register_method(
    Method(
        "LatentAdversarial[quick]",
        _skadvaug(LatentAdversarialSampler, autoencoder_epochs=10, surrogate_epochs=5),
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)
register_method(
    Method(
        "FlowLatent[quick]",
        # flow_hidden=64: on sequences the checkerboard flow its results were made with
        _skadvaug(FlowLatentSampler, flow_epochs=10, surrogate_epochs=10, flow_hidden=64),
        family="skadvaug-learned",
        native_nd=True,
        tasks=BOTH_TASKS,
    )
)

# The joint forms: the networks papers 000-004 evaluate, which augment their own
# training batches. Each replaces a plain network of its architecture and budget
# (benchmarks.models: "net", "net_cnn1d", "net_game", "net_game_cnn1d"), which the
# samplers' outputs train in the same suite (issue 23). Classification only: the
# joint regressors take their rare threshold in target units, which the harness's
# target standardisation of regression networks would change.
# "[joint+balanced]": with class_weight="balanced", as the joint nets augment the rare
# classes' samples in each batch but do not rebalance the classes (compare with the
# plain network on RandomOverSampler's output); not for the worst-case game, whose
# cells cost the most.
_PLAIN = {"tabular": "net", "sequence": "net", "image": "net"}
_JOINT_FORMS = [
    ("LatentAdversarial", nets.LatentAdversarialClassifier, ALL_KINDS, _PLAIN),
    ("FlowLatent", nets.FlowLatentClassifier, ALL_KINDS, _PLAIN),
    (
        "StructuredAdversarial",
        nets.StructuredAdversarialClassifier,
        GRIDS,
        {"sequence": "net_cnn1d", "image": "net"},
    ),
    (
        "WorstCaseGenerator",
        nets.WorstCaseGeneratorClassifier,
        frozenset({"tabular", "sequence"}),
        {"tabular": "net_game", "sequence": "net_game_cnn1d"},
    ),
]
for _variant, _params in [("joint", {}), ("joint+balanced", {"class_weight": "balanced"})]:
    for _name, _classifier, _kinds, _models in _JOINT_FORMS:
        if _params and _name == "WorstCaseGenerator":
            continue
        register_method(
            Method(
                f"{_name}[{_variant}]",
                _joint(_classifier, **_params),
                kinds=_kinds,
                family="skadvaug-joint",
                native_nd=True,
                joint=_models,
            )
        )
