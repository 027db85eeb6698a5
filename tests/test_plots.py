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


class StandInSoftmax:
    """A stand-in for a fitted SoftmaxRegression on 784 pixels."""
    classes_ = np.arange(10)
    coef_ = np.random.default_rng(2).normal(size=(10, 784))
    loss_curve_ = [2.3, 1.0, 0.5]

    def predict(self, X):
        return np.argmax(np.asarray(X, float) @ self.coef_.T, axis=1)


def test_iris_and_mnist_plots(tmp_path, plt):
    pytest.importorskip("models.linear")
    written = plots.iris_plots(tmp_path / "iris")
    assert [p.name for p in written] == ["iris_probability.png", "iris_cost_curve.png"]
    for p in written:
        assert_png(p)
    X = np.random.default_rng(3).integers(0, 256, size=(40, 784))
    y = np.arange(40) % 10
    written = plots.mnist_plots(StandInSoftmax(), X, y, tmp_path / "mnist")
    assert [p.name for p in written] == ["mnist_digits.png", "mnist_weights.png", "mnist_confusion_matrix.png",
                                         "mnist_cost_curve.png"]
    for p in written:
        assert_png(p)
    assert len(plt.get_fignums()) == 0  # the helpers close what they draw


def test_iris_and_mnist_pictures_have_different_names():
    assert not set(plots.IRIS_PICTURES) & set(plots.MNIST_PICTURES)
    assert all(name.startswith("iris_") for name in plots.IRIS_PICTURES)
    assert all(name.startswith("mnist_") for name in plots.MNIST_PICTURES)


def test_pick_digits_mixes_classes_and_mistakes():
    y_true = np.repeat(np.arange(10), 100)  # sorted by label, as the CLI's test set
    y_pred = y_true.copy()
    wrong = [3, 5, 150, 420, 421, 422, 423, 424, 425, 426, 427, 428, 429, 999]  # 14 mistakes, most of them 4s
    y_pred[wrong] = (y_true[wrong] + 1) % 10
    pick = plots.pick_digits(y_true, y_pred, n=25)
    assert len(pick) == 25 == len(set(pick.tolist()))
    assert set(y_true[pick]) == set(range(10))  # every class, not 25 zeros
    shown_wrong = [i for i in pick if y_pred[i] != y_true[i]]
    assert len(shown_wrong) == 12  # about half of the 25
    assert set(y_true[shown_wrong]) == {0, 1, 4, 9}  # mistakes of every class that has some
    assert np.all(np.diff(y_true[pick]) >= 0)  # grouped by true label
    np.testing.assert_array_equal(plots.pick_digits(y_true, y_pred, n=25), pick)  # deterministic
    few = plots.pick_digits(y_true[:30], y_true[:30], n=25)  # no mistakes, one class
    assert len(few) == 25 and (y_true[few] == 0).all()
    assert len(plots.pick_digits(y_true, y_pred, n=25, mistakes=0)) == 25
    with pytest.raises(ValueError, match="predictions"):
        plots.pick_digits(y_true, y_pred[:5])


def test_mnist_digits_picture_shows_a_mix_and_the_mistakes(tmp_path, plt, monkeypatch):
    X = np.random.default_rng(4).integers(0, 256, size=(300, 784))
    y = np.sort(np.arange(300) % 10)  # sorted: the first 25 are all zeros
    model = StandInSoftmax()
    y_pred = model.predict(X)
    figures = []
    real = plots.plot_digits

    def spy(*args, **kwargs):
        figures.append(real(*args, **kwargs))
        return figures[-1]
    monkeypatch.setattr(plots, "plot_digits", spy)
    monkeypatch.setattr(plots, "_close", lambda fig: None)
    plots.mnist_plots(model, X, y, tmp_path)
    titles = [ax.title for ax in figures[0].axes if ax.get_title()]
    assert len(titles) == 25
    true_labels = {int(t.get_text().split("(")[1].rstrip(")")) for t in titles}
    assert true_labels == set(range(10))
    red = [t for t in titles if __import__("matplotlib.colors").colors.same_color(t.get_color(), "red")]
    assert len(red) == 12 == min(12, int((y_pred != y).sum()))
    assert f"of the {int((y_pred != y).sum())} mistakes on 300 test images" in figures[0]._suptitle.get_text()


def test_cli_plot_flag(tmp_path, plt, capsys):
    cli = pytest.importorskip("models.cli")
    assert cli.main(["mnist", "--sample", "--epochs", "1", "--quiet", "--plot", str(tmp_path)]) == 0
    assert "Wrote" in capsys.readouterr().out
    for name in plots.MNIST_PICTURES:
        assert_png(tmp_path / name)


def test_iris_and_mnist_commands_share_a_folder(tmp_path, plt, capsys):
    """mnist --plot DIR no longer overwrites the cost curve iris --plot DIR wrote."""
    cli = pytest.importorskip("models.cli")
    assert cli.main(["iris", "--iterations", "100", "--plot", str(tmp_path)]) == 0
    iris_pictures = {name: (tmp_path / name).read_bytes() for name in plots.IRIS_PICTURES}
    assert cli.main(["mnist", "--sample", "--epochs", "1", "--quiet", "--plot", str(tmp_path)]) == 0
    assert {name: (tmp_path / name).read_bytes() for name in plots.IRIS_PICTURES} == iris_pictures
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(plots.IRIS_PICTURES + plots.MNIST_PICTURES)
