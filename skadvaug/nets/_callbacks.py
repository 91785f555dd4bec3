"""Training callbacks shared by every skadvaug net."""

import math

import torch
from skorch.callbacks import Callback

from ..exceptions import TrainingDivergedError


class DivergenceGuard(Callback):
    """Stop training with a clear error as soon as a loss is not finite.

    Every entry of a step whose name contains ``"loss"`` is checked after each
    batch (training and validation), so the multi-loss steps of adversarial nets
    (discriminator, perturbation, surrogate losses) are guarded as well.
    """

    def on_batch_end(self, net, batch=None, training=None, **step):
        for name, value in step.items():
            if "loss" not in name:
                continue
            if torch.is_tensor(value):
                if value.numel() != 1:
                    continue
                value = value.item()
            if isinstance(value, float) and not math.isfinite(value):
                phase = "training" if training else "validation"
                raise TrainingDivergedError(
                    f"{type(net).__name__}: the {phase} {name} became {value} in "
                    f"epoch {len(net.history)}; training diverged. Lower the "
                    "learning rate, standardise the inputs or check them for "
                    "extreme values."
                )
