"""One progress display per fit of a sampler or transformer (``verbose=1``).

A learned sampler trains several networks one after the other (an autoencoder, then
the adversarial game; a flow, then its surrogate). skorch's epoch log prints one
unlabelled table per network; this display shows instead, on one line, the phase
running, an overall bar and the time left. The estimator opens it with
:func:`fit_progress` around its fit and may announce the phases it is about to
train (:func:`plan_phases`); every :class:`~skadvaug.nets.BaseNet` reports its
optimiser steps to the open display through :class:`PhaseProgress`, one of its default
callbacks, so nets need no extra parameter and a net fitted on its own shows
nothing.

Written here rather than with ``tqdm`` (skorch's own progress bar, per batch of one
net): the bar spans several nets and phases, and its total is only known as the
phases are planned.
"""

import contextvars
import sys
import time
from contextlib import contextmanager

from skorch.callbacks import Callback

from ._data import n_samples_of

_ACTIVE = contextvars.ContextVar("skadvaug_fit_progress", default=None)
_BAR_WIDTH = 24
# a terminal's line is redrawn at most this often (seconds) within a phase
_REDRAW_INTERVAL = 0.2


def _clock_text(seconds):
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class FitProgress:
    """The display: phases ``[name, steps, steps done]``, an overall bar, time left.

    Progress is counted in optimiser steps (training batches), not epochs: with a
    step budget a large data set trains for part of one epoch. On a terminal one
    line is redrawn as steps are done (at most every 0.2 s, carriage return, no
    colour codes); otherwise (a log file, a notebook's captured output) a plain
    line is written when a phase begins and when it ends.
    """

    def __init__(self, title, stream=None, clock=time.monotonic):
        self.title = title
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.phases = []
        self.current = None
        self.start = clock()
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._width = 0
        self._drawn_at = None

    # ------------------------------------------------------------------ events
    def plan(self, phases):
        """Announce phases ``(name, steps)`` still to come, in order."""
        for name, steps in phases:
            self.phases.append({"name": name, "steps": int(steps), "done": 0, "state": "planned"})

    def begin(self, name, steps):
        """A network starts training: the next planned phase of that name, or a new one.

        Planned phases before it that never started (a backbone loaded from the
        cache) are dropped, so they do not hold the bar back.
        """
        for index, phase in enumerate(self.phases):
            if phase["state"] == "planned" and phase["name"] == name:
                self.phases = [
                    p for p in self.phases[:index] if p["state"] != "planned"
                ] + self.phases[index:]
                break
        else:
            phase = {"name": name, "steps": int(steps), "done": 0, "state": "planned"}
            self.phases.append(phase)
        phase.update(steps=max(int(steps), 0), state="running")
        self.current = phase
        self._render(final=False, event="started")

    def advance(self):
        """One optimiser step done."""
        if self.current is not None:
            self.current["done"] = min(self.current["done"] + 1, self.current["steps"])
            if self.clock() - self._drawn_at >= _REDRAW_INTERVAL:
                self._render(final=False)

    def end(self):
        """The network stopped (its last epoch, or early stopping)."""
        if self.current is not None:
            self.current["state"] = "finished"
            self._render(final=False, event="finished")
            self.current = None

    def close(self):
        if self.interactive and self._width:
            self.stream.write("\n")
            self.stream.flush()

    # --------------------------------------------------------------- rendering
    def fraction(self):
        """Share of the planned steps done; a finished phase counts as whole."""
        total = sum(p["steps"] for p in self.phases)
        done = sum(p["steps"] if p["state"] == "finished" else p["done"] for p in self.phases)
        return done / total if total else 0.0

    def line(self):
        fraction = self.fraction()
        elapsed = self.clock() - self.start
        filled = int(round(_BAR_WIDTH * fraction))
        parts = [f"{self.title} [{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {fraction:4.0%}"]
        phase = self.current or next(
            (p for p in reversed(self.phases) if p["state"] == "finished"), None
        )
        if phase is not None:
            position = self.phases.index(phase) + 1
            done = phase["steps"] if phase["state"] == "finished" else phase["done"]
            parts.append(
                f"{phase['name']} (phase {position}/{len(self.phases)}) "
                f"{done}/{phase['steps']} steps"
            )
        left = elapsed * (1 - fraction) / fraction if fraction > 0 else None
        timing = f"{_clock_text(elapsed)} elapsed"
        if left is not None and fraction < 1:
            timing += f", about {_clock_text(left)} left"
        parts.append(timing)
        return " | ".join(parts)

    def _render(self, *, final, event=None):
        self._drawn_at = self.clock()
        text = self.line()
        if self.interactive:
            padding = max(self._width - len(text), 0)
            self._width = len(text)
            self.stream.write("\r" + text + " " * padding)
        elif event is not None:
            self.stream.write(f"{text} ({event})\n")
        else:
            return
        self.stream.flush()


@contextmanager
def fit_progress(title, verbose, stream=None):
    """Open the display for one fit when ``verbose >= 1`` (nested fits share the outer one)."""
    outer = _ACTIVE.get()
    if not verbose or outer is not None:
        yield outer
        return
    progress = FitProgress(title, stream=stream)
    token = _ACTIVE.set(progress)
    try:
        yield progress
    finally:
        _ACTIVE.reset(token)
        progress.close()


def plan_phases(phases):
    """Announce ``(name, steps)`` phases to the open display, if any."""
    progress = _ACTIVE.get()
    if progress is not None:
        progress.plan(phases)


class PhaseProgress(Callback):
    """Reports a net's optimiser steps to the open :class:`FitProgress` (silent without
    one).

    It keeps no reference to the display, so a net stays picklable whatever happened.
    """

    def on_train_begin(self, net, X=None, **kwargs):
        progress = _ACTIVE.get()
        if progress is not None:
            progress.begin(net._phase, net._planned_steps(n_samples_of(X)))

    def on_batch_end(self, net, training=False, **kwargs):
        progress = _ACTIVE.get()
        if progress is not None and training:
            progress.advance()

    def on_train_end(self, net, **kwargs):
        progress = _ACTIVE.get()
        if progress is not None:
            progress.end()
