"""autodiff.nn: Parameter, Module (registration, modes, state dicts, files), the
layers against PyTorch, the initialisers' distributions, the losses."""
import copy
import math
import os
import pickle
import zipfile

import numpy as np
import pytest

import autodiff as ad
from autodiff import nn
from autodiff.nn import functional as F

TOL = 1e-12


class TwoLayer(nn.Module):
    def __init__(self, n_in=4, n_hidden=3, n_out=2, rng=0):
        super().__init__()
        self.scale = nn.Parameter(1.5)
        self.hidden = nn.Linear(n_in, n_hidden, rng=rng)
        self.out = nn.Linear(n_hidden, n_out, rng=rng + 1)
        self.drop = nn.Dropout(0.5, rng=rng)
        self.register_buffer("seen", np.zeros(1))

    def forward(self, x):
        return self.out(self.drop(ad.relu(self.hidden(x)))) * self.scale


# ----- Parameter ------------------------------------------------------------------------------
def test_parameter_is_a_leaf_tensor_that_owns_its_array():
    source = np.array([1.0, 2.0])
    p = nn.Parameter(source)
    assert isinstance(p, ad.Tensor) and p.requires_grad and p.is_leaf
    assert p.data is not source and not np.shares_memory(p.data, source)
    p.data += 1.0
    np.testing.assert_array_equal(source, [1.0, 2.0])
    assert not nn.Parameter(source, requires_grad=False).requires_grad
    assert nn.Parameter([1, 2]).dtype == np.float64
    assert nn.Parameter(source, dtype=np.float32).dtype == np.float32
    assert repr(p).startswith("Parameter(")


def test_parameter_takes_part_in_graphs_and_survives_copies():
    p = nn.Parameter([1.0, -2.0])
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad, [2.0, -4.0])
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q is not p and q.requires_grad
    np.testing.assert_array_equal(q.grad, p.grad)
    assert type(pickle.loads(pickle.dumps(p))) is nn.Parameter


# ----- Module: registration and walking ---------------------------------------------------------
def test_named_parameters_are_dotted_and_in_order():
    model = TwoLayer()
    assert [n for n, _ in model.named_parameters()] == [
        "scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [n for n, _ in model.named_buffers()] == ["seen"]
    assert list(model.parameters())[1] is model.hidden.weight
    assert [n for n, _ in model.named_children()] == ["hidden", "out", "drop"]
    assert list(model.children()) == [model.hidden, model.out, model.drop]
    assert [n for n, _ in model.named_modules()] == ["", "hidden", "out", "drop"]
    assert len(list(model.modules())) == 4
    assert [n for n, _ in model.named_parameters(recurse=False)] == ["scale"]
    assert "hidden" in dir(model) and "scale" in dir(model)


def test_a_shared_parameter_or_module_is_listed_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 3, rng=0)
            self.b = self.a
            self.c = nn.Linear(3, 3, rng=1)
            self.c.weight = self.a.weight
    model = Tied()
    assert [n for n, _ in model.named_parameters()] == ["a.weight", "a.bias", "c.bias"]
    assert [n for n, _ in model.named_modules()] == ["", "a", "c"]


def test_reassigning_and_deleting_attributes():
    model = TwoLayer()
    model.hidden = nn.Linear(4, 3, rng=5)  # replaced
    assert model._modules["hidden"] is model.hidden
    model.scale = None  # removed from the parameters
    assert model.scale is None and "scale" not in dict(model.named_parameters())
    model.extra = nn.Parameter(np.ones(2))
    del model.extra
    assert "extra" not in dict(model.named_parameters())
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'extra'"):
        model.extra
    model.note = "a plain attribute"
    assert model.note == "a plain attribute"


