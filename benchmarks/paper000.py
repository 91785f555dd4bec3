"""Reproduction of Kim, Choi & Choo (ACML 2021) with skadvaug, on data available offline.

    python -m benchmarks.paper000 regression      # Tables 2 and 3 (pvlib hourly PM2.5)
    python -m benchmarks.paper000 ablation        # Table 1 (autoencoder + discriminator)
    python -m benchmarks.paper000 classification  # the same rows on a UCR classification set
    python -m benchmarks.paper000 all --seeds 5 --n-jobs 2

The paper's KDD Cup 2018 air-quality data cannot be downloaded here; pvlib bundles
one year (2015) of hourly PM2.5, PM10 and rain for one site, which we use in the
paper's "adjacent" set-up: 32 consecutive hours in, the mean PM2.5 of the next 6
hours out, chronological 80/20 split, rare = the top 5% of training targets (the
paper had 5.8% above 150 ug/m3), macro-averaged RMSE/MAE over the rare and common
groups (§4.1), the paper's 2-layer GRU with 15 units (§4.2), 80% of the rare
samples of each batch augmented. Every number in the outputs is computed here.
"""

import argparse
import shlex
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ._reproduction import header, holds, mean_sd, run_experiments

RESULTS = Path(__file__).resolve().parent / "results" / "paper000"
WINDOW, HORIZON = 32, 6
EPOCHS = 20
AE_EPOCHS = 20
SCALES = (0.3, 0.1, 0.03)
BEST_SCALE = 0.1  # Table 2's best adversarial scale, fixed rather than picked on our test set


# ----------------------------------------------------------------------- data
def load_pm_windows():
    """Windows of the pvlib hourly series and their chronological train/test split."""
    import pvlib

    path = Path(pvlib.__file__).parent / "data" / "soiling_hsu_example_inputs.csv"
    frame = pd.read_csv(path)
    # pvlib stores g/m3; the paper's threshold and errors are in ug/m3.
    series = np.stack([frame["PM2_5"] * 1e6, frame["PM10"] * 1e6, frame["rain"]], axis=0).astype(
        np.float64
    )
    starts = np.arange(0, series.shape[1] - WINDOW - HORIZON + 1)
    X = np.stack([series[:, s : s + WINDOW] for s in starts])
    y = np.array([series[0, s + WINDOW : s + WINDOW + HORIZON].mean() for s in starts])
    n_train = int(0.8 * len(starts))
    # no window of the test part may overlap the hours the training targets saw
    test_start = n_train + WINDOW + HORIZON
    return X[:n_train], y[:n_train], X[test_start:], y[test_start:]


def standardise(X_train, X_test, y_train):
    mean = X_train.mean(axis=(0, 2), keepdims=True)
    std = X_train.std(axis=(0, 2), keepdims=True)
    y_mean, y_std = y_train.mean(), y_train.std()
    return (
        ((X_train - mean) / std).astype(np.float32),
        ((X_test - mean) / std).astype(np.float32),
        ((y_train - y_mean) / y_std).astype(np.float32),
        (y_mean, y_std),
    )


# ------------------------------------------------------------------ regression
def _regression_methods(seed, threshold_z, autoencoder):
    """(name, table, net) for every row of Tables 2 and 3."""
    from skadvaug.nets import LatentAdversarialRegressor, OnlineAugmentationRegressor

    common = {
        "max_epochs": EPOCHS,
        "batch_size": 64,
        "random_state": seed,
        "rare_threshold": threshold_z,
        "device": "cpu",
    }
    rows = []
    for mode in ("anti-adversarial", "random", "adversarial"):
        for scale in SCALES:
            name = f"AE {mode} scale {scale}"
            net = LatentAdversarialRegressor(
                autoencoder=autoencoder, perturbation=mode, scale=scale, **common
            )
            rows.append((name, "table2", net))
    for oversample in (1, 4):
        suffix = "oversample 4" if oversample == 4 else "no oversample"
        rows.append(
            (
                f"{'oversample 4' if oversample == 4 else 'no oversample'}",
                "table3",
                OnlineAugmentationRegressor(oversample_rare=oversample, **common),
            )
        )
        rows.append(
            (
                f"translation {suffix}",
                "table3",
                OnlineAugmentationRegressor(
                    augmentation="translation", oversample_rare=oversample, **common
                ),
            )
        )
        rows.append(
            (
                f"warping {suffix}",
                "table3",
                OnlineAugmentationRegressor(
                    augmentation="window_warp", oversample_rare=oversample, **common
                ),
            )
        )
        rows.append(
            (
                f"AE adversarial {suffix}",
                "table3",
                LatentAdversarialRegressor(
                    autoencoder=autoencoder, scale=BEST_SCALE, oversample_rare=oversample, **common
                ),
            )
        )
    return rows


