"""Data-parallel training of the joint nets with Hugging Face accelerate (nets/_accelerate.py)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skadvaug.nets import (
    AccelerateMixin,
    LatentAdversarialClassifier,
    StructuredAdversarialClassifier,
)

accelerate = pytest.importorskip("accelerate")
ROOT = Path(__file__).resolve().parents[2]


class AcceleratedStructured(AccelerateMixin, StructuredAdversarialClassifier):
    pass


class AcceleratedLatent(AccelerateMixin, LatentAdversarialClassifier):
    pass


def _data():
    X, y = make_classification(120, n_features=6, weights=[0.8], random_state=0)
    return X.astype(np.float32), y


def test_one_process_trains_the_network_with_its_online_attack():
    X, y = _data()
    net = AcceleratedStructured(
        perturbation="fgm",
        accelerator=accelerate.Accelerator(cpu=True),
        max_epochs=5,
        lr=0.01,
        random_state=0,
    ).fit(X, y)
    losses = net.history[:, "train_loss"]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < losses[0]
    # the attack perturbed rare rows in every epoch
    assert all(np.isfinite(net.history[:, "augmented_loss"]))
    assert net.predict(X).shape == (len(X),)
    assert net.device is None  # the accelerator places the tensors


def test_a_net_with_another_trained_player_is_refused():
    X, y = _data()
    net = AcceleratedLatent(
        accelerator=accelerate.Accelerator(cpu=True), autoencoder__max_epochs=1, max_epochs=1
    )
    with pytest.raises(ValueError, match=r"trains \['augmenter'\] next to its network"):
        net.fit(X, y)


def test_two_processes_end_with_the_same_network_and_each_attacks_its_share():
    completed = subprocess.run(
        [sys.executable, "-m", "tests.nets._accelerate_ddp"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"OMP_NUM_THREADS": "1", **_environment()},
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, completed.stdout[-2000:] + completed.stderr[-4000:]
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert result["processes"] == 2
    first, second = result["checksums"]
    assert first == pytest.approx(second, rel=1e-6)
    # 256 rows in batches of 32 over 3 epochs: each process sees half of the batches
    assert all(0 < count <= 12 for count in result["augmented_batches"])
    assert np.all(np.isfinite(result["train_loss"]))
    # the loss is averaged over the processes, so their early stopping agrees
    losses = result["final_train_losses"]
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)


def _environment():
    import os

    return {key: value for key, value in os.environ.items() if key != "OMP_NUM_THREADS"}
