"""Pooling layers over images (N, C, H, W): the maximum or the mean of each window."""
from __future__ import annotations

from typing import Any

from ..ops.conv import pair
from ..tensor import Tensor
from .functional import avg_pool2d, max_pool2d
from .module import Module


class _Pool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0):
        super().__init__()
        who = type(self).__name__
        self.kernel_size = pair(who, "kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else pair(who, "stride", stride, 1)
        self.padding = pair(who, "padding", padding, 0)
        if self.padding[0] > self.kernel_size[0] // 2 or self.padding[1] > self.kernel_size[1] // 2:
            raise ValueError(f"{who}: padding {self.padding} must be at most half the kernel {self.kernel_size}")

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """``MaxPool2d(kernel_size, stride=None, padding=0)``: the maximum of each window
    (stride None: the kernel size, windows side by side; padding counts as −inf).
    Where a window has tied maxima, the gradient goes to the first in row-major order."""

    def forward(self, x: Any) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """``AvgPool2d(kernel_size, stride=None, padding=0, count_include_pad=True)``: the mean
    of each window; the zeros of the padding count in the mean unless count_include_pad=False."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding)
        if not isinstance(count_include_pad, bool):
            raise TypeError(f"AvgPool2d: count_include_pad must be True or False, got {count_include_pad!r}")
        self.count_include_pad = count_include_pad

    def forward(self, x: Any) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", count_include_pad={self.count_include_pad}"
