"""The benchmark harness (benchmarks/): registries, runs, cache, failures."""

import time

import numpy as np
import pandas as pd
import pytest

import skadvaug
from benchmarks import data, runner
from benchmarks._reproduction import header, mean_sd, run_experiments
from benchmarks.methods import METHODS, SMOTER, Method, register_method
from benchmarks.models import MODELS
from benchmarks.report import write_outputs
from benchmarks.suites import SUITES, Suite, register_suite


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CACHE_ROOT", tmp_path / "cache")


@pytest.fixture
def temporary_registry():
    """Methods and suites a test registers are gone afterwards."""
    methods, suites = dict(METHODS), dict(SUITES)
    yield
    METHODS.clear()
    METHODS.update(methods)
    SUITES.clear()
    SUITES.update(suites)


def test_every_public_sampler_is_registered():
    samplers = {
        name for name in skadvaug.__all__ if hasattr(getattr(skadvaug, name), "fit_resample")
    }
    registered = {
        type(m.build(0, _context())).__name__
        for m in METHODS.values()
        if m.family.startswith("skadvaug")
    }
    assert samplers <= registered


def _context():
    from benchmarks.methods import Context

    return Context("classification", n_minority=10)


def test_suites_only_name_registered_methods_and_models():
    for suite in SUITES.values():
        assert set(suite.methods) <= set(METHODS)
        for kind, models in suite.models.items():
            for name in models:
                assert kind in MODELS[name].kinds
                assert MODELS[name].task == suite.task
        assert suite.reference_method in suite.methods


def test_tiny_suite_runs_end_to_end_and_writes_outputs(tmp_path):
    rows = runner.run_suite("tiny", progress=False)
    suite = SUITES["tiny"]
    assert len(rows) == len(suite.methods) * suite.n_splits * suite.n_repeats
    frame = pd.DataFrame(rows)
    assert set(frame["status"]) == {"ok"}
    assert frame["balanced_accuracy"].between(0, 1).all()
    assert (frame.loc[frame["method"] == "none", "n_synthetic"] == 0).all()
    assert (frame.loc[frame["method"] != "none", "n_synthetic"] > 0).all()
    summary = write_outputs(rows, suite, "python -m benchmarks run --suite tiny", tmp_path)
    assert "Mean rank per method" in summary
    for name in ("results.csv", "summary.md", "command.txt", "mean_rank_balanced_accuracy.png"):
        assert (tmp_path / name).exists()


def test_a_rerun_resumes_from_the_cache(monkeypatch):
    first = runner.run_suite("tiny", progress=False)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cached cell was recomputed")

    monkeypatch.setattr(runner, "run_cell", must_not_run)
    again = runner.run_suite("tiny", progress=False)
    key = ["dataset", "method", "repeat", "fold", "model"]
    assert pd.DataFrame(again).sort_values(key).equals(pd.DataFrame(first).sort_values(key))


