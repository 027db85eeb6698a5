"""Conv2d: the 2-D convolution layer over images (N, C, H, W)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops.conv import pair
from ..tensor import Tensor
from . import init
from ._random import as_generator
from .functional import conv2d
from .module import Module
from .parameter import Parameter


class Conv2d(Module):
    """``Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=float64, rng=None)``.

    ``weight`` has PyTorch's layout (out_channels, in_channels, kh, kw) and
    ``bias`` (out_channels,); an input (N, in_channels, H, W) gives
    (N, out_channels, Ho, Wo) with Ho = (H + 2·padding − kh) // stride + 1.
    ``kernel_size``, ``stride`` and ``padding`` are ints or (height, width)
    pairs; ``padding="valid"`` is 0 and ``padding="same"`` keeps H and W (stride
    1 and odd kernels only). The initialisation is PyTorch's default: weight and
    bias from U(−1/√fan_in, 1/√fan_in), fan_in = in_channels·kh·kw.
    ``rng``: a numpy Generator, an int seed, or None for the Generator ``nn.manual_seed`` seeds.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 bias: bool = True, *, dtype: Any = np.float64, rng: Any = None):
        super().__init__()
        who = "Conv2d"
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(who, "kernel_size", kernel_size, 1)
        self.stride = pair(who, "stride", stride, 1)
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if self.stride != (1, 1) or self.kernel_size[0] % 2 == 0 or self.kernel_size[1] % 2 == 0:
                raise ValueError(f"{who}: padding='same' needs stride 1 and odd kernel sizes, got stride "
                                 f"{self.stride} and kernel_size {self.kernel_size}")
            padding = (self.kernel_size[0] // 2, self.kernel_size[1] // 2)
        self.padding = pair(who, "padding", padding, 0)
        self.weight = Parameter(np.zeros((self.out_channels, self.in_channels) + self.kernel_size, dtype), dtype=dtype)
        self.bias = Parameter(np.zeros(self.out_channels, dtype), dtype=dtype) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: Any = None) -> None:
        """Draw the weight and bias again, from PyTorch's default distribution."""
        generator = as_generator(rng, "Conv2d")
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), rng=generator)
        if self.bias is not None:
            fan_in, _ = init.fan_in_and_fan_out(self.weight.shape, "Conv2d")
            bound = 1.0 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound, rng=generator)

    def forward(self, x: Any) -> Tensor:
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) != 4 or shape[1] != self.in_channels:
            raise ValueError(f"Conv2d({self.in_channels}, {self.out_channels}): the input has shape {shape}; "
                             f"expected (batch, {self.in_channels}, height, width)")
        return conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, bias={self.bias is not None}")
