"""Generated outputs of a suite: per-fold CSV, Markdown summary and plots.

Nothing here is typed by hand: every table and figure is computed from the rows
the runner produced.
"""

import platform
import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .metrics import higher_is_better, metrics_of

RESULTS_ROOT = Path(__file__).resolve().parent / "results"


PAIR = ["kind", "dataset", "model"]
# The unit of the rank and significance statistics: the models of one data set
# see the same folds and are not independent draws (Demšar 2006 ranks data sets).
UNIT = ["kind", "dataset"]


def count_noun(n, noun):
    """``"1 data set"``, ``"5 data sets"``."""
    n = int(n)
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _fold_scores(ok, metric):
    """``metric`` per fold (rows) and method (columns); NaN where a method failed."""
    index = [*PAIR, "repeat", "fold", "method"]
    return ok.set_index(index)[metric].unstack("method")


def _dataset_means(ok, metric):
    """Mean of ``metric`` over models and folds, per data set and method.

    NaN where the method failed on a fold that others ran: a mean over its
    surviving folds would not compare with the others' (on long-tailed data the
    folds SMOTE survives are not typical ones).
    """
    folds = _fold_scores(ok, metric)
    complete = folds.notna().groupby(level=UNIT).all()
    return folds.groupby(level=UNIT).mean().where(complete)


def mean_ranks(ok, metric):
    """Mean rank (1 = best) of each method per data kind, over data sets.

    Each data set ranks the methods on their score averaged over its models and
    folds. Within a kind, only the methods that ran on every fold of every data
    set of that kind are ranked, so ranks compare like with like.
    """
    table = {}
    for kind, means in _dataset_means(ok, metric).groupby(level="kind"):
        means = means.dropna(axis=1, how="any")
        ranks = means.rank(axis=1, ascending=not higher_is_better(metric))
        table[kind] = ranks.mean()
    return pd.DataFrame(table)


def mean_ranks_where_reference_ran(ok, metric, reference):
    """Mean rank per data kind over the data sets where ``reference`` ran every fold.

    Complements :func:`mean_ranks`, which keeps every data set and so leaves out a
    reference that failed on some (SMOTE needs two samples of the rarest class):
    here the methods that ran every fold of the reference's data sets are ranked
    with it. Returns the ranks and, per kind, the names of those data sets.
    """
    table, datasets = {}, {}
    for kind, means in _dataset_means(ok, metric).groupby(level="kind"):
        if reference not in means:
            continue
        means = means[means[reference].notna()].dropna(axis=1, how="any")
        if means.empty:
            continue
        ranks = means.rank(axis=1, ascending=not higher_is_better(metric))
        table[kind] = ranks.mean()
        datasets[kind] = list(means.index.get_level_values("dataset"))
    return pd.DataFrame(table), datasets


def against_reference(ok, metric, reference):
    """Wins/ties/losses of each method against ``reference`` with a Wilcoxon p-value.

    Each data set compares the two methods' means over the models and the folds
    where both ran; the signed-rank test runs over the data sets.
    """
    rows = []
    folds = _fold_scores(ok, metric)
    if reference not in folds:
        return pd.DataFrame()
    for method in folds.columns:
        if method == reference:
            continue
        paired = folds[[method, reference]].dropna().groupby(level=UNIT).mean()
        if paired.empty:
            continue
        diff = paired[method] - paired[reference]
        better = diff if higher_is_better(metric) else -diff
        wins, losses = int((better > 1e-9).sum()), int((better < -1e-9).sum())
        ties = len(diff) - wins - losses
        p_value = np.nan
        if wins + losses > 0:
            p_value = stats.wilcoxon(paired[method], paired[reference], zero_method="zsplit").pvalue
        rows.append(
            {
                "method": method,
                "data sets": len(diff),
                "wins": wins,
                "ties": ties,
                "losses": losses,
                f"mean {metric} diff": diff.mean(),
                "wilcoxon p": p_value,
            }
        )
    if not rows:
        return pd.DataFrame()
    return (
        pd.DataFrame(rows)
        .set_index("method")
        .sort_values(f"mean {metric} diff", ascending=not higher_is_better(metric))
    )


