"""A LeNet-style convolutional network trained on MNIST with autodiff.nn and autodiff.optim.

    conv 5×5 (1 → 6, padding 2) → ReLU → max-pool 2 → conv 5×5 (6 → 16) → ReLU → max-pool 2
    → flatten (16·5·5 = 400) → linear 120 → ReLU → linear 84 → ReLU → linear 10

trained with Adam (learning rate cosine-annealed to 0 over the epochs) on mini-batches,
pixels scaled to [0, 1]. Every epoch prints the mean training loss, the test accuracy
and the seconds the epoch took.

    python examples/cnn_mnist.py                         # full MNIST ($AUTODIFF_DATA or --data)
    python examples/cnn_mnist.py --sample --epochs 2     # the bundled 5,000 + 1,000 images, offline
    python examples/cnn_mnist.py --profile --epochs 1    # where the time of an epoch goes

``--profile`` times every op's forward and backward (and, inside the convolutions, the
im2col copies and the matrix products) and prints the share of each in the epoch.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import autodiff as ad  # noqa: E402
from autodiff import data, nn, optim  # noqa: E402
from autodiff.nn import functional as F  # noqa: E402


def lenet(rng: int, dtype: Any = np.float64) -> nn.Sequential:
    """LeNet-5's layout with ReLU and max-pooling (PyTorch's default initialisation)."""
    g = np.random.default_rng(rng)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, dtype=dtype, rng=g), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, dtype=dtype, rng=g), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120, dtype=dtype, rng=g), nn.ReLU(),
        nn.Linear(120, 84, dtype=dtype, rng=g), nn.ReLU(),
        nn.Linear(84, 10, dtype=dtype, rng=g))


def load(sample: bool, path: str | None, dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Images (n, 1, 28, 28) in [0, 1] and int64 labels: train then test."""
    kwargs = {} if sample else {"path": path, "download": False}
    X_train, y_train, X_test, y_test = data.load_mnist_arrays(sample=sample, dtype=dtype, **kwargs)
    return X_train.reshape(-1, 1, 28, 28), y_train, X_test.reshape(-1, 1, 28, 28), y_test


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    model.eval()
    with ad.no_grad():
        right = sum(int(np.sum(np.argmax(model(X[i:i + batch_size]).data, axis=1) == y[i:i + batch_size]))
                    for i in range(0, len(X), batch_size))
    model.train()
    return right / len(X)


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, *,
          epochs: int, batch_size: int, lr: float, seed: int,
          report: Callable[[int, dict[str, float]], None] | None = None,
          timer: "OpTimer | None" = None) -> list[dict[str, float]]:
    """Adam with a cosine-annealed learning rate; returns per epoch the mean training loss, the
    test accuracy, and the wall-clock and CPU seconds of the training (not the evaluation)."""
    opt = optim.Adam(model.parameters(), lr=lr)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * math.ceil(len(X) / batch_size))
    loader = data.DataLoader(X, y, batch_size=batch_size, shuffle=True, seed=seed)
    history = []
    for epoch in range(epochs):
        start, cpu_start = time.perf_counter(), time.process_time()
        total = 0.0
        for Xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(Xb), yb)
            loss.backward()
            opt.step()
            schedule.step()
            total += loss.item() * len(yb)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        if timer is not None:
            timer.on = False  # the evaluation is not part of the epoch's time
        test = accuracy(model, X_test, y_test)
        if timer is not None:
            timer.on = True
        history.append({"loss": total / len(X), "test_accuracy": test, "seconds": seconds, "cpu_seconds": cpu})
        if report is not None:
            report(epoch, history[-1])
    return history


