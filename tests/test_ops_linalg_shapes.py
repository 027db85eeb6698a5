"""The linear-algebra and shape ops as a user meets them: numpy's functions on
Tensors, keyword names, Tensor methods, index_put, and the errors.

(Gradients of every op are checked by the registry's property test,
tests/test_ops_registry.py, and against HIPS autograd by
tests/test_numpy_parity_shapes.py.)
"""
import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor

rng = np.random.default_rng(11)


def leaf(*shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


# ----- the issue's examples --------------------------------------------------------------------------------
def test_issue_example_concatenate_in_a_network():
    X, W1, W2 = rng.standard_normal((5, 3)), leaf(3, 4), leaf(8, 2)
    h = ad.relu(X @ W1)
    f = np.concatenate([h, h * h], 1)
    assert isinstance(f, Tensor) and f.shape == (5, 8)
    (f @ W2).mean().backward()

    def loss(w1):  # the same network in numpy, for central differences
        hh = np.maximum(X @ w1, 0)
        return (np.concatenate([hh, hh * hh], 1) @ W2.data).mean()
    w, eps, numeric = W1.data.copy(), 1e-6, np.zeros((3, 4))
    for i in np.ndindex(3, 4):
        up, down = w.copy(), w.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (loss(up) - loss(down)) / (2 * eps)
    np.testing.assert_allclose(W1.grad, numeric, rtol=1e-6, atol=1e-9)


def test_issue_example_dot():
    t = Tensor([0.5, 2.0], requires_grad=True)
    L = np.dot(t, t) + t.sum()
    L.backward()
    np.testing.assert_array_equal(t.grad, [2.0, 5.0])  # 2t + 1


# ----- numpy's functions dispatch to the ops ------------------------------------------------------------------
def test_numpy_functions_on_tensors_give_tensors_with_numpys_values():
    t, u, a = leaf(2, 3), leaf(2, 3), rng.standard_normal((2, 3))
    m = Tensor(np.eye(3) * 3 + 0.1, requires_grad=True)
    calls = {
        "concatenate, array in the list": lambda n, t, u: n.concatenate([t, a, u], axis=1),
        "concat": lambda n, t, u: n.concat((t, u)),
        "stack": lambda n, t, u: n.stack([t, u], axis=-1),
        "hstack": lambda n, t, u: n.hstack([t, u]),
        "vstack": lambda n, t, u: n.vstack((t, u[0])),
        "dstack": lambda n, t, u: n.dstack([t, u]),
        "column_stack": lambda n, t, u: n.column_stack([t.T, u[1]]),
        "reshape": lambda n, t, u: n.reshape(t, (3, 2)),
        "reshape shape=": lambda n, t, u: n.reshape(t, shape=(6,)),
        "transpose": lambda n, t, u: n.transpose(t),
        "squeeze": lambda n, t, u: n.squeeze(n.expand_dims(t, 0)),
        "expand_dims tuple": lambda n, t, u: n.expand_dims(t, (0, -1)),
        "ravel": lambda n, t, u: n.ravel(t),
        "moveaxis": lambda n, t, u: n.moveaxis(t, 0, -1),
        "repeat": lambda n, t, u: n.repeat(t, [1, 0, 2], axis=1),
        "tile": lambda n, t, u: n.tile(t, (2, 1, 2)),
        "flip": lambda n, t, u: n.flip(t),
        "roll": lambda n, t, u: n.roll(t, (1, -1), axis=(0, 1)),
        "pad": lambda n, t, u: n.pad(t, ((1, 0), (2, 1)), constant_values=7.5),
        "take": lambda n, t, u: n.take(t, [[0, -1], [2, 2]], axis=1),
        "take wrap": lambda n, t, u: n.take(t, [7, -9], mode="wrap"),
        "take clip": lambda n, t, u: n.take(t, [7, -9], mode="clip"),
        "take_along_axis": lambda n, t, u: n.take_along_axis(t, np.array([[2, 0], [1, 1]]), axis=1),
        "sliding_window_view": lambda n, t, u: n.lib.stride_tricks.sliding_window_view(t, (2, 2)),
        "dot": lambda n, t, u: n.dot(t, u.T),
        "vdot": lambda n, t, u: n.vdot(t, u),
        "inner": lambda n, t, u: n.inner(t, u),
        "outer": lambda n, t, u: n.outer(t, u),
        "tensordot": lambda n, t, u: n.tensordot(t, u, axes=([0, 1], [0, 1])),
        "kron": lambda n, t, u: n.kron(t, u),
        "einsum": lambda n, t, u: n.einsum("ij,kj->ik", t, u),
        "trace": lambda n, t, u: n.trace(t, offset=1),
        "diagonal": lambda n, t, u: n.diagonal(t, 0, 1, 0),
        "diag": lambda n, t, u: n.diag(t[0], k=-1),
        "tril": lambda n, t, u: n.tril(t, k=-1),
        "triu": lambda n, t, u: n.triu(t, 1),
        "solve": lambda n, t, u: n.linalg.solve(m if isinstance(t, Tensor) else m.data, t.T),
        "inv": lambda n, t, u: n.linalg.inv(m if isinstance(t, Tensor) else m.data),
        "det": lambda n, t, u: n.linalg.det(m if isinstance(t, Tensor) else m.data),
    }
    for name, call in calls.items():
        out = call(np, t, u)
        assert isinstance(out, Tensor) and out.requires_grad, name
        np.testing.assert_allclose(out.data, call(np, t.data, u.data), rtol=1e-14, err_msg=name)


def test_split_functions_give_lists_of_tensors_that_carry_gradients():
    t = leaf(4, 6, 2)
    for call, expected in [(lambda n, x: n.split(x, 3, axis=1), 3), (lambda n, x: n.array_split(x, 4, 1), 4),
                           (lambda n, x: n.split(x, [1, 3]), 3), (lambda n, x: n.hsplit(x, 2), 2),
                           (lambda n, x: n.vsplit(x, [2]), 2), (lambda n, x: n.dsplit(x, 2), 2),
                           (lambda n, x: ad.array_split(x, 3, axis=-1), 3)]:
        pieces, plain = call(np, t), call(np, t.data)
        assert len(pieces) == expected == len(plain)
        for p, q in zip(pieces, plain):
            assert isinstance(p, Tensor)
            np.testing.assert_array_equal(p.data, q)
        t.grad = None
        sum(((k + 1) * p).sum() for k, p in enumerate(pieces)).backward()
        weights = np.concatenate([np.full(q.shape, k + 1.0) for k, q in enumerate(plain)],
                                 axis=_axis_of(plain, t.shape))
        np.testing.assert_array_equal(t.grad, weights)


def _axis_of(pieces, shape):
    """The axis the pieces were cut along: the one where their shapes differ from the whole."""
    return next(i for i, n in enumerate(shape) if pieces[0].shape[i] != n)


def test_slogdet_gives_the_sign_and_a_differentiable_log_determinant():
    a = Tensor([[0.0, 2.0], [3.0, 1.0]], requires_grad=True)  # det = -6
    sign, logabsdet = np.linalg.slogdet(a)
    assert not isinstance(sign, Tensor) and sign == -1.0  # piecewise constant: numpy's own value
    assert logabsdet.item() == pytest.approx(np.log(6.0), rel=1e-15)
    logabsdet.backward()
    np.testing.assert_allclose(a.grad, np.linalg.inv(a.data).T, rtol=1e-14)  # d log|det A| = A⁻ᵀ
    assert ad.slogdet(a.data).sign == -1.0


def test_tensor_methods_match_ndarray_methods():
    t = leaf(3, 4)
    a = t.data.copy()
    pairs = [
        (t.dot(a.T), a.dot(a.T)), (t.trace(1), a.trace(1)), (t.diagonal(-1), a.diagonal(-1)),
        (t.reshape(1, 3, 1, 4).squeeze(), a.reshape(1, 3, 1, 4).squeeze()), (t.ravel(), a.ravel()),
        (t.flatten(), a.flatten()), (t.repeat(2, axis=0), a.repeat(2, axis=0)), (t.take([5, 0]), a.take([5, 0])),
        (t.T.reshape(2, 6).squeeze(axis=None), a.T.reshape(2, 6)),
    ]
    for ours, theirs in pairs:
        assert isinstance(ours, Tensor) and ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs)


