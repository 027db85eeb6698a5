"""Command line: ``python -m models iris`` and ``python -m models mnist``.

* ``iris`` replays the lecture's Iris half (logistic regression "Is it
  Iris-Virginica?") on the bundled data, printing what the slides print.
* ``mnist`` trains :class:`~models.linear.SoftmaxRegression` on MNIST (the
  bundled sample, or the full set when it is found locally or ``--data`` /
  ``--download`` is given) and prints the lecture's checks.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

import numpy as np

__all__ = ["main", "build_parser", "run_iris", "run_mnist", "sorted_test_index"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m models",
                                     description="The lecture's logistic and softmax regression, "
                                                 "trained on the autodiff graph.")
    commands = parser.add_subparsers(dest="command", metavar="{iris,mnist}")
    iris = commands.add_parser("iris", help="replay the lecture's Iris logistic regression",
                               description="Replay the lecture's Iris half: is a flower Iris-Virginica? "
                                           "Gradient descent on the autodiff graph, from zero weights.")
    iris.add_argument("--iterations", type=int, default=50000, metavar="N",
                      help="iterations of the final fit (the lecture's 50,000)")
    iris.add_argument("--plot", metavar="DIR", help="also write the plots (PNG) into DIR (needs matplotlib)")
    mnist = commands.add_parser("mnist", help="softmax regression on MNIST",
                                description="Train SoftmaxRegression on standardized MNIST. Uses the full "
                                            "MNIST when found in --data, $AUTODIFF_DATA or the cache "
                                            "(never downloads unless --download), else the bundled "
                                            "sample (5,000 training + 1,000 test images).")
    mnist.add_argument("--data", metavar="DIR", help="folder holding the four MNIST .gz files")
    mnist.add_argument("--download", action="store_true", help="download the full MNIST if not found")
    mnist.add_argument("--sample", action="store_true", help="use the bundled sample even if the full set is found")
    mnist.add_argument("--epochs", type=int, metavar="N", help="epochs (default: SoftmaxRegression's 'auto')")
    mnist.add_argument("--seed", type=int, default=0, help="random_state of the mini-batch shuffling (default 0)")
    mnist.add_argument("--quiet", action="store_true", help="no progress bar")
    mnist.add_argument("--plot", metavar="DIR", help="also write the plots (PNG) into DIR (needs matplotlib)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error("--plot: plotting needs matplotlib: pip install autodiff[plot]")
    if args.command == "iris":
        if args.iterations < 1:
            parser.error("--iterations must be at least 1")
        run_iris(args.iterations, plot=args.plot)
    else:
        if args.epochs is not None and args.epochs < 1:
            parser.error("--epochs must be at least 1")
        run_mnist(data=args.data, download=args.download, sample=args.sample, epochs=args.epochs,
                  seed=args.seed, quiet=args.quiet, plot=args.plot)
    return 0


# ----- iris -------------------------------------------------------------------------------
def _lecture_cost_and_gradients(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The lecture's ``calculate_derivatives_and_cost`` at zero weights, on the graph:
    its written-out cost, differentiated by ``backward()``."""
    import autodiff as ad
    W = ad.Tensor(np.zeros((X.shape[1], 1)), requires_grad=True)
    b = ad.Tensor(0.0, requires_grad=True)
    yhat = ad.sigmoid(X @ W + b)
    Y = y.reshape(-1, 1)
    cost = -ad.mean(Y * ad.log(yhat) + (1.0 - Y) * ad.log(1.0 - yhat))
    cost.backward()
    return W.grad, float(b.grad), cost.item()


