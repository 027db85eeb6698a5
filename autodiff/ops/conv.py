"""Convolution and pooling over images laid out (N, C, H, W): batch, channels, height, width.

conv2d
    out[n, o, p, q] = b[o] + Σ_{c,i,j} w[o, c, i, j] · x̃[n, c, s·p + i, s·q + j]
    (x̃: x with ``padding`` zeros around; a cross-correlation, as in PyTorch).
    Computed by im2col: every (kh × kw) window of every channel becomes one row
    of a matrix (``sliding_window_view``, a view, then one copy), and the
    convolution is one matrix product with the weight seen as (O, C·kh·kw).

The convolution is bilinear in (x, w), and its two derivatives are
convolutions of their own (ops here too, so gradients of any order work):

    dL/dx = conv_transpose2d(g, w)       the adjoint of x ↦ conv2d(x, w)
    dL/dw = conv2d_weight(x, g)          the adjoint of w ↦ conv2d(x, w)

and the three ops close under differentiation: each one's vjp calls the others.

max_pool2d
    out = the maximum of each window: out = x[argmax positions], so
    dL/dx = g scattered back to the position of each window's maximum. A tie
    within a window gives the whole gradient to the FIRST maximum in row-major
    order within the window (as PyTorch does on CPU).
avg_pool2d
    out = the mean of each window (zeros of the padding counted, unless
    ``count_include_pad=False``); dL/dx spreads g/(window size) back over
    each window (a transposed convolution with a constant kernel).

``ceil_mode``, dilation and groups are not supported.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..engine import MODES
from .base import Node, Op, apply, lift, raw

__all__ = ["conv2d", "conv_transpose2d", "conv2d_weight", "max_pool2d", "avg_pool2d"]


# ----- arguments ---------------------------------------------------------------------------------
def pair(who: str, name: str, value: Any, low: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each >= low, as a pair."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values):
        raise TypeError(f"{who}: {name} must be an int or a pair of ints (height, width), got {value!r}")
    if any(v < low for v in values):
        raise ValueError(f"{who}: {name} must be >= {low}, got {value!r}")
    return int(values[0]), int(values[1])


def _shape_of(x: Any) -> tuple:
    return np.shape(raw(x))


def _check_images(who: str, name: str, x: Any) -> tuple:
    shape = _shape_of(x)
    if len(shape) != 4:
        raise ValueError(f"{who}: {name} must be 4-D (batch, channels, height, width), got shape {shape}")
    return shape


def _out_size(who: str, size: tuple, kernel: tuple, stride: tuple, padding: tuple) -> tuple[int, int]:
    """Output height and width of a window of ``kernel`` sliding by ``stride`` over ``size`` padded."""
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise ValueError(f"{who}: the kernel {kernel} is larger than the padded input {padded} "
                         f"(input {tuple(size)}, padding {padding})")
    return (padded[0] - kernel[0]) // stride[0] + 1, (padded[1] - kernel[1]) // stride[1] + 1


def _either(op: Op, *inputs: Any, **params: Any) -> Any:
    """``op(*inputs)`` inside a vjp: a Tensor when some input is one (create_graph), else an array."""
    out = op(*inputs, **params)
    return out if any(isinstance(x, Node) for x in inputs) else out.data


# ----- numpy kernels -----------------------------------------------------------------------------
def _pad(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _windows(xp: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    """The view (N, C, Ho, Wo, kh, kw) of every window of the padded images (no copy)."""
    view = sliding_window_view(xp, kernel, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1]]


def im2col(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple) -> np.ndarray:
    """The windows as columns: (C·kh·kw, N·Ho·Wo), row (c, i, j), column (n, p, q). One copy;
    its inner loop runs along a row of windows, so it is long and evenly strided."""
    win = _windows(_pad(x, padding), kernel, stride)
    n, c, ho, wo, kh, kw = win.shape
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * ho * wo)


def col2im(cols: np.ndarray, shape: tuple, kernel: tuple, stride: tuple, padding: tuple) -> np.ndarray:
    """The adjoint of im2col: cols (C, kh, kw, N, Ho, Wo) summed back into images of ``shape``
    (N, C, H, W): each kernel offset (i, j) adds one strided slice."""
    n, c, h, w = shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = cols.shape[-2:]
    full = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            full[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += cols[:, i, j]
    return np.ascontiguousarray(full[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3))


def _conv_forward(x, w, b, stride, padding):
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = _out_size("conv2d", (h, wd), (kh, kw), stride, padding)
    cols = im2col(x, (kh, kw), stride, padding)
    out = w.reshape(o, -1) @ cols  # (O, N·Ho·Wo)
    if b is not None:
        out = _add(out, b.reshape(o, 1))
    return np.ascontiguousarray(out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)), cols


def _conv_transpose_forward(x, w, b, stride, padding, output_padding):
    """x (N, Cin, Hi, Wi), w (Cin, Cout, kh, kw): each input pixel adds w[c] times itself
    onto a kh × kw patch of the output, the patches placed ``stride`` apart."""
    n, cin, hi, wi = x.shape
    _, cout, kh, kw = w.shape
    h = (hi - 1) * stride[0] - 2 * padding[0] + kh + output_padding[0]
    wd = (wi - 1) * stride[1] - 2 * padding[1] + kw + output_padding[1]
    # (Cout·kh·kw, Cin) @ (Cin, N·Hi·Wi)
    cols = w.reshape(cin, -1).T @ x.transpose(1, 0, 2, 3).reshape(cin, -1)
    out = col2im(cols.reshape(cout, kh, kw, n, hi, wi), (n, cout, h, wd), (kh, kw), stride, padding)
    if b is not None:
        out = _add(out, b.reshape(1, cout, 1, 1))
    return out


def _add(out: np.ndarray, b: np.ndarray) -> np.ndarray:
    """out + b in the dtype numpy's + gives, in place (out is a fresh array of ours)."""
    dtype = np.result_type(out, b)
    if dtype != out.dtype:  # e.g. a float64 bias on float32 images
        out = out.astype(dtype)
    out += b
    return out


