"""The workloads: for each, the contenders as small functions returning a ``step``.

Every ``build_<workload>(ctx)`` returns a list of :class:`~benchmarks.harness.Case`;
nothing heavy happens until a case's ``setup`` runs. Peers are imported inside
the setups only (the harness has already skipped those that are missing).
``targets(rows, ctx)`` turns the measured rows into the issue's targets.
"""
from __future__ import annotations

from typing import Callable

from ..harness import Case, Context
from .chain import build_deep_chain
from .iris import build_iris
from .jacobian import build_jacobian
from .memory import build_memory
from .mnist import build_mnist_accuracy, build_mnist_epoch
from .nets import build_mlp_accuracy, build_nets
from .overhead import build_overhead
from .targets import targets
from .user import build_user_style

__all__ = ["QUICK_WORKLOADS", "WORKLOADS", "targets"]

QUICK_WORKLOADS = ["iris", "mnist_epoch", "overhead", "deep_chain", "jacobian", "memory", "user_style", "nets"]
WORKLOADS: dict[str, Callable[[Context], list[Case]]] = {
    "iris": build_iris,
    "mnist_epoch": build_mnist_epoch,
    "mnist_accuracy": build_mnist_accuracy,
    "overhead": build_overhead,
    "deep_chain": build_deep_chain,
    "jacobian": build_jacobian,
    "memory": build_memory,
    "user_style": build_user_style,
    "nets": build_nets,
    "mlp_accuracy": build_mlp_accuracy,
}

