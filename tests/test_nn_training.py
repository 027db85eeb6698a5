"""A small MLP (Linear-ReLU-Linear) trained with nn + optim on the bundled MNIST
sample: the loss falls, the test accuracy is real, and one step's update is
PyTorch's on the same architecture, initial weights and batch."""
import numpy as np
import pytest

import autodiff as ad
from autodiff import data, nn, optim
from autodiff.nn import functional as F


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist_arrays()  # 5,000 training and 1,000 test images, pixels in [0, 1]


def _mlp(seed=0, hidden=32):
    return nn.Sequential(nn.Linear(784, hidden, rng=seed), nn.ReLU(), nn.Linear(hidden, 10, rng=seed + 1))


def _accuracy(model, X, y):
    with ad.no_grad():
        return float(np.mean(np.argmax(model(X).data, axis=1) == y))


@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    lambda params: optim.Adam(params, lr=1e-3),
], ids=["SGD-momentum", "Adam"])
def test_an_mlp_learns_mnist(mnist, make_optimizer):
    X_train, y_train, X_test, y_test = mnist
    model = _mlp()
    opt = make_optimizer(model.parameters())
    loader = data.DataLoader(X_train, y_train, batch_size=64, shuffle=True, seed=0)
    before = _accuracy(model, X_test, y_test)
    epoch_losses, first_batches = [], []
    for _ in data.epochs(2, progress=False):
        losses = []
        for X, y in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        epoch_losses.append(np.mean(losses))
        first_batches.append(np.mean(losses[:10]))
    after = _accuracy(model, X_test, y_test)
    # a random 10-class network starts near log(10) = 2.30 and 10% accuracy
    assert before < 0.25
    print(f"accuracy {before:.3f} -> {after:.3f}, mean loss of the first 10 batches {first_batches[0]:.3f}, "
          f"epochs {epoch_losses[0]:.3f}, {epoch_losses[1]:.3f}")
    assert first_batches[0] > 1.8  # near log 10 = 2.30 at the start
    assert epoch_losses[0] < 0.75 * first_batches[0] and epoch_losses[1] < 0.75 * epoch_losses[0]
    assert after > 0.85


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("Adam", dict(lr=1e-3)),
    ("AdamW", dict(lr=1e-3, weight_decay=0.1)),
    ("RMSprop", dict(lr=1e-3, momentum=0.5, centered=True)),
])
def test_two_steps_equal_pytorchs(mnist, name, kwargs):
    torch = pytest.importorskip("torch")
    X_train, y_train, _, _ = mnist
    model = _mlp(seed=3)
    reference = torch.nn.Sequential(torch.nn.Linear(784, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).double()
    with torch.no_grad():  # the same initial weights, in the same (out, in) layout
        for (_, ours), theirs in zip(model.named_parameters(), reference.parameters()):
            theirs.copy_(torch.from_numpy(ours.data))
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    their_opt = getattr(torch.optim, name)(reference.parameters(), **kwargs)
    for rows in (slice(0, 64), slice(64, 128)):  # two steps, so the optimizers' state matters
        X, y = X_train[rows], y_train[rows]
        opt.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        their_opt.zero_grad()
        their_loss = torch.nn.functional.cross_entropy(reference(torch.from_numpy(X)), torch.from_numpy(y))
        their_loss.backward()
        their_opt.step()
        assert abs(loss.item() - their_loss.item()) < 1e-12
    for (label, ours), theirs in zip(model.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=0, atol=1e-10, err_msg=label)
