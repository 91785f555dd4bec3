"""Reduced, offline reproduction of Luo, Mobahi & Bengio (2020), structured adversarial
perturbations as data augmentation (spec ``paper004-structured-adversarial.md`` §2.4).

    python -m benchmarks.paper004 digits --seeds 10            # §2.4 A: Tables 1-2 analogues
    python -m benchmarks.paper004 ucr --seeds 5 --sweep-seeds 3  # §2.4 B: time-warps, budget swept
    python -m benchmarks.paper004 sampler --seeds 5            # §2.4 C: the sampler
    python -m benchmarks.paper004 cost --seeds 5 --cost-epochs 40  # cost of the online attack
    python -m benchmarks.paper004 all --report-only            # rewrite the reports from the CSVs

(the seed counts of the committed results; on the shared 2-core machine these took about
85 minutes together, see results/paper004/README.md).

The paper's CIFAR-10/100 and STL-10 (Wide-ResNet, EfficientNet) cannot be downloaded
here. scikit-learn's digits (8x8 grayscale) and aeon's bundled UCR sets stand in, with
the small models of the spec; the paper's CIFAR/STL numbers are not reproduced, only
its orderings are checked, with paired seeds (same split and initial weights across
conditions within a seed) and sign tests. Every run uses one torch thread; seeds (or
cells) run in parallel processes. The method itself is skadvaug's
StructuredAdversarialClassifier / StructuredAdversarialSampler.
"""

import argparse
import json
import shlex
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from ._reproduction import header, holds, mean_sd, run_experiments

RESULTS = Path(__file__).resolve().parent / "results" / "paper004"
PAPER = "Luo, Mobahi & Bengio, arXiv:2011.03010 (2020)"

DIGITS_EPOCHS = 60
UCR_EPOCHS = 400
SWEEP_SEEDS = 3
SAMPLER_SEQUENCE_EPOCHS = 200
COST_EPOCHS = 12

# §2.4 A: flow gamma 5, max displacement 0.75 px; recolour R3 with 4 eigenvectors.
DIGITS_FLOW = {"gamma": 5.0, "max_displacement": 0.75}
DIGITS_RECOLOUR = {"n_components": 4}
# §2.4 B: the budget grid, as fractions of the series length T
UCR_DISPLACEMENTS = (0.005, 0.01, 0.02, 0.03)
UCR_GAMMAS = (("T/30", 1 / 30), ("T/3", 1 / 3), ("3T", 3.0))
UCR_SETS = ("GunPoint", "ArrowHead", "ItalyPowerDemand")


def _one_thread():
    """One thread for torch and for the BLAS / OpenMP pools numpy and scipy use (the
    recolouring bases are computed with scipy): on this 2-core machine extra threads only
    contend. joblib's worker processes are limited already; the parent is not."""
    import scipy.linalg
    import scipy.sparse.linalg  # noqa: F401  (load scipy's BLAS before limiting it)
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1)  # limits the libraries loaded so far only


# --------------------------------------------------------------------------- models
class DigitsCNN(nn.Module):
    """The spec's small CNN: conv 1->16 3x3, ReLU, conv 16->32 3x3, ReLU, maxpool 2,
    FC 512->64, ReLU, FC 64->n_outputs (logits)."""

    def __init__(self, input_shape, n_outputs):
        super().__init__()
        channels, height, width = input_shape
        self.features = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * (height // 2) * (width // 2), 64),
            nn.ReLU(),
            nn.Linear(64, n_outputs),
        )

    def forward(self, x):
        return self.head(self.features(x))


class FCNLite(nn.Module):
    """The spec's FCN-lite: Conv1d 1->32 k7, BN, ReLU, Conv1d 32->64 k5, BN, ReLU,
    Conv1d 64->32 k3, BN, ReLU, global average pooling, Linear (logits)."""

    def __init__(self, input_shape, n_outputs):
        super().__init__()
        channels = input_shape[0]
        blocks = []
        for c_in, c_out, k in ((channels, 32, 7), (32, 64, 5), (64, 32, 3)):
            blocks += [nn.Conv1d(c_in, c_out, k, padding=k // 2), nn.BatchNorm1d(c_out), nn.ReLU()]
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(32, n_outputs)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=-1))


# ------------------------------------------------------------ base augmentations
def random_shift(X):
    """Basic aug: each image shifted by a random integer in {-1, 0, 1}^2, border replicated.

    Draws from torch's global generator, which the nets seed in ``fit``."""
    n, _, height, width = X.shape
    shift = torch.randint(-1, 2, (n, 2), device=X.device)
    padded = F.pad(X, (1, 1, 1, 1), mode="replicate").permute(0, 2, 3, 1)
    rows = torch.arange(height, device=X.device)[None] + 1 - shift[:, :1]
    cols = torch.arange(width, device=X.device)[None] + 1 - shift[:, 1:]
    index = torch.arange(n, device=X.device)[:, None, None]
    return padded[index, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2).contiguous()


def cutout(X, size=2):
    """A random ``size`` x ``size`` square of each image set to zero."""
    n, _, height, width = X.shape
    top = torch.randint(0, height - size + 1, (n,), device=X.device)
    left = torch.randint(0, width - size + 1, (n,), device=X.device)
    rows = torch.arange(height, device=X.device)[None]
    cols = torch.arange(width, device=X.device)[None]
    inside_rows = (rows >= top[:, None]) & (rows < top[:, None] + size)
    inside_cols = (cols >= left[:, None]) & (cols < left[:, None] + size)
    mask = (inside_rows[:, :, None] & inside_cols[:, None, :])[:, None]
    return X.masked_fill(mask, 0.0)


def strong_random(X):
    """Strong random aug (the RandAugment analogue, §2.4 A C8): a random smooth flow of
    the adversarial flow's budget on every image, then the shift, then a 2x2 cutout."""
    from skadvaug.augment import structured

    flow = structured.random_smooth_flow(X, **DIGITS_FLOW)
    return cutout(random_shift(structured.warp(X, flow)))


# --------------------------------------------------------------------- statistics
def paired(frame, key, a, b, metric="accuracy", by=("seed",)):
    """Per-seed differences ``a - b`` of ``metric``: mean, sd, wins/losses/ties and the
    one-sided sign test of ``a > b`` (ties dropped)."""
    from scipy.stats import binomtest

    table = frame.pivot_table(index=list(by), columns=key, values=metric)
    diff = (table[a] - table[b]).dropna()
    wins, losses = int((diff > 0).sum()), int((diff < 0).sum())
    ties = len(diff) - wins - losses
    p_greater = (
        binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue if wins + losses else 1.0
    )
    p_less = (
        binomtest(losses, wins + losses, 0.5, alternative="greater").pvalue
        if wins + losses
        else 1.0
    )
    return {
        "mean": float(diff.mean()),
        "sd": float(diff.std()),
        "wins": wins,
        "losses": losses,
        "ties": ties,
        "p_greater": float(p_greater),
        "p_less": float(p_less),
        "sd_b": float(table[b].std()),
    }


