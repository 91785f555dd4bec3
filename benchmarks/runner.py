"""Run a suite: cells = data set x method x CV split, cached, parallel, fail-safe.

A cell resamples one training fold once (timed, memory measured) and fits every
model of the data kind on the result, so each cell gives one row per model. A
cell's rows are cached as JSON under ``benchmarks/.cache/<suite>/``; a rerun
skips cached cells (``--no-cache`` recomputes). A method that fails is recorded
with its error (``status="failed"`` or ``"timeout"``), never dropped.
"""

import hashlib
import json
import os
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from joblib.parallel import get_active_backend
from sklearn.base import clone
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import StandardScaler

from ._measure import measure, one_torch_thread, time_limit
from .methods import METHODS, Context
from .metrics import classification_scores, regression_scores
from .models import MODELS
from .suites import SUITES

HARNESS_VERSION = 3  # 3: cells run on one torch thread
CACHE_ROOT = Path(__file__).resolve().parent / ".cache"


@dataclass(frozen=True)
class Cell:
    suite: str
    dataset: str
    method: str
    split: int  # index into the repeated stratified K-fold splits

    def key(self):
        suite = SUITES[self.suite]
        payload = [
            HARNESS_VERSION,
            self.suite,
            self.dataset,
            self.method,
            self.split,
            suite.seed,
            suite.n_splits,
            suite.n_repeats,
            suite.models,
        ]
        fingerprint = _sampler_fingerprint(self.method)
        if fingerprint is not None:
            payload.append(fingerprint)
        if _dataset(self.suite, self.dataset).imbalance_factor is not None:
            # cells cached when the whole set was long-tailed before the split differ
            payload.append("long-tailed training folds")
        return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def _sampler_fingerprint(method_name):
    """Our own samplers' parameters, defaults included, for the cache key.

    Changing a default of a skadvaug sampler thus recomputes its cells instead of
    reusing stale ones; third-party samplers are pinned by the package versions in
    the summary's environment line.
    """
    method = METHODS[method_name]
    if not method.family.startswith("skadvaug"):
        return None
    params = method.build(0, Context()).get_params(deep=False)
    params.pop("random_state", None)
    return repr(sorted(params.items()))


def _dataset(suite_name, dataset_name):
    return SUITES[suite_name].get_dataset(dataset_name)


def _strata(dataset, y):
    """What the folds are stratified on: the classes, or rare/common targets."""
    if dataset.task == "classification":
        return y
    return (y > np.quantile(y, dataset.rare_quantile)).astype(int)


@lru_cache(maxsize=64)
def _splits(suite_name, dataset_name):
    suite = SUITES[suite_name]
    dataset = _dataset(suite_name, dataset_name)
    X, y = dataset.load()
    cv = RepeatedStratifiedKFold(
        n_splits=suite.n_splits, n_repeats=suite.n_repeats, random_state=suite.seed
    )
    return list(cv.split(np.zeros(len(y)), _strata(dataset, y)))


def iter_cells(suite, *, datasets=None, methods=None, repeats=None):
    """Every cell of ``suite``, optionally restricted to some data sets / methods.

    Candidate configurations (family ``"skadvaug-candidate"``, issue 23's default
    selection) are in no suite's list: they run where ``methods`` names them.
    ``repeats``: only the first ``repeats`` repeats of the suite's cross-validation
    (their folds are the same as in a full run).
    """
    n_repeats = suite.n_repeats if repeats is None else min(repeats, suite.n_repeats)
    requested = [
        m for m in methods or () if m in METHODS and METHODS[m].family == "skadvaug-candidate"
    ]
    names = [*suite.methods, *(m for m in requested if m not in suite.methods)]
    for dataset in suite.get_datasets():
        if datasets and dataset.name not in datasets:
            continue
        for method_name in names:
            if methods and method_name not in methods:
                continue
            method = METHODS[method_name]
            if dataset.kind not in method.kinds or dataset.task not in method.tasks:
                continue
            if method.univariate_only and dataset.load()[0].shape[1] > 1:
                continue
            for split in range(suite.n_splits * n_repeats):
                yield Cell(suite.name, dataset.name, method_name, split)


def _preprocess(kind, X_train, X_test):
    if kind != "tabular":  # UCR series are z-normalised per series already
        return X_train, X_test
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _resample(sampler, method, X, y):
    if sampler is None:
        return X, y
    if method.native_nd or X.ndim == 2:
        X_res, y_res = sampler.fit_resample(X, y)
    else:
        X_res, y_res = sampler.fit_resample(X.reshape(len(X), -1), y)
        X_res = np.asarray(X_res).reshape(-1, *X.shape[1:])
    return np.asarray(X_res), np.asarray(y_res)


def _model_input(X, model):
    return X.reshape(len(X), -1) if model.input == "flat" else X


