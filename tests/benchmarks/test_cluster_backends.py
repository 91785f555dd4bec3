"""The benchmark runner on a dask.distributed or a Ray cluster (benchmarks/runner.py)."""

import pandas as pd
import pytest

from benchmarks import runner


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CACHE_ROOT", tmp_path / "cache")


@pytest.mark.parametrize(("backend", "package"), [("dask", "distributed"), ("ray", "ray")])
def test_a_suite_on_a_two_worker_local_cluster_gives_the_local_results(backend, package):
    pytest.importorskip(package)
    key = ["dataset", "method", "repeat", "fold", "model"]
    scores = ["balanced_accuracy", "f1_macro", "n_synthetic"]
    local = pd.DataFrame(runner.run_suite("tiny", progress=False, use_cache=False))
    on_cluster = pd.DataFrame(
        runner.run_suite("tiny", progress=False, use_cache=False, backend=backend, n_jobs=2)
    )
    assert set(on_cluster["status"]) == {"ok"}
    pd.testing.assert_frame_equal(
        on_cluster.sort_values(key)[key + scores].reset_index(drop=True),
        local.sort_values(key)[key + scores].reset_index(drop=True),
    )


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend must be one of"):
        runner.run_suite("tiny", progress=False, backend="spark")


def test_ray_enforces_the_time_limit_of_a_cell():
    # Ray runs a task in its worker's main thread, where the runner's alarm works
    pytest.importorskip("ray")
    rows = runner.run_suite(
        "tiny",
        methods=["RandomOverSampler"],
        progress=False,
        use_cache=False,
        backend="ray",
        n_jobs=1,
        time_limit_s=1e-4,
    )
    assert rows
    assert {row["status"] for row in rows} == {"timeout"}