def _wins_needed(n, level=0.05):
    """Fewest wins out of ``n`` untied seeds for a one-sided sign test p < ``level``."""
    from scipy.stats import binomtest

    for k in range(n + 1):
        if binomtest(k, n, 0.5, alternative="greater").pvalue < level:
            return k
    return None


def _paired_line(label, stats, expect):
    """One row of an orderings table; ``expect`` is ">", ">=", "<" or "<=" for a vs b,
    ">=tol" for "not worse by more than one seed-sd of b"."""
    m = stats["mean"]
    if expect == ">":
        verdict, p = m > 0, stats["p_greater"]
    elif expect == ">=":
        verdict, p = m >= 0, stats["p_greater"]
    elif expect == ">=tol":
        verdict, p = m >= -stats["sd_b"], stats["p_greater"]
    elif expect == "<":
        verdict, p = m < 0, stats["p_less"]
    else:  # "<="
        verdict, p = m <= 0, stats["p_less"]
    direction = "a < b" if expect.startswith("<") else "a > b"
    return (
        f"| {label} | {m:+.4f} ± {stats['sd']:.4f} | {stats['wins']}/{stats['losses']}/"
        f"{stats['ties']} | {p:.3f} ({direction}) | **{holds(verdict)}**"
        f"{' (significant, p < 0.05)' if verdict and p < 0.05 else ''} |"
    )


ORDERINGS_HEADER = [
    "| ordering (a vs b) | mean paired difference a − b ± sd | seeds a wins / b wins / ties "
    "| one-sided sign test p | verdict |",
    "|---|---|---|---|---|",
]


# --------------------------------------------------------------------------- nets
def _check_names(estimator, params):
    """Refuse parameter names the estimator does not define: skadvaug's nets accept
    unknown keyword arguments silently (see the report), so a misspelt or renamed
    parameter would otherwise train the default configuration."""
    known = set(estimator.get_params(deep=False))
    unknown = sorted(key for key in params if key not in known and "__" not in key)
    if unknown:
        raise TypeError(f"{type(estimator).__name__} has no parameter(s) {unknown}.")
    return estimator


def _structured_net(module, seed, epochs, batch_size, lr, **params):
    from skadvaug.nets import StructuredAdversarialClassifier

    _check_names(StructuredAdversarialClassifier(), params)
    return StructuredAdversarialClassifier(
        module=module,
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        random_state=seed,
        device="cpu",
        **params,
    )


def _cosine(epochs):
    from skorch.callbacks import LRScheduler
    from torch.optim.lr_scheduler import CosineAnnealingLR

    return [("cosine", LRScheduler(policy=CosineAnnealingLR, T_max=epochs))]


def _relative_change(net, X, y):
    """Median ``||x' - x|| / ||x||`` of a fitted net's attack on ``X``."""
    X_new = net.augment(X, y)
    change = np.linalg.norm((X_new - X).reshape(len(X), -1), axis=1)
    return float(np.median(change / np.linalg.norm(X.reshape(len(X), -1), axis=1)))


# ========================================================================= digits
def load_digits_split(seed, n_train=300):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.images[:, None] / 16.0).astype(np.float32)
    return train_test_split(
        X, digits.target, train_size=n_train, stratify=digits.target, random_state=seed
    )


def digits_conditions(recolour_norm):
    flow = {"perturbation": "flow", **DIGITS_FLOW}
    recolour = {"perturbation": "recolour", **DIGITS_RECOLOUR, "recolour_norm": recolour_norm}
    basic = {"base_augmentation": random_shift}
    return {
        "none": {"augment_fraction": 0.0},
        "basic": {"augment_fraction": 0.0, **basic},
        "basic + adv flow (p=0.5)": {**flow, "augment_fraction": 0.5, **basic},
        "basic + adv recolour (p=0.5)": {**recolour, "augment_fraction": 0.5, **basic},
        "adv flow alone (p=1)": {**flow, "augment_fraction": 1.0},
        "adv recolour alone (p=1)": {**recolour, "augment_fraction": 1.0},
        "basic + random smooth flow (p=0.5)": {
            **flow,
            "perturbation": "random_flow",
            "augment_fraction": 0.5,
            **basic,
        },
        "basic + FGM-l2 equal budget (p=0.5)": {
            **flow,
            "perturbation": "fgm",
            "augment_fraction": 0.5,
            **basic,
        },
        "strong random": {"augment_fraction": 0.0, "base_augmentation": strong_random},
        "strong random + adv flow (p=0.5)": {
            **flow,
            "augment_fraction": 0.5,
            "base_augmentation": strong_random,
        },
    }


def _digits_net(seed, **params):
    return _structured_net(DigitsCNN, seed, DIGITS_EPOCHS, 32, 3e-3, **params)


def calibrate_digits_recolour():
    """The recolour budget equal to the adversarial flow's pixel change (§2.4 A): the median
    relative change ``||warp(x) - x|| / ||x||`` of the 0.75 px adversarial flow on seed 0's
    training split, against the CNN trained without augmentation."""
    _one_thread()
    X_train, _, y_train, _ = load_digits_split(0)
    net = _digits_net(0, perturbation="flow", augment_fraction=0.0, **DIGITS_FLOW)
    return _relative_change(net.fit(X_train, y_train), X_train, y_train)


def run_digits_seed(seed, recolour_norm):
    _one_thread()
    X_train, X_test, y_train, y_test = load_digits_split(seed)
    rows = []
    for name, params in digits_conditions(recolour_norm).items():
        start = time.perf_counter()
        net = _digits_net(seed, **params).fit(X_train, y_train)
        rows.append(
            {
                "seed": seed,
                "condition": name,
                "accuracy": float(np.mean(net.predict(X_test) == y_test)),
                "seconds": time.perf_counter() - start,
                "recolour_norm": recolour_norm,
            }
        )
    return rows


DIGITS_ORDERINGS = [
    ("1. adv flow alone (p=1) > none (Table 2 analogue, O2)", "adv flow alone (p=1)", "none", ">"),
    (
        "2. adv flow > FGM-l2 at equal budget (both p=0.5 on top of basic)",
        "basic + adv flow (p=0.5)",
        "basic + FGM-l2 equal budget (p=0.5)",
        ">",
    ),
    (
        "3. basic + adv flow ≥ basic (Table 1 analogue, O1; not worse by > 1 seed-sd of basic)",
        "basic + adv flow (p=0.5)",
        "basic",
        ">=tol",
    ),
    (
        "3'. the same, strictly: basic + adv flow > basic",
        "basic + adv flow (p=0.5)",
        "basic",
        ">",
    ),
    (
        "4. adv flow ≥ random smooth flow at equal budget (both p=0.5 on top of basic)",
        "basic + adv flow (p=0.5)",
        "basic + random smooth flow (p=0.5)",
        ">=",
    ),
    (
        "5a. recolour < flow on grayscale (p=0.5 on top of basic)",
        "basic + adv recolour (p=0.5)",
        "basic + adv flow (p=0.5)",
        "<",
    ),
    (
        "5b. recolour < flow on grayscale (alone, p=1)",
        "adv recolour alone (p=1)",
        "adv flow alone (p=1)",
        "<",
    ),
    (
        "6. strong random + adv flow ≤ strong random (O3)",
        "strong random + adv flow (p=0.5)",
        "strong random",
        "<=",
    ),
]


