"""Function transforms in JAX's style, built on the same vector-Jacobian products
as ``backward``. They take and return numpy arrays; called on Tensors that
require a gradient (when one transform is nested in another, as in
``hessian = jacobian(grad(f))``) they record their own backward pass and return
Tensors, so the outer transform can differentiate them again."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import backpropagate, unbroadcast
from .tensor import Tensor, as_float_array

Function = Callable[..., Any]


def gradients(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
              grad_outputs: Any = None, create_graph: bool = False, retain_graph: bool | None = None) -> list[Any]:
    """d(Σ grad_outputs · outputs)/d(inputs), without touching any ``.grad``
    (``torch.autograd.grad``). An input the outputs do not depend on gets zeros.
    The graph is freed afterwards unless ``retain_graph`` (default: ``create_graph``)."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        for out in outputs:
            if out.size != 1:
                raise RuntimeError(f"gradients: output of shape {out.shape} is not a scalar; pass grad_outputs")
        grad_outputs = [np.ones_like(out.data) for out in outputs]
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if not isinstance(g, Tensor):
            g = as_float_array(g, out.dtype, who="gradients")
        if g.shape != out.shape:
            raise ValueError(f"gradients: grad_outputs shape {g.shape} does not match output shape {out.shape}")
        seeds.append(g)
    live = [(o, g) for o, g in zip(outputs, seeds) if o.requires_grad]
    found = backpropagate([o for o, _ in live], [g for _, g in live], create_graph=create_graph,
                          retain_graph=retain_graph, accumulate=False, wrt=inputs) if live else [None] * len(inputs)
    result = []
    for x, g in zip(inputs, found):
        if g is None:
            g = np.zeros_like(x.data)
            g = Tensor(g) if create_graph else g
        elif not create_graph and isinstance(g, Tensor):
            g = g.data
        result.append(g)
    return result


def _argnums(argnums: int | Sequence[int]) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _prepare(args: Sequence[Any], argnums: Sequence[int], who: str) -> tuple[list[Any], bool]:
    """Make the differentiated arguments leaves of a new graph. Returns the new
    arguments and whether we are nested inside another transform."""
    args = list(args)
    nested = False
    for i in argnums:
        if i >= len(args):
            raise ValueError(f"{who}: argnums {i} but the function got {len(args)} arguments")
        a = args[i]
        if isinstance(a, Tensor) and a.requires_grad:
            nested = True
        else:
            args[i] = Tensor(a.data if isinstance(a, Tensor) else a, requires_grad=True)
    return args, nested


def _as_tensor_output(out: Any, who: str) -> Tensor:
    if isinstance(out, Tensor):
        return out
    raise TypeError(f"{who}: the function must return a Tensor, got {type(out).__name__}; "
                    "build it from autodiff ops on its Tensor arguments")


def _unwrap(x: Any, nested: bool) -> Any:
    return x if nested or not isinstance(x, Tensor) else x.data


def value_and_grad(f: Function, argnums: int | Sequence[int] = 0) -> Function:
    """``value_and_grad(f)(x) -> (f(x), ∇f(x))`` for a scalar-valued f."""
    single = isinstance(argnums, int)
    nums = _argnums(argnums)

    def wrapped(*args: Any) -> tuple[Any, Any]:
        leaves, nested = _prepare(args, nums, "grad")
        out = _as_tensor_output(f(*leaves), "grad")
        if out.size != 1:
            raise ValueError(f"grad: f must return a scalar, got shape {out.shape}; use jacobian or vjp")
        grads = gradients(out, [leaves[i] for i in nums], create_graph=nested)
        grads = [_unwrap(g, nested) for g in grads]
        return _unwrap(out, nested), (grads[0] if single else tuple(grads))

    return wrapped


