"""models.plots: every function writes a PNG and returns the Figure (Agg backend)."""
import sys

import numpy as np
import pytest

from models import plots

PNG = b"\x89PNG\r\n\x1a\n"


def test_missing_matplotlib_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(ImportError, match=r"plotting needs matplotlib: pip install autodiff\[plot\]"):
        plots.plot_cost_curve([1.0, 0.5])


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install autodiff[plot])")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 1000


class FixedLogistic:
    """A fitted one-feature logistic model: P(Virginica) = σ(4(w − 1.65))."""
    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-4 * (np.asarray(X)[:, 0] - 1.65)))
        return np.column_stack([1 - p, p])


def test_cost_curve(tmp_path, plt):
    fig = plots.plot_cost_curve(0.7 * np.exp(-np.arange(50) / 10) + 0.05, tmp_path / "cost.png")
    assert_png(tmp_path / "cost.png")
    assert fig.axes[0].get_ylabel() == "cost J"
    with pytest.raises(ValueError, match="empty"):
        plots.plot_cost_curve([])


def test_iris_probability(tmp_path, plt):
    widths = np.r_[np.linspace(0.1, 1.8, 30), np.linspace(1.4, 2.5, 20)]
    y = np.r_[np.zeros(30, int), np.ones(20, int)]
    fig = plots.plot_iris_probability(FixedLogistic(), widths, y, tmp_path / "iris.png")
    assert_png(tmp_path / "iris.png")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "petal width (cm)"
    assert any("1.65" in t.get_text() for t in ax.texts)  # the decision boundary
    assert plots.plot_iris_probability(FixedLogistic(), widths.reshape(-1, 1), y) is not None  # no path: no file


def test_digits_wrong_ones_in_red(tmp_path, plt):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(30, 784))
    y_true = np.arange(30) % 10
    y_pred = y_true.copy()
    y_pred[[1, 7]] = 0
    fig = plots.plot_digits(images, y_true, y_pred, tmp_path / "digits.png", n=25)
    assert_png(tmp_path / "digits.png")
    titles = [ax.title for ax in fig.axes if ax.get_title()]
    assert len(titles) == 25
    red = [t.get_text() for t in titles if __import__('matplotlib.colors').colors.same_color(t.get_color(), "red")]
    assert red == ["0 (1)", "0 (7)"]


def test_weights(tmp_path, plt):
    coef = np.random.default_rng(1).normal(size=(10, 784))
    fig = plots.plot_weights(coef, tmp_path / "weights.png")
    assert_png(tmp_path / "weights.png")
    assert sum(1 for ax in fig.axes if ax.images) == 10
    plots.plot_weights(coef.T)  # (784, K) is accepted too
    with pytest.raises(ValueError, match="784"):
        plots.plot_weights(np.zeros((10, 20)))


def test_confusion_matrix(tmp_path, plt):
    cm = np.diag([5, 6, 7]) + 1
    fig = plots.plot_confusion_matrix(cm, ["a", "b", "c"], tmp_path / "cm.png")
    assert_png(tmp_path / "cm.png")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(str(v) for v in cm.ravel())
    with pytest.raises(ValueError, match="labels"):
        plots.plot_confusion_matrix(cm, ["a"])


def test_iris_and_mnist_plots(tmp_path, plt):
    pytest.importorskip("models.linear")
    written = plots.iris_plots(tmp_path / "iris")
    assert {p.name for p in written} >= {"iris_probability.png"}
    for p in written:
        assert_png(p)

    class Model:  # a stand-in for a fitted SoftmaxRegression
        classes_ = np.arange(10)
        coef_ = np.random.default_rng(2).normal(size=(10, 784))
        loss_curve_ = [2.3, 1.0, 0.5]

        def predict(self, X):
            return np.argmax(np.asarray(X, float) @ self.coef_.T, axis=1)

    X = np.random.default_rng(3).integers(0, 256, size=(40, 784))
    y = np.arange(40) % 10
    written = plots.mnist_plots(Model(), X, y, tmp_path / "mnist")
    assert [p.name for p in written] == ["digits.png", "weights.png", "confusion_matrix.png", "cost_curve.png"]
    for p in written:
        assert_png(p)
    assert len(plt.get_fignums()) == 0  # the helpers close what they draw


def test_cli_plot_flag(tmp_path, plt, capsys):
    cli = pytest.importorskip("models.cli")
    assert cli.main(["mnist", "--sample", "--epochs", "1", "--quiet", "--plot", str(tmp_path)]) == 0
    assert "Wrote" in capsys.readouterr().out
    for name in ("digits.png", "weights.png", "confusion_matrix.png", "cost_curve.png"):
        assert_png(tmp_path / name)
