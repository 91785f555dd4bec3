"""Defaults chosen on the development half, reported on the held-out half (issue 23).

``python -m benchmarks.select_defaults --suite keel`` reads the committed
``benchmarks/results/<suite>/results.csv`` and, for each learned sampler family
(the labels starting with ``LatentAdversarial`` or ``FlowLatent``):

1. **selects** on the development half of the data sets (:func:`benchmarks.suites.half`,
   a hash of the set's name) the candidate with the best mean rank of balanced accuracy
   among every method of the suite that ran there;
2. **reports** on the held-out half, untouched by the choice: the mean ranks of all
   methods, and the chosen candidate against SMOTE, against the best smote-variants
   method and against every random-perturbation mode of its family (wins / ties / losses
   over data sets, Wilcoxon signed-rank p-value, as the suite summaries).

A candidate that has not run on every development set is left out of the choice. With
``--development-subset N`` the development sets are the development half of the suite's
first N sets only (the sets a choice was made on before the suite's other sets ran), and
every other set, of either half, is held out: sets that joined later extend the held-out
report without moving the choice. The
choice is written to ``benchmarks/results/selection/<suite>.md`` with the command; the
sampler defaults in ``skadvaug`` are then set by hand to the chosen candidate's
parameters, which the page lists (``Method.spec``).
"""

import argparse
import shlex
import sys
from pathlib import Path

import pandas as pd

from .methods import METHODS
from .report import RESULTS_ROOT, against_reference, environment_line, markdown_table, mean_ranks
from .suites import SUITES, half

FAMILIES = ("LatentAdversarial", "FlowLatent")
METRIC = "balanced_accuracy"
OUT = RESULTS_ROOT / "selection"


def _family(method):
    return next((f for f in FAMILIES if method == f or method.startswith(f + "[")), None)


def _is_random(method):
    """Whether ``method`` perturbs at random: its label or its configuration says so
    (``FlowLatent``, the default, is Randomized-LA without saying it in the label)."""
    spec = METHODS[method].estimator if method in METHODS else ""
    return "random" in method or "perturbation='random'" in spec or "attack='random'" in spec


def _random_modes(method, available):
    """The random-perturbation modes of ``method``'s family among ``available``
    (none for a random mode itself): an adversarial method is compared with each."""
    if _is_random(method):
        return []
    family = _family(method)
    return [m for m in available if _family(m) == family and _is_random(m)]


def _ok(frame):
    return frame[frame["status"] == "ok"]


def _ranks(frame):
    ranks = mean_ranks(_ok(frame), METRIC)
    return ranks.iloc[:, 0].sort_values() if not ranks.empty else pd.Series(dtype=float)


def _versus(frame, method, reference):
    both = frame[frame["method"].isin([method, reference])]
    table = against_reference(_ok(both), METRIC, reference)
    return table.loc[method] if method in table.index else None


def split(frame, development=None):
    """The development rows and the held-out rows of ``frame``.

    ``development``: the data sets the choice may use (None: the whole development
    half); a set outside it is held out whatever its half.
    """
    is_dev = frame["dataset"].map(half) == "dev"
    if development is not None:
        is_dev &= frame["dataset"].isin(list(development))
    return frame[is_dev], frame[~is_dev]


def select(frame, development=None):
    """The chosen candidate of each family and the development ranks behind it."""
    dev, _ = split(frame, development)
    ranks = _ranks(dev)
    chosen = {}
    for family in FAMILIES:
        candidates = [m for m in ranks.index if _family(m) == family]
        if candidates:
            chosen[family] = min(candidates, key=lambda m: ranks[m])
    return chosen, ranks


def _comparison_rows(frame, methods, references):
    rows = []
    for method in methods:
        for reference in references(method):
            result = _versus(frame, method, reference)
            if result is None:
                continue
            rows.append(
                {
                    "method": method,
                    "against": reference,
                    "data sets": int(result["data sets"]),
                    "wins": int(result["wins"]),
                    "ties": int(result["ties"]),
                    "losses": int(result["losses"]),
                    f"mean {METRIC} diff": result[f"mean {METRIC} diff"],
                    "wilcoxon p": result["wilcoxon p"],
                }
            )
    return pd.DataFrame(rows).set_index("method") if rows else pd.DataFrame()


def _is_variant(method):
    return method in METHODS and METHODS[method].family == "smote-variants"


def _best_variant(dev, dev_ranks):
    """The smote-variants method with the best development rank; where none ran on
    every development set (SMOTE's family needs two samples per class, which the
    long-tailed timeseries sets lack), ranked among themselves on the sets they ran."""
    variants = [m for m in dev_ranks.index if _is_variant(m)]
    if variants:
        return min(variants, key=lambda m: dev_ranks[m])
    ranks = _ranks(dev[dev["method"].map(_is_variant)])
    return ranks.index[0] if len(ranks) else None


