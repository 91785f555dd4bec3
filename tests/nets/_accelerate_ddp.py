"""Two-process data-parallel training on the CPU (gloo), run by tests/nets/test_accelerate.py
in a fresh interpreter: accelerate's state is a singleton, and its debug launcher hangs in
a process that has already made an Accelerator."""

import json

import numpy as np
import torch
from accelerate import Accelerator, debug_launcher
from sklearn.datasets import make_classification

from skadvaug.nets import AccelerateMixin, StructuredAdversarialClassifier


class CountingClassifier(AccelerateMixin, StructuredAdversarialClassifier):
    """Counts the batches whose rare rows the attack perturbed."""

    def _augment_batch(self, X, y, generator=None):
        self.augmented_batches_ = getattr(self, "augmented_batches_", 0) + 1
        return super()._augment_batch(X, y, generator)


def train():
    torch.set_num_threads(1)
    accelerator = Accelerator(cpu=True)
    X, y = make_classification(256, n_features=8, weights=[0.8], random_state=0)
    net = CountingClassifier(
        perturbation="fgm",
        accelerator=accelerator,
        max_epochs=3,
        batch_size=32,
        lr=0.01,
        random_state=0,
    ).fit(X.astype(np.float32), y)
    parameters = net.module_.parameters()
    checksum = torch.tensor([[sum(float(p.detach().double().sum()) for p in parameters)]])
    counts = torch.tensor([[float(net.augmented_batches_)]])
    final_loss = torch.tensor([[float(net.history[-1, "train_loss"])]])
    checksums, counts = accelerator.gather(checksum), accelerator.gather(counts)
    final_losses = accelerator.gather(final_loss)
    if accelerator.is_main_process:
        result = {
            "processes": accelerator.num_processes,
            "checksums": checksums.flatten().tolist(),
            "augmented_batches": counts.flatten().tolist(),
            "train_loss": [float(row["train_loss"]) for row in net.history],
            "final_train_losses": final_losses.flatten().tolist(),
        }
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    debug_launcher(train, num_processes=2)
