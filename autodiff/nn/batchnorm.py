"""Batch normalisation (Ioffe & Szegedy, 2015): each channel standardised by the
statistics of the batch while training, by running averages of them when evaluating.

    training:   y = (x − mean_B) / √(var_B + eps) · weight + bias
                running_mean ← (1 − momentum)·running_mean + momentum·mean_B
                running_var  ← (1 − momentum)·running_var  + momentum·var_B·n/(n − 1)
    evaluation: y = (x − running_mean) / √(running_var + eps) · weight + bias

var_B is the biased variance (divided by n, the number of values per channel in
the batch); the running variance is fed the unbiased one (divided by n − 1), as
PyTorch does. ``momentum=None`` makes the running statistics plain averages over
all batches seen so far.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .functional import batch_norm
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    _dims: tuple[int, ...] = ()  # the input ranks accepted
    _layout = ""
    weight: Parameter | None
    bias: Parameter | None
    running_mean: np.ndarray | None
    running_var: np.ndarray | None
    num_batches_tracked: np.ndarray | None

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, *, dtype: Any = np.float64):
        super().__init__()
        who = type(self).__name__
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"{who}: num_features must be a positive integer, got {num_features!r}")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0 or not np.isfinite(eps):
            raise ValueError(f"{who}: eps must be a positive number, got {eps!r}")
        if momentum is not None and (isinstance(momentum, bool) or not isinstance(momentum, (int, float))
                                     or not 0 <= momentum <= 1):
            raise ValueError(f"{who}: momentum must be a number in [0, 1] or None, got {momentum!r}")
        for name, flag in (("affine", affine), ("track_running_stats", track_running_stats)):
            if not isinstance(flag, bool):
                raise TypeError(f"{who}: {name} must be True or False, got {flag!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(self.num_features), dtype=dtype)
            self.bias = Parameter(np.zeros(self.num_features), dtype=dtype)
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def reset_running_stats(self) -> None:
        if self.running_mean is not None and self.running_var is not None and self.num_batches_tracked is not None:
            self.running_mean[...] = 0.0
            self.running_var[...] = 1.0
            self.num_batches_tracked[...] = 0

    def forward(self, x: Any) -> Tensor:
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) not in self._dims or shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}): the input has shape {shape}; "
                             f"expected {self._layout} with {self.num_features} channels")
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            if momentum is None:  # the running statistics average all batches equally
                momentum = 1.0 / float(self.num_batches_tracked)
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, training=use_batch,
                          momentum=0.0 if momentum is None else momentum, eps=self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """``BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)``
    over inputs (N, C) or (N, C, L): statistics per channel C (see the module's doc)."""

    _dims, _layout = (2, 3), "(batch, channels) or (batch, channels, length)"


class BatchNorm2d(_BatchNorm):
    """``BatchNorm2d(num_features, ...)`` over images (N, C, H, W): statistics per channel C,
    over the batch and every pixel."""

    _dims, _layout = (4,), "(batch, channels, height, width)"
