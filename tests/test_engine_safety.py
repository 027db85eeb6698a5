"""The engine one step outside the lecture: numpy's protocol, in-place writes,
stateless ops, modes per thread, the edges, and the layering of the core.
Each case gives the right answer or an error that names what is wrong."""
import ast
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor
from autodiff.ops import Op, apply

PACKAGE = Path(ad.__file__).parent


# ----- numpy's protocol --------------------------------------------------------------------------------
def test_a_numpy_function_without_a_derivative_is_a_type_error_naming_it():
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="numpy.fft has no differentiable version"):
        np.fft.fft(t)


def test_numpy_functions_with_an_op_keep_the_graph():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = np.sum(np.exp(np.transpose(np.reshape(t, (4,)).reshape(2, 2))), axis=0)
    assert isinstance(out, Tensor)
    np.mean(out).backward()
    np.testing.assert_allclose(t.grad, np.exp(t.data) / 2, rtol=1e-15)


def test_an_array_of_a_tensor_that_requires_grad_is_refused_and_copies_are_copies():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for convert in (np.asarray, np.array, lambda x: np.array(x, copy=True)):
        with pytest.raises(TypeError, match="requires grad"):
            convert(t)
    plain = Tensor([1.0, 2.0])
    snapshot = np.array(plain)  # numpy asks for a copy: the snapshot must not move
    with ad.no_grad():
        plain += 1.0
    np.testing.assert_array_equal(snapshot, [1.0, 2.0])
    assert np.array(plain, copy=True) is not plain.data


def test_shape_functions_and_comparisons_give_plain_values():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert np.shape(t) == (2, 3) and np.ndim(t) == 2 and np.size(t) == 6
    np.testing.assert_array_equal(np.argmax(t, axis=1), [2, 2])
    assert isinstance(t > 2, np.ndarray) and isinstance(np.greater(t, 2), np.ndarray)


# ----- in place ----------------------------------------------------------------------------------------
def test_the_pytorch_update_idiom_changes_every_parameter_in_place():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)), rng.integers(0, 2, 64)
    W = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    arrays = (W.data, b.data)
    losses = []
    for _ in range(30):
        loss = ad.cross_entropy(X @ W + b, y)
        losses.append(loss.item())
        loss.backward()
        with ad.no_grad():
            for p in (W, b):
                p -= 0.5 * p.grad
                p.grad = None
    assert (W.data, b.data) == arrays or (W.data is arrays[0] and b.data is arrays[1])
    assert losses[-1] < 0.9 * losses[0]


def test_in_place_on_a_leaf_that_requires_grad_outside_no_grad_is_an_error():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="inside `with autodiff.no_grad"):
        w -= 1.0
    h = w * 2.0
    with pytest.raises(RuntimeError, match="computed by mul.*t = t \\+ x"):
        h += 1.0


def test_writing_through_data_between_forward_and_backward_fails_instead_of_a_wrong_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(ValueError, match="read-only"):
        x.data[...] = 10.0 * x.data
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    x.data[...] = 0.0  # the graph is gone: the array is the user's again
    np.testing.assert_array_equal(x.data, 0.0)


def test_a_reused_numpy_batch_buffer_cannot_be_refilled_under_a_live_graph():
    buffer = np.ones((64, 64))  # 32 KB: held read-only
    w = Tensor(np.ones(64), requires_grad=True)
    loss = (buffer @ w).sum()
    with pytest.raises(ValueError, match="read-only"):
        buffer[...] = 0.0
    loss.backward()
    np.testing.assert_array_equal(w.grad, np.full(64, 64.0))
    buffer[...] = 0.0  # released by backward


def test_a_batch_view_holds_the_array_that_owns_its_memory():
    X = np.ones((1000, 32))  # a dataset; the graph gets the view X[:100] (25 KB: held, not copied)
    w = Tensor(np.ones(32), requires_grad=True)
    loss = (X[:100] @ w).sum()
    with pytest.raises(ValueError, match="read-only"):
        X[...] = 0.0  # would change the batch under the graph
    other = (X[100:200] @ w).sum()  # a second graph on the same dataset
    loss.backward()
    with pytest.raises(ValueError, match="read-only"):
        X[...] = 0.0  # still held by the second graph
    np.testing.assert_array_equal(w.grad, np.full(32, 100.0))
    other.backward()
    X[...] = 0.0  # released by both


def test_a_leaf_whose_data_is_a_view_is_guarded_with_its_owner():
    flat = np.ones(6)
    w = Tensor(flat[:3], requires_grad=True, name="w")
    loss = (w * w).sum()
    with pytest.raises(ValueError, match="read-only"):
        flat[...] = 5.0
    with ad.no_grad():
        w -= 1.0  # allowed in place, numbered: the graph read the old values
    with pytest.raises(RuntimeError, match="input 0 of mul \\('w'\\) was changed in place"):
        loss.backward()
    del loss
    flat[...] = 5.0  # the graph is gone
    np.testing.assert_array_equal(w.data, 5.0)


