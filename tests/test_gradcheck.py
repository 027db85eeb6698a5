"""gradcheck and gradgradcheck pass on correct ops and catch broken ones, with a
message that names the input, the worst entry and both values; a broken op
added to the registry is caught by the registry's check."""
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import testing
from autodiff.gradcheck import GradcheckError, gradcheck, gradgradcheck, numeric_jacobian
from autodiff.ops import Op, apply
from autodiff.ops.base import raw
from autodiff.registry import OPS, OpInfo, register, unregister

ROOT = Path(__file__).resolve().parents[1]
MESSAGE = re.compile(r"input (\d+) \(shape (\([^)]*\))\): .*worst mismatch at output (\([^)]*\)), "
                     r"input (\([^)]*\)): analytic (\S+), numeric (\S+), \|error\| (\S+) > "
                     r"atol \+ rtol·\|numeric\| = (\S+)")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ----- deliberately broken ops --------------------------------------------------------------------------
class WrongSigmoid(Op):
    """σ with dL/dz = g·σ instead of g·σ(1 − σ)."""
    name = "wrong_sigmoid"

    def forward(self, ctx, z):
        return _sigmoid(z)

    def vjp(self, ctx, g, out, z):
        return (g * out,)


class SquaredUpstreamTanh(Op):
    """tanh with dL/dx = g·|g|·(1 − y²): right for g = e_k (every Jacobian row) but not linear in g."""
    name = "squared_upstream_tanh"

    def forward(self, ctx, x):
        return np.tanh(x)

    def vjp(self, ctx, g, out, x):
        return (g * np.abs(g) * (1.0 - out * out),)


class UpstreamIgnoringSum(Op):
    """Σx with dL/dx = 1 whatever g: right for the seed 1 of a scalar output, not linear (affine)."""
    name = "upstream_ignoring_sum"

    def forward(self, ctx, x):
        return np.sum(x)

    def vjp(self, ctx, g, out, x):
        return (np.ones_like(raw(x)),)


class ConstantCosSin(Op):
    """sin whose vjp g·cos(x) takes cos of raw x: right in a plain backward, but under
    create_graph cos(x) is a constant, so every second derivative is lost."""
    name = "constant_cos_sin"

    def forward(self, ctx, x):
        return np.sin(x)

    def vjp(self, ctx, g, out, x):
        return (g * np.cos(raw(x)),)


class SlightlyOffExp(Op):
    """exp with a gradient 1% too large."""
    name = "slightly_off_exp"

    def forward(self, ctx, x):
        return np.exp(x)

    def vjp(self, ctx, g, out, x):
        return (g * out * 1.01,)


def wrong_sigmoid(x):
    return apply(WrongSigmoid(), x)


def _parse(message):
    match = MESSAGE.search(message)
    assert match, f"message does not name the input, the worst entry and both values: {message}"
    index, shape, out_index, in_index, analytic, numeric, error, bound = match.groups()
    return (int(index), eval(shape), eval(out_index), eval(in_index), float(analytic), float(numeric),
            float(error), float(bound))


# ----- correct ops pass ---------------------------------------------------------------------------------
@pytest.mark.parametrize("f, shapes", [
    (lambda x: ad.sigmoid(x) * x, [(3, 4)]),
    (lambda a, b: ad.tanh(a @ b), [(3, 4), (4, 2)]),
    (lambda a, b: ad.sum(a * b + ad.exp(b)), [(2, 3), (3,)]),  # broadcast, scalar output
    (lambda x: ad.log_softmax(x, axis=0), [(4, 3)]),
    (lambda x: ad.sin(x) * ad.cos(x), [(60, 70)]),  # 4200² entries: the projection path
])
def test_gradcheck_passes_on_correct_functions(f, shapes):
    rng = np.random.default_rng(1)
    assert gradcheck(f, *[rng.standard_normal(s) for s in shapes]) is True


def test_gradcheck_copies_its_inputs_to_float64():
    x32 = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    t = ad.Tensor(x32.copy())
    seen = []

    def f(x):
        seen.append(x.dtype)
        return ad.tanh(x)

    assert gradcheck(f, t) and gradcheck(f, x32)
    assert set(seen) == {np.dtype(np.float64)}
    np.testing.assert_array_equal(t.data, x32)


def test_numeric_jacobian_of_a_linear_map_is_its_matrix():
    A = np.arange(12.0).reshape(3, 4) / 7
    J = numeric_jacobian(lambda x: ad.matmul(A, x), [np.ones(4)])
    np.testing.assert_allclose(J, A, atol=1e-8)


