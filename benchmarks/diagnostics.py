"""Where synthetic minority samples land: ``python -m benchmarks.diagnostics``.

Issue 23's first question: why do the adversarial samplers lose to SMOTE and to their own
random modes? For each data set (KEEL tables, long-tailed UCR series) and seed, every
method resamples the same stratified training half (standardised per feature; series
flattened for the distances), and each synthetic sample of the smallest class is measured
against the *real* training data:

- ``enemy_nn``: share whose nearest real neighbour belongs to another class;
- ``enemy_knn``: share with a majority of other classes among its 5 nearest real
  neighbours (it lands in another class's region);
- ``judged_other``: share a linear reference classifier (a logistic regression on the real
  training half, the same for every method) assigns to another class: the boundary view,
  where ``enemy_knn`` is the local one;
- ``real_enemy_knn``: ``enemy_knn`` of the real samples of the class (leave-one-out),
  the reference a method's samples compare with;
- ``spread``: distance to the nearest real sample of its class, relative to the median
  nearest-neighbour distance among the real samples of that class (1 = as far as real
  samples are from each other);
- ``copies``: share that are exact copies of a real sample (a label-preserving sampler
  keeps the seed itself where every shrunk perturbation still changed its class);
- ``test_gain``: balanced accuracy of a logistic regression on the resampled training
  half minus that without resampling, on the untouched test half.

Writes ``benchmarks/results/diagnostics/landing.md`` and ``landing.csv``; rows of the
committed ``landing.csv`` for cells not recomputed (other methods, data sets or seeds) are
kept, so a new method is added with ``--methods NAME``.
"""

import argparse
import shlex
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from .report import environment_line

OUT = Path(__file__).resolve().parent / "results" / "diagnostics"
METHOD_NAMES = (
    "SMOTE",
    "LatentAdversarial",
    "LatentAdversarial[adversarial]",
    "LatentAdversarial[samples]",
    "LatentAdversarial[samples+random]",
    "LatentAdversarial[paper]",
    "LatentAdversarial[paper+random]",
    "LatentAdversarial[residual+preserve]",
    "FlowLatent",
    "FlowLatent[paper]",
    "FlowLatent[preserve]",
)
DATASETS = (
    "keel:yeast3",
    "keel:ecoli1",
    "keel:abalone9-18",
    "keel:vehicle0",
    "ucr:GunPoint@IF10",
    "ucr:ItalyPowerDemand@IF10",
)


def _dataset(name):
    from . import data

    if name.startswith("keel:"):
        return data.keel(name.removeprefix("keel:"))
    set_name, factor = name.removeprefix("ucr:").split("@IF")
    return data.ucr_long_tailed(set_name, int(factor))


