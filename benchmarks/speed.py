"""The ``speed`` suite: cost of a default ``fit_resample`` against data size, next to SMOTE.

Wall time and peak memory (growth of the resident set) of ``fit_resample`` with
every sampler at its **defaults**, in the same run as SMOTE: binary tabular data
(10% minority, ``make_classification``) for n in {1e3, 1e4, 1e5, 1e6} samples at 20
features and for {10, 50, 200} features at 1e4 samples, and the sequence fit on
(1000, 3, 128) series (``make_imbalanced_sequences``). Each measurement runs in a
fresh process with a time limit. The summary gives each method's time as a ratio to
SMOTE's at the same size, the growth exponents, and the issue's targets (at 1e6 x
20: time ratio to SMOTE <= 1, time exponent from 1e5 to 1e6 <= 1.05, peak memory
<= 2 GB; sequence fit <= 60 s).

``StructuredAdversarial`` has no default for flat tables (a row of 20 features is no
image: it asks for ``shape``), so its tabular rows use ``perturbation="fgm"``, the
one mode that needs no shape; its sequence row is the default.
"""

import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .report import cpu_line

RESULTS = Path(__file__).resolve().parent / "results" / "speed"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
FEATURES = (10, 50, 200)
SEQUENCE_SHAPE = (1000, 3, 128)
LEARNED = (
    "LatentAdversarial",
    "FlowLatent",
    "StructuredAdversarial",
    "WorstCaseGenerator",
    "LearnedViews",
)
METHODS = ("SMOTE", "RandomOverSampler", "TSAug[jitter]", *LEARNED)
# what a label stands for where it is not the sampler's default
SETTINGS = {"StructuredAdversarial": "perturbation='fgm'"}  # on tables
TARGETS = {"ratio to SMOTE at 1e6": 1.0, "exponent 1e5-1e6": 1.05, "peak GB at 1e6": 2.0}
SEQUENCE_TARGET_SECONDS = 60.0


def _sampler(name, kind, seed=0, device="cpu"):
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    import skadvaug

    common = {"random_state": seed, "device": device}
    return {
        "RandomOverSampler": lambda: RandomOverSampler(random_state=seed),
        "SMOTE": lambda: SMOTE(random_state=seed),
        "TSAug[jitter]": lambda: skadvaug.TimeSeriesAugmentationSampler(
            "jitter", random_state=seed
        ),
        "LatentAdversarial": lambda: skadvaug.LatentAdversarialSampler(**common),
        "FlowLatent": lambda: skadvaug.FlowLatentSampler(**common),
        "StructuredAdversarial": lambda: skadvaug.StructuredAdversarialSampler(
            **({"perturbation": "fgm"} if kind == "tabular" else {}), **common
        ),
        "WorstCaseGenerator": lambda: skadvaug.WorstCaseGeneratorSampler(**common),
        "LearnedViews": lambda: skadvaug.LearnedViewSampler(**common),
    }[name]()


def _data(kind, n_samples, n_features):
    if kind == "sequences":
        from skadvaug.datasets import make_imbalanced_sequences

        _, n_channels, n_timepoints = SEQUENCE_SHAPE
        return make_imbalanced_sequences(
            n_samples,
            n_channels=n_channels,
            n_timepoints=n_timepoints,
            weights=[0.9, 0.1],
            random_state=0,
        )
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples,
        n_features=n_features,
        n_informative=min(10, n_features),
        n_redundant=0,
        weights=[0.9],
        random_state=0,
    )


def _measure_child(method, kind, n_samples, n_features, device, queue):
    import torch

    from ._measure import measure

    torch.set_num_threads(os.cpu_count() or 1)  # the samplers set their own (n_threads)
    X, y = _data(kind, n_samples, n_features)
    sampler = _sampler(method, kind, device=device)
    if device == "cuda":  # CUDA's start-up is a per-process cost, as torch's import is
        torch.zeros(1, device=device)
        torch.cuda.reset_peak_memory_stats()
    (X_res, _), seconds, peak_mb = measure(lambda: sampler.fit_resample(X, y))
    result = {"seconds": seconds, "peak_memory_mb": peak_mb, "n_synthetic": len(X_res) - len(X)}
    if device == "cuda":
        result["peak_gpu_memory_mb"] = torch.cuda.max_memory_allocated() / 2**20
    queue.put(result)


