"""Device resolution, seeding and training budgets shared by the samplers (``_base.py``)
and nets.

Nothing here touches torch's global random state outside a
:func:`torch.random.fork_rng` block, so fitting an estimator never changes the
caller's random streams.
"""

import math
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state

_DEVICES = ("auto", "cpu", "cuda")


def check_device(device, *, param="device"):
    """Return the concrete torch device string for ``device``.

    ``"auto"`` gives ``"cuda"`` when CUDA is available and ``"cpu"`` otherwise;
    ``"cuda"`` (or ``"cuda:N"``) without CUDA is a :class:`ValueError`.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str) or not (device in _DEVICES or device.startswith("cuda:")):
        raise ValueError(f"{param} must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}.")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"{param}={device!r} was requested but CUDA is not available on this "
            "machine (torch.cuda.is_available() is False); use device='cpu' or "
            "device='auto'."
        )
    return device


def draw_seed(random_state):
    """Draw an integer seed from a scikit-learn ``random_state``.

    The seed is itself a valid ``random_state`` (below 2**31), so it can seed a
    nested estimator as well as torch.
    """
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def torch_generator(seed, device="cpu"):
    """A :class:`torch.Generator` on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator


@contextmanager
def torch_threads(n_threads):
    """Run a block with ``n_threads`` torch intra-op threads, restored afterwards.

    ``None`` leaves torch's setting alone. The learned estimators default to one
    thread: their small models are fastest so on few cores, several of them in
    the processes of a grid search do not oversubscribe the machine, and a fit
    gives the same numbers on any machine (matrix products split over more
    threads sum in another order, which changes results in their last bits).
    """
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def seeded_torch(seed, device="cpu"):
    """Run a block with torch's global RNG seeded by ``seed``, restored afterwards.

    skorch builds modules (weight initialisation), shuffles batches and applies
    dropout with torch's global generator; seeding it inside ``fork_rng`` makes a
    fit reproducible without leaking the seed into the caller's random state.
    ``seed=None`` runs the block unseeded.
    """
    if seed is None:
        yield
        return
    devices = []
    if str(device).startswith("cuda") and torch.cuda.is_available():
        devices = [torch.device(device).index or 0]
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


# How much "auto" budgets may grow the batch on large data (step_budget): a
# training step of our small networks costs about the same for batches of 256 to
# 2048 on a CPU (python and kernel overhead dominate; a flow step: ~20 ms either
# way) and on a GPU, so a step budget spent in larger batches costs a fraction.
MAX_BATCH_GROWTH = 4


def step_budget(epochs, n_samples, batch_size, *, steps, high):
    """A training budget ``(max_epochs, max_steps, batch_size)``; ``max_steps`` is
    ``None`` for whole epochs.

    An integer ``epochs`` is that many full epochs of ``batch_size``. ``"auto"`` is a
    budget of about ``steps`` optimiser steps of ``batch_size`` samples whatever the
    size of the data: the whole epochs nearest to it (at most ``high``, for tiny
    data) while the data holds one batch per step or fewer. Beyond that, a part of
    one shuffled pass of ``steps x batch_size`` samples, in batches grown with the
    data (by ``n_samples / (steps x batch_size)``, at most ``MAX_BATCH_GROWTH``
    times, read at each call) and correspondingly fewer steps: so a million
    samples cost what ten thousand do, and less, since a step of a larger batch
    costs little more.
    """
    if epochs != "auto":
        return epochs, None, batch_size
    n_batches = max(1, math.ceil(n_samples / batch_size))
    if n_batches <= steps:
        return int(np.clip(round(steps / n_batches), 1, high)), None, batch_size
    growth = min(n_samples / (steps * batch_size), MAX_BATCH_GROWTH)
    grown = round(batch_size * growth)
    return 1, max(1, round(steps * batch_size / grown)), grown