def report_digits(frame, command):
    seeds = frame["seed"].nunique()
    lines = header(
        "Paper 004, §2.4 A: structured adversarial augmentation on digits (8x8)",
        command,
        seeds,
        PAPER,
    )
    lines += [
        "Stand-in for the paper's Tables 1 and 2 (CIFAR/STL, Wide-ResNet/EfficientNet, not "
        "reproducible offline). Per seed: a stratified split of scikit-learn's digits (/16) "
        "into 300 training and 1497 test images; the spec's small CNN (conv 16, conv 32, "
        f"maxpool, FC 64; Adam 3e-3, batch 32, {DIGITS_EPOCHS} epochs, one torch thread), the "
        "same split, initial weights and batch order in every condition of a seed (paired "
        "design). Online augmentation with `StructuredAdversarialClassifier`: each image of a "
        "batch is replaced with probability p by its structured adversarial copy computed "
        "against the network at that step (eval mode), then the base augmentation applies to "
        "the whole batch. Flow: gamma 5, max displacement 0.75 px. Recolour: regularised edge "
        "operator (R3), 4 eigenvectors, projection weighting, l2 size "
        f"{frame['recolour_norm'].iloc[0]:.4f}·||x|| (the median pixel change of the 0.75 px "
        "adversarial flow on seed 0's training split, i.e. the flow's budget). Basic: random "
        "integer shift in {-1, 0, 1}² px, border replicated. Random smooth flow: same "
        "gamma and max displacement, no gradient. FGM-l2: the unstructured gradient step "
        "with the l2 pixel budget of the adversarial flow of the same sample. Strong random: "
        "a random smooth flow (0.75 px) on every image, then the shift, then a 2x2 cutout "
        "(the RandAugment analogue). No gamma / displacement sweep was run on digits (the "
        "spec's optional sweep); the spec's values were used as given.",
        "",
        "## Test accuracy",
        "",
        mean_sd(
            frame, "condition", ["accuracy", "seconds"], order=list(digits_conditions(0.1))
        ).to_markdown(),
        "",
        "## The spec's orderings (paired per seed)",
        "",
        "Differences are accuracy points (fractions); the sign test drops ties. "
        "'holds' means the mean paired difference has the predicted sign (for 3, is not "
        "below minus one seed-sd of basic); 'significant' adds a one-sided sign test "
        f"p < 0.05 (with {seeds} untied seeds that needs {_wins_needed(seeds)} wins).",
        "",
        *ORDERINGS_HEADER,
    ]
    for label, a, b, expect in DIGITS_ORDERINGS:
        lines.append(_paired_line(label, paired(frame, "condition", a, b), expect))
    extra = [
        ("adv flow alone (p=1) vs basic", "adv flow alone (p=1)", "basic", ">"),
        ("basic vs none", "basic", "none", ">"),
        (
            "basic + FGM-l2 vs basic",
            "basic + FGM-l2 equal budget (p=0.5)",
            "basic",
            ">",
        ),
        (
            "basic + random smooth flow vs basic",
            "basic + random smooth flow (p=0.5)",
            "basic",
            ">",
        ),
        ("adv recolour alone (p=1) vs none", "adv recolour alone (p=1)", "none", ">"),
        ("strong random vs basic", "strong random", "basic", ">"),
        ("strong random vs none", "strong random", "none", ">"),
    ]
    lines += ["", "Other paired differences, for context:", "", *ORDERINGS_HEADER]
    for label, a, b, expect in extra:
        lines.append(_paired_line(label, paired(frame, "condition", a, b), expect))
    return "\n".join(lines) + "\n"


# ============================================================================ UCR
def load_ucr_set(name, subsample=True, subsample_seed=0):
    """z-normalised train/test series of a bundled UCR set, labels as integers; GunPoint's
    training set is subsampled to 10 per class (fixed seed) to leave headroom."""
    from skadvaug.datasets import load_ucr

    sets = []
    for split in ("train", "test"):
        X, y = load_ucr(name, split=split)
        mean = X.mean(axis=-1, keepdims=True)
        sd = X.std(axis=-1, keepdims=True)
        sets.append(((X - mean) / np.where(sd > 0, sd, 1.0)).astype(np.float32))
        sets.append(y)
    X_train, y_train, X_test, y_test = sets
    classes = np.unique(np.concatenate([y_train, y_test]))
    y_train, y_test = np.searchsorted(classes, y_train), np.searchsorted(classes, y_test)
    if name == "GunPoint" and subsample:
        rng = np.random.default_rng(subsample_seed)
        keep = np.concatenate(
            [rng.choice(np.flatnonzero(y_train == c), 10, replace=False) for c in range(2)]
        )
        X_train, y_train = X_train[np.sort(keep)], y_train[np.sort(keep)]
    return X_train, X_test, y_train, y_test


def _ucr_net(seed, **params):
    return _structured_net(
        FCNLite, seed, UCR_EPOCHS, 16, 1e-3, callbacks=_cosine(UCR_EPOCHS), **params
    )


def _ucr_budget(T, displacement, gamma):
    return {"max_displacement": displacement * T, "gamma": gamma * T}


def run_ucr_sweep_cell(name, displacement, gamma_label, seed, epochs):
    """Validation accuracy / log-loss of one (budget, seed) on a stratified 90/10 split of the
    training set (the split changes with the seed); ``displacement=None``: no augmentation."""
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split

    global UCR_EPOCHS
    UCR_EPOCHS = epochs
    _one_thread()
    X, _, y, _ = load_ucr_set(name)
    X_fit, X_val, y_fit, y_val = train_test_split(
        X, y, test_size=0.1, stratify=y, random_state=seed
    )
    if displacement is None:
        params = {"augment_fraction": 0.0}
    else:
        gamma = dict(UCR_GAMMAS)[gamma_label]
        params = {
            "perturbation": "flow",
            "augment_fraction": 0.5,
            **_ucr_budget(X.shape[-1], displacement, gamma),
        }
    start = time.perf_counter()
    net = _ucr_net(seed, **params).fit(X_fit, y_fit)
    proba = net.predict_proba(X_val)
    return {
        "dataset": name,
        "max_displacement/T": displacement,
        "gamma": gamma_label,
        "seed": seed,
        "n_fit": len(y_fit),
        "n_val": len(y_val),
        "val_accuracy": float(np.mean(proba.argmax(1) == y_val)),
        "val_log_loss": float(log_loss(y_val, proba, labels=np.unique(y))),
        "seconds": time.perf_counter() - start,
        "epochs": epochs,
    }


