"""Gradients of numpy's linear-algebra and shape functions on Tensors equal HIPS
autograd's, on the inputs of autograd's own tests.

The cases are the functions of our linear-algebra and shape ops that appear in
autograd's tests/test_numpy.py (shapes, axes, offsets and repeats as there;
values from our own seeded generator), and, for einsum, tensordot, kron,
inner, tile, moveaxis, repeat and dot, the real-valued cases of its
tests/test_systematic.py. Each case is written once as a function of a numpy
module: called with ``numpy`` on Tensors it runs our ops (through numpy's
dispatch: ``np.concatenate([t, u])`` etc.), called with ``autograd.numpy`` it
runs autograd's. For a random projection w of the output, the gradients of
Σ f(x)·w agree to rtol 1e-7 (atol 1e-12), and the forward values to 1e-12.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import autodiff as ad

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

RTOL, ATOL = 1e-7, 1e-12
_rng = np.random.default_rng(20240611)


def R(*shape):
    """Standard normal values of a shape (R() is a float), as autograd's tests draw them."""
    return float(_rng.standard_normal()) if not shape else _rng.standard_normal(shape)


def check(f, *args, argnums=None):
    """f(numpy_module, *args): ours on Tensors against autograd on arrays."""
    argnums = tuple(range(len(args))) if argnums is None else argnums
    expected = np.asarray(f(np, *args))  # plain numpy: the forward values
    w = np.random.default_rng(len(args)).standard_normal(expected.shape)
    theirs = [autograd.grad(lambda *a: anp.sum(f(anp, *a) * w), k)(*args) for k in argnums]
    tensors = [ad.Tensor(a, requires_grad=k in argnums) if k in argnums else a for k, a in enumerate(args)]
    out = f(np, *tensors)
    assert isinstance(out, ad.Tensor), type(out)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    (out * w).sum().backward()
    for k, their_grad in zip(argnums, theirs):
        np.testing.assert_allclose(tensors[k].grad, their_grad, rtol=RTOL, atol=ATOL, err_msg=f"argument {k}")


# ----- the cases of autograd's test_numpy.py ----------------------------------------------------------------
mat1, mat2, vect1, vect2, vect3, float1 = R(10, 11), R(10, 11), R(10), R(11), R(11), R()
A564, B464, B564 = R(5, 6, 4), R(4, 6, 4), R(5, 6, 4)
CASES = {
    "dot mat·vect": (lambda n, x, y: n.dot(x, y), mat1, vect2),
    "dot mat·mat.T": (lambda n, x, y: n.dot(x, y), mat1, mat2.T),
    "dot vect·mat": (lambda n, x, y: n.dot(x, y), vect1, mat1),
    "dot vect·vect": (lambda n, x, y: n.dot(x, y), vect2, vect3),
    "dot mat·float": (lambda n, x, y: n.dot(x, y), mat1, float1),
    "dot float·mat": (lambda n, x, y: n.dot(x, y), float1, mat1),
    "dot vect·float": (lambda n, x, y: n.dot(x, y), vect1, float1),
    "dot float·vect": (lambda n, x, y: n.dot(x, y), float1, vect1),
    "outer": (lambda n, x, y: n.outer(x, y), vect2, vect3),
    "outer of .T": (lambda n, x, y: n.outer(x.T, y.T), vect2, vect3),
    "flipud": (lambda n, x: n.flipud(x), R(10, 11)),
    "fliplr": (lambda n, x: n.fliplr(x), R(10, 11)),
    "reshape method": (lambda n, x: x.reshape((5 * 4, 6)), R(5, 6, 4)),
    "reshape call": (lambda n, x: n.reshape(x, (5 * 4, 6)), R(5, 6, 4)),
    "reshape method, no tuple": (lambda n, x: x.reshape(5 * 4, 6), R(5, 6, 4)),
    "ravel method": (lambda n, x: x.ravel(), R(5, 6, 4)),
    "ravel call": (lambda n, x: n.ravel(x), R(5, 6, 4)),
    "flatten method": (lambda n, x: x.flatten(), R(5, 6, 4)),
    "concatenate simple": (lambda n, x: n.concatenate((A564, x)), B464),
    "concatenate axis 0": (lambda n, x: n.concatenate((B564, x, B564)), A564),
    "concatenate axis 1": (lambda n, x: n.concatenate((B564, x, B564), axis=1), A564),
    "concatenate axis 1 unnamed": (lambda n, x: n.concatenate((B564, x, B564), 1), A564),
    "diag": (lambda n, x: n.diag(x), R(10, 10)),
    "transpose .T": (lambda n, x: x.T, R(8, 8)),
    "roll": (lambda n, x: n.roll(x, 2, axis=1), R(4, 5)),
    "triu": (lambda n, x: n.triu(x, k=2), R(5, 5)),
    "tril": (lambda n, x: n.tril(x, k=2), R(5, 5)),
    "squeeze call": (lambda n, x: n.squeeze(x), R(5, 1, 4)),
    "squeeze method": (lambda n, x: x.squeeze(), R(5, 1, 4)),
    "repeat axis 1": (lambda n, x: n.repeat(x, 2, axis=1), R(5, 3, 4)),
    "repeat axis 1, once": (lambda n, x: n.repeat(x, 1, axis=1), R(5, 3, 4)),
    "repeat axis 0": (lambda n, x: n.repeat(x, 2, axis=0), R(5, 3)),
    "repeat 1-d": (lambda n, x: n.repeat(x, 2, axis=0), R(5)),
    "repeat axis 0, once": (lambda n, x: n.repeat(x, 1, axis=0), R(5, 1)),
    "expand_dims": (lambda n, x: n.expand_dims(x, 2), R(5, 1, 4)),
    "tensordot, axes by position": (lambda n, x: n.tensordot(x * n.ones((2, 2)), x * n.ones((2, 2)), 2), 1.0),
    "dot of slices": (lambda n, x: n.dot(x[:2], x[2:]), R(4)),
    "diagonal 2-d": (lambda n, x: n.diagonal(x, axis1=-1, axis2=-2), R(4, 4)),
    "diagonal 3-d": (lambda n, x: n.diagonal(x, axis1=-1, axis2=-2), R(3, 4, 4)),
}
# trace: autograd draws one offset in a range; we take every offset of that range
for _shape, _offsets in (((10, 11), range(-9, 11)), ((11, 10), range(-9, 11)), ((5, 6, 4, 3), range(-5, 6))):
    for _offset in _offsets:
        CASES[f"trace {_shape} offset {_offset}"] = (lambda n, x, k=_offset: n.trace(x, offset=k), R(*_shape))


