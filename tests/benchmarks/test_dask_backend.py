"""The benchmark runner on a dask.distributed cluster (benchmarks/runner.py)."""

import pandas as pd
import pytest

from benchmarks import runner

pytest.importorskip("distributed")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "CACHE_ROOT", tmp_path / "cache")


def test_a_suite_on_a_two_worker_local_cluster_gives_the_local_results():
    key = ["dataset", "method", "repeat", "fold", "model"]
    scores = ["balanced_accuracy", "f1_macro", "n_synthetic"]
    local = pd.DataFrame(runner.run_suite("tiny", progress=False, use_cache=False))
    on_dask = pd.DataFrame(
        runner.run_suite("tiny", progress=False, use_cache=False, backend="dask", n_jobs=2)
    )
    assert set(on_dask["status"]) == {"ok"}
    pd.testing.assert_frame_equal(
        on_dask.sort_values(key)[key + scores].reset_index(drop=True),
        local.sort_values(key)[key + scores].reset_index(drop=True),
    )


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend must be one of"):
        runner.run_suite("tiny", progress=False, backend="spark")