def test_registration_mistakes_are_explained():
    model = TwoLayer()
    with pytest.raises(TypeError, match="TwoLayer.out is a sub-module"):
        model.out = 3
    with pytest.raises(TypeError, match="TwoLayer.scale is a Parameter"):
        model.scale = ad.Tensor(2.0)
    with pytest.raises(TypeError, match="must be an nn.Parameter"):
        model.w = ad.Tensor([1.0], requires_grad=True)  # parameters() would not list it
    model.constant = ad.Tensor([1.0])  # a constant is fine
    with pytest.raises(TypeError, match="is a buffer"):
        model.seen = [0.0]
    model.seen = np.ones(1)
    assert model.state_dict()["seen"][0] == 1.0

    class Forgot(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\)"):
        Forgot()

    class NoForward(nn.Module):
        pass
    with pytest.raises(NotImplementedError, match="NoForward defines no forward"):
        NoForward()(1.0)


def test_train_eval_and_zero_grad_reach_every_module():
    model = TwoLayer()
    assert model.training and model.drop.training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(TypeError, match="mode must be True or False"):
        model.train("no")
    F.cross_entropy(model(np.ones((2, 4))), [0, 1]).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_repr_shows_the_tree():
    text = repr(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.2)))
    assert text == ("Sequential(\n  (0): Linear(in_features=4, out_features=3, bias=True)\n"
                    "  (1): ReLU()\n  (2): Dropout(p=0.2)\n)")


# ----- state dicts and files --------------------------------------------------------------------
def test_state_dict_is_a_copy_and_loads_in_place():
    model, other = TwoLayer(rng=0), TwoLayer(rng=10)
    state = model.state_dict()
    assert set(state) == {"scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias", "seen"}
    state["hidden.bias"] += 100.0
    assert np.all(model.hidden.bias.data < 100.0)  # a copy
    arrays = [p.data for p in other.parameters()]
    result = other.load_state_dict(model.state_dict())
    assert result == nn.LoadResult([], [])
    assert all(p.data is a for p, a in zip(other.parameters(), arrays))  # identity kept for optimizers
    for (name, p), q in zip(model.named_parameters(), other.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)


def test_load_state_dict_while_a_graph_holds_the_parameters():
    model, other = TwoLayer(rng=0), TwoLayer(rng=1)
    kept = model(np.ones((2, 4)))  # a graph that used the current weights, still alive
    array = model.hidden.weight.data
    model.load_state_dict(other.state_dict())
    assert model.hidden.weight.data is array
    np.testing.assert_array_equal(array, other.hidden.weight.data)
    assert kept.shape == (2, 2)


def test_load_state_dict_errors_and_strict_false():
    model = TwoLayer()
    before = model.state_dict()
    state = model.state_dict()
    del state["out.bias"]
    state["bogus"] = np.ones(1)
    with pytest.raises(KeyError, match=r"missing keys \['out.bias'\] and unexpected keys \['bogus'\]"):
        model.load_state_dict(state)
    state["hidden.bias"] = np.full(3, 7.0)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["out.bias"] and result.unexpected_keys == ["bogus"]
    np.testing.assert_array_equal(model.hidden.bias.data, 7.0)

    model.load_state_dict(before)
    wrong = model.state_dict()
    wrong["scale"] = np.array(2.0)
    wrong["out.weight"] = np.ones((3, 2))
    with pytest.raises(ValueError, match=r"out.weight has shape \(3, 2\) in the state, \(2, 3\) in the module"):
        model.load_state_dict(wrong)
    assert model.scale.item() == 1.5  # all checked before anything is written
    wrong = model.state_dict()
    wrong["out.bias"] = np.array([0.0, np.nan])
    with pytest.raises(ValueError, match=r"out.bias holds nan at index \(1,\)"):
        model.load_state_dict(wrong)
    wrong["out.bias"] = np.array(["a", "b"])
    with pytest.raises(TypeError, match="out.bias has dtype <U1"):
        model.load_state_dict(wrong)


def test_save_and_load_round_trip(tmp_path):
    model = TwoLayer(rng=0)
    model.seen[...] = 42.0
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = TwoLayer(rng=99).load(path)
    for (name, a), b in zip(model.state_dict().items(), loaded.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=name)
    x = np.random.default_rng(0).normal(size=(5, 4))
    model.eval(), loaded.eval()
    np.testing.assert_array_equal(model(x).data, loaded(x).data)
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left
    model.save(str(path))  # overwriting, from a str path
    with pytest.raises(KeyError, match="model.npz: .*missing keys"):
        nn.Linear(4, 3).load(path)