def test_out_is_refused_with_a_type_error_naming_the_function():
    t, buffer = leaf(3, 3), np.empty((3, 3))
    for call, name in [(lambda: np.dot(t, t, out=buffer), "dot"), (lambda: np.outer(t, t, out=buffer), "outer"),
                       (lambda: np.concatenate([t, t], out=buffer), "concatenate"),
                       (lambda: np.stack([t], out=buffer), "stack"),
                       (lambda: np.einsum("ij->ji", t, out=buffer), "einsum"),
                       (lambda: np.trace(t, out=buffer), "trace"), (lambda: np.take(t, [0], out=buffer), "take"),
                       (lambda: t.dot(t, buffer), "dot")]:
        with pytest.raises(TypeError, match=rf"^{name}: out= (is )?not supported on a Tensor"):
            call()
    with pytest.raises(TypeError, match="concatenate: dtype= not supported"):
        np.concatenate([t, t], dtype=np.float32)


# ----- index_put: a differentiable x[key] = v ----------------------------------------------------------------
def test_index_put_makes_a_new_tensor_and_sends_gradients_to_x_and_v():
    x, v = leaf(3, 4), leaf(4)
    before = x.data.copy()
    y = ad.index_put(x, 1, v)
    expected = before.copy()
    expected[1] = v.data
    np.testing.assert_array_equal(y.data, expected)
    np.testing.assert_array_equal(x.data, before)  # x is unchanged
    g = rng.standard_normal((3, 4))
    y.backward(g)
    np.testing.assert_array_equal(x.grad, np.where(np.arange(3)[:, None] == 1, 0.0, g))
    np.testing.assert_array_equal(v.grad, g[1])


