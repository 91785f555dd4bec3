"""Fast fuzzing profile of the samplers' contract (tests/fuzz.py says what it checks).

A few derandomized examples per sampler in CI; ``python -m benchmarks.fuzz`` runs the long
profile and commits its report under ``benchmarks/results/fuzz/``.
"""

import warnings

import pytest
from hypothesis import HealthCheck, given, settings

from .fuzz import SAMPLERS, check_sampler_contract, datasets

FAST = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_any_input_gives_a_valid_result_or_a_clear_error(name):
    @FAST
    @given(datasets())
    def run(data):
        X, y, params = data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_sampler_contract(name, X, y, params)

    run()
