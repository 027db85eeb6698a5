"""(g) memory: peak memory of full-MNIST training, and memory over 50,000 Iris steps."""
from __future__ import annotations

import tracemalloc
from functools import partial

import numpy as np

from ..harness import Case, Context
from .common import MB, _case, iris_data, mnist_raw, standardize
from .iris import iris_autodiff
from .mnist import _have_models_linear


def mnist_fit_memory(ctx: Context):
    """Setup: only the float32 standardized training set stays in memory."""
    from models.linear import SoftmaxRegression
    X_train, y_train, _, _, source = mnist_raw(ctx, cache=False)
    X, _ = standardize(X_train, None, np.float32)
    y = y_train.astype(np.int64)
    del X_train, y_train

    def fit():
        SoftmaxRegression().fit(X, y)
        return {"dataset_MB": X.nbytes / MB, "data": source}
    return fit


def mnist_fit_summary(mem: dict) -> dict:
    if mem.get("status", "ok") != "ok":
        return {}
    budget = 1.5 * mem["dataset_MB"] + 100
    out = {"float32 data MB": round(mem["dataset_MB"], 1),
           "peak RSS over start MB": round(mem["peak_rss_over_start_MB"], 1),
           "budget MB": round(budget, 1),
           "x data": round(mem["peak_rss_over_start_MB"] / mem["dataset_MB"], 2)}
    if mem.get("tracemalloc_peak_MB") is not None:
        out["tracemalloc peak during fit MB"] = round(mem["tracemalloc_peak_MB"], 1)
    return out


def iris_memory(ctx: Context, steps: int, checkpoints: tuple):
    from ..probe import rss_MB
    step = iris_autodiff(*iris_data(ctx))

    def run():
        tracemalloc.start()
        rss, traced = [], []
        for i in range(1, steps + 1):
            step()
            if i in checkpoints:
                rss.append(rss_MB())
                traced.append(tracemalloc.get_traced_memory()[0] / MB)
        tracemalloc.stop()
        return {"checkpoints": list(checkpoints), "rss_MB": rss, "traced_MB": traced}
    return run


FLAT_TRACED_MB = 0.1  # growth of live Python/numpy memory from the first to the last checkpoint
FLAT_RSS_MB = 5.0


def iris_memory_summary(mem: dict) -> dict:
    if mem.get("status", "ok") != "ok":
        return {}
    grow_traced = mem["traced_MB"][-1] - mem["traced_MB"][0]
    grow_rss = mem["rss_MB"][-1] - mem["rss_MB"][0]
    return {"at steps": "/".join(f"{c // 1000}k" for c in mem["checkpoints"]),
            "RSS MB": "/".join(f"{v:.1f}" for v in mem["rss_MB"]),
            "tracemalloc current MB": "/".join(f"{v:.3f}" for v in mem["traced_MB"]),
            "flat": grow_traced < FLAT_TRACED_MB and grow_rss < FLAT_RSS_MB}


def build_memory(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    if ctx.quick:
        ctx.note("--quick: the memory of MNIST training is not measured")
    elif ctx.wants("autodiff") and _have_models_linear(ctx):
        data = "MNIST sample" if ctx.quick else "full MNIST"
        _case(cases, "memory", f"{data} fit, SoftmaxRegression() defaults, float32", "autodiff",
              partial(mnist_fit_memory, ctx), timed=False, probe=True, after=mnist_fit_summary)
    steps, checkpoints = (5_000, (1_000, 2_000, 3_000, 5_000)) if ctx.quick else \
        (50_000, (1_000, 10_000, 25_000, 50_000))
    _case(cases, "memory", f"Iris {steps:,} GD steps, written-out loss", "autodiff",
          partial(iris_memory, ctx, steps, checkpoints), timed=False, probe=True, trace=False,
          after=iris_memory_summary)
    return cases
