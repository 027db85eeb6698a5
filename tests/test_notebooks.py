"""Execute the lecture's notebooks (examples/*.ipynb) and check what they print."""
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("[0-9][0-9]_*.ipynb"))

nbformat = pytest.importorskip("nbformat", reason="running the notebooks needs nbformat (pip install autodiff[test])")
nbclient = pytest.importorskip("nbclient", reason="running the notebooks needs nbclient (pip install autodiff[test])")
pytest.importorskip("ipykernel", reason="running the notebooks needs ipykernel (pip install autodiff[test])")

# What each notebook must print: the slides' numbers.
EXPECTED = {
    "01_iris_logistic_regression": ["Is X[3] Iris-Virginica? [0]", "Is X[145] Iris-Virginica? [1]",
                                    "Is X_new Iris-Virginica? [0]", "Recall score: 0.96"],
    "02_logistic_regression_from_scratch": [
        "sigmoid(-100): 3.7200759760208356e-44", "cost: 0.6931471805599454", "[ 0.72566667]",
        "Cost (iteration 1000) = 0.126957", "Cost (iteration 4000) = 0.081294", "[-3.37535802]",
        "b: -2.91566779426960", "Is X[145] Iris-Virginica? [[1.]]", "Train accuracy:  98.0"],
    "03_mnist_softmax_regression": ["X_train.shape: (5000, 784)", "y_test[400]: 3", "Test accuracy: 0.8"],
    "04_entropy_cross_entropy": ["average bits: 1.42 bits", "average bits: 2.7 bits", "average bits: 1.8 bits",
                                 "entropy of 8 equally likely messages: 3.0 bits", "≈ 0.916", "≈ 0.02"],
    "05_jacobians": ["softmax([1, 2, 3]) = [0.09003057 0.24472847 0.66524096]", "DS shape: (10, 10)"],
    "06_chain_rule": ["autodiff:     -5.46678157", "dŷ/dz = ŷ(1 − ŷ)", "∂z/∂b = 1", "backward agrees: True True",
                      "└── add"],
    "07_mlp_from_scratch": ["X_train.shape: (5000, 784)", "forward equals X Wᵀ + b: True", "dL/dW = Gᵀ X: True",
                            "dL/db = Σ G:  True", "dL/dX = G W:  True", "agree to 1e-6: True",
                            "out.weight     (10, 64)", "[hidden: Linear]", "epoch 2: mean loss",
                            "test accuracy above 0.85 after 3 epochs: True"],
    "08_cnn": ["X_train.shape: (5000, 1, 28, 28)", "Y.shape: (2, 4, 5, 6)", "all agree to 1e-10: True",
               "parameters: 61706", "MaxPool2d  -> (1, 16, 5, 5)", "epoch 1: mean loss",
               "test accuracy above 0.85 after 2 epochs: True"],
}


def test_every_notebook_is_checked_and_up_to_date():
    assert [p.stem for p in NOTEBOOKS] == sorted(EXPECTED)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code"), f"{path.name} is stored with outputs"


def test_notebooks_match_their_generator(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_notebooks", EXAMPLES / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for built in module.build(tmp_path):
        assert built.read_text() == (EXAMPLES / built.name).read_text(), \
            f"{built.name} is out of date: run python examples/build_notebooks.py"


def _text(nb) -> str:
    # The kernel may flush one print in several stream messages (under load, a flush can fall
    # between "...:" and " True"), so consecutive chunks of one stream are joined as Jupyter
    # shows them: with nothing in between.
    parts = []
    for cell in nb.cells:
        stream = None
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                if out.get("name") == stream:
                    parts[-1] += out.get("text", "")
                else:
                    parts.append(out.get("text", ""))
                stream = out.get("name")
            else:
                stream = None
                if "data" in out:
                    parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def test_text_joins_a_print_flushed_in_two_chunks():
    cell = {"outputs": [{"output_type": "stream", "name": "stdout", "text": "accuracy above 0.85:"},
                        {"output_type": "stream", "name": "stdout", "text": " True\n"},
                        {"output_type": "stream", "name": "stderr", "text": "note\n"}]}
    nb = type("Notebook", (), {"cells": [cell]})()
    assert _text(nb) == "accuracy above 0.85: True\n\nnote\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch, tmp_path):
    # the kernel imports the repository's packages and draws with matplotlib's inline backend
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}")
    text = _text(nb)
    for expected in EXPECTED[path.stem]:
        assert expected in text, f"{path.name} does not print {expected!r}"
    assert not re.search(r"Traceback|Warning:", text), text[-2000:]
