"""Speed and memory targets of the learned samplers, measured and written to files.

    python -m benchmarks.speed_targets                  # CPU, every target
    python -m benchmarks.speed_targets --device cuda    # on a GPU machine

Each measurement runs in a fresh process, so its peak memory is its own. Results:
``benchmarks/results/speed_targets/<device>.csv`` and ``.md``.
"""

import argparse
import multiprocessing
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "speed_targets"


def _tabular(n_samples, n_features, seed=0):
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples,
        n_features=n_features,
        n_informative=min(10, n_features),
        weights=[0.9],
        random_state=seed,
    )


def _sequences(n_samples, n_channels, n_timepoints, seed=0):
    from skadvaug.datasets import make_imbalanced_sequences

    return make_imbalanced_sequences(
        n_samples, n_channels=n_channels, n_timepoints=n_timepoints, random_state=seed
    )


# Each target: (name, what is measured, unit, limit, comparison, job)
def _latent_fit(data, shape, device):
    from skadvaug import LatentAdversarialSampler

    from ._measure import measure

    X, y = data(*shape)
    sampler = LatentAdversarialSampler(random_state=0, device=device)
    _, seconds, peak_mb = measure(lambda: sampler.fit_resample(X, y))
    return {
        "value": seconds,
        "peak_mb": peak_mb,
        "detail": f"AE {sampler.autoencoder_.max_epochs} + adversarial "
        f"{sampler.surrogate_.max_epochs} epochs",
    }