def choose_ucr_budgets(sweep):
    """Per data set, the adversarial-flow budget with the best mean validation accuracy,
    ties broken by the lower mean validation log-loss."""
    flows = sweep.dropna(subset=["max_displacement/T"])
    means = flows.groupby(["dataset", "max_displacement/T", "gamma"])[
        ["val_accuracy", "val_log_loss"]
    ].mean()
    chosen = {}
    for name, part in means.groupby(level="dataset"):
        best = part.sort_values(["val_accuracy", "val_log_loss"], ascending=[False, True])
        _, displacement, gamma = best.index[0]
        chosen[name] = (float(displacement), gamma)
    return chosen


def calibrate_ucr_recolour(name, displacement, gamma_label, epochs):
    """The recolour budget equal to the chosen adversarial warp's pixel change (seed 0,
    network trained without augmentation on the training set)."""
    global UCR_EPOCHS
    UCR_EPOCHS = epochs
    _one_thread()
    X_train, _, y_train, _ = load_ucr_set(name)
    params = _ucr_budget(X_train.shape[-1], displacement, dict(UCR_GAMMAS)[gamma_label])
    net = _ucr_net(0, perturbation="flow", augment_fraction=0.0, **params).fit(X_train, y_train)
    return _relative_change(net, X_train, y_train)


def ucr_conditions(T, displacement, gamma_label, recolour_norm):
    budget = _ucr_budget(T, displacement, dict(UCR_GAMMAS)[gamma_label])
    return {
        "none": {"augment_fraction": 0.0},
        "random smooth warp": {"perturbation": "random_flow", "augment_fraction": 0.5, **budget},
        "adv warp (flow)": {"perturbation": "flow", "augment_fraction": 0.5, **budget},
        "FGM-l2 equal budget": {"perturbation": "fgm", "augment_fraction": 0.5, **budget},
        "adv recolour": {
            "perturbation": "recolour",
            "augment_fraction": 0.5,
            "n_components": 4,
            "recolour_norm": recolour_norm,
        },
    }


UCR_ORDER = list(ucr_conditions(100, 0.01, "T/3", 0.1))


def run_ucr_seed(seed, settings):
    """``settings``: data set -> (displacement/T, gamma label, recolour norm)."""
    _one_thread()
    rows = []
    for name in UCR_SETS:
        X_train, X_test, y_train, y_test = load_ucr_set(name)
        displacement, gamma_label, recolour_norm = settings[name]
        conditions = ucr_conditions(X_train.shape[-1], displacement, gamma_label, recolour_norm)
        for condition, params in conditions.items():
            start = time.perf_counter()
            net = _ucr_net(seed, **params).fit(X_train, y_train)
            rows.append(
                {
                    "seed": seed,
                    "dataset": name,
                    "condition": condition,
                    "accuracy": float(np.mean(net.predict(X_test) == y_test)),
                    "seconds": time.perf_counter() - start,
                    "T": X_train.shape[-1],
                    "n_train": len(y_train),
                    "max_displacement/T": displacement,
                    "gamma": gamma_label,
                    "recolour_norm": recolour_norm,
                    "epochs": UCR_EPOCHS,
                }
            )
    return rows


UCR_ORDERINGS = [
    ("1. adv warp > none (p=0.5, not p=1)", "adv warp (flow)", "none", ">"),
    ("2. adv warp > FGM-l2 at equal budget", "adv warp (flow)", "FGM-l2 equal budget", ">"),
    (
        "3. adv warp ≥ none (no base aug here; not worse by > 1 seed-sd of none)",
        "adv warp (flow)",
        "none",
        ">=tol",
    ),
    (
        "4. adv warp ≥ random smooth warp at equal budget",
        "adv warp (flow)",
        "random smooth warp",
        ">=",
    ),
    ("5. recolour < flow on univariate series", "adv recolour", "adv warp (flow)", "<"),
]


def report_ucr(frame, command, sweep=None, sweep_seeds=None):
    seeds = frame["seed"].nunique()
    epochs = int(frame["epochs"].iloc[0])
    lines = header(
        "Paper 004, §2.4 B: adversarial smooth time-warps on UCR sets", command, seeds, PAPER
    )
    lines += [
        "Not in the paper (images only): the spec's 1-D generalisation, an adversarial "
        "smooth time-warp. aeon's bundled sets, each series z-normalised; GunPoint's training "
        "set subsampled to 10 per class (fixed subsample seed 0), ArrowHead and "
        "ItalyPowerDemand at their standard splits; the standard test sets. Model: the "
        "spec's FCN-lite (3 Conv1d+BN+ReLU blocks 32/64/32, global average pooling, linear), "
        f"Adam 1e-3 with cosine annealing over {epochs} epochs, batch 16, one torch thread; "
        "within a seed every condition starts from the same weights and batch order. "
        "Augmentations replace each training series with p = 0.5. The budget of the "
        "adversarial warp (max displacement m·T, smoothness gamma) was chosen per data set "
        "on a stratified 90/10 validation split of the training set over "
        f"m ∈ {{{', '.join(map(str, UCR_DISPLACEMENTS))}}} and gamma ∈ "
        f"{{{', '.join(label for label, _ in UCR_GAMMAS)}}}"
        + (f" ({sweep_seeds} seeds, a different split per seed)" if sweep_seeds else "")
        + ", best mean validation accuracy, ties broken by validation log-loss; the random "
        "warp and FGM-l2 (the adversarial warp's pixel budget per sample) then use that same "
        "budget, so the comparisons are at equal budget but the budget was tuned for the "
        "adversarial warp only. Adv recolour: 4 eigenvectors, l2 size equal to the median "
        "pixel change of the chosen adversarial warp (seed 0); on univariate series it can "
        "only make smooth level offsets (spec §1.3), a sanity check."
        + (
            f" The spec asks for 10 seeds in the final comparison; {seeds} were run to keep "
            "within the time budget: the 2-core machine was shared with other developers' "
            "benchmarks (load average 5-8), which cut the speed of every run by 2-3 times."
            if seeds < 10
            else ""
        ),
        "",
        "## Chosen budgets",
        "",
    ]
    chosen = frame.groupby("dataset", sort=False)[
        ["T", "n_train", "max_displacement/T", "gamma", "recolour_norm"]
    ].first()
    chosen["max displacement (steps)"] = chosen["max_displacement/T"] * chosen["T"]
    lines += [chosen.to_markdown(floatfmt=".4g"), ""]
    if sweep is not None:
        n_val = sweep.groupby("dataset", sort=False)["n_val"].first()
        lines += [
            "Validation sets are tiny ("
            + ", ".join(f"{name}: {n} series" for name, n in n_val.items())
            + " per seed), so the choice is noisy: where every budget has the same mean "
            "validation accuracy, the log-loss alone decides. Mean validation accuracy / "
            "log-loss of the sweep (rows: max displacement / T; columns: gamma; 'none' = "
            "no augmentation; * = chosen):",
            "",
        ]
        gammas = [label for label, _ in UCR_GAMMAS]
        chosen_budgets = choose_ucr_budgets(sweep)
        for name in UCR_SETS:
            part = sweep[sweep["dataset"] == name]
            flows = part.dropna(subset=["max_displacement/T"])
            means = flows.groupby(["max_displacement/T", "gamma"])[
                ["val_accuracy", "val_log_loss"]
            ].mean()
            grid = pd.DataFrame(
                index=pd.Index(UCR_DISPLACEMENTS, name="max_displacement/T"), columns=gammas
            )
            for (displacement, gamma), row in means.iterrows():
                mark = "*" if chosen_budgets[name] == (float(displacement), gamma) else ""
                grid.loc[displacement, gamma] = (
                    f"{row['val_accuracy']:.3f} / {row['val_log_loss']:.3f}{mark}"
                )
            none = part[part["max_displacement/T"].isna()][["val_accuracy", "val_log_loss"]]
            beats = none["val_log_loss"].mean() < means["val_log_loss"].min()
            lines += [
                f"**{name}** (none: {none['val_accuracy'].mean():.3f} / "
                f"{none['val_log_loss'].mean():.3f}"
                + (
                    "; no augmentation has a lower validation log-loss than every budget"
                    if beats
                    else ""
                )
                + ")",
                "",
                grid.to_markdown(),
                "",
            ]
    lines += ["## Test accuracy", ""]
    table = (
        mean_sd(frame, ["dataset", "condition"], ["accuracy"])["accuracy"]
        .unstack("condition")
        .reindex(columns=UCR_ORDER)
        .reindex(list(UCR_SETS))
    )
    lines += [table.to_markdown(), ""]
    seconds = frame.groupby(["dataset", "condition"])["seconds"].mean().unstack("condition")
    lines += [
        "Mean seconds per run:",
        "",
        seconds.reindex(columns=UCR_ORDER).reindex(list(UCR_SETS)).to_markdown(floatfmt=".1f"),
        "",
        "## The spec's orderings (paired per seed)",
        "",
        "Ordering 3 has no base augmentation on the series, so it is read against 'none'; "
        "ordering 6 (strong random aug) has no sequence analogue here. 'holds' means the mean "
        "paired difference has the predicted sign; 'significant' adds a one-sided sign test "
        "p < 0.05.",
        "",
    ]
    for name in UCR_SETS:
        part = frame[frame["dataset"] == name]
        lines += [f"### {name}", "", *ORDERINGS_HEADER]
        for label, a, b, expect in UCR_ORDERINGS:
            lines.append(_paired_line(label, paired(part, "condition", a, b), expect))
        lines.append(
            _paired_line(
                "random smooth warp vs none (context)",
                paired(part, "condition", "random smooth warp", "none"),
                ">",
            )
        )
        lines.append("")
    return "\n".join(lines) + "\n"


