"""Sliding windows (im2col): ``sliding_window_view`` and its adjoint ``window_sum``.

sliding_window_view(x, (k,), axis=0) has y[i, w] = x[i + w]: every element of
x appears in up to k windows. Its vjp adds each window's gradient back where
the window came from: for each offset w of the window, g[..., w] is added to
x's slice starting at w. That loop runs over the window's offsets (k, or
k₁·k₂ for a 2-d window), not over the elements, so it is fast. It is an op of
its own, ``window_sum``, whose vjp is sliding_window_view again (the two are
each other's adjoint), so second derivatives work too.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Node, Op, apply, lift, raw


def _window_axes(who: str, shape: tuple, window_shape: Any, axis: Any) -> tuple[tuple, tuple]:
    window: tuple = (window_shape,) if isinstance(window_shape, (int, np.integer)) else tuple(window_shape)
    if any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 0 for w in window):
        raise TypeError(f"{who}: window_shape must be non-negative ints, got {window_shape!r}")
    ndim = len(shape)
    if axis is None:
        if len(window) != ndim:
            raise ValueError(f"{who}: window_shape {window} needs one length per axis of shape {shape} "
                             "when axis is None")
        axes: tuple = tuple(range(ndim))
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if len(axes) != len(window):
            raise ValueError(f"{who}: {len(window)} window lengths for {len(axes)} axes {axes}")
        if any(not -ndim <= a < ndim for a in axes):
            raise ValueError(f"{who}: axis {axis} is out of range for shape {shape}")
        axes = tuple(int(a) % ndim for a in axes)
    left = list(shape)
    for a, w in zip(axes, window):  # an axis may be windowed twice: the lengths add up
        if w > left[a]:
            raise ValueError(f"{who}: a window of {w} is longer than axis {a} ({left[a]} left) of shape {shape}")
        left[a] -= w - 1
    return tuple(int(w) for w in window), axes


class SlidingWindowView(Op):
    """y[..., i, ..., w] = x[..., i + w, ...]: every window of window_shape along axis (numpy's sliding_window_view, im2col).   dL/dx = window_sum(g): each window's gradient added back where it came from."""

    name, numpy = "sliding_window_view", ("lib.stride_tricks.sliding_window_view",)
    local = "copies elements: dL/dx = each window's g added back in place"

    def __call__(self, x: Any, window_shape: Any, axis: Any = None, *, subok: bool = False,  # type: ignore[override]
                 writeable: bool = False) -> Any:
        if writeable:
            raise ValueError("sliding_window_view: writeable=True is refused: the windows share elements, "
                             "so a write would change several of them (and x)")
        if subok:
            raise TypeError("sliding_window_view: subok=True has no meaning for a Tensor")
        x = lift(x, self.name)
        window, axes = _window_axes(self.name, np.shape(raw(x)), window_shape, axis)
        return apply(self, x, window_shape=window, axis=axes)

    def forward(self, ctx, x, window_shape, axis):
        ctx.saved = (window_shape, axis)
        return np.lib.stride_tricks.sliding_window_view(x, window_shape, axis)  # a read-only view: no copy

    def vjp(self, ctx, g, out, x):
        window_shape, axis = ctx.saved
        if isinstance(g, Node):  # under create_graph: the adjoint as a recorded op
            return (window_sum(g, np.shape(raw(x)), window_shape, axis),)
        return (_add_windows(g, np.shape(x), window_shape, axis),)


class WindowSum(Op):
    """x = zeros(shape) with each window of g added back where sliding_window_view took it (its adjoint).   dL/dg = sliding_window_view(upstream)."""

    name = "window_sum"
    local = "dL/dg = sliding_window_view(upstream)"

    def __call__(self, g: Any, shape: tuple, window_shape: tuple, axis: tuple) -> Any:
        return apply(self, lift(g, self.name), shape=tuple(shape), window_shape=tuple(window_shape),
                     axis=tuple(axis))

    def forward(self, ctx, g, shape, window_shape, axis):
        ctx.saved = (window_shape, axis)
        return _add_windows(g, shape, window_shape, axis)

    def vjp(self, ctx, upstream, out, g):
        window_shape, axis = ctx.saved
        return (np.lib.stride_tricks.sliding_window_view(upstream, window_shape, axis),)


def _add_windows(g: np.ndarray, shape: tuple, window_shape: tuple, axis: tuple) -> np.ndarray:
    """zeros(shape) plus every window of g where it was taken: one slice addition per window offset."""
    x = np.zeros(shape, dtype=g.dtype)
    counts = g.shape[:len(shape)]  # the number of windows along each axis
    for offset in np.ndindex(*window_shape):
        start = [0] * len(shape)
        for a, w in zip(axis, offset):
            start[a] += w
        x[tuple(slice(s, s + n) for s, n in zip(start, counts))] += g[(Ellipsis,) + offset]
    return x


sliding_window_view, window_sum = SlidingWindowView(), WindowSum()
