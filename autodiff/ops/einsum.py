"""einsum, and the vector-Jacobian product of every contraction.

A contraction multiplies its operands elementwise over shared letters and sums
the letters that are not in the output:

    out[o] = Σ_(summed letters) Π_k A_k[letters of k]

It is linear in each operand, so dL/dA_k is the same kind of sum with A_k
replaced by the upstream gradient g: an einsum of g and the other operands
onto A_k's letters. Three details make that exact for every subscript numpy
accepts:

- a letter repeated in A_k ('ii': a diagonal) is computed once, then scattered
  back onto the diagonal (zeros elsewhere);
- a letter only A_k has (summed away, 'ij->i') is absent from g and the other
  operands: that gradient is the same for every index, a broadcast;
- a letter of size 1 in A_k that numpy broadcast against a larger size
  elsewhere is summed over (as the engine un-broadcasts elementwise ops).

dot, inner, tensordot and the other products of ``linalg`` use the same
``contraction_vjp`` with the letters of their own contraction.
"""
from __future__ import annotations

import string
from typing import Any, NamedTuple, Sequence

import numpy as np

from .base import Op, apply, lift, raw
from .shape import scatter_add

LETTERS = string.ascii_letters


class Subscripts(NamedTuple):
    """A contraction with every '...' replaced by letters and the output explicit."""

    inputs: tuple[str, ...]
    output: str

    @property
    def text(self) -> str:
        return ",".join(self.inputs) + "->" + self.output


def _sublist_letters(sublist: Any, where: str) -> str:
    """numpy's interleaved form: 0..25 are 'A'..'Z', 26..51 are 'a'..'z', Ellipsis is '...'."""
    try:
        items = list(sublist)
    except TypeError:
        raise TypeError(f"einsum: {where} must be a list of ints and Ellipsis, got {sublist!r}") from None
    letters = []
    for s in items:
        if s is Ellipsis:
            letters.append("...")
        elif isinstance(s, (int, np.integer)) and not isinstance(s, bool) and 0 <= s < 52:
            letters.append(string.ascii_uppercase[s] if s < 26 else string.ascii_lowercase[s - 26])
        else:
            raise ValueError(f"einsum: subscript {s!r} in {where} must be an int in 0..51 or Ellipsis")
    return "".join(letters)


def split_arguments(args: Sequence[Any]) -> tuple[str, list]:
    """einsum's arguments as (subscripts string, operands), from either of numpy's
    forms: ('ij,jk->ik', a, b) or (a, [0, 1], b, [1, 2], [0, 2])."""
    if not args:
        raise TypeError("einsum: needs subscripts and at least one operand")
    if isinstance(args[0], str):
        return args[0], list(args[1:])
    args = list(args)
    output = None
    if len(args) % 2:  # an odd count ends with the output sublist
        output = _sublist_letters(args.pop(), "the output sublist")
    operands = args[0::2]
    terms = [_sublist_letters(s, f"the sublist of operand {k}") for k, s in enumerate(args[1::2])]
    return ",".join(terms) + ("" if output is None else "->" + output), operands


def parse(subscripts: str, ndims: Sequence[int]) -> Subscripts:
    """Check subscripts against the operands' dimensions; expand '...' into
    letters (right-aligned, as numpy broadcasts) and make the output explicit
    (implicit mode: the '...' letters, then the letters used once, sorted)."""
    text = subscripts.replace(" ", "")
    if text.count("->") > 1:
        raise ValueError(f"einsum: subscripts {subscripts!r} have more than one '->'")
    left, arrow, right = text.partition("->")
    terms = left.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operands, but {len(ndims)} were given")
    for term in terms + [right]:
        rest = term.replace("...", "", 1)
        bad = [c for c in rest if c not in LETTERS]
        if bad:
            raise ValueError(f"einsum: subscripts {subscripts!r}: {bad[0]!r} is not a letter (or one '...' per term)")
    used = set(left + right) - {"."}
    free = [c for c in LETTERS if c not in used]
    counts = []
    for k, (term, ndim) in enumerate(zip(terms, ndims)):
        named = len(term.replace("...", ""))
        if "..." in term and named <= ndim:
            counts.append(ndim - named)
        elif "..." not in term and named == ndim:
            counts.append(0)
        else:
            raise ValueError(f"einsum: operand {k} has {ndim} dimensions but its subscripts {term!r} name {named}")
    ellipsis = "".join(free[:max(counts, default=0)])
    inputs = tuple(t.replace("...", ellipsis[len(ellipsis) - n:]) for t, n in zip(terms, counts))
    joined = "".join(inputs)
    if not arrow:
        output = ellipsis + "".join(sorted(c for c in set(joined) - set(ellipsis) if joined.count(c) == 1))
    else:
        if ellipsis and "..." not in right:
            raise ValueError(f"einsum: subscripts {subscripts!r}: the output needs '...' for the "
                             f"{len(ellipsis)} broadcast dimensions of the operands")
        output = right.replace("...", ellipsis)
        for c in output:
            if output.count(c) > 1:
                raise ValueError(f"einsum: output subscript {c!r} appears more than once in {subscripts!r}")
            if c not in joined:
                raise ValueError(f"einsum: output subscript {c!r} is in no operand's subscripts {subscripts!r}")
    return Subscripts(inputs, output)