# ----- profiling: time per op, forward and backward ----------------------------------------------
class OpTimer:
    """Wraps every op's forward and backward kernels (and the convolution's im2col and col2im)
    with a timer of CPU seconds (``time.process_time``: on a machine whose cores other work
    shares, wall-clock time would measure the others too); nested calls are reported inside
    their parent (indented). Run with one BLAS thread (--blas-threads 1) for CPU times that
    add up to the epoch's."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[Any, str, Any]] = []
        self._running: set[str] = set()
        self.on = True

    def _wrap(self, owner: Any, attribute: str, label: str, static: bool = False) -> None:
        had = attribute in owner.__dict__
        original = getattr(owner, attribute)
        seconds, calls, running = self.seconds, self.calls, self._running

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on or label in running:  # off, or called from inside itself (vjp → plain_vjp)
                return original(*args, **kwargs)
            running.add(label)
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += time.process_time() - start
                calls[label] += 1
                running.discard(label)
        setattr(owner, attribute, staticmethod(timed) if static else timed)
        self._undo.append((owner, attribute, original if had else None))

    def __enter__(self) -> "OpTimer":
        from autodiff.ops import conv
        for op in ad.ops.instances():
            cls = type(op)
            if op.kernel is not None:  # the engine calls such an op's kernel (np.exp, operator.mul) itself,
                self._wrap(cls, "kernel", f"{op.name} forward", static=True)
                # read from the tuple the class keeps for the engine
                self._undo.append((cls, "engine_reads", cls.__dict__.get("engine_reads")))
                cls.engine_reads = (cls.kernel, cls.reads, cls.reads_out)
            else:
                self._wrap(cls, "forward", f"{op.name} forward")
            # the backward kernel: an engine calls vjp or, for a plain pass, plain_vjp
            self._wrap(cls, "vjp", f"{op.name} backward")
            self._wrap(cls, "plain_vjp", f"{op.name} backward")
        for name, label in (("im2col", "  im2col copies"), ("col2im", "  col2im (strided adds)"),
                            ("_weight_grad", "  weight-gradient matmul")):
            self._wrap(conv, name, label)
        return self

    def __exit__(self, *exc: Any) -> None:
        for owner, attribute, original in reversed(self._undo):
            if original is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)

    def report(self, total: float) -> str:
        lines = [f"{'where (CPU seconds)':<40}{'seconds':>9}{'share':>8}{'calls':>8}"]
        for label, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            lines.append(f"{label:<40}{seconds:>9.2f}{100 * seconds / total:>7.1f}%{self.calls[label]:>8}")
        ops = sum(s for label, s in self.seconds.items() if not label.startswith("  "))
        lines.append(f"{'all ops (outer calls)':<40}{ops:>9.2f}{100 * ops / total:>7.1f}%")
        rest = total - ops
        lines.append(f"{'the rest (graph, optimizer, batches)':<40}{rest:>9.2f}{100 * rest / total:>7.1f}%")
        return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train a LeNet-style CNN on MNIST with autodiff.")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's initial learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--sample", action="store_true", help="the bundled 5,000 + 1,000 images (offline)")
    parser.add_argument("--data", help="folder with the four MNIST files (default: $AUTODIFF_DATA)")
    parser.add_argument("--limit", type=int, help="train on the first LIMIT training images only (quick runs)")
    parser.add_argument("--profile", action="store_true", help="time every op's forward and backward")
    parser.add_argument("--blas-threads", type=int, help="threads of the BLAS behind numpy's matmul (needs "
                        "threadpoolctl); 1 is much faster on a machine whose cores are busy with other work")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "limit"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not args.lr > 0:
        parser.error("--lr must be positive")
    return args


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    args = parse(argv)
    if args.blas_threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            raise SystemExit("--blas-threads needs threadpoolctl: pip install threadpoolctl") from None
        with threadpool_limits(limits=args.blas_threads, user_api="blas"):
            return _run(args)
    return _run(args)


def _run(args: argparse.Namespace) -> list[dict[str, float]]:
    dtype = np.dtype(args.dtype)
    X_train, y_train, X_test, y_test = load(args.sample, args.data, dtype)
    if args.limit is not None:
        X_train, y_train = X_train[:args.limit], y_train[:args.limit]
    print(f"{len(X_train)} training and {len(X_test)} test images, {args.dtype}, batch {args.batch_size}, "
          f"Adam lr {args.lr} (cosine), {args.epochs} epochs")
    ad.nn.manual_seed(args.seed)
    model = lenet(args.seed, dtype)

    def report(epoch: int, h: dict[str, float]) -> None:
        print(f"epoch {epoch + 1}: loss {h['loss']:.4f}, test accuracy {h['test_accuracy']:.4f}, "
              f"{h['seconds']:.1f} s ({h['cpu_seconds']:.1f} s of CPU)", flush=True)

    if args.profile:
        with OpTimer() as timer:
            history = train(model, X_train, y_train, X_test, y_test, epochs=args.epochs,
                            batch_size=args.batch_size, lr=args.lr, seed=args.seed, report=report, timer=timer)
        print(timer.report(sum(h["cpu_seconds"] for h in history)))
    else:
        history = train(model, X_train, y_train, X_test, y_test, epochs=args.epochs, batch_size=args.batch_size,
                        lr=args.lr, seed=args.seed, report=report)
    return history


if __name__ == "__main__":
    main()
