"""The ``speed`` suite: cost of ``fit_resample`` against data size.

Wall time and peak memory (growth of the resident set) of ``fit_resample`` on
binary tabular data (10% minority) for n in {1e3, 1e4, 1e5, 1e6} samples at 20
features, and for {10, 50, 200} features at 1e4 samples; each measurement runs in
a fresh process with a time limit. The learned samplers run with a fixed small
epoch budget (stated in the outputs), so the exponent shows how their cost grows
with the data, not how long a full default fit takes
(``benchmarks/speed_targets.py`` measures that).
"""

import multiprocessing
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "speed"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
FEATURES = (10, 50, 200)
EPOCH_BUDGET = {
    "LatentAdversarial": "autoencoder_epochs=1, surrogate_epochs=1",
    "FlowLatent": "flow_epochs=1, surrogate_epochs=1",
}


def _sampler(name, seed=0):
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    from skadvaug import FlowLatentSampler, LatentAdversarialSampler, TimeSeriesAugmentationSampler

    return {
        "RandomOverSampler": lambda: RandomOverSampler(random_state=seed),
        "SMOTE": lambda: SMOTE(random_state=seed),
        "TSAug[jitter]": lambda: TimeSeriesAugmentationSampler("jitter", random_state=seed),
        "LatentAdversarial": lambda: LatentAdversarialSampler(
            autoencoder_epochs=1, surrogate_epochs=1, random_state=seed, device="cpu"
        ),
        "FlowLatent": lambda: FlowLatentSampler(
            flow_epochs=1, surrogate_epochs=1, random_state=seed, device="cpu"
        ),
    }[name]()


METHODS = ("RandomOverSampler", "SMOTE", "TSAug[jitter]", "LatentAdversarial", "FlowLatent")


def _measure_child(method, n_samples, n_features, queue):
    import torch
    from sklearn.datasets import make_classification

    from ._measure import measure

    torch.set_num_threads(os.cpu_count() or 1)
    X, y = make_classification(
        n_samples,
        n_features=n_features,
        n_informative=min(10, n_features),
        n_redundant=0,
        weights=[0.9],
        random_state=0,
    )
    sampler = _sampler(method)
    _, seconds, peak_mb = measure(lambda: sampler.fit_resample(X, y))
    queue.put({"seconds": seconds, "peak_memory_mb": peak_mb})


def measure_one(method, n_samples, n_features, time_limit):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure_child, args=(method, n_samples, n_features, queue))
    start = time.perf_counter()
    process.start()
    process.join(time_limit)
    if process.is_alive():
        process.kill()
        process.join()
        return {
            "seconds": np.nan,
            "peak_memory_mb": np.nan,
            "status": f"timeout after {time_limit:g} s",
        }
    if process.exitcode != 0 or queue.empty():
        return {
            "seconds": np.nan,
            "peak_memory_mb": np.nan,
            "status": f"failed (exit code {process.exitcode})",
        }
    result = queue.get()
    result["status"] = "ok"
    result["process_seconds"] = time.perf_counter() - start
    return result


def growth_exponent(sizes, seconds, largest=None):
    """Slope of log(seconds) on log(size) over the measured points.

    ``largest=k`` fits only the ``k`` largest finished sizes: at small sizes a
    fixed start-up cost flattens the curve, so the slope of the largest sizes
    says how the cost grows where it matters.
    """
    sizes, seconds = np.asarray(sizes, float), np.asarray(seconds, float)
    keep = np.flatnonzero(np.isfinite(seconds) & (seconds > 0))
    if largest is not None:
        keep = keep[np.argsort(sizes[keep])][-largest:]
    if keep.size < 2:
        return np.nan
    return float(np.polyfit(np.log(sizes[keep]), np.log(seconds[keep]), 1)[0])