def contraction_vjp(inputs: Sequence[str], output: str, g: Any, operands: Sequence[Any], needs: Sequence[bool],
                    optimize: Any = True) -> tuple:
    """dL/d(operand k) of out = einsum(inputs -> output, operands), for each k that needs one."""
    largest: dict[str, int] = {}  # each letter's size after broadcasting
    for letters, x in zip(inputs, operands):
        for c, n in zip(letters, np.shape(raw(x))):
            largest[c] = max(largest.get(c, 1), n)
    return tuple(_operand_grad(k, inputs, output, g, operands, largest, optimize) if needed else None
                 for k, needed in enumerate(needs))


def _operand_grad(k: int, inputs: Sequence[str], output: str, g: Any, operands: Sequence[Any],
                  largest: dict, optimize: Any) -> Any:
    letters, shape = inputs[k], np.shape(raw(operands[k]))
    size = dict(zip(letters, shape))
    unique = "".join(dict.fromkeys(letters))  # a repeated letter once (its diagonal)
    others = [j for j in range(len(inputs)) if j != k]
    found = set(output).union(*(inputs[j] for j in others))
    keep = "".join(c for c in unique if c in found and not (size[c] == 1 and largest[c] > 1))
    terms = ",".join([output] + [inputs[j] for j in others])
    grad = np.einsum(terms + "->" + keep, g, *[operands[j] for j in others],
                     optimize=optimize if others else False)
    if len(keep) != len(unique):  # summed-away letters come back as axes of length 1
        grad = grad.reshape(tuple(grad.shape[keep.index(c)] if c in keep else 1 for c in unique))
    target = tuple(size[c] for c in unique)
    if np.shape(grad) != target:  # letters no other factor has: the same gradient for every index
        grad = np.broadcast_to(grad, target)
    if len(unique) == len(letters):
        return grad
    # a diagonal: put the gradient on it, zeros elsewhere
    key = tuple(np.arange(size[c]).reshape(tuple(-1 if d == c else 1 for d in unique)) for c in letters)
    return scatter_add(grad, key, shape)


class Einsum(Op):
    """y = Σ over the letters not in the output of Π_k A_k (numpy's einsum: any subscripts, '...', diagonals).   dL/dA_k = einsum of g and the other operands onto A_k's letters."""

    name, numpy = "einsum", ("einsum",)
    local = "∂y/∂A_k = the product of the other operands (a contraction)"

    def __call__(self, *args: Any, out: Any = None, optimize: Any = False, dtype: Any = None, order: str = "K",
                 casting: str = "safe") -> Any:
        if out is not None or dtype is not None:
            raise TypeError(f"einsum: {'out=' if out is not None else 'dtype='} is not supported on a Tensor "
                            "(apply numpy to tensor.detach().data for a plain array)")
        if order != "K" or casting != "safe":
            raise TypeError("einsum: order= and casting= are not supported on a Tensor")
        subscripts, operands = split_arguments(args)
        operands = [lift(x, self.name) for x in operands]
        spec = parse(subscripts, [np.ndim(raw(x)) for x in operands])
        return apply(self, *operands, spec=spec, optimize=optimize)

    def forward(self, ctx, *arrays, spec, optimize):
        ctx.saved = (spec, optimize)
        return np.einsum(spec.text, *arrays, optimize=optimize)

    def vjp(self, ctx, g, out, *inputs):
        spec, _ = ctx.saved
        return contraction_vjp(spec.inputs, spec.output, g, inputs, ctx.needs)


einsum = Einsum()
