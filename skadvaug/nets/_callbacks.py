"""Training callbacks shared by every skadvaug net."""

import math
import re
import sys

import torch
from skorch.callbacks import Callback, PrintLog

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


class StepBudget(Callback):
    """End training once the net's budget of optimiser steps (``max_steps_``) is spent.

    :class:`BaseNet` cuts the epoch that reaches the budget short; this callback,
    the last of the default ones, then ends training at that epoch's end (as
    skorch's ``EarlyStopping`` does, by ``KeyboardInterrupt``), so the epoch is
    logged and scored like any other.
    """

    def on_epoch_end(self, net, **kwargs):
        if net.max_steps_ is not None and net.train_steps_ >= net.max_steps_:
            raise KeyboardInterrupt


_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


class PlainPrintLog(PrintLog):
    """skorch's epoch log, with its colour codes only when stdout is a terminal.

    skorch colours each column's best value with ANSI codes whatever the output;
    in a log file or a CI log they are noise.
    """

    def format_row(self, row, key, color):
        formatted = super().format_row(row, key, color)
        if isinstance(formatted, str) and not getattr(sys.stdout, "isatty", lambda: False)():
            return _ANSI_CODE.sub("", formatted)
        return formatted