def run_ucr(seeds, n_jobs, command, sweep_seeds, reuse_sweep=False):
    from joblib import Parallel, delayed

    RESULTS.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if reuse_sweep:  # the budget sweep of an earlier run with the same settings
        sweep = pd.read_csv(RESULTS / "ucr_sweep.csv")
        if sweep["seed"].nunique() != sweep_seeds:
            raise ValueError(
                f"ucr_sweep.csv holds {sweep['seed'].nunique()} sweep seeds, not {sweep_seeds}."
            )
        if "epochs" in sweep and (sweep["epochs"] != UCR_EPOCHS).any():
            raise ValueError(f"ucr_sweep.csv was run with other than {UCR_EPOCHS} epochs.")
    else:
        sweep = _run_ucr_sweep(n_jobs, sweep_seeds)
        _record_wall_clock("ucr sweep", time.perf_counter() - start)
    print(f"[ucr sweep: {time.perf_counter() - start:.0f} s]")
    chosen = choose_ucr_budgets(sweep)
    norms = Parallel(n_jobs=n_jobs)(
        delayed(calibrate_ucr_recolour)(name, *chosen[name], epochs=UCR_EPOCHS) for name in UCR_SETS
    )
    settings = {name: (*chosen[name], norm) for name, norm in zip(UCR_SETS, norms, strict=True)}
    print("chosen:", settings)
    run_experiments(
        {
            "ucr": (
                partial(run_ucr_seed, settings=settings),
                partial(report_ucr, sweep=sweep, sweep_seeds=sweep_seeds),
            )
        },
        ["ucr"],
        seeds=seeds,
        n_jobs=n_jobs,
        run_seed=partial(_with_budget, epochs=_epochs_now()),
        results_dir=RESULTS,
        command=command,
    )
    print(f"[ucr total incl. sweep: {time.perf_counter() - start:.0f} s]")


def _run_ucr_sweep(n_jobs, sweep_seeds):
    from joblib import Parallel, delayed

    cells = [
        (name, displacement, gamma_label, seed)
        for seed in range(sweep_seeds)
        for name in UCR_SETS
        for displacement, gamma_label in [(None, None)]
        + [(m, g) for m in UCR_DISPLACEMENTS for g, _ in UCR_GAMMAS]
    ]
    sweep = pd.DataFrame(
        Parallel(n_jobs=n_jobs)(
            delayed(run_ucr_sweep_cell)(*cell, epochs=UCR_EPOCHS) for cell in cells
        )
    )
    sweep.to_csv(RESULTS / "ucr_sweep.csv", index=False)
    return sweep


# ======================================================================== sampler
def _balanced_test(X, y, rng):
    n = np.bincount(y).min()
    keep = np.sort(
        np.concatenate([rng.choice(np.flatnonzero(y == c), n, replace=False) for c in np.unique(y)])
    )
    return X[keep], y[keep]