def run_cell(cell, time_limit_s=None, backbone_cache=None):
    """Rows (one per model) for one cell; failures become rows with the error.

    ``backbone_cache``: a folder given as ``memory`` to the samplers that take one, so
    variants of a sampler that differ only after its backbone (attack, budget) train
    the backbone once per cell; their results are those of an uncached run.
    """
    suite = SUITES[cell.suite]
    dataset = _dataset(cell.suite, cell.dataset)
    method = METHODS[cell.method]
    train, test = _splits(cell.suite, cell.dataset)[cell.split]
    repeat, fold = divmod(cell.split, suite.n_splits)
    seed = suite.seed * 1000 + cell.split
    # a joint form (a network augmenting its own batches) is the one model it replaces
    model_names = [method.joint[dataset.kind]] if method.joint else suite.models[dataset.kind]
    base = {
        "suite": cell.suite,
        "dataset": cell.dataset,
        "kind": dataset.kind,
        "method": cell.method,
        "family": method.family,
        "repeat": repeat,
        "fold": fold,
        "seed": seed,
    }
    try:
        with time_limit(time_limit_s), one_torch_thread():
            X, y = dataset.load()
            train = dataset.long_tail(train, y, seed)  # same for every method of a split
            X_train, X_test = _preprocess(dataset.kind, X[train], X[test])
            y_train, y_test = y[train], y[test]
            if dataset.task == "classification":
                classes = np.unique(y)
                n_minority = int(np.bincount(y_train, minlength=len(classes)).min())
                context = Context("classification", n_minority)

                def score(model, X_eval):
                    return classification_scores(model, X_eval, y_test, classes)

            else:
                threshold = float(np.quantile(y_train, dataset.rare_quantile))
                n_minority = int(np.sum(y_train > threshold))
                context = Context("regression", n_minority, threshold)

                def score(model, X_eval):
                    return regression_scores(model, X_eval, y_test, threshold)

            if n_minority < method.min_minority:
                raise ValueError(
                    f"the smallest training class has {n_minority} samples; "
                    f"{cell.method} needs at least {method.min_minority}"
                )
            if method.joint:
                _check_joint_model(suite, dataset, method)
                spec = MODELS[model_names[0]]
                X_res, y_res = X_train, y_train
                joint, seconds, peak_mb = measure(
                    lambda: method.build(seed, context).fit(_model_input(X_train, spec), y_train)
                )
            else:
                sampler = method.build(seed, context)
                if backbone_cache and "memory" in getattr(sampler, "get_params", dict)():
                    sampler.set_params(memory=str(backbone_cache))
                (X_res, y_res), seconds, peak_mb = measure(
                    lambda: _resample(sampler, method, X_train, y_train)
                )
            rows = []
            for model_name in model_names:
                spec = MODELS[model_name]
                if method.joint:
                    model = joint
                else:
                    model = clone(spec.build(seed)).fit(_model_input(X_res, spec), y_res)
                rows.append(
                    {
                        **base,
                        "model": model_name,
                        **score(model, _model_input(X_test, spec)),
                        "fit_resample_seconds": seconds,
                        "peak_memory_mb": peak_mb,
                        "n_train": len(y_train),
                        "n_synthetic": len(y_res) - len(y_train),
                        "status": "ok",
                        "error": "",
                    }
                )
            return rows
    except Exception as exc:  # recorded, never dropped
        status = "timeout" if type(exc).__name__ == "CellTimeout" else "failed"
        message = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:500]
        if os.environ.get("SKADVAUG_BENCH_DEBUG"):
            traceback.print_exc()
        return [{**base, "model": name, "status": status, "error": message} for name in model_names]


def _check_joint_model(suite, dataset, method):
    replaced = method.joint[dataset.kind]
    if replaced not in suite.models[dataset.kind]:
        raise ValueError(
            f"{method.name} replaces the model {replaced!r}, which suite {suite.name!r} "
            f"does not fit on {dataset.kind} data: nothing to compare it with."
        )


def _cache_path(cell):
    return CACHE_ROOT / cell.suite / f"{cell.key()}.json"


def _run_uncached(cell, time_limit_s, backbone_cache=None):
    # No thread setting here: with n_jobs=1 this runs in the caller's process, and
    # joblib's loky workers already limit their BLAS/OpenMP threads to cores / n_jobs.
    return cell, run_cell(cell, time_limit_s, backbone_cache)


def cache_status(suite_name, *, datasets=None, methods=None):
    """Cached and total cells per data set: how far a (resumable) run has got."""
    done, total = {}, {}
    for cell in iter_cells(SUITES[suite_name], datasets=datasets, methods=methods):
        total[cell.dataset] = total.get(cell.dataset, 0) + 1
        done[cell.dataset] = done.get(cell.dataset, 0) + _cache_path(cell).exists()
    return {name: (done[name], total[name]) for name in total}


BACKENDS = ("loky", "dask", "ray")