# ----- broken ops fail, with a message that says where ---------------------------------------------------
def test_wrong_vjp_fails_with_input_worst_index_and_both_values():
    x = np.random.default_rng(0).standard_normal((3, 4))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(wrong_sigmoid, x)
    message = str(caught.value)
    assert message.startswith("gradcheck: input 0 (shape (3, 4)): ")
    index, shape, out_index, in_index, analytic, numeric, error, bound = _parse(message)
    assert (index, shape) == (0, (3, 4))
    assert out_index == in_index  # an elementwise op: the Jacobian is diagonal
    s = _sigmoid(x[in_index])
    assert analytic == pytest.approx(s, rel=1e-5)  # what the broken vjp says: σ
    assert numeric == pytest.approx(s * (1 - s), rel=1e-5)  # the truth: σ(1 − σ)
    assert error == pytest.approx(abs(analytic - numeric), rel=1e-3)
    assert bound == pytest.approx(1e-5 + 1e-3 * abs(numeric), rel=1e-3)
    assert isinstance(caught.value, AssertionError)


def test_the_second_input_is_named():
    x = np.linspace(-1, 1, 5)
    with pytest.raises(GradcheckError, match=r"input 1 \(shape \(5,\)\)"):
        gradcheck(lambda a, b: a * wrong_sigmoid(b), x, x + 0.5)


def test_tolerance_is_atol_plus_rtol_times_numeric():
    f = lambda x: apply(SlightlyOffExp(), x)  # noqa: E731 - 1% off
    x = np.linspace(-1, 1, 4)
    with pytest.raises(GradcheckError):
        gradcheck(f, x)
    assert gradcheck(f, x, rtol=0.02)


def test_a_vjp_not_linear_in_the_upstream_gradient_is_caught_by_the_linearity_check():
    x = np.linspace(-1.5, 1.5, 6).reshape(2, 3)
    f = lambda x: apply(SquaredUpstreamTanh(), x)  # noqa: E731
    assert gradcheck(f, x, check_linearity=False)  # every Jacobian row is right: e_k·|e_k| = e_k
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(2, 3\)\): backward is not linear in the upstream"):
        gradcheck(f, x)


def test_a_vjp_that_ignores_the_upstream_gradient_is_caught():
    f = lambda x: apply(UpstreamIgnoringSum(), x)  # noqa: E731
    x = np.arange(4.0)
    assert gradcheck(f, x, check_linearity=False)
    with pytest.raises(GradcheckError, match="not linear"):
        gradcheck(f, x)


def test_the_projection_path_catches_a_broken_op_and_names_the_worst_entry():
    x = np.random.default_rng(2).standard_normal((5, 6))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(wrong_sigmoid, x, max_full=100)  # 30·30 > 100: random projections
    message = str(caught.value)
    assert "random projection" in message and "uᵀJv" in message
    index, shape, out_index, in_index, analytic, numeric, *_ = _parse(message)
    assert (index, shape) == (0, (5, 6)) and out_index == in_index
    s = _sigmoid(x[in_index])
    assert analytic == pytest.approx(s, rel=1e-5) and numeric == pytest.approx(s * (1 - s), rel=1e-5)


