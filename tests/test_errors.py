"""Every error a user can trigger names what is wrong (the op, the shapes, the
label, the NaN), with the exception type a user would catch, and never leaks
a bare numpy message without that context.

Messages are matched with regular expressions on their informative parts, so
that a rewording that drops the op name or the shapes fails here.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor


def _msg(text: str) -> str:
    """A literal message fragment as a regular expression."""
    return re.escape(text)


def leaf(shape, value=1.0):
    return Tensor(np.full(shape, value), requires_grad=True)


# ----- shapes in binary ops ------------------------------------------------------------------------------------
def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=_msg("matmul: (2, 3) @ (2, 3)")):
        leaf((2, 3)) @ leaf((2, 3))
    with pytest.raises(ValueError, match=_msg("matmul: (4,) @ (3, 2)")):
        np.ones(4) @ leaf((3, 2))


def test_matmul_with_a_scalar_says_so():
    with pytest.raises(ValueError, match=r"matmul: \(\) @ \(3,\): .*at least one dimension"):
        Tensor(2.0) @ leaf((3,))


@pytest.mark.parametrize("op, symbol", [(lambda a, b: a + b, "add: (3, 1, 2) + (4, 3)"),
                                        (lambda a, b: a - b, "sub: (3, 1, 2) - (4, 3)"),
                                        (lambda a, b: a * b, "mul: (3, 1, 2) * (4, 3)"),
                                        (lambda a, b: a / b, "div: (3, 1, 2) / (4, 3)"),
                                        (lambda a, b: a ** b, "pow: (3, 1, 2) ** (4, 3)")])
def test_broadcast_failure_names_both_shapes(op, symbol):
    with pytest.raises(ValueError, match=_msg(symbol)):
        op(leaf((3, 1, 2)), leaf((4, 3)))
    with pytest.raises(ValueError, match=_msg(symbol)):
        op(leaf((3, 1, 2)), np.ones((4, 3)))  # numpy operand on the right
    with pytest.raises(ValueError, match=_msg(symbol)):
        op(np.ones((3, 1, 2)), leaf((4, 3)))  # numpy operand on the left


def test_non_numeric_operand_is_refused():
    with pytest.raises(TypeError, match="add: operand must be numeric, got str"):
        leaf((2,)) + "x"
    with pytest.raises(TypeError, match="mul: operand must be numeric, got ndarray of dtype complex128"):
        leaf((2,)) * np.array([1j, 2j])


# ----- backward ------------------------------------------------------------------------------------------------------
def test_backward_on_non_scalar_needs_a_gradient():
    with pytest.raises(RuntimeError, match=r"backward: the output has shape \(2, 3\); backward\(\) needs a scalar "
                                           r"output or an explicit gradient"):
        (leaf((2, 3)) * 2.0).backward()


def test_backward_gradient_of_wrong_shape():
    with pytest.raises(ValueError, match=_msg("backward: gradient shape (3,) does not match the tensor's shape (2, 3)")):
        (leaf((2, 3)) * 2.0).backward(np.ones(3))
    with pytest.raises(ValueError, match=_msg("backward: gradient shape (1,) does not match the tensor's shape ()")):
        (leaf(()) * 2.0).backward(np.ones(1))


def test_backward_gradient_not_numeric():
    with pytest.raises(TypeError, match="backward: data must be numeric.*<U1"):
        (leaf((2,)) * 2.0).backward(np.array(["a", "b"]))


def test_backward_without_requires_grad():
    with pytest.raises(RuntimeError, match="backward: this tensor does not require grad"):
        (Tensor([1.0, 2.0]) * 2.0).sum().backward()


# ----- losses ----------------------------------------------------------------------------------------------------------
def test_cross_entropy_label_out_of_range_names_label_and_index():
    z = leaf((3, 4), 0.0)
    with pytest.raises(ValueError, match=_msg("cross_entropy: label 4 at index 1 is not a class in 0..3")):
        ad.cross_entropy(z, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=_msg("cross_entropy: label -1 at index 2 is not a class in 0..3")):
        ad.cross_entropy(z, [0, 1, -1])
    with pytest.raises(ValueError, match=_msg("cross_entropy: label 7 at index 0 is not a class in 0..3")):
        ad.cross_entropy(Tensor(np.zeros(4)), 7)  # a single instance: logits (K,) and one label


@pytest.mark.parametrize("target_shape", [(3, 1), (3, 3), (4,), (1, 3)])
def test_cross_entropy_target_of_wrong_shape(target_shape):
    expected = (f"cross_entropy: target of shape {target_shape} fits neither integer labels of shape (3,) "
                "nor probability rows (one-hot) of shape (3, 4) for logits of shape (3, 4)")
    with pytest.raises(ValueError, match=_msg(expected)):
        ad.cross_entropy(leaf((3, 4)), np.zeros(target_shape))


def test_cross_entropy_float_labels_must_be_whole_numbers():
    with pytest.raises(ValueError, match=r"cross_entropy: .*whole numbers.*0\.5 at index 1"):
        ad.cross_entropy(leaf((3, 4)), np.array([1.0, 0.5, 2.0]))


def test_cross_entropy_logits_of_wrong_rank_and_non_numeric_target():
    with pytest.raises(ValueError, match=_msg("cross_entropy: logits must have shape (m, K) or (K,), got (2, 3, 4)")):
        ad.cross_entropy(leaf((2, 3, 4)), np.array([0, 1]))
    with pytest.raises(TypeError, match="cross_entropy: target must be integer labels or a float table, got dtype <U1"):
        ad.cross_entropy(leaf((2, 3)), np.array(["a", "b"]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_logits_are_named(bad):
    z = np.zeros((3, 4))
    z[2, 1] = bad
    with pytest.raises(ValueError, match=rf"cross_entropy: logits holds {bad} at index \(2, 1\)"):
        ad.cross_entropy(Tensor(z, requires_grad=True), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match=rf"binary_cross_entropy_with_logits: logits holds {bad} at index \(2, 1\)"):
        ad.binary_cross_entropy_with_logits(Tensor(z, requires_grad=True), np.zeros((3, 4)))


def test_minus_inf_logit_of_another_class_is_a_masked_class():
    """−inf off the label is a class of probability 0: the loss stays finite."""
    z = Tensor(np.array([[0.0, -np.inf, 0.0]]), requires_grad=True)
    loss = ad.cross_entropy(z, np.array([0]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), np.log(2.0), rtol=1e-15)
    np.testing.assert_array_equal(z.grad, [[-0.5, 0.0, 0.5]])


def test_binary_cross_entropy_refuses_column_against_vector():
    expected = "input shape (5, 1) and target shape (5,) differ"
    with pytest.raises(ValueError, match="binary_cross_entropy: " + _msg(expected)):
        ad.binary_cross_entropy(leaf((5, 1), 0.5), np.ones(5))
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits: " + _msg(expected)):
        ad.binary_cross_entropy_with_logits(leaf((5, 1), 0.5), np.ones(5))


def test_binary_cross_entropy_probabilities_outside_unit_interval_are_named():
    with pytest.raises(ValueError, match=_msg("binary_cross_entropy: input probabilities must lie in [0, 1]; "
                                              "found 1.5 at index (1,)")):
        ad.binary_cross_entropy(Tensor([0.5, 1.5, 0.2]), np.ones(3))
    with pytest.raises(ValueError, match=_msg("binary_cross_entropy: input probabilities must lie in [0, 1]; "
                                              "found -0.1 at index (2,)")):
        ad.binary_cross_entropy(Tensor([0.5, 0.5, -0.1]), np.ones(3))
    with pytest.raises(ValueError, match=_msg("binary_cross_entropy: targets must lie in [0, 1]; found 2.0 at index (0,)")):
        ad.binary_cross_entropy(Tensor([0.5, 0.5]), np.array([2, 1]))
    with pytest.raises(ValueError, match=_msg("binary_cross_entropy: input probabilities holds nan at index (0,)")):
        ad.binary_cross_entropy(Tensor([np.nan, 0.5]), np.ones(2))


def test_bad_reduction_is_named():
    for fn, args in [(ad.cross_entropy, (leaf((2, 3)), np.array([0, 1]))),
                     (ad.binary_cross_entropy, (leaf((2,), 0.5), np.ones(2))),
                     (ad.binary_cross_entropy_with_logits, (leaf((2,)), np.ones(2)))]:
        with pytest.raises(ValueError, match=rf"{fn.__name__}: reduction must be one of .*got 'avg'"):
            fn(*args, reduction="avg")


# ----- reductions, shapes, indexing ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean", "max", "logsumexp", "softmax", "log_softmax"])
def test_reduction_with_a_bad_axis_names_the_op(name):
    with pytest.raises(ValueError, match=rf"{name}: axis 2 is out of range for a tensor with 2 dimensions"):
        getattr(ad, name)(leaf((2, 3)), axis=2)
    with pytest.raises(ValueError, match=rf"{name}: axis -3 is out of range"):
        getattr(ad, name)(leaf((2, 3)), axis=-3)


def test_repeated_axis_and_empty_reductions():
    with pytest.raises(ValueError, match=_msg("sum: repeated axis in (0, -2)")):
        leaf((2, 3)).sum(axis=(0, -2))
    with pytest.raises(ValueError, match=r"mean: .*\(0,\).*empty"):
        Tensor(np.zeros(0)).mean()
    with pytest.raises(ValueError, match=r"max: .*\(0,\).*empty"):
        Tensor(np.zeros(0)).max()


@pytest.mark.parametrize("shape", [(4, 2), (2, -1, 4), (5,)])
def test_reshape_to_incompatible_shape_names_op_and_shapes(shape):
    with pytest.raises(ValueError) as info:
        leaf((2, 3)).reshape(shape)
    message = str(info.value)
    assert message.startswith("reshape: ") and "(2, 3)" in message and str(shape) in message, message


def test_transpose_with_bad_axes():
    with pytest.raises(ValueError, match=_msg("transpose: axes (0, 0) are not a permutation of the 2 axes of shape (2, 3)")):
        leaf((2, 3)).transpose(0, 0)


def test_broadcast_to_incompatible_shape():
    with pytest.raises(ValueError, match=r"broadcast_to: .*\(3,\).*\(2,2\)"):
        leaf((3,)).broadcast_to((2, 2))


def test_indexing_out_of_bounds_names_getitem():
    with pytest.raises(IndexError, match=_msg("getitem: cannot apply to shapes (2, 3): index 5 is out of bounds for axis 0 with size 2")):
        leaf((2, 3))[5]
    with pytest.raises(IndexError, match=r"getitem: .*\(2, 3\).*index 3 is out of bounds for axis 1"):
        leaf((2, 3))[np.arange(2), np.array([0, 3])]
    with pytest.raises(IndexError, match="getitem: float indices must hold whole numbers"):
        leaf((3,))[np.array([0.5])]
    with pytest.raises(IndexError, match="getitem: .*only integers, slices"):
        leaf((3,))["x"]


def test_item_and_len_errors():
    with pytest.raises(ValueError, match=_msg("item: only a tensor with one element can be converted, got shape (2,)")):
        leaf((2,)).item()


# ----- detect_anomaly --------------------------------------------------------------------------------------------------------
def test_detect_anomaly_names_the_forward_op():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    with np.errstate(all="ignore"), ad.detect_anomaly():
        h = x * 3.0  # finite
        with pytest.raises(FloatingPointError, match=r"detect_anomaly: the forward of Log produced NaN or inf "
                                                     r"from finite inputs of shapes \[\(2,\)\]"):
            ad.log(h)
    # outside the context, the same computation just gives NaN
    with np.errstate(all="ignore"):
        assert np.isnan(ad.log(x * 3.0).data[0])


def test_detect_anomaly_does_not_blame_ops_that_receive_nan():
    x = Tensor([np.nan, 1.0], requires_grad=True)
    with ad.detect_anomaly():
        y = (x.exp() * 2.0).sum()  # NaN in, NaN out: not an anomaly of exp, mul or sum
    assert np.isnan(y.data)


def test_detect_anomaly_names_the_backward_op():
    x = Tensor([0.0, 4.0], requires_grad=True)
    with np.errstate(all="ignore"), ad.detect_anomaly():
        y = (ad.sqrt(x) * 2.0).sum()  # forward finite: sqrt(0) = 0
        assert np.all(np.isfinite(y.data))
        with pytest.raises(FloatingPointError, match="detect_anomaly: the backward of Sqrt produced NaN or inf "
                                                     "from a finite upstream gradient"):
            y.backward()


def test_detect_anomaly_overflow_in_exp():
    with np.errstate(all="ignore"), ad.detect_anomaly():
        with pytest.raises(FloatingPointError, match="forward of Exp"):
            ad.exp(Tensor([1000.0], requires_grad=True))


def test_detect_anomaly_restores_state():
    with ad.detect_anomaly():
        pass
    with np.errstate(all="ignore"):
        out = ad.log(Tensor([-1.0]))
    assert np.isnan(out.data[0])


def test_without_errstate_pytest_sees_numpys_warning():
    """setup.cfg turns RuntimeWarning into an error: a log of a negative number
    surfaces as numpy's own warning, so no NaN slips silently into a test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match="invalid value encountered in log"):
            ad.log(Tensor([-1.0]))


# ----- numpy functions without a derivative -------------------------------------------------------------------------------
@pytest.mark.parametrize("call, name", [(lambda t: np.frexp(t), "frexp"), (lambda t: np.add.reduce(t), "add.reduce"),
                                        (lambda t: np.multiply.outer(t, t), "multiply.outer")])
def test_numpy_ufunc_without_derivative_is_named(call, name):
    with pytest.raises(TypeError, match=rf"numpy's {name} has no derivative in autodiff"):
        call(leaf((3,)))


def test_numpy_ufunc_writing_into_an_array_is_refused():
    with pytest.raises(TypeError, match="numpy's exp cannot write a Tensor's result into an array"):
        np.exp(leaf((3,)), out=np.empty(3))
    a = np.zeros(3)
    with pytest.raises(TypeError, match="a = a \\+ t"):
        a += leaf((3,))