def run_regression_seed(seed):
    import torch

    from skadvaug import LatentAdversarialSampler
    from skadvaug.metrics import macro_averaged_error
    from skadvaug.nets import AdversarialAutoencoderNet, OnlineAugmentationRegressor

    torch.set_num_threads(1)
    X_train, y_train, X_test, y_test = load_pm_windows()
    threshold = float(np.quantile(y_train, 0.95))
    Xs_train, Xs_test, ys_train, (y_mean, y_std) = standardise(X_train, X_test, y_train)
    threshold_z = (threshold - y_mean) / y_std
    start = time.perf_counter()
    # One autoencoder per seed, shared (frozen) by every latent row, as the
    # paper trains the autoencoder once before the augmentation phase.
    autoencoder = AdversarialAutoencoderNet(
        max_epochs=AE_EPOCHS, batch_size=64, random_state=seed, device="cpu"
    ).fit(Xs_train)
    ae_seconds = time.perf_counter() - start

    def evaluate(name, table, predict, seconds):
        prediction = predict(Xs_test) * y_std + y_mean
        row = {
            "seed": seed,
            "method": name,
            "table": table,
            "seconds": seconds,
            "threshold": threshold,
            "rare_train": float(np.mean(y_train > threshold)),
            "rare_test": float(np.mean(y_test > threshold)),
        }
        for metric in ("rmse", "mae"):
            macro, groups = macro_averaged_error(
                y_test, prediction, rare_threshold=threshold, metric=metric, return_groups=True
            )
            row[f"{metric}_macro"] = macro
            row[f"{metric}_major"] = groups["common"]
            row[f"{metric}_minor"] = groups["rare"]
        return row

    rows = []
    for name, table, net in _regression_methods(seed, threshold_z, autoencoder):
        start = time.perf_counter()
        net.fit(Xs_train, ys_train)
        rows.append(evaluate(name, table, net.predict, time.perf_counter() - start))
    # The offline sampler: balance rare and common windows, then train the GRU plainly.
    start = time.perf_counter()
    sampler = LatentAdversarialSampler(
        rare_threshold=threshold_z,
        sampling_strategy=0.25,
        scale=BEST_SCALE,
        perturbation="adversarial",  # the paper's method, not the sampler's defaults:
        seeds="samples",
        residual=False,  # drawn samples, adversarial perturbation, the paper's decoding
        local_budget=False,  # and its one global scale
        random_state=seed,
        device="cpu",
        max_epochs=AE_EPOCHS,
    )
    X_res, y_res = sampler.fit_resample(Xs_train, ys_train)
    net = OnlineAugmentationRegressor(
        max_epochs=EPOCHS,
        batch_size=64,
        random_state=seed,
        rare_threshold=threshold_z,
        device="cpu",
    ).fit(X_res, y_res)
    rows.append(
        evaluate(
            "LatentAdversarialSampler (offline, rare:common 1:4)",
            "sampler",
            net.predict,
            time.perf_counter() - start,
        )
    )
    for row in rows:
        row["ae_seconds"] = ae_seconds
    return rows


# -------------------------------------------------------------------- ablation
ABLATION = {
    "AE": {"discriminator": None},
    "Enhanced": {},
    "No TTUR": {"discriminator_lr": 1e-3},
    "No cost-sensitivity": {"real_cost": 1.0},
}