def gains_over_reference(ok, metric, reference, by):
    """Mean gain of each method over ``reference`` per ``by`` ("model", "dataset", ...).

    Gain is the metric's difference signed so that positive means better than
    the reference, averaged over the folds where both ran, then over the pairs
    sharing a ``by`` value. Rows: methods; columns: the ``by`` values.
    """
    folds = _fold_scores(ok, metric)
    if reference not in folds:
        return pd.DataFrame()
    sign = 1.0 if higher_is_better(metric) else -1.0
    gains = folds.drop(columns=reference).sub(folds[reference], axis=0) * sign
    return gains.groupby(level=PAIR).mean().groupby(level=by).mean().T


def critical_difference(n_methods, n_datasets, alpha=0.05):
    """Nemenyi critical difference of mean ranks (Demšar 2006)."""
    q_alpha = stats.studentized_range.ppf(1 - alpha, n_methods, np.inf) / np.sqrt(2)
    return q_alpha * np.sqrt(n_methods * (n_methods + 1) / (6.0 * n_datasets))


def plot_mean_ranks(ok, metric, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranks = mean_ranks(ok, metric)
    kinds = list(ranks.columns)
    fig, axes = plt.subplots(
        1, len(kinds), figsize=(6 * len(kinds), 0.35 * len(ranks) + 1.8), squeeze=False
    )
    for ax, kind in zip(axes[0], kinds, strict=True):
        column = ranks[kind].dropna().sort_values()
        n_datasets = len(_dataset_means(ok, metric).loc[kind])
        cd = critical_difference(len(column), n_datasets)
        colors = [
            "tab:red" if m.startswith(("TSAug", "Latent", "Flow")) else "tab:gray"
            for m in column.index
        ]
        ax.hlines(range(len(column)), 1, column.values, color="lightgray", lw=1)
        ax.scatter(column.values, range(len(column)), color=colors, zorder=3)
        ax.set_yticks(range(len(column)), column.index)
        ax.invert_yaxis()
        ax.set_xlabel(f"mean rank of {metric} (1 = best)")
        best = column.iloc[0]
        ax.plot([best, best + cd], [-0.8, -0.8], color="black", lw=3)
        ax.text(best, -1.1, f"Nemenyi CD = {cd:.2f} (α=0.05)", fontsize=8)
        ax.set_ylim(len(column) - 0.5, -1.5)
        ax.set_title(f"{kind}: {count_noun(n_datasets, 'data set')}\n(scores averaged over models)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fmt(value, digits=3):
    return "" if pd.isna(value) else f"{value:.{digits}f}"


def markdown_table(frame, digits=3):
    frame = frame.copy()
    for column in frame.columns:
        if column == "wilcoxon p":  # small p-values keep their magnitude
            frame[column] = frame[column].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
        elif pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: _fmt(v, digits))
    return frame.to_markdown()


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def ranks_where_reference_ran_lines(ok, metric, reference, heading):
    """A second rank table when ``reference`` failed somewhere: on its data sets."""
    everywhere = mean_ranks(ok, metric)
    ranks, datasets = mean_ranks_where_reference_ran(ok, metric, reference)
    lines = []
    for kind in ranks.columns:
        if kind in everywhere and pd.notna(everywhere[kind].get(reference)):
            continue  # the reference ran everywhere: the table above ranks it already
        kept = datasets[kind]
        dropped = sorted(set(ok.loc[ok["kind"] == kind, "dataset"]) - set(kept))
        which = ", ".join(kept) if len(kept) <= len(dropped) else "all but " + ", ".join(dropped)
        column = ranks[kind].dropna().sort_values()
        lines += [
            f"{heading} Mean rank of {metric} where {reference} ran ({kind})",
            "",
            f"Over the {_count(len(kept), 'data set')} of kind {kind} on which {reference} ran "
            f"every fold ({which}), among the methods that ran every fold of "
            f"{'it' if len(kept) == 1 else 'them'} (1 = best).",
            "",
            markdown_table(column.to_frame(f"mean rank ({_count(len(kept), 'data set')})"), 2),
            "",
        ]
    return lines


def methods_lines(names, heading="##"):
    """What each method label stands for: the exact estimator and its parameters."""
    from .methods import METHODS

    rows = [
        f"| {name} | {METHODS[name].estimator if name in METHODS else '(no longer registered)'} |"
        for name in sorted(names, key=str.lower)
    ]
    return [
        f"{heading} Methods: what each label runs",
        "",
        "Every sampler also gets the cell's seed as `random_state`; skadvaug's samplers get the "
        "suite's `rare_threshold` in regression. `n_minority` is the smallest class of the "
        "training fold.",
        "",
        "| method | estimator |",
        "|---|---|",
        *rows,
        "",
    ]


def summary_markdown(rows, suite, command, environment, wall_seconds=None):
    frame = pd.DataFrame(rows)
    ok = frame[frame["status"] == "ok"]
    metric = suite.primary_metric
    lines = [
        f"# Benchmark suite `{suite.name}`",
        "",
        suite.description,
        "",
        f"- command: `{command}`",
        f"- protocol: repeated stratified {suite.n_splits}-fold x {suite.n_repeats}, "
        f"seed {suite.seed}; each training fold is resampled once and every model is fitted "
        "on the result; tables are standardised on the training fold",
        f"- environment: {environment}",
        *(
            [
                f"- wall time of the command that wrote this summary: {wall_seconds:.0f} s "
                "(cells it found cached cost it nothing)"
            ]
            if wall_seconds is not None
            else []
        ),
        f"- rows: {len(frame)} ({len(ok)} ok, {int((frame['status'] != 'ok').sum())} failed or "
        "timed out)",
        "",
        "## Mean rank per method (1 = best), per data kind",
        "",
        "Ranks are computed per data set on scores averaged over its models and folds, among "
        "the methods that ran on every fold of every data set of that kind (a method that "
        "failed on some folds is left out of the ranks and compared on matched folds below).",
        "",
    ]
    for name in metrics_of(suite.task):
        ranks = mean_ranks(ok, name)
        ranks.columns = [f"{kind}" for kind in ranks.columns]
        lines += [
            f"### {name}",
            "",
            markdown_table(ranks.sort_values(list(ranks.columns)[0]), 2),
            "",
        ]
    reference = suite.reference_method
    lines += ranks_where_reference_ran_lines(ok, metric, reference, heading="##")
    lines += [
        f"## Against {reference} ({metric})",
        "",
        f"Per data set: win if the method's mean {metric} beats {reference}'s "
        f"({'higher' if higher_is_better(metric) else 'lower'} is better). "
        "Means over the models and the folds where both ran; Wilcoxon signed-rank test over "
        "the data sets (zsplit for ties); the gains per model below break the means down.",
        "",
        markdown_table(against_reference(ok, metric, reference)),
        "",
        f"### Gain over {reference} per model",
        "",
        f"Mean {metric} gain (positive = better than {reference}) over the data sets and the "
        "folds where both ran.",
        "",
        markdown_table(gains_over_reference(ok, metric, reference, "model")),
        "",
        f"## Mean ± sd of {metric} per data set",
        "",
        '"(k folds)": the method has results on only k folds: it failed on the others, '
        "or was run on fewer repeats (see the command).",
        "",
    ]
    stats_frame = ok.groupby(["dataset", "model", "method"])[metric].agg(["mean", "std", "size"])
    n_folds = stats_frame.groupby(level=["dataset", "model"])["size"].transform("max")
    cells = stats_frame.apply(lambda r: f"{r['mean']:.3f} ± {r['std']:.3f}", axis=1)
    partial = stats_frame["size"] < n_folds
    cells[partial] += " (" + stats_frame["size"][partial].astype(str) + " folds)"
    lines += [cells.unstack("method").to_markdown(), ""]
    timing = (
        ok.drop_duplicates(["dataset", "method", "repeat", "fold"])
        .groupby("method")[["fit_resample_seconds", "peak_memory_mb", "n_synthetic"]]
        .median()
    )
    lines += [
        "## Cost of fit_resample (median over cells)",
        "",
        "Peak memory is the growth of the process's resident set during the call.",
        "",
        markdown_table(timing.sort_values("fit_resample_seconds"), 4),
        "",
    ]
    failed = frame[frame["status"] != "ok"]
    if len(failed):
        failures = (
            failed.drop_duplicates(["dataset", "method", "repeat", "fold"])
            .groupby(["method", "dataset", "status"])["error"]
            .agg(["count", "first"])
        )
        lines += ["## Failures", "", failures.to_markdown(), ""]
    lines += methods_lines(frame["method"].unique())
    return "\n".join(lines)


PINNED_PACKAGES = (
    "skadvaug",
    "scikit-learn",
    "imbalanced-learn",
    "skorch",
    "torch",
    "smote-variants",
    "aeon",
    "zuko",
)


def cpu_line():
    """The CPUs and the instruction set torch's kernels use on them (``AVX2``,
    ``AVX512``...): machines that differ there round differently, and over many
    training steps that changes a few results of the learned samplers."""
    import os

    import torch

    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}, torch kernels "
        f"{torch.backends.cpu.get_cpu_capability()})"
    )


