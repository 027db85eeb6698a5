"""The benchmark harness: cases, interleaved timing, memory probes, tables, JSON.

A workload is a function ``build(ctx) -> list[Case]``. A Case names one
contender on one problem (``workload``, ``case``, ``contender``) and holds a
``setup()`` that prepares the data and returns a ``step`` callable: the thing
that is timed. All the contenders of one (workload, case) group are timed
round-robin: for each repetition every contender runs one sample, in an order
rotated by one each repetition, so that a slow period of a noisy machine hits
every contender alike. A sample is ``number`` calls of ``step`` (calibrated so
a sample lasts at least ``ctx.min_time``); the reported figure is the time per
``unit`` (= per call / ``per``), median and minimum over the samples. A case of
steps of microseconds can ask for ``finer`` interleaving: ``finer`` times more
samples, each as much shorter (the same time in all), so that the bursts of a
shared machine fall on every contender more evenly.

An ``isolated`` case (the deep chains) is timed the same way, interleaved, but
in a worker process of its own (:class:`Worker`) that imports only numpy,
autodiff and that contender's library, as a user's program would: in the
harness's process, which has imported every peer, Python's garbage collector
would walk PyTorch's, SciPy's and scikit-learn's 200,000 objects on every full
pass while a 100,000-node graph grows.

Memory is measured in a separate process per case (``python -m
benchmarks.probe``), so that each measurement starts from a clean interpreter:
peak RSS (VmHWM, reset just before the step) and, optionally, the tracemalloc
peak of a second call.
"""
from __future__ import annotations

import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from . import peers

Step = Callable[[], Any]


@dataclass
class Case:
    workload: str
    case: str
    contender: str
    setup: Callable[[], Step]
    unit: str = "step"           # what one reported figure is the time of
    per: float = 1.0             # units done by one call of step
    needs: str | None = None     # peer module the contender needs (skipped when missing)
    baseline: bool = False       # the ratios of its group are to this contender
    reference: float | None = None  # the figure, seconds per unit
    warmup: int = 1
    number: int | None = None    # calls per sample; None: calibrate
    repeat: int | None = None    # samples; None: ctx.repeat (capped by it)
    finer: int = 1               # a cheap step: this many times more samples, each as much shorter
    isolated: bool = False       # timed in a worker process that imports only this contender's library
    timed: bool = True           # time it (interleaved)
    probe: bool = False          # measure its memory in a subprocess
    trace: bool = True           # the probe also runs step under tracemalloc
    after: Callable[[Any], dict] | None = None  # metrics from step's last return value
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.workload, self.case, self.contender)


@dataclass
class Context:
    """Options and shared, lazily loaded data."""
    quick: bool = False
    data: str | None = None
    repeat: int = 9
    min_time: float = 0.05
    contenders: Sequence[str] | None = None  # name prefixes to keep; None: all
    probes: bool = True
    threads: int | None = None
    verbose: bool = True
    notes: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)
            self.log(f"note: {text}")

    def log(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr, flush=True)

    def wants(self, contender: str) -> bool:
        return self.contenders is None or any(contender.startswith(c) for c in self.contenders)

    def argv(self) -> list[str]:
        """Command-line options that rebuild this context in a probe process."""
        args = ["--repeat", str(self.repeat), "--min-time", str(self.min_time)]
        if self.quick:
            args.append("--quick")
        if self.data:
            args += ["--data", self.data]
        if self.threads:
            args += ["--threads", str(self.threads)]
        return args


