"""explain() on the lecture's single-instance logistic model: every step
against the "Calculating Derivatives" slide, computed by hand."""
import io

import numpy as np
import pytest

import autodiff as ad
from autodiff.explain import LOCAL_DERIVATIVES, lecture_logistic_loss, local_notation

X = np.array([1.4, -0.6, 2.0, 0.3])
W = np.array([0.2, -0.5, 0.1, 0.7])
B = -0.3


def logistic(y):
    return lecture_logistic_loss(X, W, B, y)


def step(e, op, input):
    [s] = [s for s in e.steps if s.op == op and s.input == input]
    return s


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_walk_follows_the_slide(y):
    L, w, b = logistic(y)
    e = ad.explain(L)
    yhat = 1 / (1 + np.exp(-(W @ X + B)))
    dL_dyhat = -y / yhat + (1 - y) / (1 - yhat)  # ∂L/∂ŷ
    dyhat_dz = yhat * (1 - yhat)  # dŷ/dz

    s = step(e, "sigmoid", "z")
    assert s.upstream == pytest.approx(dL_dyhat) and s.paths == 2  # the two log terms meet at ŷ
    assert s.local == "dŷ/dz = ŷ(1 − ŷ)"
    np.testing.assert_allclose(s.jacobian, [[dyhat_dz]])
    assert s.result == pytest.approx(dL_dyhat * dyhat_dz)
    assert s.result == pytest.approx(yhat - y)

    s = step(e, "add", "b")
    assert s.local == "∂z/∂b = 1" and s.upstream == pytest.approx(yhat - y)
    np.testing.assert_allclose(s.jacobian, [[1.0]])
    assert s.result == pytest.approx(yhat - y)

    s = step(e, "matmul", "w")
    assert s.local.startswith("∂z/∂w_j = x_j")
    np.testing.assert_allclose(s.jacobian, [X])  # ∂z/∂w_j = x_j
    np.testing.assert_allclose(s.result, (yhat - y) * X)

    # ends with the slide's dL/dw_j = (ŷ − y)x_j and dL/db = ŷ − y, equal to backward's
    assert list(e.gradients) == ["w", "b"]
    np.testing.assert_allclose(e.gradients["w"], (yhat - y) * X)
    assert e.gradients["b"] == pytest.approx(yhat - y)
    assert w.grad is None and b.grad is None  # explain touches no .grad
    L.backward()
    np.testing.assert_allclose(e.gradients["w"], w.grad)

    # the walk runs from the loss to the leaves: neg first, matmul last
    assert e.steps[0].op == "neg" and e.steps[0].upstream == 1.0 and e.steps[-1].op == "matmul"
    assert [s.number for s in e.steps] == list(range(1, len(e.steps) + 1))
    logs = [s for s in e.steps if s.op == "log"]
    assert {round(float(s.result), 10) for s in logs} >= {round(-y / yhat, 10)}


def test_text_reads_like_the_slide():
    L, *_ = logistic(1.0)
    e = ad.explain(L)
    text = str(e)
    assert repr(e) == text
    for piece in ("ŷ = sigmoid(z)", "dŷ/dz = ŷ(1 − ŷ)", "∂z/∂b = 1", "∂z/∂w_j = x_j", "d(log x)/dx = 1/x",
                  "(the sum over 2 paths)", "dL/dw = ", "dL/db = ", "z = v1 + b", "v1 = w @ x"):
        assert piece in text, piece
    assert text.rstrip().splitlines()[-1].lstrip().startswith("dL/db = ")
    out = io.StringIO()
    ad.explain(L, file=out)
    assert out.getvalue().strip() == text.strip()


def test_big_arrays_are_abbreviated_and_jacobians_skipped():
    Z = ad.Tensor(np.linspace(-1, 1, 60).reshape(6, 10), requires_grad=True, name="Z")
    e = ad.explain(ad.cross_entropy(Z, np.arange(6)), max_elements=4)
    [s] = e.steps
    assert s.jacobian is None and s.local.startswith("∂xent/∂z_i = S_i − δ_yi")
    assert "…" in str(e) and len(str(e)) < 1500
    P = np.exp(Z.data) / np.exp(Z.data).sum(1, keepdims=True)
    P[np.arange(6), np.arange(6)] -= 1
    np.testing.assert_allclose(e.gradients["Z"], P / 6)


def test_softmax_jacobian_matches_the_lecture():
    a = ad.Tensor([1.0, 2.0, 3.0], requires_grad=True, name="a")
    e = ad.explain(ad.sum(ad.softmax(a) * np.array([1.0, 0.0, 0.0])))
    s = e.steps_of("softmax")[0]
    assert s.local == "D_j S_i = S_i(δ_ij − S_j)"
    np.testing.assert_allclose(s.jacobian, ad.jacobians.softmax_jacobian([1.0, 2.0, 3.0]))


def test_notation_table_and_fallback():
    assert LOCAL_DERIVATIVES["binary_cross_entropy_with_logits"][0].startswith("∂L/∂z = ŷ − y")
    assert LOCAL_DERIVATIVES["mean"].endswith("1/m")
    assert local_notation(type("Op", (), {"name": "mul"})(), 0) == "∂(xy)/∂x = y"

    class Odd:
        """y = odd(x).   Its first docstring line is the fallback."""
        name = "odd"
    assert local_notation(Odd(), 0).startswith("y = odd(x).")


def test_explain_needs_a_graph():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ad.explain(ad.Tensor(1.0))
