"""``python -m models``: the lecture's Iris replay, MNIST, --help, and failures
(one line on stderr, exit 1 / 2 / 130, quiet on a closed pipe)."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from models import cli
from models.cli import MNIST_EPOCHS, _lecture_cost_and_gradients, main, sorted_test_index
from models.datasets import load_iris, load_mnist_sample, train_test_split_mnist

ROOT = Path(__file__).resolve().parents[1]


def _lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_lecture_derivatives_and_cost_at_zero_weights():
    iris = load_iris()
    dw, db, cost = _lecture_cost_and_gradients(iris["data"], (iris["target"] == 2).astype(int))
    np.testing.assert_allclose(dw[:, 0], [0.72566667, 0.53733333, 0.02833333, -0.07566667], atol=1e-8)
    assert db == pytest.approx(0.16666666666666666, abs=1e-15)
    assert cost == pytest.approx(0.6931471805599454, abs=1e-15)


def _check_iris_start(out):
    text = "\n".join(out)
    assert out[0].startswith("Dataset keys: ['data', 'target',")
    assert "['setosa' 'versicolor' 'virginica']" in out
    assert "X shape: (150, 4)" in out and "y shape: (150,)" in out
    assert "[[5.1 3.5 1.4 0.2]" in out
    assert "cost: 0.6931471805599454" in out
    assert "dw: [[ 0.72566667]" in out
    for line in ("Cost (iteration 0) = 0.693147", "Cost (iteration 1000) = 0.126957",
                 "Cost (iteration 2000) = 0.099479", "Cost (iteration 3000) = 0.087918",
                 "Cost (iteration 4000) = 0.081294"):
        assert line in out
    assert "W: [[-3.37535802]\n [-3.32169488]\n [ 4.96017562]\n [ 5.53844134]]" in text
    b = float(next(line for line in out if line.startswith("b: -")).split()[1])
    assert b == pytest.approx(-2.915667794269605, abs=1e-6)
    assert "Is X[3] Iris-Virginica? [0]" in out
    assert "Is X[145] Iris-Virginica? [1]" in out
    assert "Is X_new Iris-Virginica? [0]" in out
    precision = float(next(line for line in out if line.startswith("Precision score:")).split()[-1])
    recall = float(next(line for line in out if line.startswith("Recall score:")).split()[-1])
    assert 0.85 < precision <= 1 and 0.85 < recall <= 1


def test_iris_in_process_short_final_fit(capsys):
    assert main(["iris", "--iterations", "2000"]) == 0
    out = _lines(capsys)
    _check_iris_start(out)
    assert "Cost (iteration 400) = " in "\n".join(out)
    assert any(line.startswith("Train accuracy: ") for line in out)


@pytest.mark.slow
def test_iris_subprocess_the_whole_lecture():
    result = subprocess.run([sys.executable, "-m", "models", "iris"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    out = result.stdout.splitlines()
    _check_iris_start(out)
    for line in ("Cost (iteration 10000) = 0.066390", "Cost (iteration 20000) = 0.058997",
                 "Cost (iteration 30000) = 0.055479", "Cost (iteration 40000) = 0.053210",
                 "Train accuracy: 98.0"):
        assert line in out


def test_sorted_test_index_points_at_a_3_in_the_sample_and_in_the_full_set():
    _, _, _, y_test = train_test_split_mnist(load_mnist_sample())
    assert sorted_test_index(10000) == 4000 and sorted_test_index(len(y_test)) == 400
    assert np.sort(y_test, kind="stable")[sorted_test_index(len(y_test))] == 3
    counts = [980, 1135, 1032, 1010]  # the published MNIST test-set counts of digits 0..3
    assert sum(counts[:3]) <= 4000 < sum(counts)


def test_mnist_sample_quiet_with_the_default_epochs(capsys):
    assert MNIST_EPOCHS == 5
    assert main(["mnist", "--sample", "--quiet"]) == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert "X.shape: (6000, 784)" in out and "X_test_scaled.shape: (1000, 784)" in out
    accuracy = float(next(line for line in out if line.startswith("Test accuracy:")).split()[-1])
    assert accuracy >= 0.88  # measured 0.889 with 5 epochs, seed 0 (0.872 with "auto", 50 epochs)
    assert "y_test[400]: 3" in out and "predicted: 3" in out
    assert any(line.startswith("Fit time: ") and "(5 epochs)" in line for line in out)
    assert captured.err == ""  # --quiet: no progress bar


def test_mnist_without_data_uses_the_sample_and_never_downloads(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AUTODIFF_DATA", str(tmp_path))  # empty: nothing found
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["mnist", "--quiet", "--epochs", "1"]) == 0
    out = _lines(capsys)
    assert out[0].startswith("Data: the bundled MNIST sample (full MNIST not found")
    assert not any(tmp_path.rglob("*.gz"))


@pytest.mark.slow
def test_mnist_full_set_subprocess():
    data = os.environ.get("AUTODIFF_DATA")
    if not data or not Path(data).exists():
        pytest.skip("full MNIST not available: set $AUTODIFF_DATA")
    result = subprocess.run([sys.executable, "-m", "models", "mnist", "--data", data, "--quiet"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=True)
    out = result.stdout.splitlines()
    assert "X_train.shape: (60000, 784)" in out and "y_test[4000]: 3" in out and "predicted: 3" in out
    assert float(next(line for line in out if line.startswith("Test accuracy:")).split()[-1]) >= 0.925


@pytest.mark.parametrize("argv", [["--help"], ["iris", "--help"], ["mnist", "--help"]])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m models")
    if argv[0] == "mnist":
        assert "--data DIR" in out and "--epochs N" in out and "--quiet" in out and "--download" in out


def test_no_arguments_prints_help(capsys):
    assert main([]) == 0
    assert "{iris,mnist}" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["mnist", "--epochs", "0"], "python -m models mnist: error: argument --epochs: must be at least 1, got 0"),
    (["iris", "--iterations", "x"], "python -m models iris: error: argument --iterations: expected an integer"),
    (["mnist", "--bogus"], "python -m models: error: unrecognized arguments: --bogus"),
])
def test_bad_arguments_are_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def _one_error_line(capsys, *fragments):
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    for fragment in fragments:
        assert fragment in captured.err, captured.err
    return captured


def test_missing_data_folder_is_one_line(tmp_path, capsys):
    missing = tmp_path / "missing"
    assert main(["mnist", "--data", str(missing)]) == 1
    captured = _one_error_line(capsys, f"python -m models mnist: error: --data {missing}: no such folder")
    assert captured.out == ""  # nothing was done


def test_data_folder_without_the_files_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTODIFF_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["mnist", "--data", str(tmp_path)]) == 1
    _one_error_line(capsys, f"--data {tmp_path}: MNIST files not found (train-images-idx3-ubyte",
                    "add --download")


def test_debug_adds_the_traceback(tmp_path, capsys):
    assert main(["mnist", "--data", str(tmp_path / "missing"), "--debug"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1].startswith("python -m models mnist: error: --data ")


def test_unexpected_errors_are_one_line_too(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something broke\nwith details\non more lines")
    monkeypatch.setattr(cli, "run_iris", broken)
    assert main(["iris"]) == 1
    assert capsys.readouterr().err == ("python -m models iris: error: RuntimeError: something broke "
                                       "(--debug shows the rest)\n")


def test_unwritable_plot_folder_fails_before_any_work(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    (tmp_path / "a-file").write_text("not a folder")
    for folder, problem in ((tmp_path / "a-file", "not a folder"),
                            (tmp_path / "a-file" / "pics", "cannot write there")):
        assert main(["iris", "--plot", str(folder)]) == 1
        captured = _one_error_line(capsys, f"python -m models iris: error: --plot {folder}: {problem}")
        assert captured.out == ""  # no training started


def test_plot_without_matplotlib_fails_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert main(["mnist", "--sample", "--plot", str(tmp_path)]) == 1
    captured = _one_error_line(capsys, "--plot: plotting needs matplotlib: pip install autodiff[plot]")
    assert captured.out == ""


@pytest.mark.parametrize("error, status, err", [(KeyboardInterrupt, 130, "python -m models iris: interrupted\n"),
                                                (BrokenPipeError, 141, "")])
def test_interrupt_and_closed_pipe_in_process(error, status, err, capsys, monkeypatch):
    def run(*args, **kwargs):
        print("some output")
        raise error
    monkeypatch.setattr(cli, "run_iris", run)
    assert main(["iris"]) == status
    assert capsys.readouterr().err == err


def _unbuffered():
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def test_ctrl_c_exits_130_with_one_line():
    process = subprocess.Popen([sys.executable, "-m", "models", "iris", "--iterations", "100000000"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_unbuffered())
    try:
        for line in process.stdout:
            if line.startswith("# Evaluating"):  # the long final fit has started
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err == "python -m models iris: interrupted\n"


def test_closed_pipe_exits_quietly():
    """``python -m models iris | head -1``: the reader goes away after one line."""
    process = subprocess.Popen([sys.executable, "-m", "models", "iris", "--iterations", "2000"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_unbuffered())
    try:
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read()
        process.wait(timeout=120)
    finally:
        process.kill()
    assert first.startswith(b"Dataset keys:")
    assert err == b""
    assert process.returncode == 141  # as a command killed by SIGPIPE


def test_python_dash_m_models_runs():
    result = subprocess.run([sys.executable, "-m", "models"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=True)
    assert "usage: python -m models" in result.stdout
