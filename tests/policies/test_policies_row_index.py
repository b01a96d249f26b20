"""The row helpers of the AI players equal the numpy expressions they replace."""

import numpy as np
import pytest

from whitecell.policies.common import first_true, last_true, row_max


@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 16, 17, 24, 33, 53, 65])
@pytest.mark.parametrize("density", [0.0, 0.05, 0.5, 1.0])
def test_first_and_last_true_match_argmax(n, density):
    rng = np.random.default_rng(n)
    mask = rng.random((2000, n)) < density
    for m in (mask, mask[:, ::-1], np.asfortranarray(mask)):
        last = np.where(m.any(axis=1), n - 1 - np.argmax(m[:, ::-1], axis=1), -1)
        first = np.where(m.any(axis=1), np.argmax(m, axis=1), -1)
        assert np.array_equal(last_true(m), last) and last_true(m).dtype == last.dtype
        assert np.array_equal(first_true(m), first) and first_true(m).dtype == first.dtype


def test_row_max_matches_max():
    x = np.random.default_rng(3).integers(-300, 300, (1000, 5)).astype(np.int16)
    got = row_max(x)
    assert np.array_equal(got, x.max(axis=1)) and got.dtype == x.dtype