def test_a_small_numpy_constant_is_copied_so_a_refill_cannot_reach_the_graph():
    buffer = np.array([[1.0, 2.0], [3.0, 4.0]])  # up to engine.COPY_BYTES: the graph keeps a copy
    w = Tensor([1.0, -1.0], requires_grad=True)
    loss = (buffer @ w).sum()
    buffer[...] = 0.0  # the user's array stays the user's
    loss.backward()
    np.testing.assert_array_equal(w.grad, [4.0, 6.0])  # from the values the forward used


def test_an_in_place_update_between_forward_and_backward_is_named_at_backward():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    y = (x * x).sum()
    with ad.no_grad():
        x *= 10.0  # allowed, as in PyTorch: the graph that used the old values refuses backward
    with pytest.raises(RuntimeError, match="input 0 of mul \\('x'\\) was changed in place"):
        y.backward()


def test_a_graph_kept_alive_does_not_block_updates_only_its_own_backward():
    w = Tensor([1.0, 2.0], requires_grad=True)
    kept = (w * w * 3.0).sum()  # e.g. an evaluation built with gradients on: its vjp reads w
    linear = (w * 3.0).sum()  # its gradient, 3, does not read w's values
    loss = (w * w).sum()
    loss.backward()
    with ad.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    with pytest.raises(RuntimeError, match="changed in place"):
        kept.backward()
    w.grad = None
    linear.backward()  # exact: the write changed nothing this graph computes its gradient from
    np.testing.assert_array_equal(w.grad, [3.0, 3.0])


def test_only_the_inputs_a_vjp_reads_are_held():
    x = np.ones(2048)  # 16 KB: held, not copied
    w = Tensor(np.ones(2048), requires_grad=True)
    total = (w + x).sum()  # the gradient of + reads no values
    x[...] = 5.0
    product = w * x  # the gradient of w reads x
    with pytest.raises(ValueError, match="read-only"):
        x[...] = 0.0
    total.backward()
    np.testing.assert_array_equal(w.grad, 1.0)
    product.sum().backward()
    np.testing.assert_array_equal(w.grad, 6.0)
    x[...] = 0.0  # released by backward


def test_the_output_of_a_recorded_op_is_read_only_and_a_detached_write_is_caught():
    z = Tensor([0.5, -1.0], requires_grad=True)
    s = ad.sigmoid(z)
    with pytest.raises(ValueError, match="read-only"):
        s.data[0] = 0.0
    d = s.detach()
    with ad.no_grad():
        d += 1.0  # shares the array that sigmoid's vjp reads
    with pytest.raises(RuntimeError, match="output of sigmoid was changed in place"):
        s.sum().backward()


# Each case builds a graph and names an array in it that a vjp reads, and the
# op the error names. One case for each way the engine checks (the one-input
# path; a tensor and a held constant, or a tensor that needs no gradient, either
# way round; two tensors; three inputs; the op's own output).
def _tensors(*names):
    rng = np.random.default_rng(1)
    return [Tensor(rng.uniform(1.0, 2.0, 40), requires_grad=True, name=name) for name in names]


def _big():
    return np.random.default_rng(2).uniform(1.0, 2.0, (40, 40))  # 12.8 KB: held, not copied


def _one_input():
    h = _tensors("x")[0] * 2.0
    return h.log().sum(), h.data, "input 0 of log"


def _tensor_and_constant():
    x, big = _tensors("x")[0], _big()
    return (x[None, :] * big).sum(), big, "input 1 of mul \\(a numpy array of shape \\(40, 40\\)\\)"


def _constant_and_tensor():
    x, big = _tensors("x")[0], _big()
    return (big @ x).sum(), big, "input 0 of matmul \\(a numpy array"


def _tensor_and_detached_output(swap=False):
    x, y = _tensors("x", "y")
    c = x.sigmoid().detach()  # its array is read-only for good already: held by no one
    return ((c * y) if swap else (y * c)).sum(), c.data, f"input {0 if swap else 1} of mul"


def _detached_output_and_tensor():
    return _tensor_and_detached_output(swap=True)


def _two_tensors():
    x, y = _tensors("x", "y")
    return (x * y).sum(), x.data, "input 0 of mul \\('x'\\)"


def _three_tensors():
    x, y, z = _tensors("x", "y", "z")
    return ad.einsum("i,i,i->", x, y, z), z.data, "input 2 of einsum \\('z'\\)"


def _own_output():
    p = _tensors("x")[0].sigmoid()
    return p.sum(), p.data, "the output of sigmoid"