# ----- timing -----------------------------------------------------------------------------
class Skipped(Exception):
    """Raised by a setup when its contender cannot run here (a layer not written yet):
    the row says so, e.g. ``skipped (nn.Conv2d not available)``, instead of failing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.status = f"skipped ({reason})"


def failure(error: BaseException) -> str:
    return f"fails ({type(error).__name__})"


def _row(case: Case) -> dict:
    return {"workload": case.workload, "case": case.case, "contender": case.contender, "unit": case.unit,
            "status": "ok", "median_s": None, "min_s": None, "samples_s": [], "number": None,
            "ratio_median": None, "ratio_min": None, "reference_s": case.reference,
            "baseline": case.baseline, "metrics": {}, "memory": None, "note": case.note}


def _calibrate(step: Step, min_time: float, t: float | None = None, max_number: int = 1_000_000) -> int:
    """Calls per sample so that a sample lasts at least ``min_time`` (t: the time of the
    warm-up call, if known). A first call can pay one-off costs (PyTorch's first
    step takes milliseconds), so a warm-up that looks slow, but not 10 times too
    slow, is timed once more before the step is taken for a slow one."""
    if t is not None and min_time <= t < 10 * min_time:
        t0 = time.perf_counter()
        step()
        t = min(t, time.perf_counter() - t0)
    if t is None or t < min_time:  # a fast step: time a few calls (the warm-up call may have been slow)
        t0, calls = time.perf_counter(), 0
        while calls < 3 or time.perf_counter() - t0 < min_time / 10:
            step()
            calls += 1
        t = (time.perf_counter() - t0) / calls
    return max(1, min(max_number, math.ceil(min_time / max(t, 1e-7))))


def prepare(case: Case, ctx: Context) -> tuple[Step, int, Any]:
    """Set a case up, warm it up and calibrate it: (step, calls per sample, last result)."""
    step = case.setup()
    last, t = None, None
    for _ in range(case.warmup):
        t0 = time.perf_counter()
        last = step()
        t = time.perf_counter() - t0
    return step, case.number or _calibrate(step, ctx.min_time / case.finer, t), last


def in_process(step: Step) -> Callable[[int], tuple[float, Any]]:
    """A sampler: ``number`` calls of ``step`` in this process, after a collection
    (so that no contender's garbage is collected in another's sample) and a tenth
    as many untimed calls: a full collection empties Python's free lists and
    gives memory back, and the first calls after it pay to refill them (the
    autodiff Iris step, 55 µs steady, takes 305, 85, 70, 63 µs in its first
    four calls after one; the numpy step, 18 µs, takes 176, 27, 22, 20), which
    a training loop never sees. The timed calls are the steady state."""
    def sample(number: int) -> tuple[float, Any]:
        gc.collect()
        for _ in range(number // 10):
            step()
        last = None
        t0 = time.perf_counter()
        for _ in range(number):
            last = step()
        return time.perf_counter() - t0, last
    return sample


def run_group(cases: Sequence[Case], ctx: Context) -> list[dict]:
    """Time the cases of one (workload, case) group, interleaved round-robin."""
    rows = {c.key: _row(c) for c in cases}
    live: list[tuple[Case, Callable[[int], tuple[float, Any]], int]] = []
    workers: list[Worker] = []
    for c in cases:
        row = rows[c.key]
        if not c.timed:
            row["status"] = "not timed"
            continue
        try:
            if c.isolated:
                worker = Worker(c, ctx)
                workers.append(worker)
                sample, number, last = worker.sample, worker.number, None
            else:
                step, number, last = prepare(c, ctx)
                sample = in_process(step)
        except Exception as error:  # a contender that cannot do it (RecursionError...) is a result
            row["status"] = getattr(error, "status", None) or failure(error)
            ctx.log(f"  {c.workload} / {c.case} / {c.contender}: {row['status']}: {str(error)[:120]}")
            continue
        row["number"] = number
        row["_last"] = last
        live.append((c, sample, number))
    samples = {c.key: min(c.repeat or ctx.repeat, ctx.repeat) * c.finer for c, _, _ in live}
    try:
        for r in range(max(samples.values(), default=0)):
            order = live[r % len(live):] + live[:r % len(live)]
            for c, sample, number in order:
                row = rows[c.key]
                if r >= samples[c.key] or row["status"] != "ok":
                    continue
                try:
                    elapsed, last = sample(number)
                except Exception as error:
                    row["status"] = getattr(error, "status", None) or failure(error)
                    continue
                row["samples_s"].append(elapsed / number / c.per)
                row["_last"] = last
    finally:
        for worker in workers:
            worker.close()
    for c, _, _ in live:
        row = rows[c.key]
        last = row.pop("_last", None)
        if row["samples_s"] and row["status"] == "ok":
            row["median_s"] = statistics.median(row["samples_s"])
            row["min_s"] = min(row["samples_s"])
            if c.after is not None:
                try:
                    row["metrics"].update(c.after(last))
                except Exception as error:  # noqa: BLE001 - reported, not fatal
                    row["metrics"]["error"] = f"{type(error).__name__}: {error}"
    for row in rows.values():
        row.pop("_last", None)
    live.clear()
    gc.collect()
    base = next((rows[c.key] for c in cases if c.baseline), None)
    if base is not None and base["median_s"]:
        for row in rows.values():
            if row["median_s"]:
                row["ratio_median"] = row["median_s"] / base["median_s"]
                row["ratio_min"] = row["min_s"] / base["min_s"]
    return [rows[c.key] for c in cases]


# ----- subprocesses: memory probes and isolated workers ---------------------------------------
def _probe_process(case: Case, ctx: Context, *extra: str) -> tuple[list[str], dict]:
    """The command line and environment of ``python -m benchmarks.probe`` for one case."""
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, "-m", "benchmarks.probe", "--workload", case.workload, "--case", case.case,
           "--contender", case.contender, *ctx.argv(), *extra]
    return cmd, env


class WorkerFailure(RuntimeError):
    def __init__(self, status: str, error: str = ""):
        super().__init__(error or status)
        self.status = status


class Worker:
    """One contender timed in a process of its own (``python -m benchmarks.probe
    --serve``), which imports numpy, autodiff and that contender's library only,
    as a user's program would: the other peers' objects (PyTorch, SciPy and
    scikit-learn bring 200,000) do not lengthen its garbage collector's passes.
    The harness still interleaves its samples with the other contenders'."""

    def __init__(self, case: Case, ctx: Context):
        cmd, env = _probe_process(case, ctx, "--serve")
        self.process = subprocess.Popen(cmd, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            self.number = int(self._reply()["number"])  # set up, warmed up and calibrated
        except BaseException:
            self.close()
            raise

    def sample(self, number: int) -> tuple[float, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{number}\n")
        self.process.stdin.flush()
        return float(self._reply()["elapsed_s"]), None

    def _reply(self) -> dict:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                reply = json.loads(line)
                if reply.get("status") != "ok":
                    raise WorkerFailure(reply.get("status", "fails"), reply.get("error", ""))
                return reply
        raise WorkerFailure(f"fails (worker exited with code {self.process.wait()})")

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def probe(case: Case, ctx: Context, timeout: float = 1800) -> dict:
    """Run ``python -m benchmarks.probe`` for one case; returns its memory figures."""
    cmd, env = _probe_process(case, ctx)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"fails (timeout after {timeout:.0f} s)"}
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": f"fails ({tail[:160]})"}
    return json.loads(lines[-1])


# ----- running everything -------------------------------------------------------------------
def select(cases: Iterable[Case], ctx: Context) -> list[Case]:
    """Drop the contenders not asked for, and those whose peer is not installed."""
    kept = []
    for c in cases:
        if not ctx.wants(c.contender):
            continue
        if c.needs and not peers.available(c.needs, ctx.log):
            continue
        kept.append(c)
    return kept


def run_cases(cases: Sequence[Case], ctx: Context) -> list[dict]:
    groups: dict[tuple[str, str], list[Case]] = {}
    for c in cases:
        groups.setdefault((c.workload, c.case), []).append(c)
    rows = []
    for (workload, name), group in groups.items():
        ctx.log(f"[{workload}] {name}: {', '.join(c.contender for c in group)}")
        group_rows = run_group(group, ctx)
        for c, row in zip(group, group_rows):
            if c.probe and ctx.probes and row["status"] in ("ok", "not timed"):
                row["memory"] = probe(c, ctx)
                if row["memory"].get("status", "ok") != "ok":
                    row["status"] = row["memory"]["status"]
                elif not c.timed and c.after is not None:
                    row["metrics"].update(c.after(row["memory"]))
            ctx.log(f"    {c.contender:<28} {describe(row)}")
        rows += group_rows
    return rows


def describe(row: dict) -> str:
    if row["status"] not in ("ok", "not timed"):
        return row["status"]
    parts = []
    if row["median_s"] is not None:
        parts.append(f"{fmt_time(row['median_s'])}/{row['unit']} (min {fmt_time(row['min_s'])})")
    if row["ratio_median"] is not None:
        parts.append(f"{row['ratio_median']:.2f}x")
    parts += [f"{k}={fmt_value(v)}" for k, v in row["metrics"].items()]
    mem = row.get("memory") or {}
    if "peak_rss_over_setup_MB" in mem:
        parts.append(f"peak RSS +{mem['peak_rss_over_setup_MB']:.1f} MB")
    return ", ".join(parts)


# ----- formatting -------------------------------------------------------------------------
def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for scale, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if seconds >= scale:
            break
    else:
        scale, unit = 1e-9, "ns"
    value = seconds / scale
    return f"{value:.3g} {unit}" if value < 1000 else f"{value:.0f} {unit}"


def fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(x) for x in headers]] + [[("" if x is None else str(x)) for x in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in cells[1:]])


