"""autodiff.testing's strategies produce what they promise."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff import testing
from autodiff.registry import DOMAINS, OPS

ROOT = Path(__file__).resolve().parents[1]


@given(testing.arrays())
def test_arrays_are_finite_bounded_float64_with_small_shapes(x):
    assert x.dtype == np.float64 and x.ndim <= 3 and all(1 <= n <= 4 for n in x.shape)
    assert np.all(np.isfinite(x)) and np.all(np.abs(x) <= 10)


@given(testing.arrays((2, 5), np.float32, bound=0.5))
def test_arrays_with_shape_dtype_and_bound(x):
    assert x.shape == (2, 5) and x.dtype == np.float32
    assert np.all(np.isfinite(x)) and np.all(np.abs(x) <= 0.5)


@given(testing.arrays(3, elements=st.floats(1, 2)))
def test_arrays_with_elements(x):
    assert x.shape == (3,) and np.all((x >= 1) & (x <= 2))


@given(testing.broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    result = np.broadcast_shapes(*shapes)
    for shape in shapes:
        assert np.broadcast_to(np.zeros(shape), result).shape == result


@given(st.integers(0, 4).flatmap(lambda ndim: st.tuples(st.just(ndim), testing.valid_axes(ndim))))
def test_valid_axes_are_accepted_by_numpy(drawn):
    ndim, axis = drawn
    x = np.zeros((2,) * ndim)
    np.sum(x, axis=axis)  # raises AxisError on an invalid axis
    if isinstance(axis, tuple):
        assert len({a % ndim for a in axis}) == len(axis)


def test_valid_axes_of_a_scalar_without_none_or_tuples_is_an_error():
    with pytest.raises(ValueError, match="no integer axis"):
        testing.valid_axes(0, allow_none=False, allow_tuple=False)


@given(st.data())
def test_probability_vectors_are_positive_and_normalised(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    p = data.draw(testing.probability_vectors(shape, axis=axis))
    assert p.shape == shape and np.all(p > 0)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-12)


@given(testing.probability_vectors(5))
def test_probability_vectors_of_a_size(p):
    assert p.shape == (5,) and np.all(p > 0) and p.sum() == pytest.approx(1.0)


@given(testing.logits((3, 4), bound=5.0))
def test_logits(z):
    assert z.shape == (3, 4) and np.all(np.isfinite(z)) and np.all(np.abs(z) <= 5)


@given(st.integers(1, 6).flatmap(lambda m: st.tuples(st.just(m), st.integers(1, 5)))
       .flatmap(lambda mk: st.tuples(st.just(mk), testing.class_labels(*mk))))
def test_class_labels_are_in_range(drawn):
    (m, k), y = drawn
    assert y.shape == (m,) and y.dtype.kind == "i"
    assert np.all((0 <= y) & (y < k))


@given(testing.one_hot_targets(4, 3))
def test_one_hot_targets_are_one_hot(Y):
    assert Y.shape == (4, 3) and set(np.unique(Y)) <= {0.0, 1.0}
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)


def test_one_hot():
    Y = testing.one_hot(np.array([2, 0, 2]), 3)
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="label 3 is not a class in 0..2"):
        testing.one_hot(np.array([0, 3]), 3)


# ----- inputs_for: every registry entry, in its domains ---------------------------------------------------
def _check_domain(domain, a, info):
    if domain == "labels":
        assert a.dtype.kind == "i", info.name
        return
    assert np.all(np.isfinite(a)), info.name
    checks = {
        "real": np.abs(a) <= 10, "exponent": np.abs(a) <= 3, "positive": (a >= 0.09) & (a <= 10),
        "nonzero": np.abs(a) >= 0.09, "unit_open": (a > 0) & (a < 1), "unit_interval": (a >= 0) & (a <= 1),
        "away_from_kinks": np.abs(a) >= 9e-4, "probabilities": a > 0, "onehot": (a == 0) | (a == 1),
        "distinct": np.abs(a) <= 10.5, "ties": np.abs(a) <= 10.5, "wide": np.abs(a) <= 1000,
        "zeros_or_away": (a == 0) | ((np.abs(a) >= 9e-4) & (np.abs(a) <= 10)),
        "half_period": np.abs(a) <= 1.4, "inside_unit": np.abs(a) <= 0.95, "above_one": (a >= 1.05) & (a <= 10),
        "away_from_steps": _distance_to_grid(a, 0.5) >= 0.0499, "integers": (a == np.round(a)) & (np.abs(a) <= 6),
        "half_integers": (a - 0.5 == np.round(a - 0.5)) & (np.abs(a) <= 5.5),
        "divisors": np.isin(np.abs(np.round(a, 1)), [0.5, 1.0, 2.0, 4.0]) & (_distance_to_grid(a, 0.5) <= 0.0041),
        "superincreasing": np.abs(a) >= 1e-3, "superincreasing_or_zero": (a == 0) | (np.abs(a) >= 1e-3),
    }
    if domain == "well_conditioned":  # square, strictly diagonally dominant: far from singular
        assert a.ndim >= 2 and a.shape[-1] == a.shape[-2], (info.name, a.shape)
        diagonal = np.abs(np.diagonal(a, axis1=-2, axis2=-1))
        checks[domain] = diagonal >= np.abs(a).sum(axis=-1) - diagonal + 0.99
    assert np.all(checks[domain]), f"{info.name}: {domain} violated by {a}"
    if domain in ("distinct", "ties") and a.size > 1:
        values, counts = np.unique(a, return_counts=True)
        assert counts.max() <= (1 if domain == "distinct" else 2), f"{info.name}: {domain} violated by {a}"
        if values.size > 1:
            assert np.min(np.diff(values)) >= 0.0099
    if domain.startswith("superincreasing"):  # each nonzero magnitude exceeds the sum of all smaller ones
        m = np.sort(np.abs(a[a != 0]))
        assert np.all(m[1:] > np.cumsum(m)[:-1]) and np.all(m <= 10.0 + 1e-5), f"{info.name}: {a}"
    if domain in ("probabilities", "onehot"):
        np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-5)


def _distance_to_grid(a, step):
    """How far each element is from the nearest multiple of step."""
    return np.abs(a - step * np.round(a / step))


def test_every_domain_is_tested_here():
    assert set(DOMAINS) == {"real", "exponent", "positive", "nonzero", "unit_open", "unit_interval",
                            "away_from_kinks", "distinct", "labels", "onehot", "probabilities",
                            "zeros_or_away", "ties", "wide",
                            "half_period", "inside_unit", "above_one", "away_from_steps", "integers", "half_integers",
                            "divisors", "superincreasing", "superincreasing_or_zero", "well_conditioned"}


@pytest.mark.parametrize("domain, shape, wanted", [
    ("ties", (6,), lambda a: np.unique(a).size < a.size),      # some value twice
    ("zeros_or_away", (4,), lambda a: np.any(a == 0) and np.any(a != 0)),
    ("wide", (4,), lambda a: np.any(np.abs(a) > 710)),           # where e^x overflows float64
])
def test_the_edge_domains_reach_their_edges(domain, shape, wanted):
    from hypothesis import find
    found = find(testing.domain_arrays(domain, shape), wanted, settings=settings(database=None))
    assert found.shape == shape and wanted(found)


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=10)
@given(data=st.data())
def test_inputs_for_draws_each_op_in_its_domains_and_dtype(name, data):
    info = OPS[name]
    dtype = data.draw(st.sampled_from([np.float64, np.float32]))
    args, kwargs = data.draw(testing.inputs_for(info, dtype=dtype))
    assert len(args) == info.nargs
    for domain, a in zip(info.domains, args):
        assert isinstance(a, np.ndarray)
        if domain != "labels":
            assert a.dtype == dtype, (name, domain, a.dtype)
        _check_domain(domain, a, info)
    if info.shapes == "logits_labels":
        assert np.all(args[1] < args[0].shape[-1])
    for key, values in info.kwarg_choices.items():
        assert kwargs[key] in values
    out = info(*args, **kwargs)  # the op accepts what was drawn
    assert out.dtype == info.kwargs.get("dtype", dtype)  # astype converts to its dtype


def test_testing_imports_without_hypothesis_and_says_how_to_install_it():
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "import autodiff\n"
            "try:\n    autodiff.testing.arrays()\n"
            "except ImportError as e:\n    print(e)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "pip install autodiff[test]" in result.stdout