def sampler_digits_data(seed):
    """Half of digits for training with classes 5-9 down-sampled to 10%; the other half,
    rebalanced to equal class counts, for testing."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.images[:, None] / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.5, stratify=digits.target, random_state=seed
    )
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(y_train):
        index = np.flatnonzero(y_train == c)
        keep.append(
            rng.choice(index, int(round(0.1 * len(index))), replace=False) if c >= 5 else index
        )
    keep = np.sort(np.concatenate(keep))
    X_test, y_test = _balanced_test(X_test, y_test, rng)
    return X_train[keep], X_test, y_train[keep], y_test


def sampler_gunpoint_data(seed):
    """GunPoint's standard training set (z-normalised) with class 1 down-sampled to a 20%
    minority (a quarter of class 0's count); the standard test set, balanced, for testing."""
    X_train, X_test, y_train, y_test = load_ucr_set("GunPoint", subsample=False)
    rng = np.random.default_rng(seed)
    majority = np.flatnonzero(y_train == 0)
    minority = rng.choice(
        np.flatnonzero(y_train == 1), int(round(len(majority) / 4)), replace=False
    )
    keep = np.sort(np.concatenate([majority, minority]))
    X_test, y_test = _balanced_test(X_test, y_test, rng)
    return X_train[keep], X_test, y_train[keep], y_test


def _flat_resample(sampler, X, y):
    X_res, y_res = sampler.fit_resample(X.reshape(len(X), -1), y)
    return X_res.reshape(-1, *X.shape[1:]).astype(np.float32), y_res


def sampler_resamplers(kind, seed):
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    from skadvaug.over_sampling import StructuredAdversarialSampler

    if kind == "digits":
        budget = dict(DIGITS_FLOW)
        extra = {"n_components": 4}
    else:  # the library's sequence defaults: gamma T/3, max displacement 0.03 T
        budget, extra = {}, {"n_components": 4}

    def structured(transform, **params):
        sampler = StructuredAdversarialSampler(
            perturbation=transform, random_state=seed, device="cpu", **params
        )
        return lambda X, y: sampler.fit_resample(X, y)

    def smote(X, y):
        if kind == "digits":
            return _flat_resample(SMOTE(random_state=seed), X, y)
        try:
            from aeon.transformations.collection.imbalance import SMOTE as AeonSMOTE
        except ImportError:  # pragma: no cover - aeon is a bench dependency
            return _flat_resample(SMOTE(random_state=seed), X, y)
        X_res, y_res = AeonSMOTE(random_state=seed).fit_transform(X, y)
        return np.asarray(X_res, dtype=np.float32), np.asarray(y_res)

    return {
        "no resampling": lambda X, y: (X, y),
        "RandomOverSampler": lambda X, y: _flat_resample(
            RandomOverSampler(random_state=seed), X, y
        ),
        "SMOTE" + (" (imblearn, flattened)" if kind == "digits" else " (aeon, 3-D)"): smote,
        "StructuredAdversarialSampler flow": structured("flow", **budget),
        "StructuredAdversarialSampler random_flow": structured("random_flow", **budget),
        "StructuredAdversarialSampler recolour": structured("recolour", **extra),
    }


def _downstream(kind, seed, X, y):
    """The fixed downstream classifiers: the same CNN as elsewhere, trained plainly, and
    logistic regression on the flattened inputs."""
    from sklearn.linear_model import LogisticRegression

    from skadvaug.nets import OnlineAugmentationClassifier

    if kind == "digits":
        cnn = OnlineAugmentationClassifier(
            module=DigitsCNN,
            max_epochs=DIGITS_EPOCHS,
            batch_size=32,
            lr=3e-3,
            random_state=seed,
            device="cpu",
        )
    else:
        cnn = OnlineAugmentationClassifier(
            module=FCNLite,
            max_epochs=SAMPLER_SEQUENCE_EPOCHS,
            batch_size=16,
            lr=1e-3,
            random_state=seed,
            device="cpu",
            callbacks=_cosine(SAMPLER_SEQUENCE_EPOCHS),
        )
    logistic = LogisticRegression(max_iter=5000)
    return {
        "CNN": (cnn.fit(X, y), lambda Z: Z),
        "logistic regression": (
            logistic.fit(X.reshape(len(X), -1), y),
            lambda Z: Z.reshape(len(Z), -1),
        ),
    }


def run_sampler_seed(seed):
    from sklearn.metrics import balanced_accuracy_score, f1_score

    _one_thread()
    rows = []
    for kind, data in (("digits", sampler_digits_data), ("GunPoint", sampler_gunpoint_data)):
        X_train, X_test, y_train, y_test = data(seed)
        for name, resample in sampler_resamplers(kind, seed).items():
            start = time.perf_counter()
            X_res, y_res = resample(X_train, y_train)
            resample_seconds = time.perf_counter() - start
            for classifier, (model, view) in _downstream(kind, seed, X_res, y_res).items():
                prediction = model.predict(view(X_test))
                rows.append(
                    {
                        "seed": seed,
                        "data": kind,
                        "resampler": name,
                        "classifier": classifier,
                        "balanced_accuracy": balanced_accuracy_score(y_test, prediction),
                        "macro_f1": f1_score(y_test, prediction, average="macro"),
                        "n_train": len(y_train),
                        "n_resampled": len(y_res),
                        "n_test": len(y_test),
                        "resample_seconds": resample_seconds,
                    }
                )
    return rows


SAMPLER_ORDERINGS = [
    ("flow > no resampling", "StructuredAdversarialSampler flow", "no resampling", ">"),
    ("flow > RandomOverSampler", "StructuredAdversarialSampler flow", "RandomOverSampler", ">"),
    ("flow > SMOTE", "StructuredAdversarialSampler flow", None, ">"),
    (
        "flow ≥ random_flow (equal budget)",
        "StructuredAdversarialSampler flow",
        "StructuredAdversarialSampler random_flow",
        ">=",
    ),
    (
        "recolour < flow",
        "StructuredAdversarialSampler recolour",
        "StructuredAdversarialSampler flow",
        "<",
    ),
]


def report_sampler(frame, command):
    seeds = frame["seed"].nunique()
    lines = header(
        "Paper 004, §2.4 C: StructuredAdversarialSampler on imbalanced digits and GunPoint",
        command,
        seeds,
        PAPER + " (the paper has no imbalance experiment; this checks the package's sampler)",
    )
    sizes = frame.groupby("data")[["n_train", "n_test"]].first()
    lines += [
        "Digits: per seed a stratified half of scikit-learn's digits (/16) for training, with "
        "classes 5–9 down-sampled to 10% of their training count "
        f"({int(sizes.loc['digits', 'n_train'])} training images); the other half, "
        "rebalanced to equal class counts "
        f"({int(sizes.loc['digits', 'n_test'])} images), for testing. GunPoint (z-normalised): "
        "the standard training set with class 1 down-sampled to a 20% minority, a quarter "
        f"of class 0's 24 ({int(sizes.loc['GunPoint', 'n_train'])} series; the minority "
        "subsample changes with the seed), the standard test set rebalanced "
        f"({int(sizes.loc['GunPoint', 'n_test'])} series) for testing. Each "
        "resampler balances the classes (`sampling_strategy='auto'`); two fixed downstream "
        "classifiers are then fitted on the resampled set: the CNN of the digits experiment "
        f"(digits: {DIGITS_EPOCHS} epochs, Adam 3e-3, batch 32) or FCN-lite (GunPoint: "
        f"{SAMPLER_SEQUENCE_EPOCHS} epochs, Adam 1e-3 cosine, batch 16), trained plainly, "
        "and scikit-learn's LogisticRegression on the flattened inputs. The CNN is the "
        "primary read-out (warps are meant for convolutional models); logistic regression "
        "is shown for contrast. `StructuredAdversarialSampler`: its default surrogate "
        "(CNN2dNet / CNN1dNet, automatic epochs), default magnitude jitter (0.5, 1); digits "
        "flow and random_flow with gamma 5 and max displacement 0.75 px, GunPoint with the "
        "library's sequence defaults (gamma T/3, 0.03·T); recolour with 4 eigenvectors and "
        "the default size (0.1·||x|| in standardised units). SMOTE: imblearn's on the "
        "flattened images for digits, `aeon.transformations.collection.imbalance.SMOTE` on "
        "the 3-D series for GunPoint.",
        "",
    ]
    order = list(sampler_resamplers("digits", 0))
    order_seq = list(sampler_resamplers("GunPoint", 0))
    for kind, names in (("digits", order), ("GunPoint", order_seq)):
        part = frame[frame["data"] == kind]
        lines += [f"## {kind}", ""]
        for classifier, sub in part.groupby("classifier", sort=False):
            lines += [
                f"**{classifier}**",
                "",
                mean_sd(
                    sub,
                    "resampler",
                    ["balanced_accuracy", "macro_f1", "resample_seconds"],
                    order=names,
                ).to_markdown(),
                "",
            ]
        smote = names[2]
        lines += [
            "Paired comparisons of balanced accuracy (sign test over seeds). The paper makes "
            "no imbalance claim; these carry the spec's orderings 4 (adversarial ≥ random "
            "structure) and 5 (recolour < flow on grayscale / univariate data) over to the "
            "sampler, and ask whether it beats the standard oversamplers:",
            "",
            "| classifier | " + ORDERINGS_HEADER[0][2:],
            "|---" + ORDERINGS_HEADER[1],
        ]
        for classifier, sub in part.groupby("classifier", sort=False):
            for label, a, b, expect in SAMPLER_ORDERINGS:
                stats = paired(sub, "resampler", a, smote if b is None else b, "balanced_accuracy")
                lines.append(f"| {classifier} " + _paired_line(label, stats, expect))
        lines.append("")
    return "\n".join(lines) + "\n"


# =========================================================================== cost
def run_cost_seed(seed):
    """Seconds per epoch of the online classifier at p = 0, 0.5, 1 for flow and recolour."""
    import os

    _one_thread()
    X_digits, _, y_digits, _ = load_digits_split(seed)
    X_seq, _, y_seq, _ = load_ucr_set("GunPoint", subsample=False)
    settings = {
        "digits (300 x 1 x 8 x 8, batch 32)": (
            X_digits,
            y_digits,
            partial(_structured_net, DigitsCNN, seed, COST_EPOCHS, 32, 3e-3),
            {"flow": DIGITS_FLOW, "recolour": DIGITS_RECOLOUR},
        ),
        "GunPoint (50 x 1 x 150, batch 16)": (
            X_seq,
            y_seq,
            partial(_structured_net, FCNLite, seed, COST_EPOCHS, 16, 1e-3),
            {"flow": {}, "recolour": {"n_components": 4}},
        ),
    }
    rows = []
    for data, (X, y, make, params) in settings.items():
        for transform in ("flow", "recolour"):
            for p in (0.0, 0.5, 1.0):
                net = make(perturbation=transform, augment_fraction=p, **params[transform]).fit(
                    X, y
                )
                durations = np.asarray(net.history[:, "dur"])
                settled = durations[len(durations) // 2 :]  # recolour bases all cached by then
                rows.append(
                    {
                        "seed": seed,
                        "data": data,
                        "perturbation": transform,
                        "p": p,
                        "first_epoch_s": float(durations[0]),
                        "epoch_s": float(np.median(settled)),
                        "batches_per_epoch": int(np.ceil(len(X) / net.batch_size)),
                        "epochs": COST_EPOCHS,
                        "load_average_1min": os.getloadavg()[0],
                    }
                )
    return rows


def report_cost(frame, command):
    lines = header(
        "Paper 004: per-epoch cost of the online structured attack",
        command,
        frame["seed"].nunique(),
        PAPER,
    )
    lines += [
        "`StructuredAdversarialClassifier` on one torch thread, one process at a time, "
        f"{int(frame['epochs'].iloc[0])} epochs per fit. 'epoch_s' is the median epoch time "
        "over the second half of the epochs: by then every recolouring basis is cached (a "
        "basis is computed once per distinct training sample, the first time it is "
        "attacked). 'first_epoch_s' is the first epoch, which includes those basis "
        "computations at p = 1. The ratio is the epoch time over that of p = 0 (plain "
        "training: the attack never runs); at p = 1, the ratio minus one is the attack's "
        "cost per batch relative to a plain training step. The baseline of a data set is the "
        "mean over all its p = 0 fits (flow and recolour at p = 0 are the same plain "
        "training). The 2-core machine was shared "
        "with another developer's jobs, so the timings carry noise: the 1-minute load "
        "average after the fits was "
        f"{frame['load_average_1min'].min():.1f}–{frame['load_average_1min'].max():.1f} "
        "(1 = this process alone).",
        "",
    ]
    means = frame.groupby(["data", "perturbation", "p"], sort=False)[
        ["epoch_s", "first_epoch_s"]
    ].mean()
    # p = 0 never attacks: the flow and recolour fits at p = 0 are the same plain training,
    # so both serve as the baseline of their data set
    plain = frame[frame["p"] == 0].groupby("data")["epoch_s"].mean()
    table = means.reset_index()
    table.insert(
        4,
        "epoch_s sd",
        frame.groupby(["data", "perturbation", "p"], sort=False)["epoch_s"].std().to_numpy(),
    )
    table["ratio to p=0"] = [row.epoch_s / plain[row.data] for row in table.itertuples()]
    lines += [table.to_markdown(index=False, floatfmt=".4g"), ""]
    return "\n".join(lines) + "\n"


# ============================================================================ main
def _epochs_now():
    return {
        "digits": DIGITS_EPOCHS,
        "ucr": UCR_EPOCHS,
        "sampler": SAMPLER_SEQUENCE_EPOCHS,
        "cost": COST_EPOCHS,
    }


def _set_epochs(epochs):
    global DIGITS_EPOCHS, UCR_EPOCHS, SAMPLER_SEQUENCE_EPOCHS, COST_EPOCHS
    DIGITS_EPOCHS = epochs["digits"]
    UCR_EPOCHS = epochs["ucr"]
    SAMPLER_SEQUENCE_EPOCHS = epochs["sampler"]
    COST_EPOCHS = epochs["cost"]


def _with_budget(run, seed, epochs):
    _set_epochs(epochs)  # worker processes start from the module's defaults
    return run(seed)


README = """# Paper 004 reproduction outputs

Luo, Mobahi & Bengio (2020), *Data augmentation via structured adversarial perturbations*,
reduced offline reproduction (spec `paper004-structured-adversarial.md` §2.4), written by
`benchmarks/paper004.py`. Each experiment has a CSV (one row per seed and condition) and a
Markdown report stating which of the paper's / spec's orderings hold.

Wall-clock on a 2-core machine shared with another developer's jobs (so it is longer than
the same runs alone), one torch thread per process, two processes.

| experiment | what | command | wall-clock |
|---|---|---|---|
{rows}
"""

DESCRIPTIONS = {
    "digits": "§2.4 A: online adversarial flow / recolour on digits (Tables 1-2 analogues)",
    "ucr": "§2.4 B: adversarial time-warps on GunPoint, ArrowHead, ItalyPowerDemand "
    "(budget swept on validation; `ucr_sweep.csv`)",
    "sampler": "§2.4 C: StructuredAdversarialSampler vs ROS / SMOTE on imbalanced digits "
    "and GunPoint",
    "cost": "seconds per epoch of the online attack at p = 0, 0.5, 1",
}


def _recorded_command(name):
    """The command that generated ``<name>.md``, as its header states, or ``None``."""
    report = RESULTS / f"{name}.md"
    if report.exists():
        for line in report.read_text().splitlines():
            if line.startswith("Generated by `"):
                return line.split("`")[1]
    return None


def _wall_clocks():
    path = RESULTS / "wall_clock.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _record_wall_clock(name, seconds):
    clocks = _wall_clocks()
    clocks[name] = round(seconds)
    (RESULTS / "wall_clock.json").write_text(json.dumps(clocks, indent=1) + "\n")


def write_readme():
    rows = []
    clocks = _wall_clocks()
    for name, description in DESCRIPTIONS.items():
        command = _recorded_command(name)
        command = "(not run yet)" if command is None else f"`{command}`"
        clock = f"{clocks[name] / 60:.1f} min" if name in clocks else ""
        if name == "ucr" and "ucr sweep" in clocks:
            clock = f"{clocks['ucr sweep'] / 60:.1f} min sweep + {clock} final comparison"
        rows.append(f"| [{name}]({name}.md) | {description} | {command} | {clock} |")
    text = README.format(rows="\n".join(rows))
    total = sum(clocks.values())
    if total:
        text += f"\nTotal wall-clock: {total / 60:.0f} min.\n"
    text += _verdicts_at_a_glance()
    if "--reuse-sweep" in (_recorded_command("ucr") or ""):
        text += (
            "\nThe UCR budget sweep (`ucr_sweep.csv`) was written by the same script's sweep "
            "step (`python -m benchmarks.paper004 ucr --sweep-seeds 3 ...` runs it first); the "
            "final comparison then reused it with `--reuse-sweep`, so that the final run "
            "could use fewer seeds than first launched once the sweep had shown how slow the "
            "shared machine was.\n"
        )
    (RESULTS / "README.md").write_text(text)


def _verdict(frame, a, b, expect, metric="accuracy"):
    stats = paired(frame, "condition", a, b, metric)
    cell = _paired_line("", stats, expect).split("|")[-2].strip().replace("**", "")
    return f"{cell.replace(' (significant, p < 0.05)', ' (sig.)')} ({stats['mean']:+.3f})"


def _verdicts_at_a_glance():
    """The orderings' verdicts of the digits and UCR reports in one place."""
    lines = []
    if (RESULTS / "digits.csv").exists():
        frame = pd.read_csv(RESULTS / "digits.csv")
        lines += [
            "",
            "## Verdicts at a glance",
            "",
            "'sig.': one-sided sign test p < 0.05 over the paired seeds; in brackets the mean "
            "paired accuracy difference a − b. Details and the tests in each report.",
            "",
            f"Digits ({frame['seed'].nunique()} seeds):",
            "",
            "| ordering | verdict |",
            "|---|---|",
        ]
        for label, a, b, expect in DIGITS_ORDERINGS:
            lines.append(f"| {label} | {_verdict(frame, a, b, expect)} |")
    if (RESULTS / "ucr.csv").exists():
        frame = pd.read_csv(RESULTS / "ucr.csv")
        lines += [
            "",
            f"UCR ({frame['seed'].nunique()} seeds, budget tuned on validation):",
            "",
            "| ordering | " + " | ".join(UCR_SETS) + " |",
            "|---" * (len(UCR_SETS) + 1) + "|",
        ]
        for label, a, b, expect in UCR_ORDERINGS:
            cells = [_verdict(frame[frame["dataset"] == name], a, b, expect) for name in UCR_SETS]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n" if lines else ""


def rewrite_reports(names):
    """Regenerate the Markdown reports from the CSVs already written (no training); the
    header keeps the command that produced the CSV."""
    reports = {"digits": report_digits, "sampler": report_sampler, "cost": report_cost}
    for name in names:
        frame = pd.read_csv(RESULTS / f"{name}.csv")
        command = _recorded_command(name)
        if name == "ucr":
            sweep = pd.read_csv(RESULTS / "ucr_sweep.csv")
            text = report_ucr(frame, command, sweep=sweep, sweep_seeds=sweep["seed"].nunique())
        else:
            text = reports[name](frame, command)
        (RESULTS / f"{name}.md").write_text(text)
        print(text)


EXPERIMENTS = {
    "digits": None,  # needs the recolour calibration first: see main
    "ucr": None,  # sweep first: see run_ucr
    "sampler": (run_sampler_seed, report_sampler),
    "cost": (run_cost_seed, report_cost),
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.paper004",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("experiment", choices=[*EXPERIMENTS, "all"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--digits-epochs", type=int, default=DIGITS_EPOCHS)
    parser.add_argument("--ucr-epochs", type=int, default=UCR_EPOCHS)
    parser.add_argument("--sweep-seeds", type=int, default=SWEEP_SEEDS)
    parser.add_argument("--sampler-epochs", type=int, default=SAMPLER_SEQUENCE_EPOCHS)
    parser.add_argument("--cost-epochs", type=int, default=COST_EPOCHS)
    parser.add_argument(
        "--reuse-sweep",
        action="store_true",
        help="ucr: take the budget sweep from results/paper004/ucr_sweep.csv (written by an "
        "earlier run with the same --sweep-seeds and --ucr-epochs) instead of rerunning it",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the Markdown reports from the existing CSVs without training",
    )
    args = parser.parse_args(argv)
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    if args.report_only:
        rewrite_reports(names)
        write_readme()
        return 0
    _one_thread()
    epochs = {
        "digits": args.digits_epochs,
        "ucr": args.ucr_epochs,
        "sampler": args.sampler_epochs,
        "cost": args.cost_epochs,
    }
    _set_epochs(epochs)
    command = "python -m benchmarks.paper004 " + shlex.join(argv)
    run_seed = partial(_with_budget, epochs=epochs)
    for name in names:
        start = time.perf_counter()
        if name == "digits":
            norm = calibrate_digits_recolour()
            print(f"recolour norm (flow's median relative pixel change): {norm:.4f}")
            experiments = {"digits": (partial(run_digits_seed, recolour_norm=norm), report_digits)}
        elif name == "ucr":
            run_ucr(args.seeds, args.n_jobs, command, args.sweep_seeds, args.reuse_sweep)
            experiments = None
        else:
            experiments = EXPERIMENTS
        if experiments is not None:
            run_experiments(
                experiments,
                [name],
                seeds=args.seeds,
                n_jobs=1 if name == "cost" else args.n_jobs,
                run_seed=run_seed,
                results_dir=RESULTS,
                command=command,
            )
        seconds = time.perf_counter() - start
        print(f"[{name} wall-clock: {seconds:.0f} s]")
        _record_wall_clock(name, seconds)
    write_readme()
    return 0


if __name__ == "__main__":
    sys.exit(main())
