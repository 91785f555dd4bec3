"""Quality and cost of the learned samplers' default budgets on large data, with and
without the batch growth of ``"auto"`` budgets.

    python -m benchmarks.large_n                      # n = 1e6 training rows, seeds 0 and 1
    python -m benchmarks.large_n --n-train 300000 --seeds 0

On data larger than a budget's ``steps x batch_size`` samples, an ``"auto"`` budget
trains in batches grown with the data (at most ``MAX_BATCH_GROWTH`` = 4 times) and
correspondingly fewer steps (:func:`skadvaug._torch_utils.step_budget`): a step of
these small networks costs little more in a larger batch, so training on large data
costs less (the ``speed`` suite measures by how much). The worst-case game's critic
step, with its gradient penalty, costs in proportion to its batch; beyond 640,000 rows
its tables' budget is a quarter of the samples (2,500 batches' worth; issue 20).
The small data of the quick, keel and timeseries suites never reach that size, so
their results are those of either rule; this benchmark measures what the rule
changes where it applies: each learned sampler at its defaults, with the batch
growth (``growth 4``, the default) and without it (``growth 1``, the budget before;
for the worst-case game the same 2,500 batches' worth in batches of 64, as its size rule
does not depend on the growth),
on ``make_classification`` data (20 features, 10 informative, 5 % minority,
``class_sep=0.7``, 1 % label noise), scored by the balanced accuracy of logistic
regression and histogram gradient boosting on 100,000 held-out rows, next to SMOTE
and no resampling. Results: ``benchmarks/results/large_n/``.
"""

import argparse
import shlex
import sys
import time
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "large_n"
LEARNED = [
    "LatentAdversarial",
    "FlowLatent",
    "StructuredAdversarial",
    "WorstCaseGenerator",
    "LearnedViews",
]
N_TEST = 100_000


# make_classification's settings of each data family; "base" is the one every
# committed run used; "rare" (1 % minority in four clusters per class, well separated,
# no label noise) was added to report decisions taken on "base" on other data
DATA = {
    "base": {"n_informative": 10, "weights": [0.95], "class_sep": 0.7, "flip_y": 0.01},
    "rare": {
        "n_informative": 8,
        "n_clusters_per_class": 4,
        "weights": [0.99],
        "class_sep": 1.5,
        "flip_y": 0.0,
    },
}


def _data(n_train, seed, data="base"):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(
        n_train + N_TEST, n_features=20, n_redundant=0, random_state=seed, **DATA[data]
    )
    return train_test_split(X, y, test_size=N_TEST, stratify=y, random_state=seed)


def _sampler(name, seed):
    from .speed import _sampler as speed_sampler

    # the speed suite's samplers: defaults, StructuredAdversarial as FGM on tables
    return speed_sampler(name, "tabular", seed)


def _models(seed):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "hgb": HistGradientBoostingClassifier(random_state=seed),
    }


def _scores(X_res, y_res, X_test, y_test, seed):
    """``(model name, balanced accuracy on the held-out rows)`` of each model trained on
    the resampled data."""
    from sklearn.metrics import balanced_accuracy_score

    for name, model in _models(seed).items():
        model.fit(X_res, y_res)
        yield name, balanced_accuracy_score(y_test, model.predict(X_test))


def run(n_train=1_000_000, seeds=(0, 1), methods=None, progress=True):
    import torch

    from skadvaug import _torch_utils

    torch.set_num_threads(1)
    # the first torch fit of a process pays for loading kernels; not a cell's cost
    _sampler("LatentAdversarial", 0).set_params(
        autoencoder_epochs=1, surrogate_epochs=1
    ).fit_resample(*_data(1000, 0)[::2])
    cells = [("none", None), ("SMOTE", None)]
    cells += [(m, g) for m in methods or LEARNED for g in (_torch_utils.MAX_BATCH_GROWTH, 1)]
    default_growth = _torch_utils.MAX_BATCH_GROWTH
    rows = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = _data(n_train, seed)
        for method, growth in cells:
            _torch_utils.MAX_BATCH_GROWTH = default_growth if growth is None else growth
            start = time.perf_counter()
            try:
                if method == "none":
                    X_res, y_res = X_train, y_train
                else:
                    X_res, y_res = _sampler(method, seed).fit_resample(X_train, y_train)
            finally:
                _torch_utils.MAX_BATCH_GROWTH = default_growth
            seconds = time.perf_counter() - start
            for model_name, score in _scores(X_res, y_res, X_test, y_test, seed):
                row = {
                    "method": method,
                    "growth": "" if growth is None else growth,
                    "seed": seed,
                    "n_train": n_train,
                    "model": model_name,
                    "balanced_accuracy": score,
                    "resample_seconds": seconds,
                }
                rows.append(row)
                if progress:
                    print(
                        f"seed {seed} {method:22s} growth {row['growth']!s:2s} {model_name:7s} "
                        f"{score:.4f} ({seconds:.1f} s)",
                        flush=True,
                    )
    return pd.DataFrame(rows)


