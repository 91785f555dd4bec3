"""Write ``docs/benchmarks.md`` from the committed results: ``python -m benchmarks docs``.

Every number and verdict on the page is computed here from
``benchmarks/results/<suite>/results.csv`` (and the speed suite's CSV); nothing
is typed by hand.
"""

from pathlib import Path

import pandas as pd

from .metrics import higher_is_better
from .report import (
    RESULTS_ROOT,
    against_reference,
    count_noun,
    gains_over_reference,
    markdown_table,
    mean_ranks,
    mean_ranks_where_reference_ran,
    methods_lines,
    ranks_where_reference_ran_lines,
)
from .suites import SUITES

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SIGNIFICANCE = 0.05
# The suites the page reports, in its order ("tiny" is the tests' own).
PAGE_SUITES = ("quick", "keel", "timeseries", "images", "regression", "joint")


def verdict(row, metric_higher_is_better=True):
    """Plain words for one line of the against-SMOTE table."""
    wins, losses, p = row["wins"], row["losses"], row["wilcoxon p"]
    if pd.notna(p) and p < SIGNIFICANCE:
        return "better than SMOTE" if wins > losses else "worse than SMOTE"
    return "on par with SMOTE (no significant difference)"


def _our_methods(ok):
    return set(ok.loc[ok["family"].str.startswith("skadvaug"), "method"])


def where_it_wins(by_model, by_dataset, n_datasets=2):
    """Plain words for where a method gains and loses against the reference.

    ``by_model`` / ``by_dataset``: its gains (positive = better) per model and per
    data set, as :func:`report.gains_over_reference` returns them.
    """
    by_model, by_dataset = by_model.dropna(), by_dataset.dropna().sort_values()
    words = ", ".join(f"{model} {gain:+.3f}" for model, gain in by_model.items())
    text = f"Gain per model: {words}."
    best = by_dataset[by_dataset > 1e-9].iloc[::-1][:n_datasets]
    worst = by_dataset[by_dataset < -1e-9][:n_datasets]
    if len(best):
        text += " Largest gains: " + ", ".join(f"{d} ({g:+.3f})" for d, g in best.items()) + "."
    if len(worst):
        text += " Largest losses: " + ", ".join(f"{d} ({g:+.3f})" for d, g in worst.items()) + "."
    return text


def _not_in_results(name, frame, kind=None):
    """The suite's data sets (of ``kind``) that a ``--subset`` or ``--datasets`` run left out."""
    ran = set(frame["dataset"])
    return [
        dataset.name
        for dataset in SUITES[name].get_datasets()
        if dataset.name not in ran and kind in (None, dataset.kind)
    ]


def _coverage_lines(name, frame):
    missing = _not_in_results(name, frame)
    if not missing:
        return []
    total = len(SUITES[name].get_datasets())
    not_run = (
        f"not run yet: {', '.join(missing)}"
        if len(missing) <= 6
        else f"the other {len(missing)} were not run"
    )
    return [
        f"These results cover {total - len(missing)} of the suite's {total} data sets; {not_run}.",
        "",
    ]


def _suite_section(name, frame):
    suite = SUITES[name]
    metric = suite.primary_metric
    ok = frame[frame["status"] == "ok"]
    reference = suite.reference_method
    lines = [
        f"## Suite `{name}`",
        "",
        suite.description,
        "",
        f"{ok['dataset'].nunique()} data sets, {ok['method'].nunique()} methods, "
        f"{ok['model'].nunique()} models, {len(frame)} rows "
        f"({int((frame['status'] != 'ok').sum())} failed or timed out); "
        f"full tables: [`benchmarks/results/{name}/summary.md`]"
        f"(../benchmarks/results/{name}/summary.md).",
        "",
        *_coverage_lines(name, frame),
        f"Mean rank of {metric} per data kind (1 = best):",
        "",
    ]
    ranks = mean_ranks(ok, metric)
    lines += [markdown_table(ranks.sort_values(list(ranks.columns)[0]), 2), ""]
    plot = RESULTS_ROOT / name / f"mean_rank_{metric}.png"
    if plot.exists():
        lines += [f"![mean ranks, {name}](../benchmarks/results/{name}/{plot.name})", ""]
    lines += ranks_where_reference_ran_lines(ok, metric, suite.reference_method, heading="###")
    table = against_reference(ok, metric, reference)
    ours = _our_methods(ok)
    if len(table) and reference in set(ok["method"]):
        lines += [f"skadvaug's samplers against {reference} ({metric}, per data set):", ""]
        by_model = gains_over_reference(ok, metric, reference, "model")
        by_dataset = gains_over_reference(ok, metric, reference, "dataset")
        direction = "higher" if higher_is_better(metric) else "lower"
        for method in [m for m in table.index if m in ours]:
            row = table.loc[method]
            lines.append(
                f"- **{method}**: {verdict(row)} — {int(row['wins'])} wins, "
                f"{int(row['ties'])} ties, {int(row['losses'])} losses over "
                f"{count_noun(row['data sets'], 'data set')}, mean {metric} difference "
                f"{row[f'mean {metric} diff']:+.3f} ({method} − {reference}; {direction} is "
                f"better), Wilcoxon p = {row['wilcoxon p']:.3g}. "
                + where_it_wins(by_model.loc[method], by_dataset.loc[method])
            )
        smallest_p = 2.0 / 2 ** int(table["data sets"].max())
        if smallest_p >= SIGNIFICANCE:
            lines.append("")
            lines.append(
                f"With {count_noun(table['data sets'].max(), 'data set')} the two-sided "
                "Wilcoxon test cannot "
                f"reach p < {SIGNIFICANCE} (smallest attainable p = {smallest_p:.3g}): these "
                "verdicts only say that no difference can be shown yet."
            )
        lines.append("")
    return lines