def run_cell(dataset_name, method_name, seed):
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import NearestNeighbors

    from .methods import METHODS, Context

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    dataset = _dataset(dataset_name)
    X, y = dataset.load()
    X = np.asarray(X, dtype=np.float64)
    index = np.arange(len(y))
    train, test = train_test_split(index, test_size=0.5, stratify=y, random_state=seed)
    train = dataset.long_tail(train, y, seed)
    X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
    labels, counts = np.unique(y_train, return_counts=True)
    minority = labels[np.argmin(counts)]
    method = METHODS[method_name]
    sampler = method.build(seed, Context(n_minority=int(counts.min())))
    flat = X_train.reshape(len(X_train), -1)
    mean, std = flat.mean(axis=0), flat.std(axis=0) + 1e-12
    start = time.perf_counter()
    if method.native_nd:
        X_res, y_res = sampler.fit_resample(X_train, y_train)
    else:
        X_res, y_res = sampler.fit_resample(flat, y_train)
    seconds = time.perf_counter() - start
    X_res = np.asarray(X_res, dtype=np.float64).reshape(len(y_res), -1)
    y_res = np.asarray(y_res)
    synthetic = (np.arange(len(y_res)) >= len(y_train)) & (y_res == minority)
    Z_real, Z_new = (flat - mean) / std, (X_res[synthetic] - mean) / std

    neighbours = NearestNeighbors(n_neighbors=5).fit(Z_real)
    _, nearest = neighbours.kneighbors(Z_new)
    enemy = y_train[nearest] != minority
    judge = LogisticRegression(max_iter=2000).fit(Z_real, y_train)
    # the same measures for the real minority samples (leave-one-out): the reference
    real_nearest = neighbours.kneighbors(Z_real[y_train == minority], n_neighbors=6)[1][:, 1:]
    real_enemy = y_train[real_nearest] != minority
    own = Z_real[y_train == minority]
    own_distance = NearestNeighbors(n_neighbors=1).fit(own).kneighbors(Z_new)[0][:, 0]
    real_spacing = NearestNeighbors(n_neighbors=2).fit(own).kneighbors(own)[0][:, 1]

    def score(X_fit, y_fit):
        model = LogisticRegression(max_iter=2000).fit((X_fit - mean) / std, y_fit)
        flat_test = X_test.reshape(len(X_test), -1)
        return balanced_accuracy_score(y_test, model.predict((flat_test - mean) / std))

    return {
        "dataset": dataset_name,
        "method": method_name,
        "seed": seed,
        "n_synthetic": int(synthetic.sum()),
        "enemy_nn": float(enemy[:, 0].mean()),
        "enemy_knn": float((enemy.mean(axis=1) > 0.5).mean()),
        "judged_other": float((judge.predict(Z_new) != minority).mean()),
        "real_enemy_knn": float((real_enemy.mean(axis=1) > 0.5).mean()),
        "spread": float(np.median(own_distance) / max(np.median(real_spacing), 1e-12)),
        "copies": float((own_distance < 1e-6).mean()),
        "test_gain": score(X_res, y_res) - score(flat, y_train),
        "seconds": seconds,
    }


def report(frame, command):
    metrics = [
        "enemy_nn",
        "enemy_knn",
        "real_enemy_knn",
        "judged_other",
        "spread",
        "copies",
        "test_gain",
    ]
    metrics = [m for m in metrics if m in frame]  # older rows may lack a newer measure
    order = [m for m in METHOD_NAMES if m in set(frame["method"])]
    order += sorted(set(frame["method"]) - set(order))
    # means over the data sets every method ran on, so that the rows compare
    ran = frame.groupby("dataset")["method"].nunique()
    common = ran.index[ran == len(order)]
    per_method = (
        frame[frame["dataset"].isin(common)].groupby("method")[metrics].mean().reindex(order)
    )
    per_set = frame.pivot_table(index="dataset", columns="method", values="judged_other")
    lines = [
        "# Where synthetic minority samples land",
        "",
        f"Generated by `{command}` ({environment_line()}; one torch thread per process). "
        f"{frame['dataset'].nunique()} data sets x {frame['seed'].nunique()} seeds; every "
        "method at the benchmarks' settings (`benchmarks/methods.py`); definitions in "
        "`benchmarks/diagnostics.py`. Means over the seeds and the "
        f"{len(common)} data sets every method ran on ({', '.join(common)}):",
        "",
        per_method.round(3).to_markdown(),
        "",
        "Share judged to be another class by the reference logistic regression, per data set:",
        "",
        per_set.reindex(columns=order).round(3).to_markdown(),
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnostics", description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--datasets", help="comma-separated (default: all)")
    parser.add_argument("--methods", help="comma-separated (default: all)")
    args = parser.parse_args(argv)
    datasets = args.datasets.split(",") if args.datasets else DATASETS
    methods = args.methods.split(",") if args.methods else METHOD_NAMES
    rows = Parallel(n_jobs=args.n_jobs)(
        delayed(run_cell)(d, m, s) for d in datasets for m in methods for s in range(args.seeds)
    )
    frame = pd.DataFrame(rows)
    if (OUT / "landing.csv").exists():
        kept = pd.read_csv(OUT / "landing.csv")
        key = ["dataset", "method", "seed"]
        new = pd.MultiIndex.from_frame(frame[key])
        kept = kept[~pd.MultiIndex.from_frame(kept[key]).isin(new)]
        frame = pd.concat([kept, frame], ignore_index=True)
    OUT.mkdir(parents=True, exist_ok=True)
    frame.to_csv(OUT / "landing.csv", index=False)
    text = report(frame, "python -m benchmarks.diagnostics " + shlex.join(argv))
    (OUT / "landing.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