def measure_one(method, kind, n_samples, n_features, time_limit, device="cpu"):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(
        target=_measure_child, args=(method, kind, n_samples, n_features, device, queue)
    )
    start = time.perf_counter()
    process.start()
    process.join(time_limit)
    failed = {"seconds": np.nan, "peak_memory_mb": np.nan, "n_synthetic": np.nan}
    if process.is_alive():
        process.kill()
        process.join()
        return {**failed, "status": f"timeout after {time_limit:g} s"}
    if process.exitcode != 0 or queue.empty():
        return {**failed, "status": f"failed (exit code {process.exitcode})"}
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


def _grid(methods, sizes, features, sequences):
    grid = [(m, "tabular", n, 20, "samples") for n in sizes for m in methods]
    grid += [(m, "tabular", 10_000, f, "features") for f in features for m in methods]
    if sequences:
        n, n_channels, _ = SEQUENCE_SHAPE
        grid += [
            (m, "sequences", n, n_channels, "sequences")
            for m in methods
            if m not in ("SMOTE", "RandomOverSampler")  # tables only
        ]
    return grid


def run(
    time_limit=1200,
    methods=METHODS,
    sizes=SIZES,
    features=FEATURES,
    sequences=True,
    progress=True,
    device="cpu",
):
    """Measure every (method, size) cell; a method that timed out at a size skips
    the larger ones. Sizes run in increasing order, every method at a size in a row,
    so SMOTE and the learned samplers meet the same machine state. ``device`` is the
    learned samplers' (SMOTE and the classic samplers run on the CPU)."""
    rows = []
    for method, kind, n_samples, n_features, axis in _grid(methods, sizes, features, sequences):
        unfinished = [
            r
            for r in rows
            if r["method"] == method
            and r["axis"] == axis
            and r["status"] != "ok"
            and r["n_samples"] <= n_samples
        ]
        if axis == "samples" and unfinished:
            result = {
                "seconds": np.nan,
                "peak_memory_mb": np.nan,
                "status": "skipped (a smaller size did not finish)",
            }
        else:
            result = measure_one(method, kind, n_samples, n_features, time_limit, device)
        row = {
            "method": method,
            "axis": axis,
            "n_samples": n_samples,
            "n_features": n_features,
            **result,
            "settings": SETTINGS.get(method, "defaults") if kind == "tabular" else "defaults",
        }
        rows.append(row)
        if progress:
            print(
                f"{method:22s} {axis:9s} n={n_samples:>8d} d={n_features:>4d}: "
                f"{row['seconds']:.3g} s, {row['peak_memory_mb']:.4g} MB ({row['status']})",
                flush=True,
            )
    return pd.DataFrame(rows)


def ratios_to_smote(frame):
    """Each tabular (method, n) time divided by SMOTE's at the same n (a wide table)."""
    by_n = frame[frame["axis"] == "samples"].pivot_table(
        index="method", columns="n_samples", values="seconds", sort=False
    )
    if "SMOTE" not in by_n.index:
        return pd.DataFrame()
    ratios = by_n.div(by_n.loc["SMOTE"], axis=1)
    ratios.columns = [f"n={n:,}" for n in ratios.columns]
    return ratios


def target_table(frame):
    """The issue's targets per learned sampler, from the measurements."""
    by_n = frame[frame["axis"] == "samples"]
    largest = int(by_n["n_samples"].max())
    smote = by_n[(by_n["method"] == "SMOTE") & (by_n["n_samples"] == largest)]["seconds"]
    smote_seconds = float(smote.iloc[0]) if len(smote) else np.nan
    rows = []
    for method in [m for m in frame["method"].unique() if m in LEARNED]:
        part = by_n[by_n["method"] == method]
        at_largest = part[part["n_samples"] == largest]
        seconds = float(at_largest["seconds"].iloc[0]) if len(at_largest) else np.nan
        peak_gb = float(at_largest["peak_memory_mb"].iloc[0]) / 1024 if len(at_largest) else np.nan
        exponent = growth_exponent(part["n_samples"], part["seconds"], largest=2)
        sequence = frame[(frame["axis"] == "sequences") & (frame["method"] == method)]
        sequence_seconds = float(sequence["seconds"].iloc[0]) if len(sequence) else np.nan
        sequence_status = sequence["status"].iloc[0] if len(sequence) else "not measured"
        ratio = seconds / smote_seconds
        rows.append(
            {
                "method": method,
                f"seconds at n={largest:,}": seconds,
                f"ratio to SMOTE at n={largest:,}": ratio,
                "exponent, two largest n": exponent,
                f"peak GB at n={largest:,}": peak_gb,
                f"sequence fit {SEQUENCE_SHAPE} s": sequence_seconds,
                "sequence fit status": sequence_status,
                "ratio <= 1": bool(ratio <= TARGETS["ratio to SMOTE at 1e6"]),
                "exponent <= 1.05": bool(exponent <= TARGETS["exponent 1e5-1e6"]),
                "memory <= 2 GB": bool(peak_gb <= TARGETS["peak GB at 1e6"]),
                "sequences <= 60 s": bool(sequence_seconds <= SEQUENCE_TARGET_SECONDS),
            }
        )
    return pd.DataFrame(rows)