def _weight_grad(cols: np.ndarray, g: np.ndarray, kernel_shape: tuple) -> np.ndarray:
    """Σ_{n,p,q} g[n, o, p, q] · (window (n, p, q) of x)[c, i, j], from x's im2col columns."""
    o = g.shape[1]
    return (g.transpose(1, 0, 2, 3).reshape(o, -1) @ cols.T).reshape(kernel_shape)


# ----- the convolution and its two adjoints ---------------------------------------------------------
class Conv2d(Op):
    """out = b + Σ_{c,i,j} w[o,c,i,j] · x̃[n,c,s·p+i,s·q+j].   dL/dx = conv_transpose2d(g, w), dL/dw = conv2d_weight(x, g), dL/db = Σ_{n,p,q} g."""

    name = "conv2d"
    local = ('∂out[n,o,p,q]/∂x[n,c,s·p+i−pad,s·q+j−pad] = w[o,c,i,j]',
             '∂out[n,o,p,q]/∂w[o,c,i,j] = x̃[n,c,s·p+i,s·q+j]', '∂out[n,o,p,q]/∂b[o] = 1')

    def __call__(self, x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0) -> Any:
        who = self.name
        x, weight = lift(x, who), lift(weight, who)
        n, c, h, w = _check_images(who, "input", x)
        wshape = _shape_of(weight)
        if len(wshape) != 4:
            raise ValueError(f"{who}: weight must be 4-D (out_channels, in_channels, kh, kw), got shape {wshape}")
        if wshape[1] != c:
            raise ValueError(f"{who}: the input has {c} channels (shape {(n, c, h, w)}) but the weight "
                             f"{wshape} expects {wshape[1]}")
        stride, padding = pair(who, "stride", stride, 1), pair(who, "padding", padding, 0)
        _out_size(who, (h, w), wshape[2:], stride, padding)
        if bias is None:
            return apply(self, x, weight, stride=stride, padding=padding)
        bias = lift(bias, who)
        if _shape_of(bias) != (wshape[0],):
            raise ValueError(f"{who}: bias must have shape ({wshape[0]},), one per output channel, "
                             f"got {_shape_of(bias)}")
        return apply(self, x, weight, bias, stride=stride, padding=padding)

    def forward(self, ctx, x, w, b=None, *, stride, padding):
        out, cols = _conv_forward(x, w, b, stride, padding)
        # the im2col columns serve the plain pass's weight gradient
        ctx.saved = (stride, padding, cols if ctx.needs[1] else None)
        return out

    @staticmethod
    def _output_padding(x_shape, w_shape, stride, padding):
        """What conv_transpose2d must add to give back x's height and width: the rows
        and columns a stride > 1 left out of every window."""
        return tuple((x_shape[2 + k] + 2 * padding[k] - w_shape[2 + k]) % stride[k] for k in range(2))

    def vjp(self, ctx, g, out, x, w, b=None):
        if not isinstance(g, Node):  # a plain pass (an engine that calls vjp for both)
            return self.plain_vjp(ctx, g, out, x, w, b)
        stride, padding = ctx.saved[:2]
        needs = ctx.needs
        gx = gw = gb = None
        if needs[0]:
            gx = _either(conv_transpose2d, g, w, stride=stride, padding=padding,
                         output_padding=self._output_padding(x.shape, w.shape, stride, padding))
        if needs[1]:
            gw = _either(conv2d_weight, x, g, kernel_size=w.shape[2:], stride=stride, padding=padding)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)

    def plain_vjp(self, ctx, g, out, x, w, b=None):
        stride, padding, cols = ctx.saved
        needs = ctx.needs
        gx = gw = gb = None
        if needs[0]:
            gx = _conv_transpose_forward(g, w, None, stride, padding,
                                         self._output_padding(x.shape, w.shape, stride, padding))
        if needs[1]:
            if cols is None:
                cols = im2col(x, w.shape[2:], stride, padding)
            gw = _weight_grad(cols, g, w.shape)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)


