"""Convolution, pooling and batch normalisation (autodiff.ops.conv, nn.Conv2d, nn.MaxPool2d,
nn.AvgPool2d, nn.BatchNorm1d/2d) against PyTorch in float64: outputs and every gradient
to 1e-12 (absolute, on values of order 1-10), second derivatives to 1e-10; the plain
kernels against the create_graph vjps; argument errors. (The registry test checks the
ops against central differences and direct-loop numpy references.)"""
import numpy as np
import pytest

import autodiff as ad
from autodiff import nn
from autodiff.ops import conv as C

torch = pytest.importorskip("torch")
TF = torch.nn.functional
TOL = 1e-12


def _t(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def _close(ours, theirs, what, tol=TOL):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    ours = ours.data if isinstance(ours, ad.Tensor) else ours
    assert ours.shape == theirs.shape, what
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=tol, err_msg=what)


# (batch, in channels, height, width, out channels, kernel, stride, padding)
CONV_CASES = [
    (2, 3, 7, 8, 4, 3, 1, 0),
    (2, 3, 7, 8, 4, 3, 2, 1),                    # stride 2 leaves the last row and column out
    (1, 2, 9, 6, 3, (3, 2), (2, 3), (1, 0)),     # rectangular everything
    (3, 1, 28, 28, 6, 5, 1, 2),                  # LeNet's first layer
    (2, 4, 5, 5, 2, 5, 1, 0),                    # the kernel covers the whole image
    (2, 3, 6, 6, 2, 1, 1, 0),                    # 1 × 1
    (2, 2, 9, 9, 3, 2, 3, 0),                    # stride larger than the kernel: pixels unused
    (2, 2, 4, 5, 3, 3, 1, 2),                    # padding 2 > what a 'same' convolution needs
]


@pytest.mark.parametrize("n, c, h, w, o, k, stride, padding", CONV_CASES)
def test_conv2d_layer_equals_pytorchs(n, c, h, w, o, k, stride, padding):
    rng = np.random.default_rng(h * w + o)
    ours = nn.Conv2d(c, o, k, stride=stride, padding=padding, rng=1)
    theirs = torch.nn.Conv2d(c, o, k, stride=stride, padding=padding).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    x = rng.standard_normal((n, c, h, w))
    X, TX = ad.Tensor(x, requires_grad=True), _t(x)
    out, their_out = ours(X), theirs(TX)
    _close(out, their_out, "forward")
    g = rng.standard_normal(out.shape)
    out.backward(g)
    their_out.backward(torch.from_numpy(g))
    _close(X.grad, TX.grad, "input gradient")
    _close(ours.weight.grad, theirs.weight.grad, "weight gradient")
    _close(ours.bias.grad, theirs.bias.grad, "bias gradient")


@pytest.mark.parametrize("case", CONV_CASES[:3])
def test_conv2d_second_derivatives_equal_pytorchs(case):
    n, c, h, w, o, k, stride, padding = case
    rng = np.random.default_rng(0)
    kernel = (k, k) if isinstance(k, int) else k
    x, wt, b = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c) + kernel), rng.standard_normal(o)

    def second(lib, x, wt, b):
        conv = ad.conv2d if lib is ad else TF.conv2d
        out = conv(x, wt, b, stride=stride, padding=padding)
        loss = (lib.tanh(out) ** 2).sum()
        grads = (ad.gradients(loss, [x, wt, b], create_graph=True) if lib is ad
                 else torch.autograd.grad(loss, [x, wt, b], create_graph=True))
        total = (grads[0] ** 2).sum() + (grads[1] ** 3).sum() + (lib.sin(grads[2])).sum()
        return ad.gradients(total, [x, wt, b]) if lib is ad else torch.autograd.grad(total, [x, wt, b])

    ours = second(ad, *(ad.Tensor(a, requires_grad=True) for a in (x, wt, b)))
    theirs = second(torch, *(_t(a) for a in (x, wt, b)))
    for name, a, t in zip(("input", "weight", "bias"), ours, theirs):
        scale = np.abs(t.numpy()).max()
        _close(a / scale, t / scale, f"second derivative w.r.t. {name} (relative to its largest entry)", 1e-12)


