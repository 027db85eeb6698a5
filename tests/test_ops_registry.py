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

def _op_classes_used(info) -> set:
    """The op classes in the graph of one call of a registry entry."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis' example() outside a test
        args, kwargs = testing.inputs_for(info).example()
    tensors = [ad.Tensor(a, requires_grad=True) if i in info.differentiable else a for i, a in enumerate(args)]
    out = info(*tensors, **kwargs)
    seed = ad.Tensor(np.ones(out.shape), requires_grad=True)  # so that the vjps record their ops
    out.backward(seed, create_graph=True)  # the backward graph: ops used by vjps too
    found, stack = set(), [out] + [t.grad for t in tensors if isinstance(t, ad.Tensor)]
    seen = set()
    while stack:
        t = stack.pop()
        if not isinstance(t, ad.Tensor) or id(t) in seen:
            continue
        seen.add(id(t))
        if t.op is not None:
            found.add(type(t.op))
            stack.extend(t.inputs)
    return found


def test_every_op_class_is_registered():
    """Generated from the classes: each op of autodiff.ops takes part in some registry entry."""
    from autodiff.ops import OP_CLASSES
    built_in = {c for c in OP_CLASSES if c.__module__.startswith("autodiff.ops")}
    used = set().union(*(_op_classes_used(info) for info in OPS.values()))
    missing = {c.__name__ for c in built_in if c.__name__ != "Op" and not c.__name__.startswith("_")} - {
        c.__name__ for c in used}
    assert not missing, f"op classes no registry entry exercises: {sorted(missing)}"


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_op(name, data):
    info = OPS[name]
    args, kwargs = data.draw(testing.inputs_for(info, dtype=info.dtypes), label="args, kwargs")
    testing.check_op(info, args, kwargs)


@pytest.mark.parametrize("name", [n for n in NAMES if OPS[n].examples])
def test_op_fixed_examples(name):
    """The entry's fixed inputs (paths the drawn shapes do not reach), in each dtype."""
    info = OPS[name]
    for dtype in info.dtypes:
        for args, kwargs in testing.fixed_inputs(info, dtype):
            testing.check_op(info, args, kwargs)


@pytest.mark.parametrize("name", SMOOTH)
@settings(max_examples=max(3, _EXAMPLES // 3))
@given(data=st.data())
def test_op_second_derivatives(name, data):
    args, kwargs = data.draw(testing.inputs_for(OPS[name]), label="args, kwargs")
    testing.check_op_second_derivatives(OPS[name], args, kwargs, max_full=512)
