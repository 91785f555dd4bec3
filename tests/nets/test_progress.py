"""One progress display per fit (issue 20): phases, an overall bar, time left, no colour codes."""

import io
import pickle
import re

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skadvaug import FlowLatentSampler, FlowTransformer, LatentAdversarialSampler
from skadvaug.nets import AdversarialAutoencoderNet
from skadvaug.nets._progress import FitProgress, fit_progress, plan_phases


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _table():
    X, y = make_classification(160, n_features=5, weights=[0.8], random_state=0)
    return X, y


def test_a_log_gets_a_plain_line_when_a_phase_starts_and_ends():
    stream, clock = io.StringIO(), _Clock()
    progress = FitProgress("Sampler", stream=stream, clock=clock)
    progress.plan([("autoencoder", 4), ("adversarial game", 4)])
    progress.begin("autoencoder", 4)
    for _ in range(4):
        clock.now += 1.0
        progress.advance()
    progress.end()
    progress.begin("adversarial game", 4)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # start, end, start: nothing per step in a log
    assert "autoencoder (phase 1/2) 0/4 steps" in lines[0]
    assert "[############............]  50%" in lines[1]
    assert "0:04 elapsed, about 0:04 left" in lines[1]  # half done in 4 s
    assert "adversarial game (phase 2/2)" in lines[2]
    assert "\r" not in stream.getvalue()
    assert "\x1b" not in stream.getvalue()


def test_a_terminal_gets_one_line_redrawn_at_most_every_fifth_of_a_second():
    stream, clock = _Terminal(), _Clock()
    progress = FitProgress("Sampler", stream=stream, clock=clock)
    progress.begin("flow", 6)
    for _ in range(6):
        clock.now += 0.125
        progress.advance()
    progress.end()
    progress.close()
    text = stream.getvalue()
    assert text.count("\r") == 5  # begin, every other of the six steps, end
    assert text.endswith("\n")
    assert text.count("\n") == 1
    assert "100%" in text.split("\r")[-1]
    assert "\x1b" not in text


def test_a_planned_phase_that_never_ran_does_not_hold_the_bar_back():
    progress = FitProgress("Sampler", stream=io.StringIO(), clock=_Clock())
    progress.plan([("flow", 100), ("surrogate", 10)])
    progress.begin("surrogate", 10)  # the flow came from the cache
    for _ in range(5):
        progress.advance()
    assert progress.fraction() == pytest.approx(0.5)
    assert [phase["name"] for phase in progress.phases] == ["surrogate"]


def test_nested_fits_share_the_outer_display_and_nothing_shows_without_one():
    stream = io.StringIO()
    with fit_progress("Outer", 1, stream=stream) as outer:
        with fit_progress("Inner", 1) as inner:
            assert inner is outer
        plan_phases([("flow", 2)])
        assert outer.phases[0]["name"] == "flow"
    with fit_progress("Silent", 0) as silent:
        assert silent is None
        plan_phases([("flow", 2)])  # no display: nothing to do


def test_verbose_1_shows_every_phase_of_a_sampler_once_and_no_epoch_table(capsys):
    X, y = _table()
    LatentAdversarialSampler(
        autoencoder_epochs=2, surrogate_epochs=2, verbose=1, random_state=0
    ).fit_resample(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""  # the nets' epoch logs start at verbose=2
    lines = captured.err.splitlines()
    assert all(line.startswith("LatentAdversarialSampler [") for line in lines)
    # 160 rows are 3 batches of 64: 2 epochs are 6 optimiser steps
    assert "autoencoder (phase 1/2) 0/6 steps" in lines[0]
    assert "autoencoder (phase 1/2) 6/6 steps" in lines[1]
    assert re.search(r"adversarial game \(phase 2/2\) (\d+)/\1 steps", lines[-1])
    assert "100%" in lines[-1]


def test_a_backbone_fitted_by_a_nested_transformer_joins_the_samplers_display(capsys):
    X, y = _table()
    FlowLatentSampler(
        flow_epochs=2, surrogate_epochs=1, attack="adversarial", verbose=1, random_state=0
    ).fit_resample(X, y)
    err = capsys.readouterr().err
    assert "FlowTransformer" not in err  # one display, the sampler's
    assert "flow (phase 1/" in err
    assert "surrogate with latent attacks (phase 2/2)" in err


def test_verbose_2_adds_the_epoch_logs_without_colour_codes_outside_a_terminal(capsys):
    X, y = _table()
    FlowTransformer(max_epochs=2, flow_steps=2, verbose=2, random_state=0).fit(X)
    captured = capsys.readouterr()
    assert "epoch" in captured.out
    assert "bits_per_dim" in captured.out
    assert "\x1b" not in captured.out
    assert "FlowTransformer [" in captured.err


def test_silent_by_default_and_nets_stay_picklable_after_a_display(capsys):
    X, y = _table()
    sampler = LatentAdversarialSampler(autoencoder_epochs=1, surrogate_epochs=1, random_state=0)
    sampler.fit_resample(X, y)
    assert capsys.readouterr() == ("", "")
    sampler.set_params(verbose=1).fit_resample(X, y)
    capsys.readouterr()
    assert pickle.loads(pickle.dumps(sampler)).surrogate_.initialized_
    net = AdversarialAutoencoderNet(max_epochs=1, random_state=0).fit(X.astype(np.float32))
    assert capsys.readouterr() == ("", "")
    assert net._planned_phases(len(X)) == [("autoencoder", 2)]  # 2 batches of 128


def test_a_joint_net_plans_its_backbone_before_its_own_training():
    from skadvaug.nets import FlowLatentClassifier, LatentAdversarialClassifier

    net = LatentAdversarialClassifier(autoencoder__max_epochs=3, max_epochs=2)
    assert net._planned_phases(100) == [("autoencoder", 3), ("adversarial game", 2)]
    # in optimiser steps: 100 rows are one batch of 128, so epochs are steps; the
    # "auto" budgets (500 and 400 steps) are capped at 200 epochs on tiny data
    assert LatentAdversarialClassifier()._planned_phases(100) == [
        ("autoencoder", 200),
        ("adversarial game", 200),
    ]
    default_flow = FlowLatentClassifier(max_epochs=4)._planned_phases(100)
    assert [name for name, _ in default_flow] == ["flow", "surrogate with latent attacks"]
