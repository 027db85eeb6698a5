"""The issue's targets, read from the measured rows."""
from __future__ import annotations

from ..harness import Context, fmt_time
from .common import AUTODIFF, FUSED, NUMPY
from .mnist import ACCURACY_GOAL
from .nets import SKLEARN
from .user import FRESH, FUSED_TODAY, IN_PLACE, WRITTEN


def _find(rows, workload, contender, case=None):
    for r in rows:
        if r["workload"] == workload and r["contender"] == contender and (case is None or case in r["case"]):
            return r
    return None


NOISY = 1.25  # a baseline whose slowest sample is this much slower than its fastest marks a noisy run


def _ratio_target(rows, name, workload, contender, limit, case=None, baseline=NUMPY):
    r = _find(rows, workload, contender, case)
    if r is None:
        return {"workload": workload, "target": name, "measured": "not run", "met": "n/a"}
    if r["ratio_median"] is None:
        return {"workload": workload, "target": name, "measured": r["status"], "met": "n/a"}
    base = r["median_s"] / r["ratio_median"]
    measured = f"{r['ratio_median']:.3g}x ({fmt_time(r['median_s'])} vs {fmt_time(base)}; min {r['ratio_min']:.3g}x)"
    base_row = _find(rows, workload, baseline, case)
    samples = base_row["samples_s"] if base_row else []
    if samples and max(samples) > NOISY * min(samples):
        who = "numpy" if baseline == NUMPY else baseline
        measured += f"; noisy run: {who}'s samples spread {fmt_time(min(samples))}–{fmt_time(max(samples))}"
    # met only if the ratio of medians and the ratio of minimums both are: a noisy
    # baseline can make either one look better than it is
    return {"workload": workload, "target": name, "measured": measured,
            "met": "yes" if max(r["ratio_median"], r["ratio_min"]) <= limit else "no"}


def targets(rows: list[dict], ctx: Context) -> list[dict]:
    out = [
        _ratio_target(rows, "Iris step, written-out loss ≤ 3× numpy", "iris", AUTODIFF, 3),
        _ratio_target(rows, "Iris step, fused loss ≤ 2× numpy", "iris", FUSED, 2),
        _ratio_target(rows, "MNIST epoch float32 ≤ 1.3× numpy float32", "mnist_epoch", AUTODIFF, 1.3, "float32"),
        _ratio_target(rows, "MNIST epoch float64 ≤ 1.3× numpy float64", "mnist_epoch", AUTODIFF, 1.3, "float64"),
    ]
    # time to 92.5% accuracy
    name = f"MNIST: {ACCURACY_GOAL:.1%} test accuracy in ≤ 1/20 of sklearn lbfgs fit, accuracy ≥ sklearn's"
    mine = next((r for r in rows if r["workload"] == "mnist_accuracy" and r["contender"].startswith("autodiff")), None)
    skl = next((r for r in rows if r["workload"] == "mnist_accuracy" and r["contender"].startswith("sklearn")), None)
    if mine is None or skl is None or not mine["median_s"] or not skl["median_s"]:
        out.append({"workload": "mnist_accuracy", "target": name, "measured": "not run" if mine is None or skl is None else
                    f"{mine['status']} / {skl['status']}", "met": "n/a"})
    else:
        acc, acc_skl = mine["metrics"].get("test_accuracy", 0), skl["metrics"].get("test_accuracy", 0)
        fraction = mine["median_s"] / skl["median_s"]
        met = fraction <= 1 / 20 and acc >= ACCURACY_GOAL and acc >= acc_skl
        out.append({"workload": "mnist_accuracy", "target": name + (" [sample data]" if "sample" in mine["case"] else ""),
                    "measured": f"{mine['median_s']:.3g} s at {acc:.2%} vs sklearn {skl['median_s']:.3g} s at "
                                f"{acc_skl:.2%} (1/{1 / fraction:.1f})", "met": "yes" if met else "no"})
    # deep chain
    name = "100,000-op chain ≤ 0.5× PyTorch's time"
    mine, torch_row = _find(rows, "deep_chain", AUTODIFF, "n=100000"), _find(rows, "deep_chain", "torch", "n=100000")
    if mine is None or torch_row is None or not mine["median_s"] or not torch_row["median_s"]:
        out.append({"workload": "deep_chain", "target": name, "measured": "not run" if mine is None or torch_row is None else
                    f"{mine['status']} / {torch_row['status']}", "met": "n/a"})
    else:
        ratio, ratio_min = mine["median_s"] / torch_row["median_s"], mine["min_s"] / torch_row["min_s"]
        measured = (f"{ratio:.3g}x ({mine['median_s']:.3g} s vs {torch_row['median_s']:.3g} s; min {ratio_min:.3g}x), "
                    "each library timed in a process of its own")
        out.append({"workload": "deep_chain", "target": name, "measured": measured,
                    "met": "yes" if max(ratio, ratio_min) <= 0.5 else "no"})
    out += user_style_targets(rows, ctx) + nets_targets(rows, ctx)
    # memory
    name = "MNIST training peak memory ≤ 1.5× float32 dataset + 100 MB"
    r = next((r for r in rows if r["workload"] == "memory" and "fit" in r["case"]), None)
    m = r["metrics"] if r else {}
    if "budget MB" not in m:
        out.append({"workload": "memory", "target": name, "measured": r["status"] if r else "not run", "met": "n/a"})
    else:
        out.append({"workload": "memory", "target": name + (" [sample data]" if "sample" in r["case"] else ""),
                    "measured": f"{m['peak RSS over start MB']:.0f} MB (data {m['float32 data MB']:.0f} MB; "
                                f"budget {m['budget MB']:.0f} MB)",
                    "met": "yes" if m["peak RSS over start MB"] <= m["budget MB"] else "no"})
    name = "memory flat over 50,000 Iris steps"
    r = next((r for r in rows if r["workload"] == "memory" and "Iris" in r["case"]), None)
    m = r["metrics"] if r else {}
    if "flat" not in m:
        out.append({"workload": "memory", "target": name, "measured": r["status"] if r else "not run", "met": "n/a"})
    else:
        out.append({"workload": "memory", "target": name + (" [5,000 steps]" if ctx.quick else ""),
                    "measured": f"tracemalloc current {m['tracemalloc current MB']} MB, RSS {m['RSS MB']} MB "
                                f"at {m['at steps']}", "met": "yes" if m["flat"] else "no"})
    return out