def run_worst_case_budgets(
    critic_steps, n_train=1_000_000, seeds=(0, 1), data="base", progress=True
):
    """Issue 20's question for large tables: ``WorstCaseGeneratorSampler`` with its tables'
    ``"auto"`` budget as ``critic_steps`` critic steps' worth of samples whatever their size
    (the default is 10,000, and 2,500 beyond 10,000 batches, 640,000 rows; at 1e6 rows
    batches grow up to 4 times either way), scored as :func:`run` scores, next to no
    resampling and SMOTE."""
    import torch

    from .methods import worst_case_budget_sampler

    torch.set_num_threads(1)
    rows = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = _data(n_train, seed, data)
        cells = [("none", None, None), ("SMOTE", None, _sampler("SMOTE", seed))]
        for steps in critic_steps:
            sampler = worst_case_budget_sampler(steps)(random_state=seed)
            cells.append((f"WorstCaseGenerator[{steps} critic steps]", steps, sampler))
        for method, steps, sampler in cells:
            start = time.perf_counter()
            if sampler is None:
                X_res, y_res = X_train, y_train
            else:
                X_res, y_res = sampler.fit_resample(X_train, y_train)
            seconds = time.perf_counter() - start
            for model_name, score in _scores(X_res, y_res, X_test, y_test, seed):
                rows.append(
                    {
                        "method": method,
                        "critic_steps": steps,
                        "data": data,
                        "seed": seed,
                        "n_train": n_train,
                        "model": model_name,
                        "balanced_accuracy": score,
                        "resample_seconds": seconds,
                    }
                )
                if progress:
                    line = f"seed {seed} {method} {model_name} {score:.4f} ({seconds:.1f} s)"
                    print(line, flush=True)
    return pd.DataFrame(rows)


def summarize(frame):
    """Per learned sampler and model: mean balanced accuracy and resampling time
    with and without the batch growth, and the difference, next to SMOTE."""
    # references have no growth: "" in a fresh run, NaN when read back from results.csv
    growth = frame["growth"].map(lambda g: "" if pd.isna(g) or g == "" else str(int(float(g))))
    frame = frame.assign(growth=growth)
    mean = frame.groupby(["method", "growth", "model"], sort=False).agg(
        balanced_accuracy=("balanced_accuracy", "mean"), seconds=("resample_seconds", "mean")
    )
    mean = mean.reset_index()
    rows = []
    for (method, model), group in mean[mean.growth != ""].groupby(["method", "model"], sort=False):
        grown = group[group.growth.astype(int) > 1].iloc[0]
        before = group[group.growth.astype(int) == 1].iloc[0]
        rows.append(
            {
                "method": method,
                "model": model,
                f"balanced accuracy, growth {int(grown.growth)}": grown.balanced_accuracy,
                "balanced accuracy, growth 1": before.balanced_accuracy,
                "difference": grown.balanced_accuracy - before.balanced_accuracy,
                f"seconds, growth {int(grown.growth)}": grown.seconds,
                "seconds, growth 1": before.seconds,
            }
        )
    references = mean[mean.growth == ""][["method", "model", "balanced_accuracy", "seconds"]]
    return pd.DataFrame(rows), references


def write_outputs(frame, command, out_dir=RESULTS):
    out_dir.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out_dir / "results.csv", index=False)
    (out_dir / "command.txt").write_text(command + "\n")
    table, references = summarize(frame)
    n_train, seeds = int(frame.n_train.iloc[0]), sorted(frame.seed.unique())
    lines = [
        "# Large data: the learned samplers' default budgets with and without batch growth",
        "",
        (__doc__ or "").split("\n\n", 2)[-1].strip(),
        "",
        f"- command: `{command}`",
        f"- {n_train:,} training rows, seeds {', '.join(map(str, seeds))}; mean over seeds; "
        "seconds: the whole `fit_resample` (one torch thread), indicative only: this "
        "run shared the 2 cores with other work; the `speed` suite measures cost on an "
        "idle machine",
        "",
        "## Learned samplers",
        "",
        table.to_markdown(index=False, floatfmt=".4f"),
        "",
        "## References",
        "",
        references.to_markdown(index=False, floatfmt=".4f"),
        "",
    ]
    (out_dir / "summary.md").write_text("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-train", type=int, default=1_000_000)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--methods", default=None, help="comma-separated learned samplers")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace only these methods' rows in --out's results (and add to its command)",
    )
    parser.add_argument(
        "--worst-case-budgets",
        default=None,
        help="comma-separated critic steps: WorstCaseGenerator's tables' budget candidates "
        "(issue 20); writes worst_case_budgets.csv in --out and nothing else",
    )
    parser.add_argument(
        "--data",
        choices=sorted(DATA),
        default="base",
        help="data family (with --worst-case-budgets; the main run always uses base)",
    )
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.worst_case_budgets:
        steps = [int(s) for s in args.worst_case_budgets.split(",")]
        frame = run_worst_case_budgets(steps, args.n_train, seeds, args.data)
        args.out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out / "worst_case_budgets.csv", index=False)
        print(frame.groupby(["method", "model"], sort=False).mean(numeric_only=True).to_string())
        return
    methods = args.methods.split(",") if args.methods else None
    frame = run(args.n_train, seeds, methods)
    command = "python -m benchmarks.large_n " + shlex.join(sys.argv[1:] if argv is None else argv)
    command = command.strip()
    if args.replace:
        kept = pd.read_csv(args.out / "results.csv")
        kept = kept[~kept.method.isin(set(frame.method))]
        previous = (args.out / "command.txt").read_text().strip()
        frame, command = pd.concat([kept, frame], ignore_index=True), f"{previous}; then {command}"
    write_outputs(frame, command, args.out)


if __name__ == "__main__":
    main()