def _memory_note(mem: dict | None) -> str:
    if not mem or mem.get("status", "ok") != "ok":
        return ""
    parts = [f"peak RSS +{mem['peak_rss_over_setup_MB']:.1f} MB"]
    if mem.get("tracemalloc_peak_MB") is not None:
        parts.append(f"tracemalloc peak {mem['tracemalloc_peak_MB']:.1f} MB")
    if mem.get("fresh_process_s") is not None:
        parts.append(f"one call in a fresh process {fmt_time(mem['fresh_process_s'])}")
    return ", ".join(parts)


def results_tables(rows: Sequence[dict]) -> str:
    """One Markdown table per workload."""
    out = []
    by_workload: dict[str, list[dict]] = {}
    for row in rows:
        by_workload.setdefault(row["workload"], []).append(row)
    for workload, wrows in by_workload.items():
        bases = list(dict.fromkeys(r["contender"] for r in wrows if r["baseline"]))
        timed = [r for r in wrows if r["status"] != "not timed"]
        units = sorted({r["unit"] for r in timed})
        title = f"### {workload}" + (f" (time per {', '.join(units)})" if units else "")
        if len(bases) == 1:
            title += f"; ratios to {bases[0]}"
        elif bases:  # cases with different baselines: each case's ratios are to its own
            title += "; ratios to each case's baseline (" + ", ".join(bases) + ")"
        table = []
        for r in wrows:
            notes = [f"{k}={fmt_value(v)}" for k, v in r["metrics"].items()]
            if r["memory"] and r["status"] != "not timed":  # (not timed: its summary is in the metrics)
                notes.append(_memory_note(r["memory"]))
            if r["note"]:
                notes.append(r["note"])
            status = "" if r["status"] in ("ok", "not timed") else r["status"]
            ratio = f"{r['ratio_median']:.2f}" if r["ratio_median"] is not None else ""
            ratio_min = f"{r['ratio_min']:.2f}" if r["ratio_min"] is not None else ""
            table.append([r["case"], r["contender"], status or fmt_time(r["median_s"]), fmt_time(r["min_s"]),
                          ratio, ratio_min, fmt_time(r["reference_s"]), "; ".join(n for n in notes if n)])
        headers = ["case", "contender", "median", "min", "ratio (median)", "ratio (min)", "issue's figure",
                   "notes"]
        if not timed:  # memory only: no time columns
            headers = [headers[0], headers[1], headers[-1]]
            table = [[t[0], t[1], t[2] + ("; " if t[2] and t[-1] else "") + t[-1]] for t in table]
        out.append(title + "\n\n" + markdown_table(headers, table))
    return "\n\n".join(out)


