import os

import pytest
import torch

# The suite runs as two xdist workers on two cores: one torch thread each.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _no_display(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return


def pytest_report_header(config):
    return f"torch {torch.__version__}, threads={torch.get_num_threads()}, cpus={os.cpu_count()}"


@pytest.fixture(autouse=True)
def _torch_threads_are_not_changed_by_a_test():
    """A test that leaks a thread setting slows every later test in its worker."""
    yield
    assert torch.get_num_threads() == 1, "a test changed torch's number of threads"
    torch.set_num_threads(1)