class ConvTranspose2d(Op):
    """out = the adjoint of conv2d(·, w) applied to x: each x[n,c,p,q] adds x·w[c] onto the patch at (s·p−pad, s·q−pad).   dL/dx = conv2d(g, w), dL/dw = conv2d_weight(g, x), dL/db = Σ_{n,h,w} g."""

    name = "conv_transpose2d"
    local = ('∂out/∂x: conv2d(·, w)', '∂out/∂w: conv2d_weight(g, x)', '∂out[n,o,h,w]/∂b[o] = 1')

    def __call__(self, x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0) -> Any:
        who = self.name
        x, weight = lift(x, who), lift(weight, who)
        n, cin, hi, wi = _check_images(who, "input", x)
        wshape = _shape_of(weight)
        if len(wshape) != 4:
            raise ValueError(f"{who}: weight must be 4-D (in_channels, out_channels, kh, kw), got shape {wshape}")
        if wshape[0] != cin:
            raise ValueError(f"{who}: the input has {cin} channels (shape {(n, cin, hi, wi)}) but the weight "
                             f"{wshape} expects {wshape[0]}")
        stride, padding = pair(who, "stride", stride, 1), pair(who, "padding", padding, 0)
        output_padding = pair(who, "output_padding", output_padding, 0)
        if output_padding[0] >= stride[0] or output_padding[1] >= stride[1]:
            raise ValueError(f"{who}: output_padding {output_padding} must be smaller than the stride {stride}")
        size = [(s - 1) * st - 2 * p + k + op for s, st, p, k, op in
                zip((hi, wi), stride, padding, wshape[2:], output_padding)]
        if min(size) < 1:
            raise ValueError(f"{who}: the output would have size {tuple(size)}: the padding {padding} "
                             f"removes more than the input {(hi, wi)} and kernel {wshape[2:]} give")
        inputs = [x, weight]
        if bias is not None:
            bias = lift(bias, who)
            if _shape_of(bias) != (wshape[1],):
                raise ValueError(f"{who}: bias must have shape ({wshape[1]},), one per output channel, "
                                 f"got {_shape_of(bias)}")
            inputs.append(bias)
        return apply(self, *inputs, stride=stride, padding=padding, output_padding=output_padding)

    def forward(self, ctx, x, w, b=None, *, stride, padding, output_padding):
        ctx.saved = (stride, padding)
        return _conv_transpose_forward(x, w, b, stride, padding, output_padding)

    def vjp(self, ctx, g, out, x, w, b=None):
        if not isinstance(g, Node):  # a plain pass (an engine that calls vjp for both)
            return self.plain_vjp(ctx, g, out, x, w, b)
        stride, padding = ctx.saved
        needs = ctx.needs
        gx = gw = gb = None
        if needs[0]:
            gx = _either(conv2d, g, w, stride=stride, padding=padding)
        if needs[1]:
            gw = _either(conv2d_weight, g, x, kernel_size=w.shape[2:], stride=stride, padding=padding)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)

    def plain_vjp(self, ctx, g, out, x, w, b=None):
        stride, padding = ctx.saved
        needs = ctx.needs
        gx = gw = gb = None
        cols = im2col(g, w.shape[2:], stride, padding) if needs[0] or needs[1] else None
        if needs[0]:
            cin = w.shape[0]
            gx = np.ascontiguousarray(
                (w.reshape(cin, -1) @ cols).reshape(cin, x.shape[0], x.shape[2], x.shape[3]).transpose(1, 0, 2, 3))
        if needs[1]:
            gw = _weight_grad(cols, x, w.shape)
        if len(needs) > 2 and needs[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)