# ----- the real-valued cases of autograd's test_systematic.py for our functions ------------------------------
def _combos(name, f, *arg_lists, **kwarg_lists):
    """autograd's combo_check: every combination of the arguments and keyword values."""
    keys = sorted(kwarg_lists)
    for i, args in enumerate(itertools.product(*arg_lists)):
        for values in itertools.product(*(kwarg_lists[k] for k in keys)):
            kwargs = dict(zip(keys, values))
            shapes = "·".join(str(np.shape(a)) for a in args)
            CASES[f"{name} {shapes} {kwargs or ''}".strip()] = (
                lambda n, *a, _kw=kwargs: f(n)(*a, **_kw), *args)


_combos("moveaxis", lambda n: n.moveaxis, [R(2, 3, 4)], source=[0, 1, 2], destination=[0, 1, 2])
_combos("repeat", lambda n: n.repeat, [R(2, 3, 4), R(3, 1)], repeats=[1, 2], axis=[None, 0, 1])
_combos("tile", lambda n: n.tile, [R(2, 1, 3, 1)], reps=[(1, 4, 1, 2)])
_combos("tile", lambda n: n.tile, [R(1, 2)], reps=[(1, 2), (2, 3), (3, 2, 1)])
_combos("tile", lambda n: n.tile, [R(1)], reps=[(2,), 2])
_combos("kron", lambda n: n.kron, [R(5, 5), R(4, 4), R(5), R(5, 1), R(1, 5), R()],
        [R(3, 3), R(2, 2), R(3), R(1, 3), R(3, 1), R()])
_combos("inner", lambda n: n.inner, [1.5, R(3), R(2, 3)], [0.3, R(3), R(4, 3)])
_combos("dot", lambda n: n.dot, [1.5, R(3), R(2, 3), R(2, 2, 3)], [0.3, R(3), R(3, 4), R(2, 3, 4)])
_combos("outer", lambda n: n.outer, [R(3)], [R(3)])
_combos("tensordot 1", lambda n: n.tensordot, [R(1, 3), R(2, 3, 2)], [R(3), R(3, 1), R(3, 4, 2)],
        axes=[[(1,), (0,)]])
_combos("tensordot 2", lambda n: n.tensordot, [R(3), R(3, 1), R(3, 4, 2)], [R(1, 3), R(2, 3, 2)],
        axes=[[(0,), (1,)]])
_combos("tensordot 3", lambda n: n.tensordot, [R(2, 3), R(2, 3, 4)], [R(1, 2, 3), R(2, 2, 3, 4)],
        axes=[[(0, 1), (1, 2)], [(1, 0), (2, 1)]])
