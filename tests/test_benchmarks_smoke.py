"""Smoke test of the benchmark harness (benchmarks/): a tiny run, no peers."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import harness, peers
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



def test_the_report_says_which_engine_it_timed(monkeypatch):
    from autodiff import engine
    kind = harness._engine_kind()
    assert kind.startswith("compiled") if engine.COMPILED else kind.startswith("pure Python")
    if not engine.COMPILED:
        monkeypatch.delenv("AUTODIFF_ENGINE", raising=False)
        assert "pip install -e ." in harness._engine_kind()  # how to time the engine that pip installs
        monkeypatch.setenv("AUTODIFF_ENGINE", "python")
        assert harness._engine_kind() == "pure Python (AUTODIFF_ENGINE=python)"


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


# ----- the user-style and neural-network workloads ------------------------------------------------
def test_skipped_setups_give_a_skipped_row_and_mixed_baselines_are_named():
    def unavailable():
        raise harness.Skipped("nn.Conv2d not available")

    def fast():
        return lambda: None
    cases = [Case("w", "cnn", "torch", fast, baseline=True, number=1, warmup=0),
             Case("w", "cnn", "autodiff", unavailable, number=1, warmup=0),
             Case("w", "iris", "numpy", fast, baseline=True, number=1, warmup=0)]
    ctx = Context(repeat=2, verbose=False)
    rows = harness.run_group(cases[:2], ctx) + harness.run_group(cases[2:], ctx)
    assert rows[1]["status"] == "skipped (nn.Conv2d not available)" and rows[1]["median_s"] is None
    assert rows[0]["status"] == "ok" and len(rows[0]["samples_s"]) == 2
    table = harness.results_tables(rows)
    assert "skipped (nn.Conv2d not available)" in table
    assert "ratios to each case's baseline (torch, numpy)" in table


def test_user_style_iris_steps_follow_the_lecture_step_by_step():
    """The user-style contenders do the same work as the hand-written step: the
    same losses, step after step (else their times could not be compared)."""
    import numpy as np

    from benchmarks.workloads import iris, user
    from benchmarks.workloads.common import iris_data
    X, y = iris_data(Context(verbose=False))
    w, b, expected = np.zeros((4, 1)), 0.0, []
    for _ in range(5):
        dw, db, cost = iris.calculate_derivatives_and_cost(X, y, w, b)
        expected.append(cost)
        w, b = iris.update(w, b, dw, db, iris.IRIS_LR)
    makers = [user.iris_in_place, user.iris_fresh_leaves]
    if peers.available("torch", lambda _: None):
        makers.append(user.iris_torch_user)
    for make in makers:
        step = make(X, y)
        got = [_value(step()) for _ in range(5)]
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=make.__name__)


def _value(loss):
    """A loss as a float, from autodiff or PyTorch."""
    import numpy as np

    import autodiff as ad
    if isinstance(loss, ad.Tensor):
        return float(loss.data)
    if isinstance(loss, (float, np.generic, np.ndarray)):
        return float(loss)
    return float(loss.item())  # a PyTorch tensor


def test_user_style_mnist_epochs_agree():
    """The written-out loss, the fused one and PyTorch's written-out loss train the
    same model: the same last loss after an epoch of a small float32 set."""
    import numpy as np

    from benchmarks.workloads import user
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 784)).astype(np.float32)
    y = rng.integers(0, 10, 300)
    Y = np.eye(10, dtype=np.float32)[y]
    losses = {"written": _value(user.epoch_written_out(X, y, Y)()),
              "fused": _value(user.epoch_written_out(X, y, Y, fused=True)())}
    if peers.available("torch", lambda _: None):
        losses["torch"] = _value(user.epoch_torch_user(X, y, Y)())
    for name, value in losses.items():
        np.testing.assert_allclose(value, losses["written"], rtol=2e-5, err_msg=name)


def test_mlp_epochs_agree_with_numpy_and_pytorch():
    """autodiff.nn + optim.Adam, the hand-written numpy MLP and PyTorch start from the
    same weights and see the same batches: the same loss after one epoch."""
    import numpy as np

    from benchmarks.workloads import nets
    rng = np.random.default_rng(2)
    X = rng.random((3 * nets.BATCH, 784), dtype=np.float32)
    y = rng.integers(0, 10, len(X))
    ours = _value(nets.train_epoch_autodiff(nets.mlp(), X, y)())
    by_hand = _value(nets.train_epoch_numpy(X, y)())
    np.testing.assert_allclose(ours, by_hand, rtol=1e-5)
    if peers.available("torch", lambda _: None):
        model = nets.torch_mlp()
        nets.copy_weights(nets.mlp(), model)
        np.testing.assert_allclose(_value(nets.train_epoch_torch(model, X, y)()), ours, rtol=1e-5)


def test_cli_quick_user_style_nets_and_mlp_accuracy(tmp_path):
    """The new workloads run end to end in --quick mode: rows, targets, and the CNN
    row skipped with its reason until autodiff.nn has a Conv2d."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--workloads", "user_style,nets,mlp_accuracy", "--threads", "1",
         "--repeat", "1", "--min-time", "0.002", "--contenders", "numpy,autodiff", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    payload = json.loads(out.read_text())
    rows = {(r["workload"], r["case"].split(",")[0], r["contender"]): r for r in payload["results"]}
    for key in [("user_style", "Iris GD step", "autodiff (in-place update)"),
                ("user_style", "Iris GD step", "autodiff (new leaves each step)"),
                ("user_style", "MNIST epoch", "autodiff (written-out loss)"),
                ("user_style", "MNIST epoch", "autodiff (fused cross_entropy)")]:
        assert rows[key]["status"] == "ok" and rows[key]["ratio_median"] > 0, key
    assert rows[("user_style", "chain n=10000", "autodiff")]["status"] == "ok"
    mlp = rows[("nets", "MLP 784-256-10 epoch", "autodiff")]
    assert mlp["status"] == "ok" and mlp["median_s"] > 0
    cnn = rows[("nets", "CNN epoch", "autodiff")]
    import autodiff.nn
    if hasattr(autodiff.nn, "Conv2d"):
        assert cnn["status"] == "ok", cnn["status"]
    else:
        assert cnn["status"] == "skipped (nn.Conv2d not available)"
    (fit,) = [r for r in payload["results"] if r["workload"] == "mlp_accuracy"]
    assert fit["status"] == "ok" and {"epochs", "test_accuracy", "s/epoch"} <= set(fit["metrics"])
    assert fit["metrics"]["test_accuracy"] >= 0.9 or "not reached; best" in fit["metrics"]
    names = " | ".join(t["target"] for t in payload["targets"])
    for phrase in ("user style: Iris step", "user style: MNIST epoch", "chain ≤ 0.5× PyTorch", "MLP epoch",
                   "CNN epoch", "MLP: time to 90%"):
        assert phrase in names, phrase
    if peers.available("torch", lambda _: None):
        assert any("imported PyTorch" in n for n in payload["notes"])


def test_cnn_epochs_agree_with_pytorch():
    """Once autodiff.nn has Conv2d: the CNN in autodiff and in PyTorch, from the same
    weights on the same batches, give the same loss after an epoch."""
    import numpy as np
    import pytest

    import autodiff.nn
    from benchmarks.workloads import nets
    if not hasattr(autodiff.nn, "Conv2d"):
        pytest.skip("autodiff.nn has no Conv2d yet: the CNN rows are skipped")
    if not peers.available("torch", lambda _: None):
        pytest.skip("PyTorch is not installed")
    rng = np.random.default_rng(3)
    X = rng.random((2 * nets.BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, len(X))
    model, _ = nets.cnn()
    theirs = nets.torch_cnn(pooled=hasattr(autodiff.nn, "MaxPool2d"))
    nets.copy_weights(model, theirs)
    ours = _value(nets.train_epoch_autodiff(model, X, y)())
    np.testing.assert_allclose(_value(nets.train_epoch_torch(theirs, X, y)()), ours, rtol=1e-5)
