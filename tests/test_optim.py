"""autodiff.optim: every optimizer against PyTorch's, step by step, for every
hyperparameter variant; the checks made before a step; state dicts; schedules."""
import copy
import math

import numpy as np
import pytest

import autodiff as ad
from autodiff import optim

TOL = 1e-12  # float64: the formulas are PyTorch's, in the same order; rounding differs at 1e-15
SHAPES = [(3, 4), (5,), ()]  # a matrix, a vector and a scalar parameter
STEPS = 25

VARIANTS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.1, betas=(0.5, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.0, 0.99), weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, weight_decay=0.0)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.2, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.05)),
]


def _ids(variant):
    name, kwargs = variant
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


def _plain(value):
    """A torch state entry as numpy (the step count is a tensor in PyTorch)."""
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


@pytest.mark.parametrize("variant", VARIANTS, ids=[_ids(v) for v in VARIANTS])
def test_matches_pytorch_step_by_step(variant):
    torch = pytest.importorskip("torch")
    name, kwargs = variant
    rng = np.random.default_rng(7)
    start = [rng.normal(size=s) for s in SHAPES]
    ours = [ad.Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in start]
    arrays = [p.data for p in ours]
    opt = getattr(optim, name)(ours, **kwargs)
    reference = getattr(torch.optim, name)(theirs, **kwargs)
    for step in range(STEPS):
        for i, (p, t) in enumerate(zip(ours, theirs)):
            if i == 1 and step % 4 == 3:  # a parameter without a gradient this step: skipped by both
                p.grad = t.grad = None
                continue
            g = rng.normal(scale=3.0, size=p.shape)
            p.grad = np.asarray(g)
            t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        reference.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=TOL, atol=TOL,
                                       err_msg=f"{name} {kwargs} step {step}")
        ours_state = opt.state_dict()["state"]
        their_state = reference.state_dict()["state"]
        assert set(ours_state) == set(their_state)
        for i in ours_state:
            buffers = {k: v for k, v in their_state[i].items() if v is not None}
            assert set(ours_state[i]) == set(buffers), (ours_state[i].keys(), buffers.keys())
            for key, value in buffers.items():
                np.testing.assert_allclose(ours_state[i][key], _plain(value), rtol=TOL, atol=TOL,
                                           err_msg=f"{name} {kwargs} step {step} state {key}")
    assert all(p.data is a for p, a in zip(ours, arrays)), "the updates must be in place"


def test_param_groups_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    start = [rng.normal(size=(4, 2)), rng.normal(size=(2,)), rng.normal(size=(3,))]
    ours = [ad.Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    opt = optim.SGD([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.01, "nesterov": True}],
                    lr=0.1, momentum=0.9)
    reference = torch.optim.SGD([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.01, "nesterov": True}],
                                lr=0.1, momentum=0.9)
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[0]["lr"] == 0.1
    for _ in range(STEPS):
        for p, t in zip(ours, theirs):
            g = rng.normal(size=p.shape)
            p.grad, t.grad = g, torch.tensor(g)
        opt.step()
        reference.step()
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=TOL, atol=TOL)


def test_trains_through_the_engine():
    """A real backward: least squares with Adam reaches the numpy solution."""
    rng = np.random.default_rng(0)
    X, w_true = rng.normal(size=(50, 3)), np.array([1.0, -2.0, 0.5])
    y = X @ w_true + 0.01 * rng.normal(size=50)
    w = ad.Tensor(np.zeros(3), requires_grad=True)
    opt = optim.Adam([w], lr=0.05)
    for _ in range(800):
        opt.zero_grad()
        loss = ad.mean((X @ w - y) ** 2)
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.data, np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-6)


