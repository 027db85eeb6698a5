"""python -m benchmarks [--quick] [--workloads a,b] [--contenders numpy,autodiff] [--repeat N]
                     [--data DIR] [--json PATH] [--markdown PATH]"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from datetime import datetime, timezone

from . import harness
from .harness import Context


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=(
        "Benchmark autodiff against hand-written numpy and the installed peers (PyTorch, HIPS autograd, "
        "MyGrad, micrograd, scikit-learn), contenders interleaved round-robin."))
    p.add_argument("--quick", action="store_true",
                   help="small sizes, bundled MNIST sample, no deep-chain memory probes (< 60 s)")
    p.add_argument("--workloads", default="all",
                   help="comma-separated: iris, mnist_epoch, mnist_accuracy, overhead, deep_chain, jacobian, "
                        "memory, user_style, nets, mlp_accuracy (default: all; with --quick all but "
                        "mnist_accuracy and mlp_accuracy)")
    p.add_argument("--contenders", default=None,
                   help="comma-separated name prefixes to keep, e.g. 'numpy,autodiff' (default: all installed)")
    p.add_argument("--repeat", type=int, default=None, help="timed samples per contender (default 9; 3 with --quick)")
    p.add_argument("--min-time", type=float, default=None,
                   help="seconds per timed sample; fast steps are repeated to fill it (default 0.05; 0.02 quick)")
    p.add_argument("--data", default=None, help="folder holding the MNIST IDX files (default: $AUTODIFF_DATA)")
    p.add_argument("--no-probes", action="store_true", help="skip the memory measurements in subprocesses")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for BLAS and PyTorch (sets OMP/OPENBLAS/MKL_NUM_THREADS; default: untouched)")
    return p


def set_threads(n: int | None) -> None:
    """Limit BLAS and PyTorch threads; must run before numpy is imported."""
    if n is None:
        return
    if "numpy" in sys.modules:
        print("--threads: numpy is already imported; the limit may not apply to BLAS", file=sys.stderr)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def context_from_args(args: argparse.Namespace) -> Context:
    return Context(
        quick=args.quick, data=args.data,
        repeat=args.repeat or (3 if args.quick else 9),
        min_time=args.min_time or (0.02 if args.quick else 0.05),
        contenders=[c.strip() for c in args.contenders.split(",") if c.strip()] if args.contenders else None,
        probes=not args.no_probes, threads=args.threads)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    parser.add_argument("--json", default="bench-results.json", help="where to write the results (JSON)")
    parser.add_argument("--markdown", default=None, help="also write the report (Markdown) there")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    set_threads(args.threads)
    from .workloads import QUICK_WORKLOADS, WORKLOADS, targets
    if args.list:
        print("\n".join(WORKLOADS))
        return 0
    default = QUICK_WORKLOADS if args.quick else list(WORKLOADS)
    names = default if args.workloads == "all" else [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    ctx = context_from_args(args)
    command = "python -m benchmarks " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    started, t0 = datetime.now(timezone.utc), time.perf_counter()

    cases = []
    for name in names:
        cases += harness.select(WORKLOADS[name](ctx), ctx)
    info = harness.machine()
    print(harness.machine_text(info))
    print(f"Command: {command}\n", flush=True)
    rows = harness.run_cases(cases, ctx)
    goals = [t for t in targets(rows, ctx) if t["workload"] in names]
    info["load_average_end"] = harness.machine()["load_average"]

    report = [harness.results_tables(rows), harness.targets_table(goals)]
    if ctx.notes:
        report.append("Notes:\n" + "\n".join(f"- {n}" for n in ctx.notes))
    text = "\n\n".join(report)
    print(text)
    elapsed = time.perf_counter() - t0
    print(f"\n({elapsed:.0f} s; results written to {args.json})")
    harness.write_json(args.json, {
        "command": command, "started": started.isoformat(timespec="seconds"), "duration_s": round(elapsed, 1),
        "machine": info, "options": {"quick": ctx.quick, "workloads": names, "repeat": ctx.repeat,
                                     "threads": ctx.threads,
                                     "min_time": ctx.min_time, "contenders": ctx.contenders, "data": ctx.data},
        "results": rows, "targets": goals, "notes": ctx.notes})
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(f"# Benchmark results\n\n{harness.machine_text(info)}\n\nCommand: `{command}`"
                    f" ({started:%Y-%m-%d}, {elapsed:.0f} s)\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