def grad(f: Function, argnums: int | Sequence[int] = 0) -> Function:
    """``grad(f)(x) = ∇f(x)`` for a scalar-valued f (JAX's ``jax.grad``)."""
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def vjp(f: Function, *primals: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """``out, vjp_fn = vjp(f, *x)``; ``vjp_fn(u)`` is uᵀ·J for each primal."""
    args, nested = _prepare(primals, range(len(primals)), "vjp")
    out = _as_tensor_output(f(*args), "vjp")

    def vjp_fn(cotangent: Any) -> tuple:  # may be called more than once: the graph is kept
        return tuple(_unwrap(g, nested) for g in gradients(out, args, cotangent, create_graph=nested,
                                                           retain_graph=True))

    return _unwrap(out, nested), vjp_fn


def jvp(f: Function, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(f(x), J·t)``: forward-mode product from two reverse passes. The vjp
    u ↦ uᵀJ is linear in u, so differentiating ⟨uᵀJ, t⟩ with respect to u gives J·t."""
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    args, _ = _prepare(primals, range(len(primals)), "jvp")
    for a, t in zip(args, tangents):
        if np.shape(t) != a.shape:
            raise ValueError(f"jvp: tangent shape {np.shape(t)} does not match primal shape {a.shape}")
    out = _as_tensor_output(f(*args), "jvp")
    u = Tensor(np.zeros_like(out.data), requires_grad=True)
    pullbacks = gradients(out, args, u, create_graph=True)
    inner = sum(((g * np.asarray(t, dtype=out.dtype)).sum() for g, t in zip(pullbacks, tangents)),
                start=Tensor(0.0))
    (tangent_out,) = gradients(inner, [u])
    return out.data, tangent_out


def jacobian(f: Function, argnums: int | Sequence[int] = 0) -> Function:
    """``jacobian(f)(x)`` of shape f(x).shape + x.shape: row k is the vjp of the
    k-th output basis vector (one reverse pass per output element)."""
    single = isinstance(argnums, int)
    nums = _argnums(argnums)

    def wrapped(*args: Any) -> Any:
        leaves, _ = _prepare(args, nums, "jacobian")
        out = _as_tensor_output(f(*leaves), "jacobian")
        wrt = [leaves[i] for i in nums]
        rows = [np.zeros((out.size,) + x.shape, dtype=out.dtype) for x in wrt]
        seed = np.zeros(out.size, dtype=out.dtype)
        for k in range(out.size):
            seed[k] = 1.0
            for row, g in zip(rows, gradients(out, wrt, seed.reshape(out.shape), retain_graph=True)):
                row[k] = g
            seed[k] = 0.0
        jacs = [row.reshape(out.shape + x.shape) for row, x in zip(rows, wrt)]
        return jacs[0] if single else tuple(jacs)

    return wrapped


def hessian(f: Function, argnums: int = 0) -> Function:
    """``hessian(f)(x)`` of shape x.shape + x.shape: the Jacobian of the gradient."""
    return jacobian(grad(f, argnums), argnums)


def local_jacobian(node: Tensor, index: int = 0) -> np.ndarray:
    """The dense Jacobian ∂node/∂(input ``index``) of the op that made ``node``,
    of shape (node.size, input.size), read off its vjp one output basis vector
    at a time (for small tensors: tests, ``explain`` and drawings). Reads the
    node and changes nothing."""
    if node.op is None:
        raise ValueError("local_jacobian: a leaf tensor has no op")
    op, inputs = node.op, node.inputs
    if not 0 <= index < len(inputs):
        raise ValueError(f"local_jacobian: the op {op.name} has {len(inputs)} inputs, not input {index}")
    if node.args is None:
        raise ValueError(f"local_jacobian: the values {op.name} saved were freed by a backward pass "
                         "(use retain_graph=True)")
    x = np.asarray(node.args[index])
    ctx = _OneInput(node, index)
    rows = np.zeros((node.size, x.size))
    seed = np.zeros(node.size, dtype=node.dtype)
    for k in range(node.size):
        seed[k] = 1.0
        g = op.plain_vjp(ctx, seed.reshape(node.shape), node.data, *node.args)[index]
        rows[k] = unbroadcast(np.asarray(g), x.shape).ravel()
        seed[k] = 0.0
    return rows


class _OneInput:
    """A read-only view of a node's context that asks for one input's gradient."""

    def __init__(self, node: Tensor, index: int):
        self.saved = node.saved
        self.needs = tuple(i == index for i in range(len(node.inputs)))
        self.data = node.data
