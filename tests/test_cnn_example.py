"""examples/cnn_mnist.py: the LeNet-style CNN learns the bundled MNIST sample in one epoch, its
profile accounts for the epoch's time, and (slow, with $AUTODIFF_DATA) it reaches 98.8% on the
full MNIST."""
import importlib.util
import os
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cnn_mnist.py"
# one BLAS thread when threadpoolctl can set it: on 2 cores shared with other work, OpenBLAS's
# threads spend most of their time waiting for each other on these small matrices
THREADS = ["--blas-threads", "1"] if importlib.util.find_spec("threadpoolctl") else []


@pytest.fixture(scope="module")
def cnn():
    spec = importlib.util.spec_from_file_location("cnn_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_epoch_on_the_sample_learns(cnn, capsys):
    history = cnn.main(["--sample", "--epochs", "1", "--seed", "0", *THREADS])
    assert len(history) == 1
    # a random 10-class network starts at log 10 = 2.30 and 10%; one epoch of 5,000 images: 0.812 measured
    assert history[0]["loss"] < 1.5 and history[0]["test_accuracy"] > 0.7
    assert "epoch 1: loss" in capsys.readouterr().out


def test_the_profile_names_the_convolution_kernels(cnn, capsys):
    cnn.main(["--sample", "--limit", "256", "--epochs", "1", "--profile", *THREADS])
    out = capsys.readouterr().out
    for label in ("conv2d forward", "conv2d backward", "max_pool2d forward", "im2col copies", "matmul forward",
                  "the rest (graph, optimizer, batches)"):
        assert label in out, out
    # the timers are removed afterwards
    import autodiff as ad
    assert type(ad.ops.conv2d).forward.__qualname__ == "Conv2d.forward"


def test_bad_arguments_are_refused(cnn):
    with pytest.raises(SystemExit):
        cnn.main(["--sample", "--epochs", "0"])


@pytest.mark.slow
def test_full_mnist_reaches_98_8_percent(cnn):
    if not os.environ.get("AUTODIFF_DATA"):
        pytest.skip("set AUTODIFF_DATA to a folder holding the MNIST files")
    history = cnn.main(["--epochs", "6", "--seed", "0", *THREADS])
    assert history[-1]["test_accuracy"] >= 0.988