def test_zero_grad_sets_none_and_skipped_parameters_stay():
    a, b = ad.Tensor([1.0, 2.0], requires_grad=True), ad.Tensor([3.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.5)
    a.grad = np.array([1.0, 1.0])
    opt.step()
    np.testing.assert_array_equal(a.data, [0.5, 1.5])
    np.testing.assert_array_equal(b.data, [3.0])  # no grad: untouched
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_a_tensor_gradient_and_a_float32_parameter():
    torch = pytest.importorskip("torch")
    p = ad.Tensor(np.array([0.5, -1.5], dtype=np.float32), requires_grad=True)
    t = torch.tensor([0.5, -1.5], dtype=torch.float32, requires_grad=True)
    opt, reference = optim.Adam([p], lr=0.1), torch.optim.Adam([t], lr=0.1)
    for g in ([1.0, 2.0], [-3.0, 0.5], [0.25, 0.25]):
        p.grad = ad.Tensor(np.array(g, dtype=np.float32))  # as create_graph=True leaves it
        t.grad = torch.tensor(g, dtype=torch.float32)
        opt.step()
        reference.step()
    assert p.data.dtype == np.float32 and opt.state[id(p)]["exp_avg"].dtype == np.float32
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-6)


def test_closure_result_is_returned():
    w = ad.Tensor(2.0, requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = w * w
        loss.backward()
        return loss

    with ad.no_grad():  # the closure records its graph even so
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


# ----- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda p: optim.SGD(p, lr=-0.1), "lr must be >= 0"),
    (lambda p: optim.SGD(p, lr=float("nan")), "lr must be finite"),
    (lambda p: optim.SGD(p, lr="0.1"), "lr must be a number"),
    (lambda p: optim.SGD(p, momentum=1.5), r"momentum must be in \[0, 1\]"),
    (lambda p: optim.SGD(p, momentum=-0.1), "momentum"),
    (lambda p: optim.SGD(p, dampening=2.0), "dampening"),
    (lambda p: optim.SGD(p, weight_decay=-1.0), "weight_decay must be >= 0"),
    (lambda p: optim.SGD(p, nesterov=True), "nesterov=True needs momentum > 0"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
    (lambda p: optim.SGD(p, nesterov=1), "nesterov must be True or False"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"beta1 \(betas\[0\]\) must be in \[0, 1\)"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "beta2"),
    (lambda p: optim.Adam(p, betas=0.9), "betas must be a pair"),
    (lambda p: optim.Adam(p, eps=0.0), "eps must be > 0"),
    (lambda p: optim.Adam(p, weight_decay=-0.1), "weight_decay"),
    (lambda p: optim.AdamW(p, lr=-1e-3), "AdamW: lr"),
    (lambda p: optim.Adam(p, amsgrad="yes"), "amsgrad"),
    (lambda p: optim.RMSprop(p, alpha=1.0), r"alpha must be in \[0, 1\)"),
    (lambda p: optim.RMSprop(p, eps=-1e-8), "eps"),
    (lambda p: optim.RMSprop(p, momentum=2.0), "momentum"),
    (lambda p: optim.RMSprop(p, centered=None), "centered"),
    (lambda p: optim.SGD([{"params": p, "lr": 0.1, "betas": (0.9, 0.9)}]), r"unknown hyperparameter"),
])
def test_bad_hyperparameters_are_named(make, match):
    params = [ad.Tensor([1.0], requires_grad=True)]
    with pytest.raises((ValueError, TypeError), match=match):
        make(params)


@pytest.mark.parametrize("params, error, match", [
    (ad.Tensor([1.0], requires_grad=True), TypeError, "got a single Tensor"),
    ([], ValueError, "no parameters"),
    (3, TypeError, "iterable"),
    ([np.ones(2)], TypeError, "not a Tensor"),
    ([ad.Tensor([1.0], requires_grad=True) * 2], ValueError, "leaf"),
])
def test_bad_params_are_named(params, error, match):
    with pytest.raises(error, match=match):
        optim.SGD(params, lr=0.1)


def test_a_parameter_given_twice_is_refused():
    w = ad.Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="given twice"):
        optim.SGD([w, w], lr=0.1)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="given twice"):
        opt.add_param_group({"params": [w]})