@pytest.mark.parametrize("case", [_one_input, _tensor_and_constant, _constant_and_tensor, _tensor_and_detached_output,
                                  _detached_output_and_tensor, _two_tensors, _three_tensors, _own_output],
                         ids=lambda case: case.__name__[1:])
def test_an_array_a_vjp_reads_made_writable_again_is_named_at_backward(case):
    """numpy lets anyone undo read-only (a.setflags(write=True)): then the values
    may have changed unseen, and backward refuses rather than guess."""
    loss, array, message = case()
    assert not array.flags.writeable
    array.setflags(write=True)
    array[...] = 1.5  # changed behind the graph's back
    with pytest.raises(ad.engine.ModifiedInPlaceError, match=message + ".*made writable again"):
        loss.backward()


def test_reopening_an_array_and_writing_the_same_values_still_raises_with_advice():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    loss = (x * x).sum()
    x.data.setflags(write=True)  # the usual answer to numpy's "assignment destination is read-only"
    with pytest.raises(RuntimeError, match="input 0 of mul \\('x'\\).*under ad.no_grad\\(\\)"):
        loss.backward()


def test_an_output_shared_with_a_detached_leaf_stays_read_only_while_a_vjp_reads_it():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0  # its vjp reads nothing: y's array is writable until something reads it
    leaf = y.detach().requires_grad_()  # the same array
    first = (leaf * leaf).sum()  # holds it read-only, for this graph
    second = y.log().sum()  # reads it too: read-only for good
    first.backward()  # the hold ends
    assert not y.data.flags.writeable
    second.backward()
    np.testing.assert_allclose(x.grad, [1.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(leaf.grad, [4.0, 8.0], rtol=1e-15)


def test_a_second_backward_raises_unless_the_graph_was_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


# ----- stateless ops --------------------------------------------------------------------------------------
class Cube(Op):
    """y = x³.   f'(x) = 3x²."""

    name = "cube"

    def forward(self, ctx, x):
        ctx.saved = 3.0 * x * x  # per-call state: on the node, not on the op
        return x ** 3

    def vjp(self, ctx, g, out, x):
        return (g * 3.0 * x * x,)

    def plain_vjp(self, ctx, g, out, x):
        return (g * ctx.saved,)


def test_one_op_instance_serves_many_calls_and_graphs():
    cube = Cube()
    a = Tensor(1.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    ya = apply(cube, a)
    yb = apply(cube, b)  # would overwrite per-call state held on the op
    ya.backward()
    yb.backward()
    assert a.grad == 3.0 and b.grad == 12.0
    assert not vars(cube)  # nothing stored on the instance


def test_built_in_ops_are_shared_instances_with_no_state():
    assert ad.exp is ad.ops.exp and ad.sum is ad.ops.sum
    for op in ad.ops.instances():
        assert not vars(op), f"{op.name} holds state: {vars(op)}"


def test_local_jacobian_reads_the_node_and_changes_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = ad.softmax(x)
    before = (y.needs, y.saved, y.args)
    J = ad.local_jacobian(y, 0)
    s = y.data
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), rtol=1e-14)
    assert (y.needs, y.saved, y.args) == before


def test_every_declared_tensor_method_applies_its_op():
    """The method names are read off the op classes: a class that names a method
    the Tensor lacks is caught here."""
    for op in ad.ops.instances():
        if op.method:
            assert hasattr(Tensor, op.method), f"Tensor has no method {op.method!r} for op {op.name}"


# ----- modes per thread -------------------------------------------------------------------------------------
def test_no_grad_in_one_thread_leaves_recording_on_in_another():
    inside, go_on = threading.Event(), threading.Event()

    def evaluate():
        with ad.no_grad():
            inside.set()
            go_on.wait(5)

    worker = threading.Thread(target=evaluate)
    worker.start()
    inside.wait(5)
    try:
        assert ad.is_grad_enabled()
        x = Tensor(2.0, requires_grad=True)
        (x * x).backward()
        assert x.grad == 4.0
    finally:
        go_on.set()
        worker.join()


def test_backward_in_several_threads_into_one_shared_leaf_adds_every_gradient():
    """Each pass reads w.grad, adds its gradient and writes the sum back; a
    thread switch between the read and the write must not lose a sum."""
    w = Tensor(np.ones(3), requires_grad=True)
    kept = Tensor(np.ones(3), requires_grad=True)
    h = kept * 3.0  # one node shared by every pass, keeping its .grad
    h.retain_grad()
    passes, errors = 1000, []

    def run():
        try:
            for _ in range(passes):
                (w * 2.0 + h).sum().backward(retain_graph=True)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors
    np.testing.assert_array_equal(w.grad, np.full(3, 4 * passes * 2.0))
    np.testing.assert_array_equal(h.grad, np.full(3, 4 * passes * 1.0))
    np.testing.assert_array_equal(kept.grad, np.full(3, 4 * passes * 3.0))


def test_two_models_trained_in_two_threads_match_single_thread_runs():
    from models import LogisticRegression, SoftmaxRegression
    from models.datasets import load_iris
    iris = load_iris()
    X, y = iris["data"], iris["target"]
    jobs = {"logistic": (LogisticRegression, (y == 2).astype(int)), "softmax": (SoftmaxRegression, y)}

    def fit(kind):
        cls, target = jobs[kind]
        return cls(max_iter=300, tol=None).fit(X, target).coef_

    alone = {kind: fit(kind) for kind in jobs}
    together, errors = {}, []

    def run(kind):
        try:
            for _ in range(3):
                together[kind] = fit(kind)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(kind,)) for kind in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for kind in jobs:
        np.testing.assert_array_equal(together[kind], alone[kind])