@pytest.mark.parametrize("stride, padding, output_padding", [(1, 0, 0), (2, 1, 1), ((2, 3), (0, 1), (1, 2))])
def test_conv_transpose2d_equals_pytorchs(stride, padding, output_padding):
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(2)
    ours = [ad.Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [_t(a) for a in (x, w, b)]
    out = ad.conv_transpose2d(*ours, stride=stride, padding=padding, output_padding=output_padding)
    their_out = TF.conv_transpose2d(*theirs, stride=stride, padding=padding, output_padding=output_padding)
    _close(out, their_out, "forward")
    g = rng.standard_normal(out.shape)
    out.backward(g)
    their_out.backward(torch.from_numpy(g))
    for name, a, t in zip(("input", "weight", "bias"), ours, theirs):
        _close(a.grad, t.grad, f"{name} gradient")


def test_conv2d_weight_is_pytorchs_weight_gradient():
    rng = np.random.default_rng(4)
    x, g = rng.standard_normal((2, 3, 8, 7)), rng.standard_normal((2, 4, 4, 4))
    ours = C.conv2d_weight(x, g, kernel_size=(3, 2), stride=2, padding=1)
    theirs = torch.nn.grad.conv2d_weight(_t(x, False), (4, 3, 3, 2), _t(g, False), stride=2, padding=1)
    _close(ours, theirs, "conv2d_weight")


@pytest.mark.parametrize("op, args", [
    (C.conv2d, lambda r: ((r((2, 3, 7, 6)), r((4, 3, 3, 2)), r(4)), dict(stride=(2, 1), padding=1))),
    (C.conv_transpose2d, lambda r: ((r((2, 3, 4, 5)), r((3, 2, 3, 3)), r(2)),
                                    dict(stride=2, padding=1, output_padding=1))),
    (C.conv2d_weight, lambda r: ((r((2, 3, 7, 6)), r((2, 4, 4, 4))), dict(kernel_size=(3, 2), stride=2, padding=1))),
    (C.max_pool2d, lambda r: ((r((2, 3, 7, 6)),), dict(kernel_size=3, stride=1, padding=1))),   # overlapping
    (C.max_pool2d, lambda r: ((r((2, 3, 8, 6)),), dict(kernel_size=2))),                         # side by side
    (C.avg_pool2d, lambda r: ((r((2, 3, 7, 6)),), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False))),
], ids=["conv2d", "conv_transpose2d", "conv2d_weight", "max_pool2d-overlap", "max_pool2d", "avg_pool2d"])
def test_plain_kernels_equal_the_vjps(op, args):
    """The plain pass's kernels (plain_vjp: cached im2col columns, bincount, strided adds)
    give the same gradients as the vjp written with ops (run on Tensors, as under create_graph)."""
    rng = np.random.default_rng(5)
    arrays, kwargs = args(rng.standard_normal)
    out = op(*[ad.Tensor(a, requires_grad=True) for a in arrays], **kwargs)
    g = rng.standard_normal(out.shape)
    plain = op.plain_vjp(out, g, out.data, *out.args)
    with ad.enable_grad():
        recorded = op.vjp(out, ad.Tensor(g), out, *out.inputs)
    for k, (p, r) in enumerate(zip(plain, recorded)):
        _close(p, r.data, f"gradient of input {k}", 1e-13)


# ----- pooling ----------------------------------------------------------------------------------
POOL_CASES = [((2,), {}), ((3, 2, 1), {}), ((3, 1, 0), {}), (((2, 3), (1, 2), (1, 1)), {}), ((2, 3), {}),
              ((5, 2, 2), {})]