@pytest.mark.parametrize("bad_grad, error, match", [
    (np.ones(3), ValueError, r"has shape \(3,\), but the parameter has shape \(2,\)"),
    (np.array([1, 2]), TypeError, "must be a float numpy array, got dtype int64"),
    ([1.0, 2.0], TypeError, "got a list"),
    (np.array([1.0, np.nan]), ValueError, r"holds nan at index \(1,\)"),
    (np.array([np.inf, 1.0]), ValueError, "holds inf"),
])
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_a_bad_gradient_changes_nothing(name, bad_grad, error, match):
    good = ad.Tensor([1.0, 2.0], requires_grad=True)
    bad = ad.Tensor([3.0, 4.0], requires_grad=True)
    opt = getattr(optim, name)([("good", good), ("bad", bad)], lr=0.1)
    good.grad, bad.grad = np.ones(2), bad_grad
    with pytest.raises(error, match=match) as raised:
        opt.step()
    assert "'bad'" in str(raised.value)  # the parameter is named
    np.testing.assert_array_equal(good.data, [1.0, 2.0])  # checked before any update
    assert opt.state_dict()["state"] == {}


def test_a_hyperparameter_changed_by_hand_is_checked_at_the_step():
    w = ad.Tensor([1.0], requires_grad=True)
    opt = optim.Adam([w])
    opt.param_groups[0]["betas"] = (0.9, 1.0)
    w.grad = np.ones(1)
    with pytest.raises(ValueError, match="beta2"):
        opt.step()
    assert w.item() == 1.0


def test_an_overflowing_update_is_reported():
    w = ad.Tensor([1e300], requires_grad=True)
    opt = optim.SGD([("w", w)], lr=1e10)
    w.grad = np.array([1e300])
    with pytest.raises(FloatingPointError, match="update of parameter 'w' overflowed"):
        opt.step()


def test_a_broadcast_or_read_only_parameter_is_refused():
    w = ad.Tensor(np.broadcast_to(np.ones(1), (2,)), requires_grad=True)  # two elements, one memory cell
    opt = optim.SGD([w], lr=0.1)
    w.grad = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="broadcast view whose elements share memory"):
        opt.step()
    np.testing.assert_array_equal(w.data, [1.0, 1.0])


def test_a_graph_kept_alive_does_not_stop_a_step():
    """With the engine's in-place writes, a graph that used the old values refuses backward."""
    layer = ad.Tensor(np.ones((2, 3)), requires_grad=True)
    opt = optim.SGD([layer], lr=0.1)
    kept = ad.sum(layer * layer * 2.0)  # still alive during the step; its vjp reads the old values
    ad.sum(layer * layer).backward()
    array = layer.data
    opt.step()
    assert layer.data is array
    np.testing.assert_allclose(layer.data, 0.8, rtol=1e-15)
    with pytest.raises(RuntimeError, match="changed in place after mul used it"):
        kept.backward()


# ----- state dicts ------------------------------------------------------------------------------
def _only_plain_values(value):
    if isinstance(value, dict):
        return all(isinstance(k, (str, int)) and _only_plain_values(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_only_plain_values(v) for v in value)
    return isinstance(value, (np.ndarray, int, float, bool, str)) or value is None


def _run(opt, params, rng, steps):
    for _ in range(steps):
        for p in params:
            p.grad = rng.normal(size=p.shape)
        opt.step()


@pytest.mark.parametrize("variant", [v for v in VARIANTS if len(v[1]) > 1], ids=_ids)
def test_state_dict_resumes_exactly(variant):
    name, kwargs = variant
    rng = np.random.default_rng(5)
    start = [rng.normal(size=s) for s in SHAPES]
    params = [ad.Tensor(a.copy(), requires_grad=True) for a in start]
    opt = getattr(optim, name)(params, **kwargs)
    _run(opt, params, np.random.default_rng(1), 10)
    saved = opt.state_dict()
    assert _only_plain_values(saved)
    snapshot = copy.deepcopy(saved)
    copies = [ad.Tensor(p.data.copy(), requires_grad=True) for p in params]
    _run(opt, params, np.random.default_rng(2), 10)
    for a, b in zip(saved["state"].values(), snapshot["state"].values()):  # a copy, not a view
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    resumed = getattr(optim, name)(copies, lr=123.0)  # the lr comes back from the state
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == kwargs["lr"]
    _run(resumed, copies, np.random.default_rng(2), 10)
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p.data, q.data)