def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    model = TwoLayer(rng=0)
    model.save(path)
    old = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        TwoLayer(rng=1).save(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["model.npz"]


def test_load_refuses_bad_files(tmp_path):
    model = nn.Linear(2, 1)
    with pytest.raises(FileNotFoundError, match="no file"):
        model.load(tmp_path / "absent.npz")
    text = tmp_path / "notes.npz"
    text.write_text("not an archive")
    with pytest.raises(ValueError, match="not an .npz file"):
        model.load(text)
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValueError, match="not a valid .npz file"):
        model.load(broken)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, weight=np.array([{"a": 1}], dtype=object), bias=np.zeros(1))
    with pytest.raises(ValueError, match="Python objects"):
        model.load(pickled)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weight=np.zeros((1, 2)), bias=np.zeros(1))
    with pytest.raises(ValueError, match="not written by Module.save"):
        model.load(foreign)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        model.save(tmp_path / "no" / "such" / "folder.npz")
    with pytest.raises(IsADirectoryError):
        model.save(tmp_path)
    with zipfile.ZipFile(tmp_path / "empty.npz", "w"):
        pass
    with pytest.raises(ValueError, match="not written by Module.save"):
        model.load(tmp_path / "empty.npz")


# ----- layers -------------------------------------------------------------------------------------
def _torch_linear(torch, ours):
    layer = torch.nn.Linear(ours.in_features, ours.out_features, bias=ours.bias is not None, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(ours.weight.data))
        if ours.bias is not None:
            layer.bias.copy_(torch.from_numpy(ours.bias.data))
    return layer


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape", [(6, 5), (2, 3, 5), (5,)])
def test_linear_matches_pytorch(bias, x_shape):
    torch = pytest.importorskip("torch")
    layer = nn.Linear(5, 4, bias=bias, rng=1)
    reference = _torch_linear(torch, layer)
    x = np.random.default_rng(2).normal(size=x_shape)
    xt = torch.tensor(x, requires_grad=True)
    ours_x = ad.Tensor(x, requires_grad=True)
    out, their_out = layer(ours_x), reference(xt)
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=TOL, atol=TOL)
    g = np.random.default_rng(3).normal(size=out.shape)
    out.backward(g)
    their_out.backward(torch.tensor(g))
    np.testing.assert_allclose(ours_x.grad, xt.grad.numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=TOL, atol=TOL)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=TOL, atol=TOL)


def test_linear_initialisation_is_pytorchs_distribution():
    layer = nn.Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.data, layer.bias.data
    assert w.shape == (300, 400) and b.shape == (300,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound
    # U(-b, b) has std b/√3; 120,000 draws: the sample std is within 1% (the std of the estimate is 0.13%)
    assert abs(w.std() / (bound / math.sqrt(3)) - 1) < 0.01
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(b).max() <= bound
    np.testing.assert_array_equal(nn.Linear(400, 300, rng=0).weight.data, w)  # seeded
    nn.manual_seed(3)
    first = nn.Linear(3, 2).weight.data.copy()
    nn.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(3, 2).weight.data, first)
    assert nn.Linear(3, 2, dtype=np.float32).weight.dtype == np.float32


def test_linear_errors():
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match="out_features"):
        nn.Linear(3, 2.5)
    with pytest.raises(ValueError, match=r"Linear\(3, 2\): the input has shape \(4, 5\); its last axis must hold"):
        nn.Linear(3, 2)(np.ones((4, 5)))
    with pytest.raises(TypeError, match="rng"):
        nn.Linear(3, 2, rng="seed")


def test_flatten():
    x = ad.Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(start_dim=0)(x).shape == (24,)
    assert nn.Flatten()(np.ones((0, 2, 2))).shape == (0, 4)
    nn.Flatten()(x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="do not select a range of axes"):
        nn.Flatten(2, 1)(x)
    with pytest.raises(ValueError, match="do not select"):
        nn.Flatten(1)(np.ones(3))