def test_the_command_line_runs_cells_in_parallel_and_prints_the_summary(tmp_path, capsys):
    from benchmarks.__main__ import main

    argv = ["run", "--suite", "tiny", "--n-jobs", "2", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "## Mean rank per method" in printed
    assert "wall time of the command that wrote this summary" in printed
    parallel = pd.read_csv(tmp_path / "results.csv")
    serial = pd.DataFrame(runner.run_suite("tiny", progress=False, use_cache=False))
    key = ["dataset", "method", "repeat", "fold", "model"]
    scores = ["balanced_accuracy", "f1_macro"]
    pd.testing.assert_frame_equal(  # two worker processes score as one process does
        parallel.sort_values(key)[key + scores].reset_index(drop=True),
        serial.sort_values(key)[key + scores].reset_index(drop=True),
    )


def test_report_rewrites_the_summary_of_a_run_from_its_results_csv(tmp_path, capsys):
    from benchmarks.__main__ import main

    assert main(["run", "--suite", "tiny", "--quiet", "--out", str(tmp_path)]) == 0
    written = (tmp_path / "summary.md").read_text()
    header = written.split("## Mean rank")[0]
    (tmp_path / "summary.md").write_text(header)  # a summary from an older report
    (tmp_path / "mean_rank_balanced_accuracy.png").unlink()
    capsys.readouterr()

    assert main(["report", "--suite", "tiny", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "summary.md").read_text() == written
    assert (tmp_path / "mean_rank_balanced_accuracy.png").exists()
    with pytest.raises(FileNotFoundError, match="run `python -m benchmarks run --suite tiny`"):
        main(["report", "--suite", "tiny", "--out", str(tmp_path / "never-run")])


class Flaky:
    broken = True

    def fit_resample(self, X, y):
        if Flaky.broken:
            raise ImportError("a missing package")
        return X, y


def test_cached_failures_are_retried_on_request(temporary_registry):
    register_method(Method("flaky", lambda rs, ctx: Flaky(), native_nd=True))
    tiny = SUITES["tiny"]
    register_suite(Suite("flaky", "test", tiny.datasets, ["flaky"], tiny.models, n_splits=2))
    Flaky.broken = True

    def statuses(**kwargs):
        rows = runner.run_suite("flaky", progress=False, **kwargs)
        return {row["status"] for row in rows}

    assert statuses() == {"failed"}
    Flaky.broken = False
    assert statuses() == {"failed"}  # the failure is cached
    assert statuses(retry_failed=True) == {"ok"}


def test_changing_a_default_of_our_sampler_invalidates_its_cached_cells(temporary_registry):
    settings = {"sigma": 0.03}
    register_method(
        Method(
            "probe",
            lambda rs, ctx: skadvaug.TimeSeriesAugmentationSampler(random_state=rs, **settings),
            family="skadvaug-classic",
        )
    )
    cell = runner.Cell("tiny", "synthetic:sines-2c1ch-noise1", "probe", 0)
    smote = runner.Cell("tiny", "synthetic:sines-2c1ch-noise1", "SMOTE", 0)
    before = cell.key(), smote.key()
    settings["sigma"] = 0.1
    assert cell.key() != before[0]
    assert smote.key() == before[1]


def test_cache_status_counts_cached_cells_per_data_set():
    (name,) = [d.name for d in SUITES["tiny"].get_datasets()]
    assert runner.cache_status("tiny") == {name: (0, 6)}
    runner.run_suite("tiny", methods=["none"], progress=False)
    assert runner.cache_status("tiny") == {name: (2, 6)}


def test_a_method_that_failed_on_some_folds_is_compared_on_matched_folds():
    from benchmarks.report import against_reference, mean_ranks

    def row(method, fold, score):
        return {
            "kind": "image",
            "dataset": "d",
            "model": "m",
            "method": method,
            "repeat": 0,
            "fold": fold,
            "balanced_accuracy": score,
        }

    # SMOTE survives only the easy fold; B beats it there, and A everywhere.
    rows = [row("SMOTE", 0, 0.9)]
    rows += [row("A", 0, 0.95), row("A", 1, 0.5), row("B", 0, 0.85), row("B", 1, 0.4)]
    ok = pd.DataFrame(rows)
    table = against_reference(ok, "balanced_accuracy", "SMOTE")
    assert table.loc["A", "mean balanced_accuracy diff"] == pytest.approx(0.05)
    assert table.loc["B", "losses"] == 1
    ranks = mean_ranks(ok, "balanced_accuracy")
    assert set(ranks.index) == {"A", "B"}  # SMOTE missed a fold: not ranked


def test_a_reference_that_failed_somewhere_is_ranked_where_it_ran():
    from benchmarks.report import mean_ranks_where_reference_ran, ranks_where_reference_ran_lines

    rows = [
        {"kind": "sequence", "dataset": d, "model": "m", "method": method, "repeat": 0,
         "fold": 0, "balanced_accuracy": score}
        for d, method, score in [
            ("easy", "SMOTE", 0.9), ("easy", "A", 0.8), ("easy", "B", 0.7),
            ("rare", "A", 0.6), ("rare", "B", 0.5), ("rare", "C", 0.9),
        ]  # SMOTE failed on "rare"; C ran only there
    ]  # fmt: skip
    ok = pd.DataFrame(rows)
    ranks, datasets = mean_ranks_where_reference_ran(ok, "balanced_accuracy", "SMOTE")
    assert datasets == {"sequence": ["easy"]}
    assert ranks["sequence"].to_dict() == {"A": 2.0, "B": 3.0, "SMOTE": 1.0}
    text = "\n".join(ranks_where_reference_ran_lines(ok, "balanced_accuracy", "SMOTE", "##"))
    assert "1 data set of kind sequence on which SMOTE ran" in text
    assert "| SMOTE " in text  # left out of the ranks over all data sets, ranked here
    # SMOTE ran everywhere: the first table ranks it, no second table
    easy = ok[ok["dataset"] == "easy"]
    assert ranks_where_reference_ran_lines(easy, "balanced_accuracy", "SMOTE", "##") == []


def test_the_models_of_one_data_set_count_as_one_unit_of_evidence():
    from benchmarks.report import against_reference

    rows = [
        {
            "kind": "tabular",
            "dataset": "d",
            "model": f"m{i}",
            "method": method,
            "repeat": 0,
            "fold": 0,
            "balanced_accuracy": score,
        }
        for i in range(10)
        for method, score in (("SMOTE", 0.5), ("A", 0.6 + i / 100))
    ]
    table = against_reference(pd.DataFrame(rows), "balanced_accuracy", "SMOTE")
    # ten models winning on one data set are one win, not ten (p would be 0.002)
    assert table.loc["A", ["data sets", "wins"]].tolist() == [1, 1]
    assert table.loc["A", "wilcoxon p"] == pytest.approx(1.0)


def test_gains_say_where_a_method_beats_the_reference_and_where_it_loses():
    from benchmarks.docs_page import where_it_wins
    from benchmarks.report import gains_over_reference

    rows = [
        {"kind": "tabular", "dataset": d, "model": m, "method": method, "repeat": 0,
         "fold": 0, "rmse_macro": score}
        for d, m, method, score in [
            ("easy", "knn", "SMOTE", 2.0), ("easy", "knn", "A", 1.0),
            ("hard", "knn", "SMOTE", 2.0), ("hard", "knn", "A", 5.0),
            ("easy", "mlp", "SMOTE", 2.0), ("easy", "mlp", "A", 2.0),
        ]
    ]  # fmt: skip
    ok = pd.DataFrame(rows)
    # rmse: lower is better, so a lower error is a positive gain
    by_dataset = gains_over_reference(ok, "rmse_macro", "SMOTE", "dataset")
    assert by_dataset.loc["A", "easy"] == pytest.approx(0.5)  # mean of knn +1 and mlp 0
    assert by_dataset.loc["A", "hard"] == pytest.approx(-3.0)
    by_model = gains_over_reference(ok, "rmse_macro", "SMOTE", "model")
    text = where_it_wins(by_model.loc["A"], by_dataset.loc["A"])
    assert "knn -1.000" in text
    assert "mlp +0.000" in text
    assert "Largest gains: easy (+0.500)" in text
    assert "Largest losses: hard (-3.000)" in text


class Exploding:
    def fit_resample(self, X, y):
        raise RuntimeError("boom at fit_resample")


class Sleeping:
    def fit_resample(self, X, y):
        time.sleep(5)
        return X, y


class ThreadRecorder:
    seen = []

    def fit_resample(self, X, y):
        import torch

        self.seen.append(torch.get_num_threads())
        return X, y


def test_cells_run_on_one_torch_thread_whatever_the_caller_uses(temporary_registry):
    import torch

    register_method(Method("recorder", lambda rs, ctx: ThreadRecorder(), native_nd=True))
    cell = runner.Cell("tiny", SUITES["tiny"].datasets[0].name, "recorder", 0)
    torch.set_num_threads(2)
    try:
        rows = runner.run_cell(cell)
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(1)
    assert {row["status"] for row in rows} == {"ok"}
    assert ThreadRecorder.seen == [1]  # scores do not depend on --n-jobs
    assert after == 2  # the caller's setting is restored


class ClassCountRecorder:
    seen = []

    def fit_resample(self, X, y):
        self.seen.append(np.bincount(y).tolist())
        return X, y


def test_only_training_folds_are_long_tailed_the_same_for_every_method(temporary_registry):
    balanced = data.Dataset(
        "balanced@IF10",
        "tabular",
        lambda: (np.random.default_rng(0).normal(size=(150, 2)), np.repeat([0, 1, 2], 50)),
        imbalance_factor=10,
    )
    register_method(Method("recorder", lambda rs, ctx: ClassCountRecorder(), native_nd=True))
    register_method(Method("recorder2", lambda rs, ctx: ClassCountRecorder(), native_nd=True))
    register_suite(
        Suite(
            "lt",
            "test",
            [balanced],
            ["recorder", "recorder2"],
            {"tabular": ["logreg"]},
            n_splits=5,
            n_repeats=1,
        )
    )
    ClassCountRecorder.seen = []
    for method in ("recorder", "recorder2"):
        runner.run_cell(runner.Cell("lt", "balanced@IF10", method, 0))
    # paper 002: 40 training samples per class become 40, 40 / sqrt(10), 40 / 10
    assert ClassCountRecorder.seen == [[40, 12, 4], [40, 12, 4]]
    train, test = runner._splits("lt", "balanced@IF10")[0]
    assert np.bincount(np.repeat([0, 1, 2], 50)[test]).tolist() == [10, 10, 10]


def test_failures_and_timeouts_are_recorded_not_dropped(temporary_registry, tmp_path):
    register_method(Method("exploding", lambda rs, ctx: Exploding(), native_nd=True))
    register_method(Method("sleeping", lambda rs, ctx: Sleeping(), native_nd=True))
    tiny = SUITES["tiny"]
    register_suite(
        Suite(
            "broken",
            "test",
            tiny.datasets,
            ["none", "exploding", "sleeping"],
            tiny.models,
            n_splits=2,
            n_repeats=1,
            reference_method="none",
        )
    )
    rows = pd.DataFrame(runner.run_suite("broken", progress=False, time_limit_s=0.5))
    assert set(rows.loc[rows["method"] == "none", "status"]) == {"ok"}
    exploded = rows[rows["method"] == "exploding"]
    assert set(exploded["status"]) == {"failed"}
    assert exploded["error"].str.contains("RuntimeError: boom at fit_resample").all()
    assert set(rows.loc[rows["method"] == "sleeping", "status"]) == {"timeout"}
    summary = write_outputs(rows.to_dict("records"), SUITES["broken"], "test", tmp_path)
    assert "## Failures" in summary


def test_regression_cells_report_macro_errors(temporary_registry):
    register_suite(
        Suite(
            "tiny-regression",
            "test",
            [data.synthetic_regression(n_samples=80)],
            ["none", "RandomOverSampler", "SMOTE", "TSAug[jitter]"],
            {"sequence": ["ridge_flat"]},
            n_splits=2,
            n_repeats=1,
            task="regression",
        )
    )
    rows = pd.DataFrame(runner.run_suite("tiny-regression", progress=False))
    assert set(rows["status"]) == {"ok"}
    assert np.isfinite(rows[["rmse_macro", "mae_macro", "rmse_rare", "rmse_common"]]).all().all()
    assert (rows.loc[rows["method"] != "none", "n_synthetic"] > 0).all()


def test_smoter_interpolates_rare_samples_and_their_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    y = np.r_[rng.uniform(0, 1, 90), rng.uniform(10, 20, 10)]
    X_res, y_res = SMOTER(rare_threshold=5.0, random_state=0).fit_resample(X, y)
    assert len(y_res) == 180
    assert np.all(y_res[100:] >= 10)
    assert np.all(y_res[100:] <= 20)
    rare = X[y > 5]
    lo, hi = rare.min(axis=0), rare.max(axis=0)
    assert np.all((X_res[100:] >= lo - 1e-9) & (X_res[100:] <= hi + 1e-9))


def test_registering_a_method_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        register_method(Method("none", lambda rs, ctx: None))


def test_unknown_methods_in_a_suite_are_refused():
    with pytest.raises(ValueError, match="unknown methods"):
        register_suite(Suite("bad", "x", [], ["no-such-method"], {}))


def test_growth_exponent_recovers_the_power():
    from benchmarks.speed import growth_exponent

    sizes = np.array([1e3, 1e4, 1e5])
    assert growth_exponent(sizes, 2e-6 * sizes**1.5) == pytest.approx(1.5)
    assert np.isnan(growth_exponent(sizes, [np.nan, np.nan, 1.0]))
    # a fixed start-up cost hides the quadratic growth of the largest sizes
    sizes = np.array([1e3, 1e4, 1e5, 1e6])
    seconds = 0.01 + 1e-10 * sizes**2
    assert growth_exponent(sizes, seconds) < 1.6
    assert growth_exponent(sizes, seconds, largest=2) == pytest.approx(2.0, abs=0.01)


def test_speed_suite_measures_in_fresh_processes(tmp_path):
    from benchmarks import speed

    frame = speed.run(
        methods=("SMOTE", "RandomOverSampler"),
        sizes=(300, 3000),
        features=(5, 20),
        sequences=False,
        time_limit=120,
        progress=False,
    )
    assert set(frame["status"]) == {"ok"}
    assert (frame["seconds"] > 0).all()
    summary = speed.write_outputs(frame, "test", tmp_path)
    assert "Growth exponents" in summary
    assert (tmp_path / "speed.png").exists()
    ratios = speed.ratios_to_smote(frame)
    assert (ratios.loc["SMOTE"] == 1.0).all()


def test_speed_targets_compare_each_learned_sampler_with_smote_at_the_largest_n():
    from benchmarks import speed

    frame = pd.DataFrame(
        [
            {"method": m, "axis": "samples", "n_samples": n, "seconds": s, "peak_memory_mb": mb}
            for m, n, s, mb in [
                ("SMOTE", 10, 1.0, 1),
                ("SMOTE", 100, 10.0, 10),
                ("LatentAdversarial", 10, 2.0, 100),
                ("LatentAdversarial", 100, 5.0, 3000),
            ]
        ]
        + [{"method": "LatentAdversarial", "axis": "sequences", "seconds": 70.0, "status": "ok"}]
    )
    (row,) = speed.target_table(frame).to_dict("records")
    assert row["ratio to SMOTE at n=100"] == pytest.approx(0.5)
    assert row["exponent, two largest n"] == pytest.approx(np.log10(2.5))
    assert row["ratio <= 1"]
    assert row["exponent <= 1.05"]
    assert not row["memory <= 2 GB"]
    assert not row["sequences <= 60 s"]


def test_large_n_compares_each_learned_sampler_with_and_without_batch_growth(tmp_path):
    from benchmarks import large_n

    rows = [
        {
            "method": m,
            "growth": g,
            "seed": seed,
            "n_train": 1000,
            "model": "hgb",
            "balanced_accuracy": score + 0.01 * seed,
            "resample_seconds": seconds,
        }
        for m, g, score, seconds in [
            ("none", "", 0.5, 0.0),
            ("SMOTE", "", 0.7, 1.0),
            ("FlowLatent", 4, 0.8, 2.0),
            ("FlowLatent", 1, 0.75, 6.0),
        ]
        for seed in (0, 1)
    ]
    table, references = large_n.summarize(pd.DataFrame(rows))
    (row,) = table.to_dict("records")
    assert row["balanced accuracy, growth 4"] == pytest.approx(0.805)
    assert row["difference"] == pytest.approx(0.05)
    assert (row["seconds, growth 4"], row["seconds, growth 1"]) == (2.0, 6.0)
    assert references.method.tolist() == ["none", "SMOTE"]
    large_n.write_outputs(pd.DataFrame(rows), "python -m benchmarks.large_n", tmp_path)
    assert "| FlowLatent" in (tmp_path / "summary.md").read_text()


def test_docs_page_states_verdicts_from_results(tmp_path):
    from benchmarks.docs_page import _suite_section, in_short, verdict

    assert verdict({"wins": 9, "losses": 1, "wilcoxon p": 0.01}).startswith("better")
    assert verdict({"wins": 1, "losses": 9, "wilcoxon p": 0.01}).startswith("worse")
    assert verdict({"wins": 5, "losses": 4, "wilcoxon p": 0.6}).startswith("on par")
    rows = pd.DataFrame(runner.run_suite("tiny", progress=False))
    text = "\n".join(_suite_section("tiny", rows))
    assert "TSAug[jitter]" in text
    assert "wins" in text
    assert "(TSAug[jitter] − RandomOverSampler; higher is better)" in text
    assert (
        "With 1 data set the two-sided Wilcoxon test cannot reach" in text
    )  # 1 pair: never significant
    (headline,) = in_short("tiny", rows)
    assert headline.startswith("- `tiny` (sequence, 1 data set): best mean rank")
    assert "Significantly better than RandomOverSampler: none" in headline


def test_docs_page_says_lower_is_better_for_regression_errors():
    from benchmarks.docs_page import _suite_section
    from benchmarks.report import RESULTS_ROOT

    rows = pd.read_csv(RESULTS_ROOT / "regression" / "results.csv")
    text = "\n".join(_suite_section("regression", rows))
    assert "(FlowLatent − SMOTE; lower is better)" in text
    assert "higher is better" not in text


def test_in_short_ranks_a_reference_that_failed_where_it_ran():
    from benchmarks.docs_page import _suite_section, in_short

    def row(dataset, method, score, status="ok"):
        return {"kind": "sequence", "dataset": dataset, "model": "m", "method": method,
                "family": "skadvaug-classic" if method.startswith("TSAug") else "imblearn",
                "repeat": 0, "fold": 0, "balanced_accuracy": score, "status": status,
                "error": None if status == "ok" else "ValueError: one sample"}  # fmt: skip

    frame = pd.DataFrame(
        [row("easy", "RandomOverSampler", 0.9), row("easy", "TSAug[jitter]", 0.8),
         row("easy", "none", 0.5), row("rare", "RandomOverSampler", None, "failed"),
         row("rare", "TSAug[jitter]", 0.7), row("rare", "none", 0.6)]
    )  # fmt: skip
    (headline,) = in_short("tiny", frame)  # the tiny suite's reference: RandomOverSampler
    # "easy" and "rare" stand in for the tiny suite's own data set, which is thus not run
    assert headline.startswith("- `tiny` (sequence, 2 data sets; 1 more of the suite's not run")
    coverage = "\n".join(_suite_section("tiny", frame))
    assert "These results cover 0 of the suite's 1 data sets; not run yet: " in coverage
    assert "RandomOverSampler not ranked: it failed on 1 folds of rare" in headline
    assert (
        "on the 1 data set(s) where RandomOverSampler ran: best RandomOverSampler "
        "(1.00 among 3), RandomOverSampler 1.00, best of ours TSAug[jitter] (2.00)" in headline
    )


def test_docs_page_names_the_suites_without_results(tmp_path):
    from benchmarks.docs_page import not_run_lines

    for name in ("quick", "keel", "images"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.csv").write_text("method\n")
    (line,) = not_run_lines(tmp_path)
    assert "`timeseries`, `regression`, `joint`" in line
    for name in ("timeseries", "regression", "joint"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.csv").write_text("method\n")
    assert not_run_lines(tmp_path) == []


def _toy_seed_rows(seed):
    return [{"seed": seed, "method": m, "score": seed + i} for i, m in enumerate("ab")]


def _toy_report(frame, command):
    lines = header("Toy", command, frame["seed"].nunique(), "nobody")
    return "\n".join([*lines, mean_sd(frame, "method", ["score"]).to_markdown()])


def test_reproduction_runner_writes_csv_and_mean_sd_report(tmp_path):
    run_experiments(
        {"toy": (_toy_seed_rows, _toy_report)},
        ["toy"],
        seeds=3,
        n_jobs=1,
        run_seed=lambda run, seed: run(seed),
        results_dir=tmp_path,
        command="toy command",
    )
    assert len(pd.read_csv(tmp_path / "toy.csv")) == 6
    text = (tmp_path / "toy.md").read_text()
    assert "mean ± sd over 3 seeds" in text
    assert "`toy command`" in text
    assert "1.000 ± 1.000" in text
    assert "2.000 ± 1.000" in text


def test_development_and_held_out_halves_are_fixed_and_keep_imbalance_levels_together():
    from benchmarks.suites import half

    names = [d.name for d in SUITES["keel"].get_datasets()]
    halves = [half(name) for name in names]
    assert set(halves) == {"dev", "holdout"}
    assert 0.3 < halves.count("dev") / len(names) < 0.7
    assert half("ucr:GunPoint@IF10") == half("ucr:GunPoint@IF100")
    assert [half(name) for name in names] == halves  # a hash, not a draw


def test_candidates_run_only_by_name_and_repeats_limit_the_folds():
    suite = SUITES["keel"]
    candidate = next(m for m, v in METHODS.items() if v.family == "skadvaug-candidate")
    assert candidate not in suite.methods
    dataset = suite.get_datasets()[0].name
    default = {c.method for c in runner.iter_cells(suite, datasets=[dataset])}
    assert candidate not in default
    cells = list(runner.iter_cells(suite, datasets=[dataset], methods=[candidate], repeats=1))
    assert {c.method for c in cells} == {candidate}
    assert sorted(c.split for c in cells) == list(range(suite.n_splits))


def test_unknown_method_names_are_refused_not_dropped():
    from benchmarks.__main__ import main

    with pytest.raises(SystemExit, match="unknown methods"):
        main(["run", "--suite", "tiny", "--methods", "SMOTE[k,5]", "--quiet"])


def _selection_rows(dataset, scores, *, folds):
    """Result rows of one tabular set: each method's score (plus 0.001 per fold)."""
    return [
        {
            "kind": "tabular",
            "dataset": dataset,
            "method": method,
            "model": "logreg",
            "repeat": 0,
            "fold": fold,
            "balanced_accuracy": score + 0.001 * fold,
            "status": "ok",
        }
        for method, score in scores.items()
        for fold in range(folds)
    ]


def test_default_selection_uses_the_development_half_only():
    from benchmarks import select_defaults
    from benchmarks.suites import half

    names = [f"keel:set{i}" for i in range(12)]
    rows = []
    for name in names:
        dev = half(name) == "dev"
        scores = {
            "SMOTE": 0.80,
            "FlowLatent[paper]": 0.70,
            # better on the development sets only: chosen, then reported as it is
            "FlowLatent[preserve]": 0.90 if dev else 0.60,
            "FlowLatent": 0.85,
        }
        rows += _selection_rows(name, scores, folds=2)
    frame = pd.DataFrame(rows)
    chosen, _ = select_defaults.select(frame)
    assert chosen["FlowLatent"] == "FlowLatent[preserve]"
    text, _ = select_defaults.report(frame, "keel", "test")
    assert "FlowLatent[preserve]" in text.split("## Held-out half")[1]


def test_default_selection_restricted_to_the_sets_it_was_made_on():
    # sets that ran after the choice join the held-out report, whatever their half
    from benchmarks import select_defaults
    from benchmarks.suites import half

    names = [f"keel:set{i}" for i in range(30)]
    original = names[:6]
    late_dev = [n for n in names[6:] if half(n) == "dev"]
    assert late_dev  # the hash puts some of the later sets in the development half
    rows = []
    for name in names:
        scores = {
            "SMOTE": 0.80,
            # better on the later development sets only: must not move the choice
            "FlowLatent[preserve]": 0.95 if name in late_dev else 0.60,
            "FlowLatent": 0.85,
        }
        rows += _selection_rows(name, scores, folds=1)
    frame = pd.DataFrame(rows)
    assert select_defaults.select(frame)[0]["FlowLatent"] == "FlowLatent[preserve]"
    assert select_defaults.select(frame, original)[0]["FlowLatent"] == "FlowLatent"
    dev, held_out = select_defaults.split(frame, original)
    assert set(dev["dataset"]) == {n for n in original if half(n) == "dev"}
    assert set(late_dev) <= set(held_out["dataset"])
    text, _ = select_defaults.report(frame, "keel", "test", original)
    n_dev = dev["dataset"].nunique()
    assert f"{n_dev} development and {len(names) - n_dev} held-out" in text


def test_the_best_smote_variant_is_found_where_none_ran_on_every_set():
    # long-tailed series: SMOTE's family fails on sets with a one-sample class
    from benchmarks import select_defaults
    from benchmarks.suites import half

    names = [name for name in (f"ucr:set{i}" for i in range(40)) if half(name) == "dev"][:4]
    rows = []
    for i, name in enumerate(names):
        scores = {"FlowLatent": 0.8, "polynom_fit_SMOTE_mesh": 0.7, "ProWSyn": 0.75}
        for method, score in scores.items():
            failed = i == 0 and method != "FlowLatent"
            rows.append(
                {
                    "kind": "sequence",
                    "dataset": name,
                    "method": method,
                    "model": "logreg",
                    "repeat": 0,
                    "fold": 0,
                    "balanced_accuracy": float("nan") if failed else score,
                    "status": "failed" if failed else "ok",
                }
            )
    frame = pd.DataFrame(rows)
    _, dev_ranks = select_defaults.select(frame)
    assert "ProWSyn" not in dev_ranks.index
    assert select_defaults._best_variant(frame, dev_ranks) == "ProWSyn"


def test_default_selection_writes_a_side_page_where_asked(tmp_path):
    from benchmarks import select_defaults

    rows = []
    for name in [f"keel:set{i}" for i in range(6)]:
        rows += _selection_rows(name, {"SMOTE": 0.8, "FlowLatent": 0.85}, folds=2)
    results = tmp_path / "results.csv"
    pd.DataFrame(rows).to_csv(results, index=False)
    page = tmp_path / "side" / "modes.md"
    select_defaults.main(["--suite", "keel", "--results", str(results), "--output", str(page)])
    text = page.read_text()
    assert text.startswith("# Default selection on `keel`")
    assert f"--output {page}" in text  # the command that wrote it


@pytest.mark.parametrize(
    ("name", "steps"),
    [("WorstCaseGenerator[1k-steps]", 1_000), ("WorstCaseGenerator[10k-steps]", 10_000)],
)
def test_worst_case_budget_candidates_keep_their_budget_on_large_tables(name, steps):
    # beyond 10,000 batches the default plays 2,500 batches' worth; a candidate plays its own
    sampler = METHODS[name].build(0, _context())
    sampler._resolve_device()
    y = np.array([0, 1] * 10)
    net = sampler._make_net(np.zeros((1_000_000, 5)), y, random_state=np.random.RandomState(0))
    batches = net.max_steps * net.batch_size / 64
    assert batches == pytest.approx(steps, rel=0.01)