def environment_line():
    """Python, the versions of the packages whose samplers and models ran, CPUs."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(package):
        try:
            return f"{package} {version(package)}"
        except PackageNotFoundError:
            return f"{package} not installed"

    return (
        f"Python {platform.python_version()}, "
        + ", ".join(installed(p) for p in PINNED_PACKAGES)
        + f", {cpu_line()}"
    )


_WALL_TIME = re.compile(r"^- wall time of the command that wrote this summary: (\d+) s", re.M)
_ENVIRONMENT = re.compile(r"^- environment: (.*)$", re.M)


def rewrite_outputs(suite, out_dir=None):
    """Rewrite summary.md and the mean-rank plot from a folder's results.csv.

    For when the report changes after a run: the cells' cache is not committed, the
    per-fold rows are. The command, environment and wall time stay those of the run that
    produced the rows (read from command.txt and the previous summary), not this rewrite's.
    """
    out_dir = Path(out_dir) if out_dir else RESULTS_ROOT / suite.name
    results = out_dir / "results.csv"
    if not results.is_file():
        raise FileNotFoundError(
            f"{results} not found: run `python -m benchmarks run --suite {suite.name}` first"
        )
    frame = pd.read_csv(results, float_precision="round_trip")
    command = (out_dir / "command.txt").read_text().strip()
    previous = (out_dir / "summary.md").read_text() if (out_dir / "summary.md").is_file() else ""
    environment = _ENVIRONMENT.search(previous)
    wall_time = _WALL_TIME.search(previous)
    return _write_summary_and_plot(
        frame,
        suite,
        command,
        environment.group(1) if environment else "not recorded",
        float(wall_time.group(1)) if wall_time else None,
        out_dir,
    )


def write_outputs(rows, suite, command, out_dir=None, wall_seconds=None):
    """Write results.csv, summary.md, mean-rank plot and command.txt; return the summary."""
    out_dir = Path(out_dir) if out_dir else RESULTS_ROOT / suite.name
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows).sort_values(["dataset", "method", "model", "repeat", "fold"])
    frame.to_csv(out_dir / "results.csv", index=False)
    (out_dir / "command.txt").write_text(command + "\n")
    return _write_summary_and_plot(frame, suite, command, environment_line(), wall_seconds, out_dir)


def _write_summary_and_plot(frame, suite, command, environment, wall_seconds, out_dir):
    summary = summary_markdown(frame, suite, command, environment, wall_seconds)
    (out_dir / "summary.md").write_text(summary)
    ok = frame[frame["status"] == "ok"]
    if len(ok):
        plot_mean_ranks(ok, suite.primary_metric, out_dir / f"mean_rank_{suite.primary_metric}.png")
    return summary
