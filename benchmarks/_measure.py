"""Wall time, peak memory and time limits for one benchmark call."""

import os
import signal
import threading
import time
from contextlib import contextmanager

import psutil


class CellTimeout(Exception):
    """A cell ran past its time limit."""


def measure(function, *, interval=0.002):
    """Run ``function()``; return ``(result, seconds, peak_mb)``.

    ``peak_mb`` is the growth of this process's resident set size during the call
    above its size just before it, sampled every ``interval`` seconds: it counts
    numpy and torch allocations alike, which ``tracemalloc`` would not.
    """
    process = psutil.Process(os.getpid())
    baseline = process.memory_info().rss
    peak = baseline
    done = threading.Event()

    def poll():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            done.wait(interval)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    start = time.perf_counter()
    try:
        result = function()
    finally:
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
    peak = max(peak, process.memory_info().rss)
    return result, seconds, (peak - baseline) / 2**20


@contextmanager
def time_limit(seconds):
    """Raise :class:`CellTimeout` in the block after ``seconds`` (main thread only)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CellTimeout(f"cell exceeded its time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def one_torch_thread():
    """Run the block on one torch thread, then restore the caller's setting.

    Float reductions on 1 and on 2 threads differ in their last bits, so without
    this a cell's scores would depend on ``--n-jobs`` (joblib workers get one
    thread each, the main process all of them).
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