def _latent_generation(device):
    from skadvaug import LatentAdversarialSampler

    X, y = _tabular(5000, 20)
    sampler = LatentAdversarialSampler(random_state=0, device=device)
    sampler.fit_resample(X, y)
    seeds = np.repeat(X[y == 1], 200_000 // int(np.sum(y == 1)) + 1, axis=0)[:200_000]
    rng = np.random.RandomState(0)
    sampler._augment(seeds[:1000], None, group=1, random_state=rng)  # warm-up
    start = time.perf_counter()
    sampler._augment(seeds, None, group=1, random_state=rng)
    seconds = time.perf_counter() - start
    return {
        "value": len(seeds) / seconds,
        "peak_mb": np.nan,
        "detail": f"{len(seeds)} samples in {seconds:.2f} s (the path fit_resample uses)",
    }


def _latent_memory(device):
    from skadvaug import LatentAdversarialSampler

    from ._measure import measure

    X, y = _tabular(100_000, 50)
    sampler = LatentAdversarialSampler(random_state=0, device=device)
    _, seconds, peak_mb = measure(lambda: sampler.fit_resample(X, y))
    return {"value": peak_mb / 1024, "peak_mb": peak_mb, "detail": f"took {seconds:.0f} s"}


def _flow_fit(device):
    from skadvaug import FlowTransformer

    from ._measure import measure

    X, _ = _tabular(5000, 20)
    flow = FlowTransformer(random_state=0, device=device)
    _, seconds, peak_mb = measure(lambda: flow.fit(X))
    return {
        "value": seconds,
        "peak_mb": peak_mb,
        "detail": f"{flow.flow_.max_epochs} epochs, final bits/dim "
        f"{flow.flow_.history[-1, 'bits_per_dim']:.2f}",
    }


def _flow_round_trip(device):
    from skadvaug import FlowTransformer

    X, _ = _tabular(5000, 20)
    flow = FlowTransformer(max_epochs=1, random_state=0, device=device).fit(X)
    big, _ = _tabular(100_000, 20, seed=1)
    flow.inverse_transform(flow.transform(big[:1000]))  # warm-up
    start = time.perf_counter()
    restored = flow.inverse_transform(flow.transform(big))
    seconds = time.perf_counter() - start
    return {
        "value": seconds,
        "peak_mb": np.nan,
        "detail": f"max |F^-1(F(x)) - x| = {np.abs(restored - big).max():.2e}",
    }


def _worst_case_fit(device):
    from skadvaug import WorstCaseGeneratorSampler

    from ._measure import measure

    X, y = _tabular(5000, 20)
    sampler = WorstCaseGeneratorSampler(random_state=0, device=device)
    _, seconds, peak_mb = measure(lambda: sampler.fit_resample(X, y))
    game = sampler.surrogate_
    return {
        "value": seconds,
        "peak_mb": peak_mb,
        "detail": f"{game.max_epochs} epochs = {game.critic_steps_} critic / "
        f"{game.generator_steps_} generator steps",
    }


def _contrastive_fit(device):
    from skadvaug.datasets import load_ucr
    from skadvaug.transformers import ContrastiveEncoder

    from ._measure import measure

    X, _ = load_ucr("GunPoint", split="train")
    encoder = ContrastiveEncoder(random_state=0, device=device)
    _, seconds, peak_mb = measure(lambda: encoder.fit(X))
    return {
        "value": seconds,
        "peak_mb": peak_mb,
        "detail": f"LEAVES, ResNet-18-1D, {encoder.max_epochs} epochs of {len(X)} series",
    }


# explicit budgets of a few seconds per fit: the target is the parallel speed-up, and
# fits much shorter than a worker's start-up would measure the start-up
_GRID_SAMPLERS = {
    "LatentAdversarialSampler": (
        {"autoencoder_epochs": 20, "surrogate_epochs": 10},
        {"sampler__scale": [0.25, 0.5, 1.0, 2.0]},
    ),
    "FlowLatentSampler": ({"flow_epochs": 20}, {"sampler__epsilon": [0.1, 0.25, 0.5, 1.0]}),
    "StructuredAdversarialSampler": (
        {"perturbation": "fgm", "surrogate_epochs": 20},
        {"sampler__alpha": [0.25, 0.5, 1.0, 2.0]},
    ),
    "WorstCaseGeneratorSampler": (
        {"game_epochs": 10},
        {"sampler__epsilon": [0.25, 0.5, 1.0, 2.0]},
    ),
    "LearnedViewSampler": (
        {"pretrain_epochs": 10},
        {"sampler__view_lr": [1e-3, 3e-3, 1e-2, 3e-2]},
    ),
}


def _grid_search_parallel(device):
    """GridSearchCV(n_jobs=2) over a Pipeline with each learned sampler, against the
    same search run serially (4 grid points x 3 folds = 12 fits each)."""
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    import skadvaug

    X, y = _tabular(2000, 20)
    ratios, details = [], []
    for name, (params, grid) in _GRID_SAMPLERS.items():
        sampler = getattr(skadvaug, name)(random_state=0, device=device, **params)
        pipeline = Pipeline([("sampler", sampler), ("model", LogisticRegression(max_iter=500))])
        seconds = {}
        for n_jobs in (1, 2):
            search = GridSearchCV(pipeline, grid, cv=3, scoring="balanced_accuracy", n_jobs=n_jobs)
            start = time.perf_counter()
            search.fit(X, y)
            seconds[n_jobs] = time.perf_counter() - start
        ratio = seconds[2] / (seconds[1] / 2)
        ratios.append(ratio)
        details.append(
            f"{name}: serial {seconds[1]:.1f} s, n_jobs=2 {seconds[2]:.1f} s ({ratio:.2f})"
        )
    return {"value": max(ratios), "peak_mb": np.nan, "detail": "; ".join(details)}


TARGETS = {
    "latent_fit_tabular": (
        "LatentAdversarialSampler",
        "default fit_resample, 5,000 x 20 tabular",
        "s",
        20.0,
        "<=",
        lambda device: _latent_fit(_tabular, (5000, 20), device),
    ),
    "latent_fit_sequences": (
        "LatentAdversarialSampler",
        "default fit_resample, 1,000 x 6 x 32 sequences",
        "s",
        30.0,
        "<=",
        lambda device: _latent_fit(_sequences, (1000, 6, 32), device),
    ),
    "latent_generation": (
        "LatentAdversarialSampler",
        "generation after fit, tabular",
        "samples/s",
        50_000.0,
        ">=",
        _latent_generation,
    ),
    "latent_memory": (
        "LatentAdversarialSampler",
        "peak memory of fit_resample, 100,000 x 50",
        "GB",
        1.5,
        "<=",
        _latent_memory,
    ),
    "flow_fit": ("FlowTransformer", "default fit, 5,000 x 20 tabular", "s", 30.0, "<=", _flow_fit),
    "contrastive_fit": (
        "ContrastiveEncoder",
        "default fit (LEAVES, ResNet-18-1D, 100 epochs), GunPoint train 50 x 1 x 150",
        "s",
        600.0,
        "<=",
        _contrastive_fit,
    ),
    "worst_case_fit": (
        "WorstCaseGeneratorSampler",
        "default fit_resample, 5,000 x 20 tabular",
        "s",
        60.0,
        "<=",
        _worst_case_fit,
    ),
    "grid_search_parallel": (
        "every learned sampler",
        "GridSearchCV(n_jobs=2) time / (serial time / 2), worst sampler, 12 fits on 2,000 x 20",
        "ratio",
        1.5,
        "<=",
        _grid_search_parallel,
    ),
    "flow_round_trip": (
        "FlowTransformer",
        "transform + inverse_transform, 100,000 x 20",
        "s",
        5.0,
        "<=",
        _flow_round_trip,
    ),
}


def _run_in_child(name, device, queue):
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    queue.put(TARGETS[name][-1](device))


def measure_target(name, device):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run_in_child, args=(name, device, queue))
    process.start()
    process.join()  # the result is a small dict: the child's put does not block
    if process.exitcode != 0 or queue.empty():
        raise RuntimeError(f"target {name!r} failed in its process (exit code {process.exitcode})")
    return queue.get()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed_targets",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--only", help="comma-separated target names (default: all)")
    parser.add_argument("--out", help="output folder")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(TARGETS)
    rows = []
    for name in names:
        estimator, what, unit, limit, comparison, _ = TARGETS[name]
        result = measure_target(name, args.device)
        value = result["value"]
        passed = value <= limit if comparison == "<=" else value >= limit
        rows.append(
            {
                "target": name,
                "estimator": estimator,
                "measurement": what,
                "value": value,
                "unit": unit,
                "limit": f"{comparison} {limit:g}",
                "passed": passed,
                "peak_memory_mb": result["peak_mb"],
                "detail": result["detail"],
            }
        )
        print(f"{name}: {value:.4g} {unit} ({'pass' if passed else 'FAIL'}; {result['detail']})")
    out = Path(args.out) if args.out else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows)
    stem = args.device if not args.only else f"{args.device}-{'-'.join(names)}"
    frame.to_csv(out / f"{stem}.csv", index=False)
    import torch

    import skadvaug

    lines = [
        f"# Speed and memory targets ({args.device})",
        "",
        f"Generated by `python -m benchmarks.speed_targets {shlex.join(argv)}`: skadvaug "
        f"{skadvaug.__version__}, torch {torch.__version__}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()})"
        + (f", GPU {torch.cuda.get_device_name(0)}" if args.device == "cuda" else "")
        + ". Each measurement runs in a fresh process; memory is the growth of the resident "
        "set during the call.",
        "",
        frame.assign(value=frame["value"].map(lambda v: f"{v:.4g}")).to_markdown(index=False),
        "",
    ]
    (out / f"{stem}.md").write_text("\n".join(lines))
    return 0 if frame["passed"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