def in_short(name, frame):
    """One line per data kind of a suite: who ranks first, where SMOTE and ours rank,
    and which of our samplers are significantly better or worse than SMOTE."""
    suite = SUITES[name]
    metric, reference = suite.primary_metric, suite.reference_method
    ok = frame[frame["status"] == "ok"]
    ours = _our_methods(ok)
    lines = []
    for kind, ranks in mean_ranks(ok, metric).items():
        ranks = ranks.dropna().sort_values()
        of_kind = ok[ok["kind"] == kind]
        table = against_reference(of_kind, metric, reference)
        if ranks.empty or table.empty:
            continue
        our_ranks = ranks[ranks.index.isin(ours)]
        n_missing = len(_not_in_results(name, frame, kind))
        text = (
            f"- `{name}` ({kind}, {count_noun(of_kind['dataset'].nunique(), 'data set')}"
            + (f"; {n_missing} more of the suite's not run yet" if n_missing else "")
            + f"): best mean rank {ranks.index[0]} ({ranks.iloc[0]:.2f} among {len(ranks)})"
        )
        if reference in ranks:
            text += f"; {reference} {ranks[reference]:.2f}"
        else:
            failed = frame[(frame["method"] == reference) & (frame["status"] != "ok")]
            failed = failed[failed["kind"] == kind].drop_duplicates(["dataset", "repeat", "fold"])
            text += (
                f"; {reference} not ranked: it failed on {len(failed)} folds of "
                f"{', '.join(sorted(failed['dataset'].unique()))} "
                f"({failed['error'].iloc[0][:80]})"
                if len(failed)
                else f"; {reference} not ranked (it failed on some folds)"
            )
        if len(our_ranks):
            text += f"; best of ours {our_ranks.index[0]} ({our_ranks.iloc[0]:.2f})"
        common, datasets = mean_ranks_where_reference_ran(of_kind, metric, reference)
        if reference not in ranks and kind in common:
            common = common[kind].dropna().sort_values()
            ours_common = common[common.index.isin(ours)]
            text += (
                f"; on the {len(datasets[kind])} data set(s) where {reference} ran: best "
                f"{common.index[0]} ({common.iloc[0]:.2f} among {len(common)}), {reference} "
                f"{common[reference]:.2f}"
                + (
                    f", best of ours {ours_common.index[0]} ({ours_common.iloc[0]:.2f})"
                    if len(ours_common)
                    else ""
                )
            )
        verdicts = {m: verdict(table.loc[m]) for m in table.index if m in ours}
        better = [m for m, v in verdicts.items() if v.startswith("better")]
        worse = [m for m, v in verdicts.items() if v.startswith("worse")]
        text += (
            f". Significantly better than {reference}: {', '.join(better) or 'none'}; "
            f"worse: {', '.join(worse) or 'none'}; no significant difference: "
            f"{len(verdicts) - len(better) - len(worse)} of our {len(verdicts)}."
        )
        lines.append(text)
    return lines


def _speed_section():
    path = RESULTS_ROOT / "speed" / "exponents.csv"
    if not path.exists():
        return []
    exponents = pd.read_csv(path)
    lines = [
        "## Suite `speed`",
        "",
        "Wall time and peak memory of a default `fit_resample` against the number of "
        "samples and of features, every sampler next to SMOTE in the same run; the growth "
        "exponent is the slope of log(time) on log(size) over all sizes, and over the two "
        "largest sizes only, where a fixed start-up cost no longer hides how the cost grows "
        "([`benchmarks/results/speed/summary.md`](../benchmarks/results/speed/summary.md)).",
        "",
    ]
    targets = RESULTS_ROOT / "speed" / "targets.csv"
    if targets.exists():
        lines += [
            "The learned samplers against the scale targets (issue: at a million rows no "
            "slower than SMOTE, linear growth, at most 2 GB; a sequence fit within a minute):",
            "",
            pd.read_csv(targets).round(2).to_markdown(index=False),
            "",
        ]
    return [
        *lines,
        exponents.round(2).to_markdown(index=False),
        "",
        "![speed](../benchmarks/results/speed/speed.png)",
        "",
    ]


