"""Reduced reproduction of LEAVES (Yu, Yang & Sano 2022) on aeon's bundled UCR/UEA sets.

    python -m benchmarks.paper001 probe --seeds 5     # linear probe and fine-tuning

The paper's data sets (Apnea-ECG, Sleep-EDFE, PAMAP2, PTB-XL) need downloads; aeon's
bundled GunPoint, ArrowHead, BasicMotions, ItalyPowerDemand and JapaneseVowels (series
of unequal length, zero-padded to the longest by ``load_ucr``) stand in, with their
official train/test splits. Per data set and seed, an encoder is pre-trained on the
training series without labels (SimCLR) with: no pre-training (random initialisation),
random classic views at T in {0.01, 0.03, 0.05} (the paper's tuned baseline), ViewMaker
(L1 budget 0.05) and LEAVES; each is then evaluated by a linear probe (logistic regression
on the frozen features) and by fine-tuning the whole model on the labels (the paper's
protocol); "supervised" is the fine-tuning from the random initialisation. The encoder is
the small CNN (the paper's ResNet-18-1D is about ten times slower per step on 2 CPU cores),
and the NT-Xent temperature the paper's 0.05. View faithfulness (spec B-7, a proxy for the
paper's Table 5 signal-quality index): the mean Pearson correlation, per test series and
channel, between a view drawn from the pre-trained views and its original.
"""

import argparse
import shlex
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from ._reproduction import header, mean_sd, run_experiments

RESULTS = Path(__file__).resolve().parent / "results" / "paper001"
DATASETS = ("GunPoint", "ArrowHead", "BasicMotions", "ItalyPowerDemand", "JapaneseVowels")
PRETRAIN_EPOCHS = 100
FINETUNE_EPOCHS = 30
PRETRAININGS = {
    "random init": None,
    "SimCLR random views T=0.01": {"views": "random", "sigma": 0.01},
    "SimCLR random views T=0.03": {"views": "random", "sigma": 0.03},
    "SimCLR random views T=0.05": {"views": "random", "sigma": 0.05},
    "ViewMaker (budget 0.05)": {"views": "viewmaker"},
    "LEAVES": {"views": "leaves"},
}


def _load(name):
    from skadvaug.datasets import load_ucr

    X_train, y_train = load_ucr(name, split="train")
    X_test, y_test = load_ucr(name, split="test")
    return X_train, y_train, X_test, y_test


def view_correlation(X, views):
    """Mean Pearson correlation between each view and its original, per channel
    (series constant in either are left out)."""
    X = X - X.mean(axis=-1, keepdims=True)
    views = views - views.mean(axis=-1, keepdims=True)
    norms = np.linalg.norm(X, axis=-1) * np.linalg.norm(views, axis=-1)
    products = np.sum(X * views, axis=-1)
    return float(np.mean(products[norms > 0] / norms[norms > 0]))


def run_probe_seed(seed):
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skadvaug.nets import ContrastiveClassifier
    from skadvaug.transformers import ContrastiveEncoder

    torch.set_num_threads(1)
    rows = []
    for dataset in DATASETS:
        X_train, y_train, X_test, y_test = _load(dataset)
        for name, settings in PRETRAININGS.items():
            start = time.perf_counter()
            encoder = ContrastiveEncoder(
                **(settings or {"views": "leaves"}),
                encoder="small_cnn",
                max_epochs=PRETRAIN_EPOCHS if settings else 1,
                lr=1e-3 if settings else 1e-12,  # random init: one step of a vanishing lr
                view_lr=1e-12 if not settings else 1e-3,
                device="cpu",
                random_state=seed,
            ).fit(X_train)
            pretrain_seconds = time.perf_counter() - start
            correlation = np.nan
            if settings:
                generator = torch.Generator().manual_seed(seed)
                views = encoder.net_.augment(X_test, generator=generator)
                correlation = view_correlation(X_test.astype(np.float32), views)
            probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
            probe.fit(encoder.transform(X_train), y_train)
            predicted = probe.predict(encoder.transform(X_test))
            evaluations = {"linear probe": predicted}
            clf = ContrastiveClassifier(
                encoder,
                max_epochs=FINETUNE_EPOCHS,
                batch_size=32,
                device="cpu",
                random_state=seed,
            ).fit(X_train, y_train)
            label = "supervised (fine-tuned from random init)" if not settings else "fine-tuned"
            evaluations[label] = clf.predict(X_test)
            for evaluation, prediction in evaluations.items():
                rows.append(
                    {
                        "seed": seed,
                        "dataset": dataset,
                        "pretraining": name,
                        "evaluation": evaluation,
                        "accuracy": float(np.mean(prediction == y_test)),
                        "macro_f1": float(f1_score(y_test, prediction, average="macro")),
                        "pretrain_seconds": pretrain_seconds,
                        "view_correlation": correlation,
                        **(
                            {
                                f"learned {k}": v
                                for k, v in encoder.learned_params_.items()
                                if isinstance(v, float)
                            }
                            if settings and settings["views"] == "leaves"
                            else {}
                        ),
                    }
                )
    return rows