def targets_table(targets: Sequence[dict]) -> str:
    return "### Targets\n\n" + markdown_table(
        ["target", "measured", "met"], [[t["target"], t["measured"], t["met"]] for t in targets])


# ----- machine ------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def source_commit() -> str | None:
    """The git commit of the code measured (with "+changes" when the tree differs), if known."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def machine() -> dict:
    import numpy as np
    info = {
        "commit": source_commit(),
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "engine": _engine_kind(),
    }
    for dist in ("torch", "autograd", "mygrad", "micrograd", "scikit-learn", "scipy"):
        info[dist] = _version(dist)
    if "torch" in sys.modules:
        info["torch_threads"] = sys.modules["torch"].get_num_threads()
    return info


def _engine_kind() -> str:
    """Which autodiff engine this process runs: the extension compiled from
    autodiff/engine.py (setup.py), or that Python source itself."""
    import autodiff.engine as engine
    if engine.COMPILED:
        return "compiled (Cython, from autodiff/engine.py)"
    if os.environ.get("AUTODIFF_ENGINE") == "python":
        return "pure Python (AUTODIFF_ENGINE=python)"
    return ("pure Python (the engine that pip installs where a C compiler is at hand is compiled: "
            "`pip install -e .` builds it in this checkout)")


def machine_text(info: dict) -> str:
    peers_text = ", ".join(f"{k} {info[k]}" for k in ("torch", "autograd", "mygrad", "micrograd",
                                                      "scikit-learn", "scipy") if info.get(k))
    return (f"Machine: {info['platform']}; CPU: {info['cpu']}; cores: {info['cores']}"
            f" (usable {info['cores_usable']}); threads: {info['threads']}; load average {info['load_average']}\n"
            f"Python {info['python']}, numpy {info['numpy']}; {peers_text or 'no peers installed'}\n"
            f"autodiff engine: {info.get('engine', 'pure Python')}"
            + (f"\nCode: commit {info['commit']}" if info.get("commit") else ""))


def write_json(path: str | os.PathLike, payload: dict) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    tmp.replace(path)