def run_ablation_seed(seed):
    import torch

    from skadvaug.nets import AdversarialAutoencoderNet

    torch.set_num_threads(1)
    X_train, y_train, X_test, _ = load_pm_windows()
    Xs_train, Xs_test, *_ = standardise(X_train, X_test, y_train)
    rows = []
    for name, params in ABLATION.items():
        net = AdversarialAutoencoderNet(
            max_epochs=AE_EPOCHS, batch_size=64, random_state=seed, device="cpu", **params
        ).fit(Xs_train)
        last = net.history[-1]
        test_recon = float(np.mean((net.decode(net.encode(Xs_test)) - Xs_test) ** 2))
        rows.append(
            {
                "seed": seed,
                "setting": name,
                "AE recon": last["recon_loss"],
                "AE adv": last["ae_adversarial_loss"],
                "Disc real": last.get("discriminator_real_loss", np.nan),
                "Disc fake": last.get("discriminator_fake_loss", np.nan),
                "test recon": test_recon,
            }
        )
    return rows


# -------------------------------------------------------------- classification
def run_classification_seed(seed, dataset="ItalyPowerDemand", imbalance_factor=10):
    import torch
    from sklearn.metrics import balanced_accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from skadvaug.datasets import load_ucr, make_long_tailed
    from skadvaug.metrics import geometric_mean_score
    from skadvaug.nets import LatentAdversarialClassifier, OnlineAugmentationClassifier

    torch.set_num_threads(1)
    X, y = load_ucr(dataset)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    X_train, y_train = make_long_tailed(X_train, y_train, imbalance_factor, random_state=seed)
    mean = X_train.mean(axis=(0, 2), keepdims=True)
    std = X_train.std(axis=(0, 2), keepdims=True)
    X_train = ((X_train - mean) / std).astype(np.float32)
    X_test = ((X_test - mean) / std).astype(np.float32)
    common = {"max_epochs": 2 * EPOCHS, "batch_size": 64, "random_state": seed, "device": "cpu"}
    methods = []
    for oversample in (1, 4):
        suffix = "oversample 4" if oversample == 4 else "no oversample"
        methods += [
            (suffix, OnlineAugmentationClassifier(oversample_rare=oversample, **common)),
            (
                f"translation {suffix}",
                OnlineAugmentationClassifier(
                    augmentation="translation", oversample_rare=oversample, **common
                ),
            ),
            (
                f"warping {suffix}",
                OnlineAugmentationClassifier(
                    augmentation="window_warp", oversample_rare=oversample, **common
                ),
            ),
        ]
        for mode in ("anti-adversarial", "random", "adversarial"):
            methods.append(
                (
                    f"AE {mode} {suffix}",
                    LatentAdversarialClassifier(
                        perturbation=mode,
                        scale=BEST_SCALE,
                        oversample_rare=oversample,
                        autoencoder__max_epochs=AE_EPOCHS,
                        **common,
                    ),
                )
            )
    rows = []
    for name, net in methods:
        start = time.perf_counter()
        net.fit(X_train, y_train)
        pred = net.predict(X_test)
        rows.append(
            {
                "seed": seed,
                "dataset": f"{dataset}@IF{imbalance_factor}",
                "method": name,
                "balanced_accuracy": balanced_accuracy_score(y_test, pred),
                "f1_macro": f1_score(y_test, pred, average="macro"),
                "g_mean": geometric_mean_score(y_test, pred, average="multiclass"),
                "seconds": time.perf_counter() - start,
                "n_train": len(y_train),
            }
        )
    return rows


# --------------------------------------------------------------------- reports
def _paper_header(title, command, seeds):
    return header(title, command, seeds, "Kim, Choi & Choo, ACML 2021")