def test_load_state_dict_copies_the_arrays():
    w = ad.Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = np.ones(2)
    opt.step()
    saved = opt.state_dict()
    other = optim.SGD([w], lr=0.1, momentum=0.9)
    other.load_state_dict(saved)
    saved["state"][0]["momentum_buffer"][:] = 1e6  # changing the dict afterwards...
    np.testing.assert_array_equal(other.state_dict()["state"][0]["momentum_buffer"], [1.0, 1.0])  # ...does not reach it


def test_load_state_dict_refuses_a_mismatch_and_changes_nothing():
    w = ad.Tensor(np.ones((2, 2)), requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = np.ones((2, 2))
    opt.step()
    saved = opt.state_dict()
    other = ad.Tensor(np.ones(3), requires_grad=True)
    fresh = optim.Adam([other], lr=0.5)
    with pytest.raises(ValueError, match=r"buffer 'exp_avg' of parameter 0 has shape \(2, 2\)"):
        fresh.load_state_dict(saved)
    assert fresh.state == {} and fresh.param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match=r"1 parameter group\(s\), this optimizer has 2"):
        optim.Adam([{"params": [other]}, {"params": [w]}]).load_state_dict(saved)
    with pytest.raises(ValueError, match="hyperparameters"):
        optim.SGD([w]).load_state_dict(saved)
    bad = copy.deepcopy(saved)
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optim.Adam([w]).load_state_dict(bad)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})


# ----- learning-rate schedules ----------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1, gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=7)),
])
def test_schedules_match_pytorch(name, kwargs):
    torch = pytest.importorskip("torch")
    w, t = ad.Tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    v, u = ad.Tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [w]}, {"params": [v], "lr": 0.03}], lr=0.1)
    reference = torch.optim.SGD([{"params": [t]}, {"params": [u], "lr": 0.03}], lr=0.1)
    schedule = getattr(optim, name)(opt, **kwargs)
    their_schedule = getattr(torch.optim.lr_scheduler, name)(reference, **kwargs)
    for epoch in range(35):  # past T_max: the cosine goes on, in both
        np.testing.assert_allclose(schedule.get_last_lr(), their_schedule.get_last_lr(), rtol=TOL, atol=TOL,
                                   err_msg=f"epoch {epoch}")
        assert [g["lr"] for g in opt.param_groups] == schedule.get_last_lr()
        reference.step()  # (PyTorch warns when a schedule steps before its optimizer)
        schedule.step()
        their_schedule.step()


def test_schedule_state_dict_resumes():
    w = ad.Tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    schedule = optim.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for _ in range(4):
        schedule.step()
    saved = schedule.state_dict()
    assert _only_plain_values(saved)
    opt2 = optim.SGD([ad.Tensor([1.0], requires_grad=True)], lr=0.1)
    resumed = optim.CosineAnnealingLR(opt2, T_max=10, eta_min=0.01)
    resumed.load_state_dict(saved)
    for _ in range(3):
        schedule.step()
        resumed.step()
    assert resumed.get_last_lr() == schedule.get_last_lr()
    assert resumed.get_last_lr()[0] == pytest.approx(0.01 + 0.09 * (1 + math.cos(math.pi * 7 / 10)) / 2, abs=1e-15)
    with pytest.raises(ValueError, match="expected the keys"):
        resumed.load_state_dict({"last_epoch": 3})


@pytest.mark.parametrize("make, match", [
    (lambda o: optim.StepLR(o, step_size=0), "step_size must be a positive integer"),
    (lambda o: optim.StepLR(o, step_size=2.5), "step_size"),
    (lambda o: optim.StepLR(o, step_size=2, gamma=-0.5), "gamma must be >= 0"),
    (lambda o: optim.CosineAnnealingLR(o, T_max=0), "T_max must be a positive integer"),
    (lambda o: optim.CosineAnnealingLR(o, T_max=5, eta_min=-1.0), "eta_min"),
    (lambda o: optim.StepLR(o, step_size=2, last_epoch=4), "initial_lr"),
    (lambda o: optim.StepLR([], step_size=2), "optimizer must be"),
])
def test_bad_schedules_are_named(make, match):
    opt = optim.SGD([ad.Tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises((ValueError, TypeError), match=match):
        make(opt)