# ----- edges -------------------------------------------------------------------------------------------------
def test_pow_edges_give_pytorchs_zeros():
    x = Tensor(0.0, requires_grad=True)
    (x ** 0.0).backward()
    assert x.grad == 0.0
    y = Tensor(2.0, requires_grad=True)
    (Tensor(0.0) ** y).backward()
    assert y.grad == 0.0


def test_a_nested_tuple_index_accumulates_repeats():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[((0, 0),)].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])


@pytest.mark.parametrize("fn", [ad.sum, ad.max, ad.logsumexp, ad.mean])
def test_reducing_a_0d_tensor_over_axis_0_reduces_nothing(fn):
    x = Tensor(3.0, requires_grad=True)
    fn(x, axis=0).backward()
    assert x.grad == 1.0


def test_swapaxes_out_of_range_names_the_op():
    with pytest.raises(ValueError, match="swapaxes: axis 5 is out of range for a tensor with 2 dimensions"):
        Tensor(np.zeros((2, 3))).swapaxes(0, 5)


# ----- the layered core -----------------------------------------------------------------------------------------
LAYERS = {"engine": 0, "ops": 1, "tensor": 2}


def _autodiff_imports(path: Path) -> set:
    """The autodiff modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = base + (node.module.split(".") if node.module else [])
            if module and module[0] == "autodiff":
                if len(module) > 1:
                    found.add(module[1])
                else:  # from . import engine, ops
                    found |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("autodiff.")}
    return found


def test_the_core_is_layered_engine_below_ops_below_tensor():
    for path in [PACKAGE / "engine.py", *sorted((PACKAGE / "ops").glob("*.py")), PACKAGE / "tensor.py"]:
        layer = LAYERS["ops" if path.parent.name == "ops" else path.stem]
        for imported in _autodiff_imports(path):
            assert imported in LAYERS and LAYERS[imported] <= layer, \
                f"{path.relative_to(PACKAGE)} imports autodiff.{imported}, above its layer"


@pytest.mark.parametrize("module", ["autodiff.engine", "autodiff.ops", "autodiff.tensor", "autodiff"])
def test_each_layer_imports_on_its_own(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_collection_inside_the_engines_locked_section_neither_deadlocks_nor_miscounts():
    """A garbage collection can start at any allocation, also while the engine
    holds its lock, and a dead node's __del__ then gives its arrays back."""
    import gc
    buffers = [np.ones(3) for _ in range(4)]
    w = Tensor(np.ones(3), requires_grad=True)
    done = threading.Event()

    class Cycle:  # garbage only the collector frees: its graph's nodes die inside a collection
        def __init__(self, graph):
            self.me, self.graph = self, graph

    def churn():
        for i in range(2000):
            for b in buffers[: 1 + i % 4]:
                Cycle(((b * w) * b).sum())  # every node holds a numpy constant
        done.set()

    old = gc.get_threshold()
    gc.set_threshold(5, 1, 1)  # a collection every few allocations, at shifting places
    try:
        worker = threading.Thread(target=churn, daemon=True)
        worker.start()
        worker.join(30)
    finally:
        gc.set_threshold(*old)
    assert done.is_set(), "the engine deadlocked"
    gc.collect()
    for b in buffers:  # no graph holds them any more: writable again
        b[...] = 2.0
    assert not any(ad.engine.is_locked(a) for a in [*buffers, w.data])


def test_an_in_place_operator_on_a_tensor_viewing_a_held_array_is_detected():
    X = np.random.default_rng(0).standard_normal((200, 50))  # 80 KB: held read-only
    row = Tensor(X[:1])  # viewing X's memory, and made before the graph: its view is still writable
    w = Tensor(np.ones(50), requires_grad=True)
    loss = ((X @ w) ** 2).sum()
    row += 1.0  # allowed (row requires no grad), but numbered: it changed what the graph read
    assert X[0, 0] == row.data[0, 0]
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()