class Conv2dWeight(Op):
    """dw = the gradient of conv2d(x, w) w.r.t. w for upstream g: dw[o,c,i,j] = Σ_{n,p,q} g[n,o,p,q] · x̃[n,c,s·p+i,s·q+j].   dL/dx = conv_transpose2d(g, u), dL/dg = conv2d(x, u) (u: the upstream gradient of dw)."""

    name = "conv2d_weight"
    local = ('∂dw[o,c,i,j]/∂x[n,c,s·p+i−pad,s·q+j−pad] = g[n,o,p,q]',
             '∂dw[o,c,i,j]/∂g[n,o,p,q] = x̃[n,c,s·p+i,s·q+j]')

    def __call__(self, x: Any, grad_output: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0) -> Any:
        who = self.name
        x, grad_output = lift(x, who), lift(grad_output, who)
        n, c, h, w = _check_images(who, "input", x)
        gshape = _check_images(who, "grad_output", grad_output)
        kernel = pair(who, "kernel_size", kernel_size, 1)
        stride, padding = pair(who, "stride", stride, 1), pair(who, "padding", padding, 0)
        expected = (n, gshape[1]) + _out_size(who, (h, w), kernel, stride, padding)
        if gshape != expected:
            raise ValueError(f"{who}: grad_output has shape {gshape}, but conv2d of an input {(n, c, h, w)} with "
                             f"kernel {kernel}, stride {stride}, padding {padding} has outputs {expected[2:]} "
                             f"(batch {n})")
        return apply(self, x, grad_output, kernel=kernel, stride=stride, padding=padding)

    def forward(self, ctx, x, g, *, kernel, stride, padding):
        ctx.saved = (stride, padding)
        return _weight_grad(im2col(x, kernel, stride, padding), g, (g.shape[1], x.shape[1]) + kernel)

    def vjp(self, ctx, u, out, x, g):
        stride, padding = ctx.saved
        gx = gg = None
        if ctx.needs[0]:
            gx = _either(conv_transpose2d, g, u, stride=stride, padding=padding,
                         output_padding=Conv2d._output_padding(x.shape, u.shape, stride, padding))
        if ctx.needs[1]:
            gg = _either(conv2d, x, u, stride=stride, padding=padding)
        return gx, gg