def test_the_projection_path_on_a_large_input():
    x = np.random.default_rng(3).standard_normal((40, 50))  # 2000² Jacobian entries
    assert gradcheck(ad.sigmoid, x)
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(40, 50\)\): random projection"):
        gradcheck(wrong_sigmoid, x)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="must return a Tensor"):
        gradcheck(lambda x: x.data, np.ones(2))
    with pytest.raises(ValueError, match="nan"):
        gradcheck(ad.sin, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(ad.sin)


# ----- second derivatives -------------------------------------------------------------------------------
@pytest.mark.parametrize("f, shapes", [
    (lambda x: ad.tanh(x) ** 3, [(4,)]),
    (lambda x: ad.softmax(x, axis=-1), [(2, 3)]),
    (lambda a, b: ad.sum(ad.sin(a @ b)), [(3, 4), (4, 2)]),
    (lambda x: ad.binary_cross_entropy_with_logits(x, np.full(x.shape, 0.3)), [(5,)]),
])
def test_gradgradcheck_passes_on_correct_functions(f, shapes):
    rng = np.random.default_rng(4)
    assert gradgradcheck(f, *[rng.standard_normal(s) for s in shapes]) is True


def test_gradgradcheck_catches_a_vjp_that_is_constant_under_create_graph():
    f = lambda x: apply(ConstantCosSin(), x)  # noqa: E731
    x = np.linspace(-1, 1, 5)
    assert gradcheck(f, x)  # first derivatives are right
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(f, x)
    message = str(caught.value)
    assert message.startswith("gradgradcheck (the vjp for input 0")
    index, shape, out_index, in_index, analytic, numeric, *_ = _parse(message)
    assert analytic == 0.0  # cos(raw x) is cut from the graph
    assert numeric != pytest.approx(0.0, abs=1e-3)  # d/dx (u·cos x) = −u·sin x


def test_assert_gradients_close():
    x = np.linspace(0.5, 2.0, 4)
    testing.assert_gradients_close(lambda x: ad.log(x) * ad.sqrt(x), x, second_order=True)
    with pytest.raises(AssertionError, match="worst mismatch"):
        testing.assert_gradients_close(wrong_sigmoid, x, atol=1e-6)


# ----- the registry: one entry, and the factory tests it ---------------------------------------------------
def test_the_registry_check_catches_a_registered_broken_op():
    info = register(OpInfo("test_wrong_sigmoid", wrong_sigmoid, 1, ("real",)))
    try:
        assert OPS["test_wrong_sigmoid"] is info
        x = np.linspace(-2, 2, 6).reshape(2, 3)
        with pytest.raises(GradcheckError, match=r"op 'test_wrong_sigmoid' on \(\(2, 3\) float64\): gradcheck: input 0"):
            testing.check_op("test_wrong_sigmoid", (x,))
    finally:
        unregister("test_wrong_sigmoid")
    assert "test_wrong_sigmoid" not in OPS


def test_the_registry_check_catches_a_broken_float32_path():
    class Float64Tanh(Op):  # computes in float64 whatever the input: float32 is not kept
        name = "float64_tanh"

        def forward(self, ctx, x):
            return np.tanh(x.astype(np.float64))

        def vjp(self, ctx, g, out, x):
            return (g * (1.0 - out * out),)

    info = OpInfo("float64_tanh", lambda x: apply(Float64Tanh(), x), 1, ("real",))
    testing.check_op(info, (np.linspace(-1, 1, 3),))  # float64 is fine
    with pytest.raises(AssertionError, match="float32 inputs gave a float64 output"):
        testing.check_op(info, (np.linspace(-1, 1, 3, dtype=np.float32),))


def test_the_registry_check_catches_an_op_that_writes_into_its_input():
    class InPlaceExp(Op):
        name = "in_place_exp"

        def forward(self, ctx, x):
            return np.exp(x)

        def vjp(self, ctx, g, out, x):
            if isinstance(x, np.ndarray):
                x *= 0.0  # the bug
            return (g * out,)

    info = OpInfo("in_place_exp", lambda x: apply(InPlaceExp(), x), 1, ("real",))
    # the engine holds the input read-only while the graph lives, so the write fails at once
    with pytest.raises((AssertionError, ValueError), match="modified in place|gᵀ·J|read-only"):
        testing.check_op(info, (np.linspace(-1, 1, 3),))


class Softplus(Op):  # the example of autodiff.registry's docstring
    name = "softplus"

    def forward(self, ctx, x):
        return np.logaddexp(0.0, x)

    def vjp(self, ctx, g, out, x):
        return (g * (1.0 - np.exp(-out)),)


@settings(max_examples=10)
@given(data=st.data())
def test_the_documented_custom_op_passes_every_check(data):
    info = OpInfo("softplus_doc_example", lambda x: apply(Softplus(), x), nargs=1, domains=("real",))
    args, kwargs = data.draw(testing.inputs_for(info, dtype=(np.float64, np.float32)))
    testing.check_op(info, args, kwargs)
    if args[0].dtype == np.float64:
        testing.check_op_second_derivatives(info, args, kwargs)


def test_opinfo_validates_its_fields():
    with pytest.raises(ValueError, match="2 arguments but 1 domains"):
        OpInfo("x", ad.add, 2, ("real",))
    with pytest.raises(ValueError, match="unknown domain 'reals'"):
        OpInfo("x", ad.exp, 1, ("reals",))
    with pytest.raises(ValueError, match="unknown shapes 'elementwize'"):
        OpInfo("x", ad.exp, 1, ("real",), "elementwize")
    with pytest.raises(ValueError, match="already registered"):
        register(OpInfo("exp", ad.exp, 1, ("real",)))


def test_registering_an_op_adds_a_failing_case_to_the_registry_test(tmp_path):
    """End to end: a conftest that registers a broken op makes tests/test_ops_registry.py
    collect test_op[conftest_wrong_sigmoid], and that case fails naming the op."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import numpy as np
        from hypothesis import Phase, settings
        from autodiff.ops import Op, apply
        from autodiff.registry import OpInfo, register

        class WrongSigmoid(Op):
            name = "conftest_wrong_sigmoid"
            def forward(self, ctx, z):
                return 1.0 / (1.0 + np.exp(-z))
            def vjp(self, ctx, g, out, z):
                return (g * out,)

        register(OpInfo("conftest_wrong_sigmoid", lambda x: apply(WrongSigmoid(), x), 1, ("real",)))
        settings.register_profile("quick", max_examples=5, deadline=None, phases=[Phase.generate], database=None)
        settings.load_profile("quick")  # a failure is enough: no shrinking
    """))
    (tmp_path / "test_ops_registry.py").write_text((ROOT / "tests" / "test_ops_registry.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "conftest_wrong_sigmoid",
         "-o", "addopts=", str(tmp_path / "test_ops_registry.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "FAILED" in output and "test_op[conftest_wrong_sigmoid]" in output, output
    assert "op 'conftest_wrong_sigmoid'" in output and "worst mismatch" in output, output
