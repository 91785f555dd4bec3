"""Property-based fuzzing of the samplers (hypothesis): what any input must lead to.

Shared by the fast CI profile (``tests/test_fuzz.py``) and the long run
(``python -m benchmarks.fuzz``, report under ``benchmarks/results/fuzz/``).

Each example draws data of any kind (2-D tables, 3-D sequences, 4-D images, tiny and
degenerate shapes), a dtype (bool, int, float16/32/64, object, pandas nullable), labels
(integers, negatives, strings, one class, a class of one sample) or continuous targets
(with and without ``rare_threshold``), NaN / inf, constant and duplicate rows, huge and
tiny magnitudes, and every ``sampling_strategy`` form, then calls ``fit_resample`` on a
sampler with a tiny training budget. The call must either return a valid result -- the
original samples first and unchanged, as many synthetic samples per class as
``sampling_strategy_`` says, finite values, the input untouched -- or raise a
``ValueError`` / ``TypeError`` whose message names what was wrong.
"""

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from skadvaug import (
    FlowLatentSampler,
    LatentAdversarialSampler,
    LearnedViewSampler,
    StructuredAdversarialSampler,
    TimeSeriesAugmentationSampler,
    WorstCaseGeneratorSampler,
)

# Tiny budgets: the fuzzing tests the contract, not the training.
SAMPLERS = {
    "TimeSeriesAugmentationSampler": lambda **kw: TimeSeriesAugmentationSampler(**kw),
    "LatentAdversarialSampler": lambda **kw: LatentAdversarialSampler(
        autoencoder_epochs=1, surrogate_epochs=1, **kw
    ),
    "FlowLatentSampler": lambda **kw: FlowLatentSampler(
        flow_epochs=1, surrogate_epochs=1, flow_steps=2, **kw
    ),
    "StructuredAdversarialSampler": lambda **kw: StructuredAdversarialSampler(
        surrogate_epochs=1, **kw
    ),
    "WorstCaseGeneratorSampler": lambda **kw: WorstCaseGeneratorSampler(
        game_epochs=1, hidden=8, **kw
    ),
    "LearnedViewSampler": lambda **kw: LearnedViewSampler(
        encoder="small_cnn", pretrain_epochs=1, batch_size=8, **kw
    ),
}

# Words a clear error message uses to name what was wrong (a parameter, the data, or
# the property of the data at fault).
NAMED = (
    "X",
    "y",
    "sampling_strategy",
    "rare_threshold",
    "perturbation",
    "shape",
    "class",
    "sample",
    "target",
    "NaN",
    "infinity",
    "dtype",
    "label",
    "group",
)

SHAPES = st.sampled_from(
    [(3,), (5,), (1, 16), (2, 12), (1, 8, 8), (3,), (1, 16), (1, 8, 8), (1,), (), (2, 3, 5)]
)
DTYPES = st.sampled_from(
    ["float64", "float64", "float32", "float32", "float16", "int64", "int32", "uint8", "bool"]
    + ["object", "Float64"]
)


@st.composite
def datasets(draw):
    """``(X, y, params)``: data of any kind with labels or continuous targets."""
    n_samples = draw(st.one_of(st.integers(12, 40), st.integers(1, 11)))
    sample_shape = draw(SHAPES)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.sampled_from([1.0, 1.0, 1.0, 1e3, 1e-12, 1e12, 0.0]))
    X = rng.normal(size=(n_samples, *sample_shape)) * scale
    if draw(st.booleans()) and n_samples > 1:
        X[rng.integers(n_samples)] = X[0]  # a duplicate row
    special = draw(st.sampled_from([None] * 9 + [np.nan, np.inf, -np.inf]))
    if special is not None and X.size:
        X.flat[rng.integers(X.size)] = special
    dtype = draw(DTYPES)
    if dtype == "Float64" and X.ndim == 2:  # pandas nullable, tables only
        X = pd.DataFrame(X).astype("Float64")
    elif dtype not in ("Float64",):
        with np.errstate(all="ignore"):
            X = X.astype(dtype)

    params = {}
    if draw(st.integers(0, 3)):  # class labels, three times in four
        n_classes = draw(st.sampled_from([2, 2, 3, 1]))
        weights = rng.dirichlet(np.ones(n_classes))
        y = rng.choice(n_classes, size=n_samples, p=weights)
        if draw(st.integers(0, 4)) == 0 and n_samples > 2:
            y[0] = n_classes  # a class of one sample
        kind = draw(st.sampled_from(["int", "negative", "str"]))
        if kind == "negative":
            y = y - 2
        elif kind == "str":
            y = np.array([f"c{label}" for label in y])
        params["sampling_strategy"] = draw(
            st.sampled_from(
                ["auto", "minority", "not majority", "not minority", "all", 1.0, 0.5, "dict"]
            )
        )
        if params["sampling_strategy"] == "dict":
            labels, counts = np.unique(y, return_counts=True)
            params["sampling_strategy"] = {
                label: int(count) + draw(st.integers(0, 5))
                for label, count in zip(labels, counts, strict=True)
            }
    else:  # continuous targets
        y = rng.exponential(size=n_samples)
        if draw(st.integers(0, 3)):  # without a threshold a quarter of the time
            params["rare_threshold"] = float(
                draw(st.sampled_from([np.quantile(y, 0.8)] * 4 + [-1.0, 1e9]))
            )
        params["sampling_strategy"] = draw(st.sampled_from(["auto", 0.5, 1.0]))
    return X, y, params


def _copy(value):
    return value.copy(deep=True) if isinstance(value, pd.DataFrame) else np.array(value, copy=True)


def _same(a, b):
    """Equal values, NaN where NaN (any dtype, object and pandas nullable included)."""
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore"):
        return bool(np.all((a == b) | (pd.isna(a) & pd.isna(b))))


def check_sampler_contract(name, X, y, params):
    """Run ``fit_resample`` and assert the contract; returns ``"ok"`` or the error's
    type name (a clear ValueError/TypeError)."""
    X_before, y_before = _copy(X), _copy(y)
    sampler = SAMPLERS[name](random_state=0, **params)
    try:
        X_res, y_res = sampler.fit_resample(X, y)
    except (ValueError, TypeError) as error:
        message = str(error)
        assert any(word in message for word in NAMED), f"unclear error: {message!r}"
        outcome = type(error).__name__
    else:
        X_new = np.asarray(X_res, dtype=float)
        assert len(X_res) == len(y_res)
        assert np.asarray(X_res).shape[1:] == np.asarray(X).shape[1:]
        n_new = len(X_res) - len(X)
        assert n_new == sum(sampler.sampling_strategy_.values())
        assert _same(np.asarray(X_res)[: len(X)], np.asarray(X))  # originals first
        assert np.array_equal(np.asarray(y_res)[: len(y)], np.asarray(y))
        assert np.isfinite(X_new[len(X) :]).all(), "non-finite synthetic samples"
        outcome = "ok"
    assert _same(X, X_before), "the caller's X changed"
    assert _same(y, y_before), "the caller's y changed"
    return outcome