# The fused MNIST epoch (mnist_epoch's loop: ad.cross_entropy, W.data = ...) over numpy's,
# float32, when the issue was written: the median ratio of the full run of 2026-12-01
# (1.42x; min 1.24x). The written-out loss must catch up without the fused one getting slower.
FUSED_EPOCH_RATIO_TODAY = 1.42


def user_style_targets(rows: list[dict], ctx: Context) -> list[dict]:
    """Issue 10's targets for code written as a student writes it, PyTorch in the process."""
    chain = "10,000" if ctx.quick else "100,000"
    return [
        _ratio_target(rows, "user style: Iris step, loss written out, w -= lr * w.grad, ≤ 3× numpy",
                      "user_style", IN_PLACE, 3, "Iris"),
        _ratio_target(rows, "user style: the same with new leaf Tensors each step ≤ 3× numpy",
                      "user_style", FRESH, 3, "Iris"),
        _ratio_target(rows, "user style: MNIST epoch float32, -(Y * z.log_softmax(axis=-1)).sum(axis=-1).mean(), "
                            "≤ 1.3× numpy", "user_style", WRITTEN, 1.3, "MNIST"),
        _ratio_target(rows, f"user style: fused MNIST epoch no slower than today ({FUSED_EPOCH_RATIO_TODAY}× numpy)",
                      "user_style", FUSED_TODAY, FUSED_EPOCH_RATIO_TODAY, "MNIST"),
        _ratio_target(rows, f"user style: {chain}-op chain ≤ 0.5× PyTorch, both in one process",
                      "user_style", "autodiff", 0.5, "chain", baseline="torch"),
    ]


def nets_targets(rows: list[dict], ctx: Context) -> list[dict]:
    """Issue 11's targets: the MLP and CNN epochs against PyTorch, time to 98% against scikit-learn."""
    sample = " [sample data]" if ctx.quick else ""
    out = [_ratio_target(rows, "MLP epoch (784-256-10, Adam, batch 128, float32) ≤ 1.3× PyTorch" + sample,
                         "nets", "autodiff", 1.3, "MLP", baseline="torch")]
    cnn = _ratio_target(rows, "CNN epoch measured against PyTorch (no limit set)" + sample, "nets", "autodiff",
                        float("inf"), "CNN", baseline="torch")
    cnn["met"] = "n/a"
    out.append(cnn)
    mine = _find(rows, "mlp_accuracy", "autodiff")
    skl = _find(rows, "mlp_accuracy", SKLEARN)
    goal = (mine or skl or {}).get("case", "").split(" to ")[-1].split(" test")[0] or "98%"
    name = f"MLP: time to {goal} test accuracy ≤ scikit-learn MLPClassifier's" + sample
    if mine is None or skl is None or not mine["median_s"] or not skl["median_s"]:
        out.append({"workload": "mlp_accuracy", "target": name, "measured": "not run" if mine is None or skl is None
                    else f"{mine['status']} / {skl['status']}", "met": "n/a"})
        return out

    def said(r: dict) -> str:
        m = r["metrics"]
        reached = "not reached" if "not reached; best" in m else "reached"
        return (f"{fmt_time(r['median_s'])} ({reached} in {m.get('epochs')} epochs, {m.get('test_accuracy', 0):.2%}; "
                f"{m.get('s/epoch', 0):.3g} s/epoch)")
    reached = "not reached; best" not in mine["metrics"]
    skl_reached = "not reached; best" not in skl["metrics"]
    measured = f"autodiff {said(mine)} vs sklearn {said(skl)}"
    met = "yes" if reached and (not skl_reached or mine["median_s"] <= skl["median_s"]) else "no"
    out.append({"workload": "mlp_accuracy", "target": name, "measured": measured, "met": met})
    return out
