"""Every registered op through one property-test factory (see autodiff.registry).

For each op (test id = its registry name) hypothesis draws arguments in the op's
domains and shapes (broadcasting, matmul batches, axes, index keys, labels) in
float64 and float32, and ``autodiff.testing.check_op`` checks:

- float64: gradcheck against central differences (full Jacobian, linearity in
  the upstream gradient); backward(g) = gᵀ·J with J from central differences of
  the forward; ``local_jacobian(out, i)`` = J;
- float32: output and gradients stay float32 and the float32 backward is within
  |error| ≤ 1e-4 + 1e-3·|gᵀJ| + 1e-4·|g|ᵀ|J| of gᵀ·J computed in float64;
- inputs and the upstream gradient are never written into.

Smooth ops also get ``gradgradcheck`` (second derivatives through create_graph),
with a third of the examples.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import testing
from autodiff.registry import OPS

NAMES = sorted(OPS)
SMOOTH = sorted(name for name, info in OPS.items() if info.smooth)
_EXAMPLES = settings().max_examples  # from the loaded profile (tests/conftest.py)

BUILT_INS = {"add", "sub", "mul", "div", "pow", "pow_scalar", "neg", "matmul", "exp", "log", "sigmoid", "tanh",
             "relu", "sin", "cos", "sqrt", "abs", "sum", "mean", "max", "logsumexp", "reshape", "transpose",
             "swapaxes", "broadcast_to", "getitem", "softmax", "log_softmax", "binary_cross_entropy",
             "binary_cross_entropy_with_logits", "cross_entropy", "cross_entropy_onehot",
             "cross_entropy_probabilities"}


def test_every_built_in_op_is_registered():
    missing = BUILT_INS - set(OPS)
    assert not missing, f"ops missing from autodiff.registry: {sorted(missing)}"


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_op(name, data):
    info = OPS[name]
    args, kwargs = data.draw(testing.inputs_for(info, dtype=info.dtypes), label="args, kwargs")
    testing.check_op(info, args, kwargs)


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=max(3, _EXAMPLES // 3))
@given(data=st.data())
def test_op_second_derivatives(name, data):
    args, kwargs = data.draw(testing.inputs_for(OPS[name]), label="args, kwargs")
    testing.check_op_second_derivatives(OPS[name], args, kwargs, max_full=512)