@contextmanager
def parallel_backend(backend="loky", *, n_jobs=1, scheduler=None):
    """Where the cells run; yields the ``n_jobs`` to give joblib.

    ``"loky"``: joblib's processes on this machine. ``"dask"``: the workers of a
    ``dask.distributed`` cluster through joblib's dask backend — the scheduler at
    ``scheduler`` (``"tcp://host:8786"``), or, without one, a local cluster of
    ``n_jobs`` single-threaded worker processes. ``"ray"``: a Ray cluster through
    joblib's ray backend — the one at ``scheduler`` (``"ray://host:10001"`` or
    ``"auto"``), or, without one, a local Ray instance of ``n_jobs`` CPUs; its workers
    get ``OMP_NUM_THREADS=1``. Results are the same everywhere: a cell seeds everything
    it draws from its own split and runs torch on one thread (:func:`run_cell`). The
    per-cell time limit is not enforced on Dask (its tasks run in worker threads, and a
    thread cannot be interrupted); Ray runs a task in its worker's main thread, where it
    is. A Ray session the caller already opened is used as it is.
    """
    if backend == "loky":
        yield n_jobs
        return
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}.")
    context = _dask_backend if backend == "dask" else _ray_backend
    with context(n_jobs, scheduler):
        yield -1


@contextmanager
def _dask_backend(n_jobs, scheduler):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError(
            "backend='dask' needs dask.distributed: pip install 'skadvaug[dask]'."
        ) from exc
    import joblib

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=max(n_jobs, 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
    client = Client(scheduler if scheduler is not None else cluster)
    try:
        with joblib.parallel_config(backend="dask"):
            yield
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def _ray_backend(n_jobs, scheduler):
    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError as exc:
        raise ImportError("backend='ray' needs ray: pip install 'skadvaug[ray]'.") from exc
    import joblib

    # a session the caller already connected is used as it is, and left open
    owned = not ray.is_initialized()
    if owned:
        local = {"num_cpus": max(n_jobs, 1), "include_dashboard": False}
        ray.init(
            address=scheduler,
            log_to_driver=False,
            runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}},
            **(local if scheduler is None else {}),
        )
    register_ray()
    try:
        with joblib.parallel_config(backend="ray"):
            yield
    finally:
        if owned:
            ray.shutdown()


def _completed(cells, n_jobs, time_limit_s, backbone_cache):
    """``(cell, rows)`` as the cells finish on the active joblib backend.

    Ray's backend cannot stream results; there the cells run in rounds of two per
    worker, so that an interrupted run keeps (and caches) the rounds it finished.
    """

    def tasks(some):
        return (delayed(_run_uncached)(cell, time_limit_s, backbone_cache) for cell in some)

    active, _ = get_active_backend()
    if active.supports_return_generator:
        yield from Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks(cells))
        return
    size = 2 * effective_n_jobs(n_jobs)
    with Parallel(n_jobs=n_jobs) as parallel:  # one pool of workers for every round
        for start in range(0, len(cells), size):
            yield from parallel(tasks(cells[start : start + size]))


def run_suite(
    suite_name,
    *,
    datasets=None,
    methods=None,
    n_jobs=1,
    use_cache=True,
    time_limit_s=None,
    progress=True,
    retry_failed=False,
    backbone_cache=None,
    repeats=None,
    backend="loky",
    scheduler=None,
):
    """Run (or resume) a suite; return every row of the selected cells.

    A cached failure or timeout is reused unless ``retry_failed`` (after
    installing a missing package or with a larger ``time_limit_s``).
    ``backbone_cache``: see :func:`run_cell`. ``backend`` and ``scheduler``: see
    :func:`parallel_backend`; the cache and resume semantics are the same.
    """
    from tqdm.auto import tqdm

    suite = SUITES[suite_name]
    cells = list(iter_cells(suite, datasets=datasets, methods=methods, repeats=repeats))
    unknown = set(datasets or ()) - {d.name for d in suite.get_datasets()}
    if unknown:
        raise ValueError(f"suite {suite_name!r} has no data sets {sorted(unknown)}")
    rows, todo = [], []
    for cell in cells:
        path = _cache_path(cell)
        cached = json.loads(path.read_text()) if use_cache and path.exists() else None
        if cached is None or (retry_failed and any(r["status"] != "ok" for r in cached)):
            todo.append(cell)
        else:
            rows.extend(cached)
    bar = tqdm(
        total=len(cells),
        initial=len(cells) - len(todo),
        disable=not progress,
        desc=f"suite {suite_name}",
        unit="cell",
    )
    with parallel_backend(backend, n_jobs=n_jobs, scheduler=scheduler) as jobs:
        for cell, cell_rows in _completed(todo, jobs, time_limit_s, backbone_cache):
            path = _cache_path(cell)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(cell_rows))
            rows.extend(cell_rows)
            bar.update()
    bar.close()
    return rows