# ----- pooling -----------------------------------------------------------------------------------------
def _pool_args(who: str, x: Any, kernel_size: Any, stride: Any, padding: Any) -> tuple:
    _check_images(who, "input", x)
    kernel = pair(who, "kernel_size", kernel_size, 1)
    stride = kernel if stride is None else pair(who, "stride", stride, 1)
    padding = pair(who, "padding", padding, 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{who}: padding {padding} must be at most half the kernel {kernel} "
                         "(else a window could hold padding only)")
    _out_size(who, _shape_of(x)[2:], kernel, stride, padding)
    return kernel, stride, padding


class MaxPool2d(Op):
    """out[n,c,p,q] = max of window (p, q) = x[argmax position].   dL/dx = g at each window's first maximum, 0 elsewhere (summed where windows overlap)."""

    name = "max_pool2d"
    local = '∂out/∂x = 1 at the first maximum of each window, 0 elsewhere'

    def __call__(self, x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> Any:
        x = lift(x, self.name)
        kernel, stride, padding = _pool_args(self.name, x, kernel_size, stride, padding)
        return apply(self, x, kernel=kernel, stride=stride, padding=padding)

    def forward(self, ctx, x, *, kernel, stride, padding):
        xp = _pad(x, padding, -np.inf)
        (kh, kw), (sh, sw) = kernel, stride
        ho, wo = _out_size(self.name, x.shape[2:], kernel, stride, padding)

        def offset(k: int) -> np.ndarray:  # pixel (i, j) of every window: a strided view
            i, j = divmod(k, kw)
            return xp[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]

        best = offset(0).copy()
        if not (ctx.needs[0] and MODES.grad_enabled):
            for k in range(1, kh * kw):
                np.maximum(best, offset(k), out=best)  # NaN propagates
            return best
        # the running maximum (NaN propagates) and the offset of its FIRST occurrence (a later tie
        # is not greater)
        first = np.zeros(best.shape, dtype=np.int32)
        for k in range(1, kh * kw):
            pixels = offset(k)
            greater = np.greater(pixels, best)
            np.maximum(best, pixels, out=best)
            np.copyto(first, k, where=greater)
        ctx.saved = (first, kernel, stride, padding)
        return best

    @staticmethod
    def _key(x_shape: tuple, first: np.ndarray, kernel: tuple, stride: tuple, padding: tuple) -> tuple:
        """The position in x of each window's first maximum: (n, c, row, column) index arrays."""
        n, c, ho, wo = first.shape
        kw = kernel[1]
        rows = np.arange(ho).reshape(ho, 1) * stride[0] + first // kw - padding[0]
        cols = np.arange(wo) * stride[1] + first % kw - padding[1]
        # a window whose pixels are all -inf ties with its padding, and its corner, perhaps
        # padding, "wins": its first real pixel takes the gradient instead (as in PyTorch)
        np.maximum(rows, 0, out=rows)
        np.maximum(cols, 0, out=cols)
        return np.arange(n).reshape(n, 1, 1, 1), np.arange(c).reshape(1, c, 1, 1), rows, cols

    def vjp(self, ctx, g, out, x):
        if not isinstance(g, Node):
            return self.plain_vjp(ctx, g, out, x)
        from .shape import scatter_add  # max_pool2d(x) = x[key]: its adjoint
        return (scatter_add(g, self._key(x.shape, *ctx.saved), x.shape),)

    def plain_vjp(self, ctx, g, out, x):
        first, kernel, stride, padding = ctx.saved
        (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
        if (ph or pw) and np.isneginf(out).any():  # windows of -inf only: see _key
            flat = np.ravel_multi_index(np.broadcast_arrays(*self._key(x.shape, *ctx.saved)), x.shape).ravel()
            gx = np.bincount(flat, weights=g.ravel(), minlength=x.size).astype(g.dtype, copy=False)
            return (gx.reshape(x.shape),)
        n, c, h, w = x.shape
        ho, wo = g.shape[2:]
        if stride == kernel and not (ph or pw):  # windows side by side, tiling x: no adds, no zeros first
            tiles = np.empty((n, c, ho, kh, wo, kw), dtype=g.dtype)
            for k in range(kh * kw):
                i, j = divmod(k, kw)
                np.multiply(g, first == k, out=tiles[:, :, :, i, :, j])
            if (ho * kh, wo * kw) == (h, w):
                return (tiles.reshape(n, c, h, w),)
            gx = np.zeros(x.shape, dtype=g.dtype)  # the rows and columns no window reached get 0
            gx[:, :, :ho * kh, :wo * kw] = tiles.reshape(n, c, ho * kh, wo * kw)
            return (gx,)
        full = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        for k in range(kh * kw):  # each window's gradient to its maximum's pixel
            i, j = divmod(k, kw)
            target = full[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
            np.add(target, g, out=target, where=first == k)  # adds: windows may overlap
        return (np.ascontiguousarray(full[:, :, ph:ph + h, pw:pw + w]),)


class AvgPool2d(Op):
    """out[n,c,p,q] = (1/d) Σ_{i,j} x̃[n,c,s·p+i,s·q+j], d = kh·kw (or the real pixels of the window).   dL/dx = g/d spread over each window."""

    name = "avg_pool2d"
    local = '∂out/∂x = 1/d for each pixel of the window'

    def __call__(self, x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 count_include_pad: bool = True) -> Any:
        x = lift(x, self.name)
        kernel, stride, padding = _pool_args(self.name, x, kernel_size, stride, padding)
        if not isinstance(count_include_pad, (bool, np.bool_)):
            raise TypeError(f"{self.name}: count_include_pad must be True or False, got {count_include_pad!r}")
        return apply(self, x, kernel=kernel, stride=stride, padding=padding,
                     count_include_pad=bool(count_include_pad))

    @staticmethod
    def _window_sums(xp, kernel, stride, out_size):
        (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_size
        total = np.zeros(xp.shape[:2] + (ho, wo), dtype=xp.dtype)
        for i in range(kh):
            for j in range(kw):
                total += xp[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
        return total

    def forward(self, ctx, x, *, kernel, stride, padding, count_include_pad):
        out_size = _out_size(self.name, x.shape[2:], kernel, stride, padding)
        if count_include_pad or padding == (0, 0):
            divisor: Any = float(kernel[0] * kernel[1])
        else:  # the real (not padding) pixels of each window
            ones = _pad(np.ones((1, 1) + x.shape[2:], dtype=x.dtype), padding)
            divisor = self._window_sums(ones, kernel, stride, out_size)[0, 0]
        ctx.saved = (kernel, stride, padding, divisor)
        return self._window_sums(_pad(x, padding), kernel, stride, out_size) / divisor

    def vjp(self, ctx, g, out, x):
        kernel, stride, padding, divisor = ctx.saved
        n, c, h, w = x.shape
        if not isinstance(g, Node):
            return self.plain_vjp(ctx, g, out, x)
        # a transposed convolution of each channel with a kernel of ones
        ones = np.ones((1, 1) + kernel, dtype=g.dtype)
        spread = conv_transpose2d((g / divisor).reshape(n * c, 1, *g.shape[2:]), ones, stride=stride,
                                  padding=padding,
                                  output_padding=Conv2d._output_padding(x.shape, ones.shape, stride, padding))
        return (spread.reshape(n, c, h, w),)

    def plain_vjp(self, ctx, g, out, x):
        kernel, stride, padding, divisor = ctx.saved
        (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
        n, c, h, w = x.shape
        ho, wo = g.shape[2:]
        share = g / divisor
        full = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                full[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += share
        return (np.ascontiguousarray(full[:, :, ph:ph + h, pw:pw + w]),)


conv2d, conv_transpose2d, conv2d_weight = Conv2d(), ConvTranspose2d(), Conv2dWeight()
max_pool2d, avg_pool2d = MaxPool2d(), AvgPool2d()
