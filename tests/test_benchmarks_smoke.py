"""Smoke test of the benchmark harness (benchmarks/): a tiny run, no peers."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import harness
from benchmarks.harness import Case, Context

ROOT = Path(__file__).resolve().parent.parent
ROW_KEYS = {"workload", "case", "contender", "unit", "status", "median_s", "min_s", "samples_s", "number",
            "ratio_median", "ratio_min", "reference_s", "baseline", "metrics", "memory", "note"}


def test_cli_quick_overhead_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--workloads", "overhead", "--repeat", "1",
         "--min-time", "0.002", "--contenders", "numpy,autodiff", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "### overhead" in done.stdout and "Machine:" in done.stdout
    payload = json.loads(out.read_text())
    assert {"command", "machine", "options", "results", "targets", "notes"} <= set(payload)
    assert {"platform", "cpu", "cores", "python", "numpy"} <= set(payload["machine"])
    rows = payload["results"]
    assert {r["contender"] for r in rows} == {"numpy (hand-written)", "autodiff"}
    for r in rows:
        assert ROW_KEYS <= set(r)
        assert r["status"] == "ok" and r["median_s"] > 0 and len(r["samples_s"]) == 1
        assert r["ratio_median"] is not None



def test_cli_quick_memory_probe_runs_in_its_subprocess(tmp_path):
    """The memory cases run in a subprocess (benchmarks.probe) that imports the
    workload by name: a broken import there shows only as a failed row."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--workloads", "memory", "--contenders", "autodiff",
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    payload = json.loads(out.read_text())
    (row,) = [r for r in payload["results"] if "Iris" in r["case"]]
    assert row["memory"].get("status", "ok") == "ok", row["memory"]
    assert row["metrics"]["flat"] is True
    (target,) = [t for t in payload["targets"] if "Iris" in t["target"]]
    assert target["met"] == "yes", target

def test_run_group_interleaves_and_records_failures():
    calls = []

    def make(name, fail=False):
        def setup():
            def step():
                calls.append(name)
                if fail:
                    raise RecursionError("too deep")
            return step
        return setup

    cases = [Case("w", "c", "base", make("base"), baseline=True, number=1, warmup=0),
             Case("w", "c", "other", make("other"), number=1, warmup=0),
             Case("w", "c", "broken", make("broken", fail=True), number=1, warmup=1)]
    rows = harness.run_group(cases, Context(repeat=3, verbose=False))
    assert calls[1:] == ["base", "other", "other", "base", "base", "other"]  # calls[0]: broken's warm-up
    base, other, broken = rows
    assert len(base["samples_s"]) == 3 and base["ratio_median"] == 1.0
    assert other["ratio_median"] is not None
    assert broken["status"] == "fails (RecursionError)" and broken["median_s"] is None
    table = harness.results_tables(rows)
    assert "fails (RecursionError)" in table and "| base" in table



def test_finer_cases_take_more_and_shorter_samples_interleaved():
    calls = []

    def make(name):
        def setup():
            def step():
                calls.append(name)
            return step
        return setup

    cases = [Case("w", "c", "base", make("base"), baseline=True, number=1, warmup=0, finer=2),
             Case("w", "c", "other", make("other"), number=1, warmup=0, finer=2)]
    rows = harness.run_group(cases, Context(repeat=3, verbose=False))
    assert [len(r["samples_s"]) for r in rows] == [6, 6]
    assert calls == ["base", "other", "other", "base"] * 3  # still round-robin, rotated every sample
    assert harness._calibrate(lambda: time.sleep(0.001), 0.05 / 5) < harness._calibrate(lambda: time.sleep(0.001), 0.05)


def test_calibration_times_a_slow_looking_warm_up_again():
    """PyTorch's first step takes milliseconds: a warm-up that looks slow but not
    10 times too slow is timed again, or the samples would be single calls."""
    def fast():
        return None
    assert harness._calibrate(fast, 0.01, t=0.02) > 100
    assert harness._calibrate(fast, 0.01, t=0.5) == 1  # a step 50 times the sample length is slow

def test_ratio_targets_need_both_median_and_minimum_and_flag_noisy_runs():
    from benchmarks.workloads import common as wl
    from benchmarks.workloads.targets import _ratio_target

    def row(contender, samples, base_samples):
        med = sorted(samples)[len(samples) // 2]
        base_med = sorted(base_samples)[len(base_samples) // 2]
        return {"workload": "iris", "case": "GD step", "contender": contender, "samples_s": samples,
                "median_s": med, "min_s": min(samples), "ratio_median": med / base_med,
                "ratio_min": min(samples) / min(base_samples), "status": "ok"}
    quiet = [1.0, 1.0, 1.1]
    rows = [row(wl.NUMPY, quiet, quiet), row(wl.FUSED, [1.9, 1.9, 2.0], quiet)]
    target = _ratio_target(rows, "fused ≤ 2×", "iris", wl.FUSED, 2)
    assert target["met"] == "yes" and "noisy" not in target["measured"]
    noisy = [1.0, 1.6, 1.6]  # a slow baseline median makes the median ratio look better than it is
    rows = [row(wl.NUMPY, noisy, noisy), row(wl.FUSED, [2.5, 2.6, 2.6], noisy)]
    target = _ratio_target(rows, "fused ≤ 2×", "iris", wl.FUSED, 2)
    assert target["met"] == "no"  # median ratio 1.63, minimum ratio 2.5
    assert "noisy run" in target["measured"]


def test_isolated_cases_are_timed_in_worker_processes():
    """A deep-chain case runs in a worker process (benchmarks.probe --serve) that
    rebuilds it by name: the setup in this process is never called."""
    import dataclasses

    from benchmarks.workloads import WORKLOADS

    def in_this_process():
        raise AssertionError("an isolated case was set up in the harness's own process")

    ctx = Context(quick=True, repeat=2, min_time=0.001, verbose=False)
    cases = [dataclasses.replace(c, setup=in_this_process) for c in WORKLOADS["deep_chain"](ctx)
             if c.case == "n=1000" and c.contender in ("numpy (hand-written)", "autodiff")]
    assert len(cases) == 2 and all(c.isolated for c in cases)
    rows = harness.run_group(cases, ctx)
    for row in rows:
        assert row["status"] == "ok" and len(row["samples_s"]) == 2 and row["median_s"] > 0, row
    assert rows[1]["ratio_median"] > 1  # the graph costs more than numpy's bare arithmetic
    missing = Case("deep_chain", "no such case", "autodiff", in_this_process, isolated=True)
    (row,) = harness.run_group([missing], ctx)
    assert row["status"].startswith("fails (worker exited"), row["status"]