def report(frame, suite, command, development=None):
    chosen, dev_ranks = select(frame, development)
    dev, held_out = split(frame, development)
    holdout_ranks = _ranks(held_out)
    best_variant = _best_variant(dev, dev_ranks)

    def references(method):
        refs = ["SMOTE", *([best_variant] if best_variant else [])]
        return refs + _random_modes(method, holdout_ranks.index)

    learned = [m for m in holdout_ranks.index if _family(m)]
    stopped_lines = []
    for method in sorted(set(dev["method"]) - set(dev_ranks.index)):
        if not _family(method):
            continue
        ran = dev.loc[(dev["method"] == method) & (dev["status"] == "ok"), "dataset"].unique()
        partial = _ranks(dev[dev["dataset"].isin(ran)])
        if method in partial:
            family = [m for m in partial.index if _family(m) == _family(method)]
            best = min(family, key=lambda m: partial[m])
            stopped_lines.append(
                f"- `{method}` ({METHODS[method].estimator}): {len(ran)} development sets, "
                f"mean rank {partial[method]:.2f} among {len(partial)} methods there (best of "
                f"its family there: `{best}`, {partial[best]:.2f})"
            )
    n_dev = dev["dataset"].nunique()
    n_holdout = held_out["dataset"].nunique()
    n_folds = len(frame[["repeat", "fold"]].drop_duplicates())
    restricted = (
        ""
        if development is None
        else " The development sets are those of the development half among the sets "
        "the choice was made on; every other set is held out, whatever its half."
    )
    lines = [
        f"# Default selection on `{suite}`: development half, then held-out half",
        "",
        f"Generated by `{command}` "
        f"({environment_line()}). Halves: a hash of each set's name "
        "(`benchmarks.suites.half`); "
        f"{n_dev} development and {n_holdout} held-out sets, {n_folds} folds each. Metric: "
        f"{METRIC}, averaged over the suite's models and folds per set; ranks among every "
        "method that ran on every fold of the half." + restricted,
        "",
        "## Choice (development half)",
        "",
        "| family | chosen | parameters |",
        "|:--|:--|:--|",
        *(
            f"| {family} | `{name}` | {METHODS[name].estimator} |"
            for family, name in chosen.items()
        ),
        "",
        "Mean ranks of the candidates and the references on the development half:",
        "",
        markdown_table(
            dev_ranks[[m for m in dev_ranks.index if _family(m) or m in ("SMOTE", best_variant)]]
            .rename("mean rank")
            .to_frame()
        ),
        "",
        *(
            [
                "Candidates stopped before the end of the development half (too few sets to "
                "be ranked with the others; their ranks on the sets they ran):",
                "",
                *stopped_lines,
                "",
            ]
            if stopped_lines
            else []
        ),
        "## Held-out half (not used for the choice)",
        "",
        f"Best smote-variants method on the development half: `{best_variant}`.",
        "",
        "Mean ranks of every method:",
        "",
        markdown_table(holdout_ranks.rename("mean rank").to_frame()),
        "",
        "Learned samplers against SMOTE, the best smote-variants method and the random "
        "modes of their family:",
        "",
        markdown_table(_comparison_rows(held_out, learned, references)),
        "",
        "## All sets (development half included: not an unbiased estimate)",
        "",
        "Mean ranks, the eight first:",
        "",
        markdown_table(_ranks(frame).head(8).rename("mean rank").to_frame()),
        "",
        markdown_table(
            _comparison_rows(frame, [m for m in chosen.values() if m in learned], references)
        ),
        "",
        "Chosen: " + ", ".join(f"`{name}`" for name in chosen.values()) + ".",
        "",
    ]
    return "\n".join(lines), chosen


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.select_defaults", description=__doc__
    )
    parser.add_argument("--suite", default="keel", choices=sorted(SUITES))
    parser.add_argument("--results", help="results.csv (default: the suite's committed one)")
    parser.add_argument(
        "--candidates",
        nargs="*",
        default=[],
        help="more results.csv files (candidate configurations run on the same folds)",
    )
    parser.add_argument(
        "--repeats", type=int, help="only the first N repeats of the cross-validation"
    )
    parser.add_argument(
        "--development-subset",
        type=int,
        metavar="N",
        help="choose on the development half of the suite's first N sets only; "
        "hold out every other set",
    )
    parser.add_argument(
        "--output",
        help="page to write (default: benchmarks/results/selection/<suite>.md); for a "
        "side question, such as a mode's candidates, that must not move the suite's page",
    )
    args = parser.parse_args(argv)
    path = Path(args.results or RESULTS_ROOT / args.suite / "results.csv")
    frame = pd.concat([pd.read_csv(p) for p in [path, *args.candidates]], ignore_index=True)
    frame = frame.drop_duplicates(["dataset", "method", "repeat", "fold", "model"], keep="last")
    if args.repeats is not None:  # every method on the same folds
        frame = frame[frame["repeat"] < args.repeats]
    development = None
    if args.development_subset is not None:
        suite = SUITES[args.suite]
        development = [d.name for d in suite.get_datasets()[: args.development_subset]]
    text, _ = report(
        frame,
        args.suite,
        "python -m benchmarks.select_defaults " + shlex.join(argv),
        development,
    )
    output = Path(args.output) if args.output else OUT / f"{args.suite}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
