"""Memory of one case, measured in a fresh process (run by the harness):

    python -m benchmarks.probe --workload deep_chain --case "n=100000" --contender autodiff

Prints one JSON line:
- ``rss_start_MB``: resident memory before ``setup`` (interpreter, numpy, autodiff);
- ``rss_after_setup_MB``: after ``setup`` (data, peer libraries);
- ``peak_rss_over_setup_MB``: peak resident memory during the first ``step``
  call, above the resident memory after setup (the peak is reset just before,
  through /proc/self/clear_refs; where that is impossible, ru_maxrss is used);
- ``peak_rss_over_start_MB``: the same peak above ``rss_start_MB`` (so it
  includes the data that setup loaded);
- ``fresh_process_s``: the time of that first ``step`` call, in a process that
  has imported only numpy, the benchmarks and this one contender (so no other
  library's objects lengthen the garbage collector's passes);
- ``tracemalloc_peak_MB`` (when the case asks for it): the tracemalloc peak of a
  second ``step`` call: Python and numpy allocations, not those of C++
  allocators such as PyTorch's;
- and whatever dict ``step`` returned.

With ``--serve`` it is instead the harness's worker for an isolated case
(``Case.isolated``): it sets the case up, warms it up and calibrates it, answers
``{"status": "ok", "number": N}``, then for every line ``N`` it reads, times N
calls after a collection and answers ``{"status": "ok", "elapsed_s": t}``.
A failure is answered as ``{"status": "fails (RecursionError)", "error": ...}``.
"""
from __future__ import annotations

import gc
import json
import resource
import sys
import time
import tracemalloc

MB = 1e6


def _status(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        pass
    return None


def rss_MB() -> float | None:
    return _status("VmRSS")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_MB() -> float:
    peak = _status("VmHWM")
    if peak is None:  # not Linux: ru_maxrss is in kB on Linux, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = peak / MB if sys.platform == "darwin" else peak * 1024 / MB
    return peak


def measure(case, ctx) -> dict:
    gc.collect()
    start = rss_MB()
    step = case.setup()
    gc.collect()
    after_setup = rss_MB()
    exact = reset_peak()
    t0 = time.perf_counter()
    result = step()
    elapsed = time.perf_counter() - t0
    peak = peak_rss_MB()
    out = {"status": "ok", "rss_start_MB": start, "rss_after_setup_MB": after_setup, "peak_rss_MB": peak,
           "peak_rss_over_setup_MB": peak - after_setup, "peak_rss_over_start_MB": peak - start,
           "peak_reset": exact, "fresh_process_s": elapsed}
    if not exact:
        out["note"] = "peak RSS could not be reset: it includes setup"
    if case.trace:
        del result
        gc.collect()
        tracemalloc.start()
        result = step()
        out["tracemalloc_peak_MB"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    if isinstance(result, dict):
        out.update(result)
    return out


def _answer(reply: dict) -> None:
    print(json.dumps(reply), flush=True)


def _failed(error: BaseException) -> dict:
    from .harness import failure
    return {"status": failure(error), "error": str(error)[:300]}


def serve(case, ctx) -> None:
    from .harness import in_process, prepare
    try:
        step, number, _ = prepare(case, ctx)
    except Exception as error:  # noqa: BLE001 - a failure is a result
        return _answer(_failed(error))
    _answer({"status": "ok", "number": number})
    sample = in_process(step)
    for line in sys.stdin:
        try:
            elapsed, _ = sample(int(line))
        except Exception as error:  # noqa: BLE001
            return _answer(_failed(error))
        _answer({"status": "ok", "elapsed_s": elapsed})


def main(argv: list[str] | None = None) -> int:
    from .__main__ import context_from_args, make_parser, set_threads
    parser = make_parser()
    parser.add_argument("--workload", required=True)
    parser.add_argument("--case", required=True)
    parser.add_argument("--contender", required=True)
    parser.add_argument("--serve", action="store_true", help="time the case on request (see the docstring)")
    args = parser.parse_args(argv)
    set_threads(args.threads)
    from .workloads import WORKLOADS
    ctx = context_from_args(args)
    ctx.verbose = False
    matches = [c for c in WORKLOADS[args.workload](ctx)
               if c.case == args.case and c.contender == args.contender]
    if not matches:
        print(f"probe: no case {args.workload!r} / {args.case!r} / {args.contender!r}", file=sys.stderr)
        return 2
    if args.serve:
        serve(matches[0], ctx)
        return 0
    try:
        out = measure(matches[0], ctx)
    except Exception as error:  # noqa: BLE001 - a failure is a result
        out = _failed(error)
    print(json.dumps(out, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