def report_regression(frame, command):
    seeds = frame["seed"].nunique()
    info = frame.iloc[0]
    lines = _paper_header(
        "Paper 000, imbalanced regression (Tables 2 and 3) on pvlib hourly PM2.5", command, seeds
    )
    lines += [
        f"Data: pvlib `soiling_hsu_example_inputs.csv` (2015, hourly PM2.5, PM10, rain), "
        f"{WINDOW}-hour windows, target = mean PM2.5 of the next {HORIZON} hours, chronological "
        f"80/20 split. Rare = training target above its 95th percentile "
        f"({info['threshold']:.1f} ug/m3): {100 * info['rare_train']:.1f}% of training and "
        f"{100 * info['rare_test']:.1f}% of test windows (paper: 5.8%). GRU 2x15, Adam 1e-3, "
        f"{EPOCHS} epochs, batch 64, 80% of the rare samples of each batch augmented; the "
        f"autoencoder ({AE_EPOCHS} epochs, TTUR + cost-sensitive discriminator) is trained once "
        "per seed and shared by the latent rows.",
        "",
        "## Table 2: objective of the perturbation module x scale (no oversampling)",
        "",
    ]
    table2 = frame[frame["table"] == "table2"]
    order2 = [
        f"AE {m} scale {s}" for m in ("anti-adversarial", "random", "adversarial") for s in SCALES
    ]
    lines += [mean_sd(table2, "method", ["rmse_macro", "mae_macro"], order2, 3).to_markdown(), ""]
    lines += ["## Table 3: augmentations with and without oversampling (x4)", ""]
    table3 = frame[frame["table"].isin(["table3", "sampler"])]
    columns = ["rmse_macro", "rmse_major", "rmse_minor", "mae_macro", "mae_major", "mae_minor"]
    order3 = [
        "no oversample",
        "oversample 4",
        "translation no oversample",
        "translation oversample 4",
        "warping no oversample",
        "warping oversample 4",
        "AE adversarial no oversample",
        "AE adversarial oversample 4",
        "LatentAdversarialSampler (offline, rare:common 1:4)",
    ]
    lines += [mean_sd(table3, "method", columns, order3, 3).to_markdown(), ""]
    means = frame.groupby("method")[["rmse_macro", "mae_macro"]].mean()
    lines += ["## Which of the paper's orderings hold here", ""]
    lines += _regression_orderings(means)
    timing = frame.groupby("method")["seconds"].median()
    lines += [
        "",
        f"Median training time per row: {timing.median():.0f} s (autoencoder: "
        f"{frame['ae_seconds'].median():.0f} s per seed).",
        "",
    ]
    return "\n".join(lines)


def _regression_orderings(means):
    rmse = means["rmse_macro"]
    lines = []
    for scale in SCALES:
        adv, rnd, anti = (
            rmse[f"AE {m} scale {scale}"] for m in ("adversarial", "random", "anti-adversarial")
        )
        lines.append(
            f"- scale {scale}: adversarial < random: {holds(adv < rnd)} "
            f"({adv:.3f} vs {rnd:.3f}); random < anti-adversarial: {holds(rnd < anti)} "
            f"({rnd:.3f} vs {anti:.3f})."
        )
    for suffix in ("no oversample", "oversample 4"):
        ours = rmse[f"AE adversarial {suffix}"]
        others = {
            name: rmse[name]
            for name in (
                f"translation {suffix}",
                f"warping {suffix}",
                "no oversample" if suffix == "no oversample" else "oversample 4",
            )
        }
        best_other = min(others, key=others.get)
        lines.append(
            f"- {suffix}: AE adversarial best of its group (macro RMSE): "
            f"{holds(ours < min(others.values()))} ({ours:.3f} vs best other "
            f"{best_other} {others[best_other]:.3f})."
        )
    lines.append(
        f"- oversampling x4 helps (macro RMSE, no augmentation): "
        f"{holds(rmse['oversample 4'] < rmse['no oversample'])} "
        f"({rmse['oversample 4']:.3f} vs {rmse['no oversample']:.3f})."
    )
    return lines


