"""Tests for autodiff.entropy: the lecture's examples, information-theory
identities as hypothesis properties, and every ValueError."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff.entropy import (
    average_code_length,
    binary_cross_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
)

SETTINGS = settings(max_examples=50, deadline=None)


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

@st.composite
def distributions(draw, k=None, min_mass=1e-3, allow_zeros=False):
    """A probability vector: positive floats (optionally some zeros), normalised."""
    k = draw(st.integers(1, 8)) if k is None else k
    weight = st.floats(min_mass, 1.0)
    if allow_zeros:
        weight = st.one_of(st.just(0.0), weight)
    w = np.array(draw(st.lists(weight, min_size=k, max_size=k)))
    if w.sum() == 0:
        w[draw(st.integers(0, k - 1))] = 1.0
    return w / w.sum()


@st.composite
def distribution_pairs(draw, allow_zeros_in_p=False):
    k = draw(st.integers(1, 8))
    return draw(distributions(k, allow_zeros=allow_zeros_in_p)), draw(distributions(k))


probabilities = st.floats(0.0, 1.0)
bases = st.sampled_from([2, math.e, 10, 3.7])
any_bases = st.sampled_from([2, math.e, 10, 3.7, 0.5])  # base < 1 flips every sign


# --------------------------------------------------------------------------
# the lecture's examples
# --------------------------------------------------------------------------

def test_eight_equally_likely_messages_need_three_bits():
    assert entropy([1 / 8] * 8, base=2) == 3.0


def test_one_hot_labels_have_zero_entropy():
    for k in range(5):
        h = entropy(np.eye(5)[k])
        assert h == 0.0 and math.copysign(1.0, h) == 1.0      # +0.0, not −0.0
    np.testing.assert_array_equal(entropy(np.eye(5)), np.zeros(5))


def test_cross_entropy_untrained_model():
    p1 = [1, 0, 0, 0, 0]
    assert cross_entropy(p=p1, q=[0.4, 0.3, 0.05, 0.05, 0.2]) == pytest.approx(-math.log(0.4), rel=1e-15)
    assert cross_entropy(p=p1, q=[0.4, 0.3, 0.05, 0.05, 0.2]) == pytest.approx(0.916, abs=5e-4)


def test_cross_entropy_well_trained_model():
    p1 = [1, 0, 0, 0, 0]
    # Q₁ has zeros where P₁ is zero: 0 · log 0 = 0, no warning.
    assert cross_entropy(p=p1, q=[0.98, 0.01, 0, 0, 0.01]) == pytest.approx(-math.log(0.98), rel=1e-15)
    assert cross_entropy(p=p1, q=[0.98, 0.01, 0, 0, 0.01]) == pytest.approx(0.02, abs=5e-4)


def test_perfect_prediction_has_zero_cross_entropy():
    assert cross_entropy(p=[0, 1, 0], q=[0, 1, 0]) == 0.0


@pytest.mark.parametrize(
    "p, lengths, expected",
    [
        ([0.6, 0.38, 0.01, 0.01], [1, 2, 3, 3], 1.42),
        ([0.1, 0.1, 0.4, 0.4], [1, 2, 3, 3], 2.7),
        ([0.1, 0.1, 0.4, 0.4], [3, 3, 1, 2], 1.8),
    ],
)
def test_weather_code_lengths(p, lengths, expected):
    assert average_code_length(p=p, code_lengths=lengths) == pytest.approx(expected, rel=1e-12)
    assert average_code_length(p=p, code_lengths=lengths) >= entropy(p, base=2)


def test_optimal_code_reaches_entropy():
    # Dyadic probabilities: the code with lengths −log₂ P(i) is optimal.
    p = [0.5, 0.25, 0.125, 0.125]
    assert average_code_length(p=p, code_lengths=[1, 2, 3, 3]) == entropy(p, base=2) == 1.75


def test_q_zero_where_p_positive_gives_inf():
    assert cross_entropy(p=[0.5, 0.5], q=[1.0, 0.0]) == math.inf
    assert kl_divergence(p=[0.5, 0.5], q=[1.0, 0.0]) == math.inf
    assert binary_cross_entropy(p=1.0, q=0.0) == math.inf
    assert binary_cross_entropy(p=0.0, q=1.0) == math.inf


def test_binary_cross_entropy_lecture_formula():
    p, q = 0.3, 0.8
    assert binary_cross_entropy(p=p, q=q) == pytest.approx(-p * math.log(q) - (1 - p) * math.log(1 - q))
    assert binary_cross_entropy(p=1.0, q=1.0) == 0.0
    assert binary_cross_entropy(p=0.0, q=0.0) == 0.0
    assert isinstance(binary_cross_entropy(p=p, q=q), float)


def test_binary_cross_entropy_elementwise():
    p = np.array([0.0, 1.0, 0.5])
    q = np.array([0.2, 0.9, 0.5])
    out = binary_cross_entropy(p=p, q=q)
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    np.testing.assert_allclose(out, [-math.log(0.8), -math.log(0.9), math.log(2)], rtol=1e-15)


def test_batched_distributions():
    p = np.array([[1 / 8] * 8, np.eye(8)[3]])
    np.testing.assert_allclose(entropy(p, base=2), [3.0, 0.0])
    q = np.full((2, 8), 1 / 8)
    np.testing.assert_allclose(cross_entropy(p=p, q=q, base=2), [3.0, 3.0])
    np.testing.assert_allclose(kl_divergence(p=p, q=q, base=2), [0.0, 3.0], atol=1e-15)
    assert cross_entropy(p=p[None], q=q[None]).shape == (1, 2)


def test_bases():
    p = [0.25] * 4
    assert entropy(p, base=2) == pytest.approx(2.0)
    assert entropy(p) == pytest.approx(math.log(4))
    assert entropy(p, base=10) == pytest.approx(math.log10(4))
    assert entropy(p, base=4) == pytest.approx(1.0)


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------

@SETTINGS
@given(distribution_pairs(allow_zeros_in_p=True), bases)
def test_gibbs_inequality(pq, base):
    p, q = pq
    assert cross_entropy(p=p, q=q, base=base) >= entropy(p, base) - 1e-12


@SETTINGS
@given(distributions(allow_zeros=True), bases)
def test_cross_entropy_with_itself_is_entropy(p, base):
    assert cross_entropy(p=p, q=p, base=base) == pytest.approx(entropy(p, base), rel=1e-12, abs=1e-15)
    assert kl_divergence(p=p, q=p, base=base) == pytest.approx(0.0, abs=1e-15)


@SETTINGS
@given(distribution_pairs(allow_zeros_in_p=True))
def test_kl_nonnegative_and_pinsker(pq):
    # KL(P‖Q) ≥ ½‖P − Q‖₁² (nats): KL > 0 strictly whenever Q ≠ P.
    p, q = pq
    kl = kl_divergence(p=p, q=q)
    assert kl >= 0.0
    assert kl >= 0.5 * np.abs(p - q).sum() ** 2 - 1e-12


@SETTINGS
@given(distribution_pairs(allow_zeros_in_p=True), any_bases)
def test_cross_entropy_is_entropy_plus_kl(pq, base):
    p, q = pq
    assert cross_entropy(p=p, q=q, base=base) == pytest.approx(
        entropy(p, base) + kl_divergence(p=p, q=q, base=base), rel=1e-9, abs=1e-12)


@SETTINGS
@given(distributions(), any_bases)
def test_entropy_bounds_and_change_of_base(p, base):
    # 0 ≤ H(P) ≤ log K (nats), and H_b(P) = H(P) / ln b.
    h = entropy(p)
    assert 0.0 <= h <= math.log(len(p)) + 1e-12
    assert entropy(p, base) == pytest.approx(h / math.log(base), rel=1e-12, abs=1e-15)


@SETTINGS
@given(probabilities, probabilities, any_bases)
def test_binary_cross_entropy_is_two_class_cross_entropy(p, q, base):
    assert binary_cross_entropy(p=p, q=q, base=base) == pytest.approx(
        cross_entropy(p=[p, 1 - p], q=[q, 1 - q], base=base), rel=1e-9, abs=1e-12)


@SETTINGS
@given(distributions(), st.integers(1, 4))
def test_batched_equals_rowwise(p, rows):
    batch = np.stack([np.roll(p, r) for r in range(rows)])
    q = np.full_like(batch, 1 / p.size)
    np.testing.assert_allclose(entropy(batch), [entropy(row) for row in batch])
    np.testing.assert_allclose(cross_entropy(p=batch, q=q), [cross_entropy(p=a, q=b) for a, b in zip(batch, q)])


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("func", [entropy, lambda p: cross_entropy(p=p, q=p), lambda p: kl_divergence(p=p, q=p)])
def test_distribution_errors(func):
    with pytest.raises(ValueError, match=r"not a probability distribution: it has negative entries"):
        func([1.2, -0.2])
    with pytest.raises(ValueError, match=r"not a probability distribution: it contains NaN"):
        func([0.5, np.nan])
    with pytest.raises(ValueError, match=r"it sums to 0\.9 along the last axis, expected 1 \(atol 1e-06\)"):
        func([0.5, 0.4])
    with pytest.raises(ValueError, match=r"it sums to inf"):
        func([0.5, np.inf])
    with pytest.raises(ValueError, match=r"non-empty vector"):
        func(0.5)
    with pytest.raises(ValueError, match=r"non-empty vector"):
        func([])


def test_error_names_the_function_and_argument():
    with pytest.raises(ValueError, match=r"^entropy: P is not"):
        entropy([0.5, 0.4])
    with pytest.raises(ValueError, match=r"^cross_entropy: Q is not"):
        cross_entropy(p=[0.5, 0.5], q=[0.5, 0.4])
    with pytest.raises(ValueError, match=r"^kl_divergence: P is not"):
        kl_divergence(p=[0.5, 0.6], q=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"^average_code_length: P is not"):
        average_code_length(p=[0.5, 0.6], code_lengths=[1, 1])


def test_sum_tolerance_and_batched_sum_error():
    assert entropy([0.5, 0.5 + 5e-7]) == pytest.approx(math.log(2), abs=1e-6)
    with pytest.raises(ValueError, match=r"has row sums \[1\.1\]"):
        entropy([[0.5, 0.5], [0.6, 0.5]])


def test_shape_mismatch_errors():
    with pytest.raises(ValueError, match=r"cross_entropy: P and Q must have the same shape, got P \(2,\) and Q \(3,\)"):
        cross_entropy(p=[0.5, 0.5], q=[1 / 3] * 3)
    with pytest.raises(ValueError, match=r"kl_divergence: .*got P \(2,\) and Q \(1, 2\)"):
        kl_divergence(p=[0.5, 0.5], q=[[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"binary_cross_entropy: .*got P \(2,\) and Q \(3,\)"):
        binary_cross_entropy(p=[0.5, 0.5], q=[0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match=r"average_code_length: P and code_lengths .*got P \(2,\) and code_lengths \(3,\)"):
        average_code_length(p=[0.5, 0.5], code_lengths=[1, 2, 3])


def test_binary_cross_entropy_range_errors():
    with pytest.raises(ValueError, match=r"binary_cross_entropy: P must hold probabilities in \[0, 1\]"):
        binary_cross_entropy(p=1.5, q=0.5)
    with pytest.raises(ValueError, match=r"binary_cross_entropy: Q must hold probabilities in \[0, 1\]"):
        binary_cross_entropy(p=0.5, q=-0.1)
    with pytest.raises(ValueError, match=r"Q must hold probabilities"):
        binary_cross_entropy(p=0.5, q=np.nan)


def test_code_length_errors():
    with pytest.raises(ValueError, match=r"code_lengths must be non-negative"):
        average_code_length(p=[0.5, 0.5], code_lengths=[1, -1])


@pytest.mark.parametrize("base", [1, 0, -2, np.inf, np.nan, "two"])
def test_base_errors(base):
    for call in (lambda: entropy([0.5, 0.5], base),
                 lambda: cross_entropy(p=[0.5, 0.5], q=[0.5, 0.5], base=base),
                 lambda: kl_divergence(p=[0.5, 0.5], q=[0.5, 0.5], base=base),
                 lambda: binary_cross_entropy(p=0.5, q=0.5, base=base)):
        with pytest.raises(ValueError, match=r"base must be a positive number != 1"):
            call()


def test_no_runtime_warnings_on_zeros(recwarn):
    entropy([1.0, 0.0])
    cross_entropy(p=[1.0, 0.0], q=[0.0, 1.0])
    kl_divergence(p=[0.0, 1.0], q=[1.0, 0.0])
    binary_cross_entropy(p=np.array([0.0, 1.0]), q=np.array([1.0, 0.0]))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --------------------------------------------------------------------------
# arguments by name: no positional call can silently swap P and Q
# --------------------------------------------------------------------------

@pytest.mark.parametrize("func, args, names", [
    (cross_entropy, ([1.0, 0.0], [0.9, 0.1]), "cross_entropy(p=P, q=Q)"),
    (kl_divergence, ([1.0, 0.0], [0.9, 0.1]), "kl_divergence(p=P, q=Q)"),
    (binary_cross_entropy, (1.0, 0.9), "binary_cross_entropy(p=1.0, q=0.9)"),
    (average_code_length, ([0.5, 0.5], [1, 1]), "average_code_length(p=P, code_lengths="),
])
def test_positional_arguments_are_refused_with_the_call_by_name(func, args, names):
    with pytest.raises(TypeError, match=r"takes its arguments by name, e\.g\. " + re.escape(names)):
        func(*args)
    with pytest.raises(TypeError, match=r"not 1 positional argument\(s\)"):
        func(args[0], **({"code_lengths": args[1]} if func is average_code_length else {"q": args[1]}))


def test_the_autodiff_loss_of_the_same_name_takes_the_estimate_first():
    """The two binary cross-entropies agree once the names say which is which:
    ad.binary_cross_entropy(input=estimate, target=truth) == BCE(p=truth, q=estimate)."""
    import autodiff as ad
    truth, estimate = np.array([1.0, 0.0, 0.3]), np.array([0.9, 0.2, 0.6])
    loss = ad.binary_cross_entropy(ad.Tensor(estimate), truth, reduction="none").data
    np.testing.assert_allclose(binary_cross_entropy(p=truth, q=estimate), loss, rtol=1e-14)
    assert not np.allclose(binary_cross_entropy(p=estimate, q=truth), loss)  # swapping changes the number


def test_signatures_show_the_names():
    import inspect
    assert list(inspect.signature(binary_cross_entropy).parameters) == ["p", "q", "base"]
    assert all(p.kind is p.KEYWORD_ONLY for p in inspect.signature(cross_entropy).parameters.values())