@pytest.mark.parametrize("args, _", POOL_CASES)
@pytest.mark.parametrize("values", ["continuous", "ties"])
def test_max_pool2d_equals_pytorchs(args, _, values):
    """Ties: integer pixels in 0..2 give many tied maxima; both send the gradient to the first one."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 9, 8)) if values == "continuous" else rng.integers(0, 3, (2, 3, 9, 8)) * 1.0
    layer = nn.MaxPool2d(*args)
    X, TX = ad.Tensor(x, requires_grad=True), _t(x)
    out, their_out = layer(X), TF.max_pool2d(TX, *args)
    _close(out, their_out, "forward")
    g = rng.standard_normal(out.shape)
    out.backward(g)
    their_out.backward(torch.from_numpy(g))
    _close(X.grad, TX.grad, "input gradient")


def test_max_pool2d_of_minus_infinity_sends_the_gradient_to_a_real_pixel():
    x = np.full((1, 1, 4, 4), -np.inf)
    X, TX = ad.Tensor(x, requires_grad=True), _t(x)
    out, their_out = ad.max_pool2d(X, 3, 2, 1), TF.max_pool2d(TX, 3, 2, 1)
    _close(out, their_out, "forward")
    out.backward(np.ones(out.shape))
    their_out.backward(torch.ones(their_out.shape, dtype=torch.float64))
    _close(X.grad, TX.grad, "input gradient")


@pytest.mark.parametrize("args, _", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_equals_pytorchs(args, _, count_include_pad):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 9, 8))
    layer = nn.AvgPool2d(*args, count_include_pad=count_include_pad)
    X, TX = ad.Tensor(x, requires_grad=True), _t(x)
    out, their_out = layer(X), TF.avg_pool2d(TX, *args, count_include_pad=count_include_pad)
    _close(out, their_out, "forward")
    g = rng.standard_normal(out.shape)
    out.backward(g)
    their_out.backward(torch.from_numpy(g))
    _close(X.grad, TX.grad, "input gradient")


# ----- batch normalisation -------------------------------------------------------------------------
@pytest.mark.parametrize("layer, shape", [("BatchNorm1d", (16, 5)), ("BatchNorm1d", (8, 4, 3)),
                                          ("BatchNorm2d", (4, 3, 5, 6))])
@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"affine": False}, {"momentum": 0.3, "eps": 1e-3},
                                     {"track_running_stats": False}])
def test_batch_norm_equals_pytorchs_in_training_and_evaluation(layer, shape, options):
    rng = np.random.default_rng(8)
    ours = getattr(nn, layer)(shape[1], **options)
    theirs = getattr(torch.nn, layer)(shape[1], **options).double()
    if ours.affine:  # weights other than the initial 1 and 0
        with torch.no_grad():
            for p, q in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
                values = rng.standard_normal(shape[1])
                with ad.no_grad():
                    p[...] = values
                q.copy_(torch.from_numpy(values))
    for step, training in enumerate([True, True, True, False, True, False]):
        ours.train(training)
        theirs.train(training)
        x = 3.0 + 2.0 * rng.standard_normal(shape)
        X, TX = ad.Tensor(x, requires_grad=True), _t(x)
        out, their_out = ours(X), theirs(TX)
        _close(out, their_out, f"step {step} forward")
        g = rng.standard_normal(shape)
        out.backward(g)
        their_out.backward(torch.from_numpy(g))
        _close(X.grad, TX.grad, f"step {step} input gradient")
        if ours.affine:
            _close(ours.weight.grad, theirs.weight.grad, f"step {step} weight gradient")
            _close(ours.bias.grad, theirs.bias.grad, f"step {step} bias gradient")
            ours.zero_grad()
            theirs.zero_grad()
        if ours.track_running_stats:
            _close(ours.running_mean, theirs.running_mean, f"step {step} running mean")
            _close(ours.running_var, theirs.running_var, f"step {step} running variance")
            assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())


def test_batch_norm_running_statistics_survive_a_live_evaluation_graph():
    """An evaluation graph does not hold the buffers, so training can update them meanwhile."""
    layer = nn.BatchNorm1d(3).eval()
    X = ad.Tensor(np.random.default_rng(9).standard_normal((4, 3)), requires_grad=True)
    kept = layer(X)
    before = kept.data.copy()
    layer.train()
    layer(np.random.default_rng(10).standard_normal((4, 3)) + 5.0)
    kept.sum().backward()
    np.testing.assert_array_equal(kept.data, before)
    assert layer.running_mean.flags.writeable and np.all(layer.running_mean > 0.1)


def test_batch_norm_errors():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): the input has shape \(4, 5\); expected \(batch, chan"):
        nn.BatchNorm1d(3)(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"batch_norm: training needs more than one value per channel"):
        nn.BatchNorm1d(3)(np.zeros((1, 3)))
    nn.BatchNorm1d(3).eval()(np.zeros((1, 3)))  # evaluation is fine with one sample
    with pytest.raises(ValueError, match=r"BatchNorm2d: momentum must be a number in \[0, 1\] or None, got 2"):
        nn.BatchNorm2d(3, momentum=2)
    with pytest.raises(ValueError, match=r"BatchNorm2d: eps must be a positive number, got 0"):
        nn.BatchNorm2d(3, eps=0)


# ----- the Conv2d layer --------------------------------------------------------------------------------
def test_conv2d_initialisation_is_pytorchs_distribution():
    layer = nn.Conv2d(6, 16, 5, rng=0)
    bound = 1.0 / np.sqrt(6 * 25)
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound and np.abs(p).max() > 0.9 * bound
    # U(−b, b) has standard deviation b/√3
    assert abs(layer.weight.data.std() / (bound / np.sqrt(3)) - 1) < 0.05
    assert layer.weight.shape == tuple(torch.nn.Conv2d(6, 16, 5).weight.shape)
    same = nn.Conv2d(2, 3, (3, 5), padding="same", rng=0)
    assert same(np.zeros((1, 2, 7, 9))).shape == (1, 3, 7, 9)
    assert nn.Conv2d(2, 3, 3, padding="valid", bias=False).bias is None


def test_conv2d_keeps_float32():
    layer = nn.Conv2d(2, 3, 3, dtype=np.float32, rng=0)
    X = ad.Tensor(np.ones((2, 2, 5, 5), np.float32), requires_grad=True)
    out = layer(X)
    out.sum().backward()
    assert out.dtype == np.float32 and X.grad.dtype == np.float32 and layer.weight.grad.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: nn.Conv2d(3, 4, 3)(np.zeros((2, 2, 5, 5))),
     r"Conv2d\(3, 4\): the input has shape \(2, 2, 5, 5\); expected \(batch, 3, height, width\)"),
    (lambda: nn.Conv2d(3, 4, 0), r"Conv2d: kernel_size must be >= 1, got 0"),
    (lambda: nn.Conv2d(3, 4, 3, stride=(1, 2, 3)), r"Conv2d: stride must be an int or a pair of ints"),
    (lambda: nn.Conv2d(3, 4, 4, padding="same"), r"Conv2d: padding='same' needs stride 1 and odd kernel sizes"),
    (lambda: nn.Conv2d(0, 4, 3), r"Conv2d: in_channels must be a positive integer, got 0"),
    (lambda: ad.conv2d(np.zeros((1, 2, 3, 3)), np.zeros((4, 2, 5, 5))),
     r"conv2d: the kernel \(5, 5\) is larger than the padded input \(3, 3\)"),
    (lambda: ad.conv2d(np.zeros((2, 3, 3)), np.zeros((4, 2, 5, 5))), r"conv2d: input must be 4-D"),
    (lambda: ad.conv2d(np.zeros((1, 2, 6, 6)), np.zeros((4, 2, 3, 3)), np.zeros(3)),
     r"conv2d: bias must have shape \(4,\), one per output channel, got \(3,\)"),
    (lambda: ad.conv_transpose2d(np.zeros((1, 2, 3, 3)), np.zeros((2, 1, 3, 3)), stride=2, output_padding=2),
     r"conv_transpose2d: output_padding \(2, 2\) must be smaller than the stride \(2, 2\)"),
    (lambda: nn.MaxPool2d(2, padding=2), r"MaxPool2d: padding \(2, 2\) must be at most half the kernel"),
    (lambda: ad.max_pool2d(np.zeros((1, 1, 3, 3)), 4), r"max_pool2d: the kernel \(4, 4\) is larger than the padded"),
    (lambda: ad.avg_pool2d(np.zeros((1, 1, 3, 3)), 2, count_include_pad=1),
     r"avg_pool2d: count_include_pad must be True or False"),
])
def test_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_a_small_cnn_equals_pytorchs_step_by_step():
    """Conv-ReLU-MaxPool-Conv-ReLU-AvgPool-Flatten-Linear, two SGD steps with momentum: the same losses and weights."""
    rng = np.random.default_rng(11)
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, rng=1), nn.BatchNorm2d(6), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(6 * 2 * 2, 10, rng=2))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(4, 6, 3), torch.nn.BatchNorm2d(6), torch.nn.ReLU(),
                                 torch.nn.AvgPool2d(2), torch.nn.Flatten(), torch.nn.Linear(24, 10)).double()
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    opt = ad.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    their_opt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        x, y = rng.standard_normal((8, 1, 12, 12)), rng.integers(0, 10, 8)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(ours(x), y)
        loss.backward()
        opt.step()
        their_opt.zero_grad()
        their_loss = TF.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y))
        their_loss.backward()
        their_opt.step()
        assert abs(loss.item() - their_loss.item()) < 1e-12
    for name, value in theirs.state_dict().items():
        _close(ours.state_dict()[name], value, name, 1e-11)


@pytest.mark.parametrize("op", [ad.conv2d, ad.conv_transpose2d])
def test_a_float64_bias_on_float32_images_gives_numpys_promotion(op):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(3)
    mixed = op(x, w, b)
    assert mixed.dtype == np.float64
    expected = op(x.astype(np.float64), w.astype(np.float64), b).data  # the same float32 values, in float64
    np.testing.assert_allclose(mixed.data, expected, rtol=1e-6, atol=1e-5)  # float32 products, float64 sum
    np.testing.assert_allclose(mixed.data - op(x, w).data, np.broadcast_to(b.reshape(1, 3, 1, 1), mixed.shape),
                               rtol=0, atol=1e-12)