def run_iris(iterations: int = 50000, plot: str | None = None) -> None:
    """Print the lecture's Iris slides, computed by this package."""
    from .datasets import load_iris
    from .linear import LogisticRegression
    from .metrics import accuracy_score, precision_score, recall_score
    from .model_selection import cross_val_predict

    iris = load_iris()
    print("Dataset keys:", list(iris.keys()))
    print(iris["target"])
    print(iris["target_names"])
    print(iris["feature_names"])
    print(iris["data"][0:5, :])
    X = iris["data"]
    y = (iris["target"] == 2).astype(int)  # 1 if Iris-Virginica, else 0
    print("X shape:", X.shape)
    print("y shape:", y.shape)
    print("X[0]:", X[0])
    print("y:", y)

    print("\n# Initializing W and b")
    print("W:", np.zeros((X.shape[1], 1)))
    print("b:", 0)
    dw, db, cost = _lecture_cost_and_gradients(X, y)
    print("\n# Derivatives and cost at zero weights (the graph's backward)")
    print("dw:", dw)
    print("db:", db)
    print("cost:", cost)

    print("\n# Training: gradient descent, 5000 iterations, learning rate 0.1")
    model = LogisticRegression(learning_rate=0.1, max_iter=5000, verbose=1000).fit(X, y)
    print("W:", model.coef_.T)
    print("b:", model.intercept_[0])

    print("\n# Making predictions")
    print("Is X[3] Iris-Virginica?", model.predict(X[3].reshape(-1, 4)))
    print("Is X[145] Iris-Virginica?", model.predict(X[145].reshape(-1, 4)))
    X_new = [[4.9, 3.2, 1.3, 0.2]]
    print("Is X_new Iris-Virginica?", model.predict(X_new))

    print(f"\n# Evaluating: fit with {iterations} iterations")
    start = time.perf_counter()
    model = LogisticRegression(max_iter=iterations, verbose=max(iterations // 5, 1)).fit(X, y)
    elapsed = time.perf_counter() - start
    print("Train accuracy:", 100.0 * accuracy_score(y, model.predict(X)))
    print(f"({iterations} iterations on the autodiff graph in {elapsed:.2f} s)")
    if iterations == 50000:
        print("(The slide shows 0.053218 at iteration 40000; the lecture's own code gives "
              "0.053210, as here.)")

    print("\n# Precision and recall of 3-fold cross-validated predictions")
    y_pred = cross_val_predict(LogisticRegression(), X, y, cv=3)
    print("Precision score:", precision_score(y, y_pred))
    print("Recall score:", recall_score(y, y_pred))
    print("(The lecture's 0.9230769230769231 and 0.96 come from scikit-learn's liblinear solver; "
          "these come from our gradient descent, 5000 iterations per fold.)")
    if plot:
        from .plots import iris_plots
        for path in iris_plots(plot, model):
            print("Wrote", path)


# ----- mnist -----------------------------------------------------------------------------
def sorted_test_index(n_test: int, lecture_index: int = 4000, lecture_n_test: int = 10000) -> int:
    """The lecture's ``X_test[4000]`` of the 10,000 label-sorted test images, at the
    same relative position in a test set of ``n_test`` images (400 of the 1,000 in
    the sample: both are a 3)."""
    return lecture_index * n_test // lecture_n_test


def _load(data: str | None, download: bool, sample: bool) -> tuple[object, str]:
    from .datasets import DatasetNotFoundError, load_mnist, load_mnist_sample
    if sample:
        return load_mnist_sample(), "the bundled MNIST sample"
    if data is not None:
        return load_mnist(data, download=download), f"MNIST from {data}"
    try:
        return load_mnist(download=download), "the full MNIST"
    except DatasetNotFoundError:
        return load_mnist_sample(), ("the bundled MNIST sample (full MNIST not found; "
                                     "pass --data DIR or --download)")


def run_mnist(data: str | None = None, download: bool = False, sample: bool = False,
              epochs: int | None = None, seed: int = 0, quiet: bool = False, plot: str | None = None) -> float:
    """Train and evaluate SoftmaxRegression on MNIST; returns the test accuracy."""
    from ._progress import ProgressBar
    from .datasets import train_test_split_mnist
    from .linear import SoftmaxRegression
    from .preprocessing import StandardScaler

    bunch, source = _load(data, download, sample)
    print("Data:", source)
    X, y = bunch["data"], bunch["target"]
    print("X.shape:", X.shape)
    print("y.shape:", y.shape)
    X_train, X_test, y_train, y_test = train_test_split_mnist(bunch)
    order = np.argsort(y_test, kind="stable")  # the lecture's test set, sorted by label
    X_test, y_test = X_test[order], y_test[order]
    print("X_train.shape:", X_train.shape)
    print("y_train.shape:", y_train.shape)
    print("X_test.shape:", X_test.shape)
    print("y_test.shape:", y_test.shape)
    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train)
    X_test_scaled = scaler.transform(X_test)  # training statistics, not the test set's
    print("X_train_scaled.shape:", X_train_scaled.shape)
    print("X_test_scaled.shape:", X_test_scaled.shape)

    model = SoftmaxRegression(random_state=seed)
    if epochs is not None:
        model.set_params(max_iter=epochs)
    print(model)
    total = model._epochs(len(X_train_scaled))
    start = time.perf_counter()
    with ProgressBar(total, desc="epochs", unit="epoch", enabled=False if quiet else None) as bar:
        model.fit(X_train_scaled, y_train, progress=bar.update)
    elapsed = time.perf_counter() - start
    print(f"Fit time: {elapsed:.2f} s ({model.n_iter_} epochs)")
    accuracy = model.score(X_test_scaled, y_test)
    print(f"Test accuracy: {accuracy:.4f}")

    i = sorted_test_index(len(y_test))
    note = "" if i == 4000 else f" (index {i} of {len(y_test)}: the lecture's 4000 of 10,000, same relative position)"
    print(f"Test set sorted by label{note}:")
    print(f"y_test[{i}]:", y_test[i])
    print("predicted:", model.predict(X_test_scaled[i:i + 1])[0])
    if plot:
        from .plots import mnist_plots
        for path in mnist_plots(model, X_test_scaled, y_test, plot, images=X_test):
            print("Wrote", path)
    return accuracy


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