_combos("tensordot 4", lambda n: n.tensordot, [R(2, 2), R(4, 2, 2)], [R(2, 2), R(2, 2, 4)], axes=[1, 2])
_combos("tensordot 5", lambda n: n.tensordot, [R(4)], [R()], axes=[0])
_combos("tensordot 6", lambda n: n.tensordot, [R(2, 6)], [R(6, 3)], axes=[[[-1], [0]]])
_combos("tensordot 7", lambda n: n.tensordot, [R(2, 6)], [R(6, 3)], axes=[[-1, 0]])
_combos("tensordot 8", lambda n: n.tensordot, [R(2)], [R(2, 2)], axes=[[0, 1]])


def _einsum_combos(name, subscripts, *arg_lists):
    _combos(f"einsum {name}", lambda n, s=subscripts: (lambda *a: n.einsum(s, *a)), *arg_lists)


_einsum_combos("transpose", "ij->ji", [R(1, 1), R(4, 4), R(3, 4)])
_einsum_combos("matmult", "ij,jk->ik", [R(2, 3)], [R(3, 4)])
_einsum_combos("matmult broadcast", "...ij,...jk->...ik", [R(2, 3), R(2, 2, 3)], [R(3, 4), R(2, 3, 4)])
_einsum_combos("matmult broadcast, lead 0", "...ij,...jk->...ik", [R(0, 2, 3)], [R(0, 3, 4)])
_einsum_combos("covsum", "ijk,lji->lki", [R(3, 4, 4)], [R(4, 4, 3)])
_einsum_combos("ellipses", "...jk,...lj->...lk", [R(4, 4), R(3, 4, 4)], [R(4, 4), R(3, 4, 4)])
_einsum_combos("ellipses only", "...,...->...", [R(4, 4), R(3, 4, 4)], [R(4, 4), R(3, 4, 4)])
_einsum_combos("ellipses tail", "jk...,lj...->lk...", [R(3, 2), R(3, 2, 4)], [R(2, 3), R(2, 3, 4)])
_einsum_combos("ellipses center", "j...k,lj...->lk...", [R(2, 2), R(2, 2, 2)], [R(2, 2), R(2, 2, 2)])
_einsum_combos("three args", "ijk,lji,lli->lki", [R(3, 4, 4)], [R(4, 4, 3)], [R(4, 4, 3)])
_einsum_combos("naked sum", "k,nk->", [R(5)], [R(10, 5)])
_einsum_combos("naked sum 2", "abcd->bd", [R(3, 2, 3, 2)])
_einsum_combos("naked sum, ellipsis", "...k,...nk->...", [R(3, 5)], [R(3, 10, 5)])
# the interleaved form: operand, sublist, operand, sublist, ..., output sublist
for _x in (R(1, 1), R(4, 4), R(3, 4)):
    CASES[f"einsum sublists transpose {_x.shape}"] = (lambda n, x: n.einsum(x, (0, 1), (1, 0)), _x)
CASES["einsum sublists matmult"] = (lambda n, x, y: n.einsum(x, (0, 1), y, (1, 2), (0, 2)), R(2, 3), R(3, 4))
for _x, _y in itertools.product([R(2, 3), R(2, 2, 3)], [R(3, 4), R(2, 3, 4)]):
    CASES[f"einsum sublists broadcast {_x.shape}·{_y.shape}"] = (
        lambda n, x, y: n.einsum(x, (Ellipsis, 0, 1), y, (Ellipsis, 1, 2), (Ellipsis, 0, 2)), _x, _y)
CASES["einsum sublists covsum"] = (lambda n, x, y: n.einsum(x, (0, 1, 2), y, (3, 1, 0), (3, 2, 0)),
                                   R(3, 4, 4), R(4, 4, 3))
CASES["einsum sublists three args"] = (
    lambda n, x, y, z: n.einsum(x, (0, 1, 2), y, (3, 1, 0), z, (3, 3, 0), (3, 2, 0)),
    R(3, 4, 4), R(4, 4, 3), R(4, 4, 3))


# autograd cannot differentiate an operand with a repeated letter ('lli'), and its tests do not ask it to:
# there the third operand is a constant (our gradient for it is checked by the registry's property test)
ARGNUMS = {"einsum three args (3, 4, 4)·(4, 4, 3)·(4, 4, 3)": (0, 1), "einsum sublists three args": (0, 1)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_equals_autograds(name):
    f, *args = CASES[name]
    check(f, *args, argnums=ARGNUMS.get(name))


def test_cases_cover_our_functions_in_autograds_tests():
    """Every function of our list that autograd's test_numpy.py tests is among the cases."""
    covered = {name.split()[0] for name in CASES}
    assert {"dot", "outer", "flipud", "fliplr", "ravel", "flatten", "concatenate", "trace", "diag", "roll", "triu",
            "tril", "squeeze", "repeat", "expand_dims", "tensordot", "diagonal", "reshape", "transpose", "einsum",
            "kron", "inner", "tile", "moveaxis"} <= covered


def test_argnums_name_existing_cases():
    assert set(ARGNUMS) <= set(CASES)