def run(time_limit=1200, methods=METHODS, sizes=SIZES, features=FEATURES, progress=True):
    rows = []
    grid = [(m, n, 20, "samples") for m in methods for n in sizes]
    grid += [(m, 10_000, f, "features") for m in methods for f in features]
    for method, n_samples, n_features, axis in grid:
        skipped = [
            r
            for r in rows
            if r["method"] == method
            and r["axis"] == axis
            and r["status"] != "ok"
            and r["n_samples"] <= n_samples
        ]
        if axis == "samples" and skipped:  # a size that timed out: larger ones would too
            result = {
                "seconds": np.nan,
                "peak_memory_mb": np.nan,
                "status": "skipped (a smaller size did not finish)",
            }
        else:
            result = measure_one(method, n_samples, n_features, time_limit)
        row = {
            "method": method,
            "axis": axis,
            "n_samples": n_samples,
            "n_features": n_features,
            **result,
            "epoch_budget": EPOCH_BUDGET.get(method, ""),
        }
        rows.append(row)
        if progress:
            print(
                f"{method:18s} n={n_samples:>8d} d={n_features:>4d}: "
                f"{row['seconds']:.3g} s, {row['peak_memory_mb']:.4g} MB ({row['status']})",
                flush=True,
            )
    return pd.DataFrame(rows)


def write_outputs(frame, command, out_dir=RESULTS):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_dir / "results.csv", index=False)
    exponents = []
    for method, part in frame.groupby("method", sort=False):
        by_n = part[part["axis"] == "samples"]
        by_d = part[part["axis"] == "features"]
        exponents.append(
            {
                "method": method,
                "time exponent vs n": growth_exponent(by_n["n_samples"], by_n["seconds"]),
                "time exponent vs n, two largest n": growth_exponent(
                    by_n["n_samples"], by_n["seconds"], largest=2
                ),
                "memory exponent vs n": growth_exponent(
                    by_n["n_samples"], by_n["peak_memory_mb"].clip(lower=1e-3)
                ),
                "time exponent vs features": growth_exponent(by_d["n_features"], by_d["seconds"]),
                "largest n finished": int(by_n.loc[by_n["status"] == "ok", "n_samples"].max())
                if (by_n["status"] == "ok").any()
                else 0,
                "epoch budget": EPOCH_BUDGET.get(method, ""),
            }
        )
    exponents = pd.DataFrame(exponents)
    exponents.to_csv(out_dir / "exponents.csv", index=False)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for method, part in frame.groupby("method", sort=False):
        by_n = part[part["axis"] == "samples"]
        by_d = part[part["axis"] == "features"]
        axes[0].loglog(by_n["n_samples"], by_n["seconds"], "o-", label=method)
        axes[1].loglog(
            by_n["n_samples"], by_n["peak_memory_mb"].clip(lower=1e-2), "o-", label=method
        )
        axes[2].loglog(by_d["n_features"], by_d["seconds"], "o-", label=method)
    for ax, (xlabel, ylabel) in zip(
        axes,
        [("samples", "seconds"), ("samples", "peak MB"), ("features (n = 10,000)", "seconds")],
        strict=True,
    ):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("fit_resample cost (learned samplers at a fixed 1-epoch budget)")
    fig.tight_layout()
    fig.savefig(out_dir / "speed.png", dpi=120)
    plt.close(fig)
    import skadvaug

    summary = "\n".join(
        [
            "# Benchmark suite `speed`",
            "",
            __doc__.strip(),
            "",
            f"- command: `{command}`",
            f"- environment: skadvaug {skadvaug.__version__}, {os.cpu_count()} CPUs "
            f"({platform.machine()})",
            "",
            "## Growth exponents",
            "",
            exponents.round(3).to_markdown(index=False),
            "",
            "## Measurements",
            "",
            frame.round(4).to_markdown(index=False),
            "",
            "![speed](speed.png)",
            "",
        ]
    )
    (out_dir / "summary.md").write_text(summary)
    (out_dir / "command.txt").write_text(command + "\n")
    return summary