def test_dropout_train_and_eval():
    x = ad.Tensor(np.ones((200, 100)), requires_grad=True)
    layer = nn.Dropout(0.3, rng=0)
    out = layer(x)
    kept = out.data != 0
    assert set(np.unique(out.data)) == {0.0, 1 / 0.7}
    # 20,000 Bernoulli(0.7) draws: the kept fraction is within 1% of 0.7 (4 standard deviations is 1.3%... of 0.7: 0.9%)
    assert abs(kept.mean() - 0.7) < 0.01
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, kept / 0.7)  # the gradient goes through the kept elements only
    again = nn.Dropout(0.3, rng=0)(x)
    np.testing.assert_array_equal(again.data, out.data)  # seeded
    assert not np.array_equal(layer(x).data, out.data)  # a new mask each call
    layer.eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, 0.0)
    for p in (-0.1, 1.5, "half", True):
        with pytest.raises(ValueError, match="p must be a probability"):
            nn.Dropout(p)


@pytest.mark.parametrize("module, function", [
    (nn.ReLU(), ad.relu), (nn.Sigmoid(), ad.sigmoid), (nn.Tanh(), ad.tanh),
    (nn.Softmax(), ad.softmax), (nn.LogSoftmax(axis=0), lambda x: ad.log_softmax(x, axis=0)),
])
def test_activation_modules_are_the_functions(module, function):
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(module(x).data, function(x).data)


def test_sequential():
    model = nn.Sequential(nn.Linear(4, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1))
    assert len(model) == 3 and isinstance(model[1], nn.ReLU) and model[-1] is model[2]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and head[0] is model[0]
    x = np.random.default_rng(1).normal(size=(5, 4))
    np.testing.assert_array_equal(model(x).data, model[2](ad.relu(model[0](x))).data)
    assert list(model) == [model[0], model[1], model[2]]
    model.append(nn.Tanh())
    assert len(model) == 4
    with pytest.raises(TypeError, match="item 0 is a .*, not a Module"):
        nn.Sequential(ad.relu)
    with pytest.raises(IndexError, match="out of range for 4 modules"):
        model[7]


# ----- init ----------------------------------------------------------------------------------------
def test_fans_and_gains():
    assert nn.init.fan_in_and_fan_out((30, 20)) == (20, 30)
    assert nn.init.fan_in_and_fan_out((8, 3, 5, 5)) == (75, 200)  # a convolution's (out, in, kh, kw)
    with pytest.raises(ValueError, match="at least 2 axes"):
        nn.init.xavier_uniform_(nn.Parameter(np.zeros(5)))
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param),
                                                                    rel=1e-15)


@pytest.mark.parametrize("fill, expected_std, uniform", [
    (lambda p, g: nn.init.xavier_uniform_(p, rng=g), math.sqrt(2 / (200 + 300)), True),
    (lambda p, g: nn.init.xavier_normal_(p, gain=2.0, rng=g), 2 * math.sqrt(2 / (200 + 300)), False),
    (lambda p, g: nn.init.kaiming_uniform_(p, nonlinearity="relu", rng=g), math.sqrt(2 / 200), True),
    (lambda p, g: nn.init.kaiming_normal_(p, mode="fan_out", nonlinearity="relu", rng=g), math.sqrt(2 / 300), False),
    (lambda p, g: nn.init.kaiming_normal_(p, a=0.1, rng=g), math.sqrt(2 / 1.01 / 200), False),
])
def test_initialisers_draw_the_stated_distribution(fill, expected_std, uniform):
    p = nn.Parameter(np.zeros((300, 200)))
    assert fill(p, np.random.default_rng(0)) is p
    # 60,000 draws: the sample std is within 1.5% of the stated one (its standard error is 0.3-0.4%)
    assert abs(p.data.std() / expected_std - 1) < 0.015
    if uniform:
        bound = math.sqrt(3) * expected_std
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.999 * bound
    q = nn.Parameter(np.zeros((300, 200)))
    fill(q, np.random.default_rng(0))
    np.testing.assert_array_equal(p.data, q.data)