def test_index_put_sums_over_the_broadcast_value():
    x, v = leaf(4, 3), leaf(1)
    y = ad.index_put(x, (slice(1, 3), [0, 2]), v)  # one value into four places
    g = rng.standard_normal((4, 3))
    y.backward(g)
    np.testing.assert_allclose(v.grad, [g[1:3][:, [0, 2]].sum()], rtol=1e-15)


def test_index_put_with_a_repeated_index_credits_the_value_numpy_kept():
    x, v = leaf(3), Tensor([10.0, 20.0, 30.0], requires_grad=True)
    y = ad.index_put(x, [0, 2, 0], v)  # numpy keeps the last write to element 0: 30
    plain = x.data.copy()
    plain[[0, 2, 0]] = v.data
    np.testing.assert_array_equal(y.data, plain)
    y.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(v.grad, [0.0, 3.0, 1.0])
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 0.0])


def test_index_put_with_a_boolean_mask_and_bad_values():
    x = leaf(2, 3)
    mask = x.data > 0
    y = ad.index_put(x, mask, 0.0)
    np.testing.assert_array_equal(y.data, np.where(mask, 0.0, x.data))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, ~mask)
    with pytest.raises(ValueError, match=r"index_put: a value of shape \(2,\) cannot fill x\[key\] of shape \(3,\)"):
        ad.index_put(x, 0, np.ones(2))
    with pytest.raises(IndexError, match="index_put: key"):
        ad.index_put(x, (0, 5), 1.0)


def test_setitem_outside_no_grad_points_to_index_put():
    x = leaf(3)
    with pytest.raises(RuntimeError, match=r"autodiff\.index_put\(t, key, v\)"):
        x[0] = 1.0
    y = x * 2
    with pytest.raises(RuntimeError, match=r"computed by mul .* autodiff\.index_put\(t, key, v\)"):
        y[0] = 1.0
    z = Tensor(np.zeros(3))
    with pytest.raises(RuntimeError, match=r"v requires grad, .* autodiff\.index_put"):
        z[0] = x[1]  # would silently drop x's graph
    with ad.no_grad():
        x[0] = 5.0
        z[1] = x[2]
    assert x.data[0] == 5.0 and z.data[1] == x.data[2]


# ----- sliding windows ------------------------------------------------------------------------------------
def test_sliding_window_view_as_im2col_convolution():
    image, kernel = leaf(2, 6, 5), leaf(3, 2)
    windows = np.lib.stride_tricks.sliding_window_view(image, (3, 2), axis=(1, 2))  # (2, 4, 4, 3, 2)
    out = np.einsum("bijkl,kl->bij", windows, kernel)

    def conv(x, k):  # the same convolution with explicit loops
        return np.array([[[np.sum(x[b, i:i + 3, j:j + 2] * k) for j in range(4)] for i in range(4)]
                         for b in range(2)])
    np.testing.assert_allclose(out.data, conv(image.data, kernel.data), rtol=1e-13)
    ad.gradcheck(lambda x, k: np.einsum("bijkl,kl->bij", np.lib.stride_tricks.sliding_window_view(
        x, (3, 2), axis=(1, 2)), k), image.data, kernel.data)