def _samples_section():
    path = RESULTS_ROOT / "samples" / "fidelity.csv"
    if not path.exists():
        return []
    from .samples import fidelity_tables

    lines = [
        "## What the samplers generate",
        "",
        "`python -m benchmarks samples` resamples a few data sets once per method and draws "
        "the synthetic minority samples next to the real ones "
        "([`benchmarks/results/samples/summary.md`](../benchmarks/results/samples/summary.md)). "
        "*novelty*: mean distance of a synthetic sample to its nearest real minority sample, in "
        "units of the real minority samples' median nearest-neighbour distance (0 = copies). "
        "*in_class*: fraction of synthetic samples whose nearest real sample is of the minority "
        "class.",
        "",
        *fidelity_tables(pd.read_csv(path), heading="###"),
    ]
    for figure in sorted((RESULTS_ROOT / "samples").glob("*.png")):
        lines += [f"![{figure.stem}](../benchmarks/results/samples/{figure.name})", ""]
    return lines


def not_run_lines(results_root):
    """Say which suites have no committed results, so their absence is not silent."""
    missing = [name for name in PAGE_SUITES if not (results_root / name / "results.csv").exists()]
    if not missing:
        return []
    names = ", ".join(f"`{name}`" for name in missing)
    return [
        f"- Not on this page yet (no committed results): {names}; "
        "`python -m benchmarks status --suite NAME` shows how far a run has got."
    ]


def _selection_section():
    """The learned samplers' default selection (``python -m benchmarks.select_defaults``),
    its headings one level down."""
    lines = []
    for report in sorted((RESULTS_ROOT / "selection").glob("*.md")):
        body = report.read_text().splitlines()
        lines += [
            f"## Default selection: `{report.stem}`",
            "",
            f"From [`selection/{report.name}`](../benchmarks/results/selection/{report.name}).",
            *(("#" + line) if line.startswith("## ") else line for line in body[1:]),
            "",
        ]
    return lines


def write_page(path=DOCS):
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python -m benchmarks docs` from the committed results; rerun a suite "
        "with `python -m benchmarks run --suite NAME` (cells are cached, a rerun resumes).",
        "",
        "Protocol (smote-variants' study): repeated stratified 5-fold x 2 with fixed seeds "
        "unless a suite says otherwise; each training fold is resampled once, then every "
        "downstream model of the data kind is fitted on the result and scored on the untouched "
        "test fold. Metrics: balanced accuracy, macro-F1, G-mean, ROC-AUC (classification); "
        "macro-averaged RMSE / MAE over rare and common targets (regression, paper 000); wall "
        "time and peak memory of `fit_resample`. A verdict says *better* or *worse* than SMOTE "
        f"only when the Wilcoxon signed-rank test over data sets (each scored by its mean over "
        f"the downstream models and folds) gives p < {SIGNIFICANCE}; mean ranks and the "
        "Nemenyi critical difference also take data sets as the units (Demšar 2006). Sets "
        "made long-tailed have only their training folds long-tailed; test folds keep the "
        "source's class balance (paper 002).",
        "",
    ]
    frames = {
        name: pd.read_csv(RESULTS_ROOT / name / "results.csv", float_precision="round_trip")
        for name in PAGE_SUITES
        if (RESULTS_ROOT / name / "results.csv").exists()
    }
    lines += [
        "## In short",
        "",
        f"Mean rank of each suite's primary metric (1 = best) and the verdicts against SMOTE "
        f"(Wilcoxon p < {SIGNIFICANCE}); the sections below give every number.",
        "",
    ]
    for name, frame in frames.items():
        lines += in_short(name, frame)
    lines += not_run_lines(RESULTS_ROOT)
    lines.append("")
    lines += _selection_section()
    for name, frame in frames.items():
        lines += _suite_section(name, frame)
    lines += _speed_section()
    lines += _samples_section()
    lines += methods_lines(set().union(*(frame["method"].unique() for frame in frames.values())))
    reproductions = [
        ("paper000", "Paper 000 (latent adversarial oversampling)"),
        ("paper003", "Paper 003 (flow latent perturbations)"),
    ]
    lines += ["## Paper reproductions", ""]
    for folder, title in reproductions:
        for report in sorted((RESULTS_ROOT / folder).glob("*.md")):
            lines.append(
                f"- {title}: [`{report.name}`](../benchmarks/results/{folder}/{report.name})"
            )
    lines.append("")
    path.write_text("\n".join(lines))
    return path
