"""Write the README's pictures into docs/ (needs matplotlib; docs/graph.png needs Graphviz's dot).

    python examples/make_pictures.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import autodiff as ad  # noqa: E402
from autodiff.explain import lecture_logistic_loss  # noqa: E402
from autodiff.graph import render_dot  # noqa: E402
from models.datasets import load_mnist_sample  # noqa: E402
from models.linear import SoftmaxRegression  # noqa: E402
from models.plots import iris_plots, mnist_plots  # noqa: E402
from models.preprocessing import StandardScaler  # noqa: E402

DOCS = ROOT / "docs"


def logistic_graph() -> ad.Tensor:
    """The lecture's single training instance: ŷ = σ(wᵀx + b), L = −(y log ŷ + (1 − y) log(1 − ŷ))."""
    L, _, _ = lecture_logistic_loss([5.1, 3.5, 1.4, 0.2], [0.1, -0.2, 0.3, 0.1], 0.0, y=0.0)
    L.backward()
    return L


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    if shutil.which("dot"):
        source = ad.to_dot(logistic_graph()).replace("rankdir=LR;", "rankdir=LR;\n  dpi=72;", 1)
        (DOCS / "graph.png").write_bytes(render_dot(source, "png"))
    else:
        print("dot is not installed: docs/graph.png not written")
    iris_plots(DOCS)
    (DOCS / "iris_cost_curve.png").replace(DOCS / "cost_curve.png")  # the README's names
    mnist = load_mnist_sample()
    n = mnist["n_train"]
    X_train, X_test, y_train, y_test = mnist["data"][:n], mnist["data"][n:], mnist["target"][:n], mnist["target"][n:]
    scaler = StandardScaler()
    model = SoftmaxRegression(random_state=42).fit(scaler.fit_transform(X_train.astype(np.float64)), y_train)
    with tempfile.TemporaryDirectory() as tmp:
        written = mnist_plots(model, scaler.transform(X_test.astype(np.float64)), y_test, tmp, images=X_test)
        for path in written:
            if path.name != "mnist_cost_curve.png":  # the README's cost curve is the lecture's, on Iris
                shutil.copy(path, DOCS / path.name.removeprefix("mnist_"))
    for path in sorted(DOCS.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
