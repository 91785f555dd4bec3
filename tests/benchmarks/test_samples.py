"""Real vs synthetic sample pictures and fidelity figures (benchmarks/samples.py)."""

import numpy as np
import pandas as pd
import pytest

from benchmarks import data, samples


def test_fidelity_tells_copies_from_new_samples():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (40, 3)), rng.normal(6, 1, (10, 3))])
    y = np.array([0] * 40 + [1] * 10)
    copies = samples.fidelity(X, y, X[40:45], minority=1)
    assert copies["novelty"] == 0
    assert copies["in_class"] == 1
    in_majority = samples.fidelity(X, y, rng.normal(0, 1, (5, 3)), minority=1)
    assert in_majority["novelty"] > 1
    assert in_majority["in_class"] < 0.5


def test_synthetic_minority_refuses_reordered_output():
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 0, 0, 0, 1, 1])
    new = np.array([[9.0, 9.5], [1.0, 1.0]])
    X_res, y_res = np.concatenate([X, new]), np.array([*y, 1, 0])
    np.testing.assert_array_equal(samples.synthetic_minority(X, X_res, y_res, 1), new[:1])
    with pytest.raises(ValueError, match="original samples"):
        samples.synthetic_minority(X, X_res[::-1], y_res, 1)


def test_run_draws_each_kind_and_records_failures(tmp_path):
    showcases = (
        samples.Showcase(
            data.synthetic_sequences(n_samples=60, n_channels=1), ("SMOTE", "TSAug[jitter]")
        ),
        # One class of 2 samples: KMeansSMOTE needs 3 and must show up as failed.
        samples.Showcase(
            data.Dataset(
                "toy:table",
                "tabular",
                lambda: (np.random.default_rng(0).normal(size=(30, 4)), np.r_[[0] * 28, [1] * 2]),
            ),
            ("RandomOverSampler", "KMeansSMOTE"),
        ),
    )
    frame = samples.run(showcases, out_dir=tmp_path, command="test")
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "synthetic_sines_2c1ch_noise2_5.png",
        "toy_table.png",
    }
    by_method = frame.set_index(["dataset", "method"])
    assert by_method.loc[("toy:table", "RandomOverSampler"), "novelty"] == 0
    assert by_method.loc[("toy:table", "KMeansSMOTE"), "error"] != ""
    assert by_method.loc[("synthetic:sines-2c1ch-noise2.5", "TSAug[jitter]"), "novelty"] > 0
    written = pd.read_csv(tmp_path / "fidelity.csv")
    assert len(written) == 4
    assert "KMeansSMOTE on toy:table" in (tmp_path / "summary.md").read_text()