def test_constant_initialisers_and_errors():
    p = nn.Parameter(np.empty((2, 3)))
    arr = p.data
    np.testing.assert_array_equal(nn.init.zeros_(p).data, 0.0)
    np.testing.assert_array_equal(nn.init.ones_(p).data, 1.0)
    np.testing.assert_array_equal(nn.init.constant_(p, 0.5).data, 0.5)
    assert p.data is arr  # in place
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        nn.init.kaiming_uniform_(p, mode="fan")
    with pytest.raises(ValueError, match="unknown nonlinearity 'swish'"):
        nn.init.kaiming_normal_(p, nonlinearity="swish")
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.init.zeros_(np.zeros(3))
    with pytest.raises(ValueError, match="std must be >= 0"):
        nn.init.normal_(p, std=-1.0)


# ----- losses ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs", [("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {}),
                                          ("huber_loss", {"delta": 0.3}), ("huber_loss", {"delta": 2.5})])
def test_regression_losses_match_pytorch(name, kwargs, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, y = rng.normal(scale=2.0, size=(7, 3)), rng.normal(scale=2.0, size=(7, 3))
    x[0, 0] = y[0, 0]  # a zero error: |.|'s kink
    x[1, 1] = y[1, 1] + kwargs.get("delta", 1.0)  # huber's seam
    xs, ys = ad.Tensor(x, requires_grad=True), ad.Tensor(y, requires_grad=True)
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    loss = getattr(F, name)(xs, ys, reduction=reduction, **kwargs)
    reference = getattr(torch.nn.functional, name)(xt, yt, reduction=reduction, **kwargs)
    np.testing.assert_allclose(loss.data, reference.detach().numpy(), rtol=TOL, atol=TOL)
    g = rng.normal(size=loss.shape)
    loss.backward(g)
    reference.backward(torch.tensor(g))
    np.testing.assert_allclose(xs.grad, xt.grad.numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(ys.grad, yt.grad.numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_losses_pass_gradcheck(name):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert ad.gradcheck(lambda a, b: getattr(F, name)(a, b), x, y)


def test_loss_modules_are_the_functions():
    rng = np.random.default_rng(1)
    z, labels = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    x, y = rng.normal(size=5), rng.uniform(size=5)
    p = ad.sigmoid(x).data
    pairs = [(nn.CrossEntropyLoss(), F.cross_entropy, z, labels), (nn.MSELoss("sum"), F.mse_loss, x, y),
             (nn.L1Loss(), F.l1_loss, x, y), (nn.BCELoss(), F.binary_cross_entropy, p, y),
             (nn.BCEWithLogitsLoss(reduction="none"), F.binary_cross_entropy_with_logits, x, y)]
    for module, function, a, b in pairs:
        np.testing.assert_array_equal(module(a, b).data, function(a, b, reduction=module.reduction).data)
    np.testing.assert_array_equal(nn.HuberLoss(delta=0.5)(x, y).data, F.huber_loss(x, y, delta=0.5).data)
    assert F.cross_entropy is ad.cross_entropy


def test_loss_errors():
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\) differ"):
        F.mse_loss(np.ones((4, 1)), np.ones(4))
    with pytest.raises(ValueError, match=r"l1_loss: input holds nan at index \(2,\)"):
        F.l1_loss(np.array([1.0, 2.0, np.nan]), np.zeros(3))
    with pytest.raises(ValueError, match=r"target holds inf"):
        F.huber_loss(np.zeros(2), np.array([np.inf, 0.0]))
    with pytest.raises(FloatingPointError, match="overflowed"):
        F.mse_loss(np.array([1e200]), np.array([-1e200]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(np.ones(2), np.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss("avg")
    with pytest.raises(ValueError, match="delta must be a positive number"):
        nn.HuberLoss(delta=0.0)