def test_sliding_windows_are_read_only_views():
    t = Tensor(np.arange(6.0))
    windows = ad.sliding_window_view(t, 3)
    assert np.shares_memory(windows.data, t.data)
    with pytest.raises(ValueError, match="read-only"):
        windows[0] = 1.0
    with pytest.raises(ValueError, match="writeable=True is refused"):
        np.lib.stride_tricks.sliding_window_view(t, 3, writeable=True)


# ----- errors name the op and the argument --------------------------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda t: ad.einsum("ij,jk", t), ValueError, "einsum: subscripts 'ij,jk' name 2 operands, but 1 were given"),
    (lambda t: ad.einsum("ijk", t), ValueError, "einsum: operand 0 has 2 dimensions but its subscripts 'ijk' name 3"),
    (lambda t: ad.einsum("i1", t), ValueError, "einsum: subscripts 'i1': '1' is not a letter"),
    (lambda t: ad.einsum("ij->k", t), ValueError, "einsum: output subscript 'k' is in no operand"),
    (lambda t: ad.einsum("ij->ii", t), ValueError, "einsum: output subscript 'i' appears more than once"),
    (lambda t: ad.einsum("...j->j", ad.reshape(t, (1, 2, 3))), ValueError, "the output needs '...'"),
    (lambda t: ad.einsum(t, [0, 99]), ValueError, "einsum: subscript 99 in the sublist of operand 0"),
    (lambda t: ad.einsum("ij,ij", t, t.T), ValueError, "einsum: cannot apply to shapes"),
    (lambda t: ad.tensordot(t, t, axes=3), ValueError, "tensordot: axes=3 but the operands have 2 and 2"),
    (lambda t: ad.tensordot(t, t, axes=([0], [0, 1])), ValueError, "tensordot: 1 axes of a but 2 axes of b"),
    (lambda t: ad.dot(t, t), ValueError, r"dot: cannot apply to shapes \(2, 3\) and \(2, 3\)"),
    (lambda t: ad.solve(t, t), ValueError, r"solve: a must be a square matrix .* got shape \(2, 3\)"),
    (lambda t: ad.inv(np.zeros((2, 2))), np.linalg.LinAlgError, "inv: .*[Ss]ingular"),
    (lambda t: ad.diag(ad.reshape(t, (1, 2, 3))), ValueError, "diag: needs a 1-d or 2-d tensor"),
    (lambda t: ad.trace(t, axis1=1, axis2=-1), ValueError, "trace: axis1 and axis2 must be different axes"),
    (lambda t: ad.split(t, 4, axis=1), ValueError, "split: 3 elements along axis 1 do not split into 4 equal"),
    (lambda t: ad.split(t, 2, axis=2), ValueError, "split: axis 2 is not an axis"),
    (lambda t: ad.concatenate([]), ValueError, "concatenate: needs at least one tensor"),
    (lambda t: ad.concatenate(t, axis=0.5), TypeError, "concatenate: axis must be an int or None"),
    (lambda t: ad.concatenate([t, t.T]), ValueError, "concatenate: cannot apply to shapes"),
    (lambda t: ad.stack([t, t.T]), ValueError, "stack: cannot apply to shapes"),
    (lambda t: ad.squeeze(t, 0), ValueError, r"squeeze: axis 0 has length 2, not 1, in shape \(2, 3\)"),
    (lambda t: ad.expand_dims(t, (0, 0)), ValueError, "expand_dims: repeated axis"),
    (lambda t: ad.moveaxis(t, (0, 1), 0), ValueError, "moveaxis: 2 source axes but 1 destinations"),
    (lambda t: ad.moveaxis(t, 5, 0), ValueError, "moveaxis: source 5 is out of range"),
    (lambda t: ad.repeat(t, -1), ValueError, "repeat: repeats must not be negative"),
    (lambda t: ad.repeat(t, [1, 2], axis=1), ValueError, "repeat: repeats must be one count or one per element"),
    (lambda t: ad.tile(t, 1.5), TypeError, "tile: reps must be whole numbers"),
    (lambda t: ad.roll(t, 1.5), TypeError, "roll: shift must be an int"),
    (lambda t: ad.pad(t, 1, mode="reflect"), NotImplementedError, "pad: only mode='constant'"),
    (lambda t: ad.pad(t, ((1, 1), (1, 1), (1, 1))), ValueError, "pad: pad_width .* does not fit 2 dimensions"),
    (lambda t: ad.pad(t, 1, constant_values=t), TypeError, "pad: constant_values must be numbers"),
    (lambda t: ad.take(t, [6]), IndexError, "take: index 6 is out of bounds for 6 elements"),
    (lambda t: ad.take(t, [0.5]), TypeError, "take: indices must be integers"),
    (lambda t: ad.take(t, [0], mode="fold"), ValueError, "take: mode must be"),
    (lambda t: ad.take_along_axis(t, np.zeros(2, int), axis=0), ValueError, "take_along_axis: indices need 2"),
    (lambda t: ad.take_along_axis(t, np.full((2, 1), 3), axis=1), IndexError, "take_along_axis: an index is out"),
    (lambda t: ad.sliding_window_view(t, 4, axis=1), ValueError, "sliding_window_view: a window of 4 is longer"),
    (lambda t: ad.sliding_window_view(t, (2,)), ValueError, "needs one length per axis"),
    (lambda t: ad.fliplr(t[0]), ValueError, "fliplr: needs at least 2 dimensions"),
    (lambda t: ad.ravel(t, order="F"), TypeError, "ravel: only order='C'"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call(leaf(2, 3))


def test_numpy_keyword_names_are_accepted():
    """Every function called with numpy's own argument names, as keywords."""
    t, u = leaf(2, 3), leaf(3, 2)
    m = Tensor(np.eye(2) * 3 + 0.5, requires_grad=True)
    calls = [
        ("dot", dict(a=t, b=u)), ("outer", dict(a=t, b=u)),
        ("tensordot", dict(a=t, b=u, axes=1)), ("kron", dict(a=t, b=u)),
        ("trace", dict(a=t, offset=1, axis1=1, axis2=0)), ("diagonal", dict(a=t, offset=-1, axis1=1, axis2=0)),
        ("diag", dict(v=t, k=1)), ("tril", dict(m=t, k=1)), ("triu", dict(m=t, k=-1)),
        ("stack", dict(arrays=[t, t], axis=1)),
        ("hstack", dict(tup=[t, t])), ("vstack", dict(tup=[t, t])), ("dstack", dict(tup=[t, t])),
        ("column_stack", dict(tup=[t, t])), ("squeeze", dict(a=t[None], axis=0)),
        ("expand_dims", dict(a=t, axis=1)), ("ravel", dict(a=t, order="C")),
        ("moveaxis", dict(a=t, source=0, destination=1)), ("repeat", dict(a=t, repeats=2, axis=0)),
        ("tile", dict(A=t, reps=2)), ("flip", dict(m=t, axis=1)), ("fliplr", dict(m=t)), ("flipud", dict(m=t)),
        ("roll", dict(a=t, shift=1, axis=0)), ("pad", dict(array=t, pad_width=1, mode="constant", constant_values=2)),
        ("take", dict(a=t, indices=[1, 1], axis=1, mode="raise")),
        ("take_along_axis", dict(arr=t, indices=np.array([[0], [2]]), axis=1)),
    ]
    for name, kwargs in calls:
        out = getattr(np, name)(**kwargs)
        assert isinstance(out, Tensor), name
        plain = {k: (v.data if isinstance(v, Tensor) else [getattr(w, "data", w) for w in v]
                     if isinstance(v, list) else v) for k, v in kwargs.items()}
        np.testing.assert_allclose(out.data, getattr(np, name)(**plain), rtol=1e-14, err_msg=name)
    assert isinstance(np.concatenate([t, t], axis=None, casting="same_kind"), Tensor)  # arrays: positional only
    assert isinstance(np.linalg.solve(a=m, b=t), Tensor)
    assert isinstance(np.lib.stride_tricks.sliding_window_view(x=t, window_shape=2, axis=1), Tensor)
    assert isinstance(np.einsum("ij->j", t, optimize=True), Tensor)
    assert len(np.split(ary=t, indices_or_sections=3, axis=1)) == 3
    assert len(np.array_split(ary=t, indices_or_sections=2, axis=1)) == 2