def report_probe(frame, command):
    seeds = frame["seed"].nunique()
    lines = header(
        "Paper 001 (LEAVES), reduced: linear probe and fine-tuning on aeon's UCR/UEA sets",
        command,
        seeds,
        "Yu, Yang & Sano, arXiv:2210.07340 (2022)",
    )
    lines += [__doc__.split("\n\n", 2)[2].strip(), ""]
    for evaluation in ("linear probe", "fine-tuned"):
        part = frame[
            frame["evaluation"].isin(
                [evaluation]
                + (
                    ["supervised (fine-tuned from random init)"]
                    if evaluation == "fine-tuned"
                    else []
                )
            )
        ]
        table = part.pivot_table(
            index="pretraining", columns="dataset", values="accuracy", aggfunc="mean"
        )
        table["mean"] = table.mean(axis=1)
        lines += [
            f"## Accuracy, {evaluation} (mean over seeds)",
            "",
            table.round(3).to_markdown(),
            "",
        ]
    spread = mean_sd(frame, ["dataset", "pretraining", "evaluation"], ["accuracy"])
    lines += ["## Accuracy, mean ± sd", "", spread.to_markdown(), ""]
    if "view_correlation" in frame:
        probe = frame[(frame["evaluation"] == "linear probe") & frame["view_correlation"].notna()]
        table = probe.pivot_table(
            index="pretraining", columns="dataset", values="view_correlation", aggfunc="mean"
        )
        table["mean"] = table.mean(axis=1)
        lines += [
            "## View faithfulness: Pearson correlation of a view with its original "
            "(test series, mean over seeds)",
            "",
            table.round(3).to_markdown(),
            "",
        ]
    learned = [c for c in frame.columns if c.startswith("learned ")]
    if learned:
        lines += [
            "## LEAVES' learned policy (mean over seeds)",
            "",
            frame[frame["pretraining"] == "LEAVES"]
            .groupby("dataset")[learned]
            .mean()
            .round(4)
            .to_markdown(),
            "",
        ]
    return "\n".join(lines)


def _set_budget(pretrain_epochs, finetune_epochs):
    global PRETRAIN_EPOCHS, FINETUNE_EPOCHS
    PRETRAIN_EPOCHS, FINETUNE_EPOCHS = pretrain_epochs, finetune_epochs


def _with_budget(run, seed, pretrain_epochs, finetune_epochs):
    _set_budget(pretrain_epochs, finetune_epochs)  # worker processes start from the defaults
    return run(seed)


EXPERIMENTS = {"probe": (run_probe_seed, report_probe)}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.paper001",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("experiment", choices=[*EXPERIMENTS, "all"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--pretrain-epochs", type=int, default=PRETRAIN_EPOCHS)
    parser.add_argument("--finetune-epochs", type=int, default=FINETUNE_EPOCHS)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    _set_budget(args.pretrain_epochs, args.finetune_epochs)
    run_experiments(
        EXPERIMENTS,
        list(EXPERIMENTS) if args.experiment == "all" else [args.experiment],
        seeds=args.seeds,
        n_jobs=args.n_jobs,
        run_seed=partial(
            _with_budget,
            pretrain_epochs=args.pretrain_epochs,
            finetune_epochs=args.finetune_epochs,
        ),
        results_dir=Path(args.out),
        command="python -m benchmarks.paper001 " + shlex.join(argv),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