def write_outputs(frame, command, out_dir=RESULTS, device="cpu"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_dir / "results.csv", index=False)
    exponents = []
    for method, part in frame[frame["axis"] != "sequences"].groupby("method", sort=False):
        by_n = part[part["axis"] == "samples"]
        by_d = part[part["axis"] == "features"]
        finished = by_n.loc[by_n["status"] == "ok", "n_samples"]
        exponents.append(
            {
                "method": method,
                "settings": SETTINGS.get(method, "defaults"),
                "time exponent vs n": growth_exponent(by_n["n_samples"], by_n["seconds"]),
                "time exponent vs n, two largest n": growth_exponent(
                    by_n["n_samples"], by_n["seconds"], largest=2
                ),
                "memory exponent vs n": growth_exponent(
                    by_n["n_samples"], by_n["peak_memory_mb"].clip(lower=1e-3)
                ),
                "time exponent vs features": growth_exponent(by_d["n_features"], by_d["seconds"]),
                "largest n finished": int(finished.max()) if len(finished) else 0,
            }
        )
    exponents = pd.DataFrame(exponents)
    exponents.to_csv(out_dir / "exponents.csv", index=False)
    ratios = ratios_to_smote(frame)
    ratios.to_csv(out_dir / "ratios.csv")
    targets = target_table(frame)
    targets.to_csv(out_dir / "targets.csv", index=False)

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for method, part in frame[frame["axis"] != "sequences"].groupby("method", sort=False):
        by_n = part[part["axis"] == "samples"]
        by_d = part[part["axis"] == "features"]
        style = "o--" if method not in LEARNED else "o-"
        axes[0].loglog(by_n["n_samples"], by_n["seconds"], style, label=method)
        axes[1].loglog(
            by_n["n_samples"], by_n["peak_memory_mb"].clip(lower=1e-2), style, label=method
        )
        axes[2].loglog(by_d["n_features"], by_d["seconds"], style, label=method)
    for ax, (xlabel, ylabel) in zip(
        axes,
        [("samples", "seconds"), ("samples", "peak MB"), ("features (n = 10,000)", "seconds")],
        strict=True,
    ):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("default fit_resample cost, 20 features (dashed: classic samplers)")
    fig.tight_layout()
    fig.savefig(out_dir / "speed.png", dpi=120)
    plt.close(fig)
    import torch

    import skadvaug

    sequences = frame[frame["axis"] == "sequences"]
    memory_columns = [c for c in ("peak_memory_mb", "peak_gpu_memory_mb") if c in frame]
    where = "default `n_threads=1`"
    if device == "cuda":
        where = f"`device='cuda'` ({torch.cuda.get_device_name(0)}) and `n_threads=1`"
    summary = "\n".join(
        [
            "# Benchmark suite `speed`",
            "",
            __doc__.strip(),
            "",
            f"- command: `{command}`",
            f"- environment: skadvaug {skadvaug.__version__}, torch {torch.__version__}, "
            f"{cpu_line()}; learned samplers at {where}, "
            "SMOTE with its default (BLAS threads)"
            + (
                "; `peak_memory_mb` is the growth of the process's resident set, "
                "`peak_gpu_memory_mb` torch's peak CUDA allocation"
                if device == "cuda"
                else ""
            ),
            "",
            "## Targets",
            "",
            targets.round(3).to_markdown(index=False) if len(targets) else "(no learned sampler)",
            "",
            "## Time as a ratio to SMOTE's at the same n (20 features)",
            "",
            ratios.round(3).to_markdown() if len(ratios) else "(SMOTE not measured)",
            "",
            "## Growth exponents",
            "",
            exponents.round(3).to_markdown(index=False),
            "",
            f"## Sequences {SEQUENCE_SHAPE}",
            "",
            sequences[["method", "seconds", *memory_columns, "status", "settings"]]
            .round(3)
            .to_markdown(index=False)
            if len(sequences)
            else "(not measured)",
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