def report_ablation(frame, command):
    lines = _paper_header(
        "Paper 000, Table 1: autoencoder with a discriminator", command, frame["seed"].nunique()
    )
    lines += [
        f"Last-epoch training losses of the autoencoder ({AE_EPOCHS} epochs) on the pvlib "
        "windows, plus the reconstruction MSE on the test windows. Enhanced = TTUR "
        "(discriminator lr 4e-3 vs 1e-3) + cost-sensitive discriminator (cost 5 for calling a "
        "real sample fake, 1 the other way). Losses are cross-entropies before costs.",
        "",
        mean_sd(
            frame,
            "setting",
            ["AE recon", "AE adv", "Disc real", "Disc fake", "test recon"],
            list(ABLATION),
            4,
        ).to_markdown(),
        "",
    ]
    means = frame.groupby("setting")[["AE recon", "test recon"]].mean()
    enhanced = means.loc["Enhanced", "AE recon"]
    lines += ["## Which of the paper's orderings hold here", ""]
    for other in ("AE", "No TTUR", "No cost-sensitivity"):
        value = means.loc[other, "AE recon"]
        lines.append(
            f"- Enhanced reconstructs better than {other} (training recon): "
            f"{holds(enhanced < value)} ({enhanced:.4f} vs {value:.4f})."
        )
    return "\n".join(lines) + "\n"


def report_classification(frame, command):
    lines = _paper_header(
        "Paper 000's rows on a long-tailed UCR classification set", command, frame["seed"].nunique()
    )
    info = frame.iloc[0]
    lines += [
        f"Data: `{info['dataset']}` from aeon's bundled UCR files: per seed a stratified 50/50 "
        "split, the training half made long-tailed with `make_long_tailed` "
        f"({int(frame['n_train'].iloc[0])} training series), the test half untouched. GRU 2x15, "
        f"{2 * EPOCHS} epochs (autoencoder {AE_EPOCHS}), 80% of the minority samples of each "
        "batch augmented, scale 0.1.",
        "",
        mean_sd(
            frame,
            "method",
            ["balanced_accuracy", "f1_macro", "g_mean"],
            list(dict.fromkeys(frame["method"])),
            3,
        ).to_markdown(),
        "",
    ]
    means = frame.groupby("method")["balanced_accuracy"].mean()
    lines += ["## Which of the paper's orderings hold here", ""]
    for suffix in ("no oversample", "oversample 4"):
        adv = means[f"AE adversarial {suffix}"]
        rnd = means[f"AE random {suffix}"]
        anti = means[f"AE anti-adversarial {suffix}"]
        base = means[suffix]
        classic = max(means[f"translation {suffix}"], means[f"warping {suffix}"])
        lines += [
            f"- {suffix}: adversarial > random: {holds(adv > rnd)} ({adv:.3f} vs {rnd:.3f}); "
            f"random > anti-adversarial: {holds(rnd > anti)} ({rnd:.3f} vs {anti:.3f}); "
            f"adversarial > no augmentation: {holds(adv > base)} ({adv:.3f} vs {base:.3f}); "
            f"adversarial > best classic augmentation: {holds(adv > classic)} "
            f"({adv:.3f} vs {classic:.3f}).",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- main
def _set_epochs(epochs, ae_epochs):
    global EPOCHS, AE_EPOCHS
    EPOCHS, AE_EPOCHS = epochs, ae_epochs


EXPERIMENTS = {
    "regression": (run_regression_seed, report_regression),
    "ablation": (run_ablation_seed, report_ablation),
    "classification": (run_classification_seed, report_classification),
}


def _with_epochs(run, seed, epochs, ae_epochs):
    _set_epochs(epochs, ae_epochs)  # worker processes start from the module defaults
    return run(seed)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.paper000",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("experiment", choices=[*EXPERIMENTS, "all"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="network epochs")
    parser.add_argument("--ae-epochs", type=int, default=AE_EPOCHS, help="autoencoder epochs")
    args = parser.parse_args(argv)
    _set_epochs(args.epochs, args.ae_epochs)
    run_experiments(
        EXPERIMENTS,
        list(EXPERIMENTS) if args.experiment == "all" else [args.experiment],
        seeds=args.seeds,
        n_jobs=args.n_jobs,
        run_seed=partial(_with_epochs, epochs=args.epochs, ae_epochs=args.ae_epochs),
        results_dir=RESULTS,
        command="python -m benchmarks.paper000 " + shlex.join(argv),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
