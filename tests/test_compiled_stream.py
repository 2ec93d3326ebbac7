"""A kernel's draws through the model's stream are numpy's draws from the model's Generator, leaving it
where numpy would, and a copied model draws from its own Generator."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numba
import numpy as np
import pytest

from sim.compiled import rng_of, stream_of


@numba.njit
def _draws(stream: np.ndarray, n: int) -> tuple:
    rng = rng_of(stream)
    return (rng.random(n), rng.poisson(3.5, n), rng.integers(0, 9, n), rng.binomial(7, 0.3, n),
            rng.permutation(n), rng.random())


@pytest.mark.parametrize("seed", [0, 7, 123456789])
def test_kernel_draws_are_numpys_and_leave_the_generator_where_numpy_would(seed: int) -> None:
    ours, twin = np.random.default_rng(seed), np.random.default_rng(seed)
    ours.random(3)
    twin.random(3)  # a generator already in use
    drawn = _draws(stream_of(SimpleNamespace(rng=ours)), 50)
    expected = (twin.random(50), twin.poisson(3.5, 50), twin.integers(0, 9, 50), twin.binomial(7, 0.3, 50),
                twin.permutation(50), twin.random())
    for a, b in zip(drawn, expected, strict=True):
        np.testing.assert_array_equal(a, b)
    assert ours.bit_generator.state == twin.bit_generator.state
    assert ours.random() == twin.random()  # and numpy goes on from there


def test_a_copied_model_draws_from_its_own_generator() -> None:
    model = SimpleNamespace(rng=np.random.default_rng(4))
    stream = stream_of(model)
    assert stream_of(model) is stream and not stream.flags.writeable
    twin = copy.deepcopy(model)
    twin_stream = stream_of(twin)
    assert not np.array_equal(twin_stream, stream)  # pointers into the copy's own generator
    first = _draws(twin_stream, 5)[0]
    assert model.rng.bit_generator.state != twin.rng.bit_generator.state  # only the copy moved
    np.testing.assert_array_equal(first, model.rng.random(5))  # the original, drawn now, gives the same
    model.rng = np.random.default_rng(9)  # a replaced Generator gets a stream of its own
    assert not np.array_equal(stream_of(model), stream)


def test_only_a_stream_is_taken() -> None:
    with pytest.raises(numba.core.errors.TypingError):
        _draws(np.zeros(6), 3)  # float words are not a stream
